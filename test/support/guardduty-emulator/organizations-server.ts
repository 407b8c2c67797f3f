import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { requireCaller } from './caller-identity';
import { GuardDutyState } from './guardduty-state';
import { readBody } from './http-exchange';
import { ORGANIZATIONS_OPERATIONS } from './organizations-operations';
import { ORGANIZATIONS_POLICY_OPERATIONS } from './organizations-policy-operations';
import { ServiceError } from './service-error';

const TARGET_PREFIX = 'AWSOrganizationsV20161128.';

/** One Organizations call as the emulator saw it. */
export interface OrganizationsCallRecord {
  readonly operation: string;
  readonly accountId?: string;
  readonly statusCode: number;
}

/**
 * AWS Organizations on its own endpoint (`AWS_ENDPOINT_URL_ORGANIZATIONS`), sharing the
 * GuardDuty emulator's state: JSON 1.1 over POST /, the operation in `X-Amz-Target`, the
 * caller's account from the SigV4 credential scope (see caller-identity.ts).
 */
export class OrganizationsServer {
  public static async start(state: GuardDutyState): Promise<OrganizationsServer> {
    const server = new OrganizationsServer(state);
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.server.listen(0, '127.0.0.1', () => resolve());
    });
    return server;
  }

  private readonly server: Server;
  private readonly log: OrganizationsCallRecord[] = [];

  private constructor(private readonly state: GuardDutyState) {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch(() => request.socket.destroy());
    });
  }

  public get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public calls(): readonly OrganizationsCallRecord[] {
    return [...this.log];
  }

  public clearLog(): void {
    this.log.length = 0;
  }

  public async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const text = await readBody(request);
    const target = String(request.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : 'Unknown';
    let statusCode = 200;
    let body: unknown;
    let errorType: string | undefined;
    let accountId: string | undefined;
    try {
      const handler = ORGANIZATIONS_OPERATIONS[operation] ?? ORGANIZATIONS_POLICY_OPERATIONS[operation];
      if (!handler) {
        throw new ServiceError('UnknownOperationException', 400, `The Organizations emulator does not implement ${operation}.`);
      }
      const caller = requireCaller(request.headers.authorization);
      accountId = caller.accountId;
      body = withoutUndefined(handler(caller, this.state, text ? (JSON.parse(text) as Record<string, unknown>) : {}));
    } catch (error) {
      const serviceError = error instanceof ServiceError ? error : new ServiceError('ServiceException', 500, `Organizations emulator failure: ${(error as Error).stack ?? String(error)}`);
      statusCode = serviceError.statusCode;
      errorType = serviceError.errorType;
      body = { __type: serviceError.errorType, Message: serviceError.message, Reason: (serviceError as { reason?: string }).reason };
    }
    this.log.push({ operation, accountId, statusCode });
    const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': randomUUID() };
    if (errorType) {
      headers['x-amzn-ErrorType'] = errorType;
    }
    response.writeHead(statusCode, headers);
    response.end(JSON.stringify(body));
  }
}

function withoutUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}
