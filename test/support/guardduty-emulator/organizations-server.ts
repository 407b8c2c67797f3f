import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { CallFault } from './call-log';
import { requireCaller } from './caller-identity';
import { FaultInjector, FaultOptions } from './fault-injector';
import { GuardDutyState } from './guardduty-state';
import { dropConnection, readBody } from './http-exchange';
import { ORGANIZATIONS_OPERATIONS } from './organizations-operations';
import { ORGANIZATIONS_POLICY_OPERATIONS } from './organizations-policy-operations';
import { ServiceError } from './service-error';

const TARGET_PREFIX = 'AWSOrganizationsV20161128.';

/** One Organizations call as the emulator saw it. */
export interface OrganizationsCallRecord {
  readonly operation: string;
  readonly accountId?: string;
  /** 0 when no response was sent (connection dropped). */
  readonly statusCode: number;
  readonly fault?: CallFault;
}

/**
 * AWS Organizations on its own endpoint (`AWS_ENDPOINT_URL_ORGANIZATIONS`), sharing the
 * GuardDuty emulator's state: JSON 1.1 over POST /, the operation in `X-Amz-Target`, the
 * caller's account from the SigV4 credential scope (see caller-identity.ts).
 */
export class OrganizationsServer {
  public static async start(state: GuardDutyState, sleep: (ms: number) => Promise<void>): Promise<OrganizationsServer> {
    const server = new OrganizationsServer(state, sleep);
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.server.listen(0, '127.0.0.1', () => resolve());
    });
    return server;
  }

  private readonly server: Server;
  private readonly log: OrganizationsCallRecord[] = [];
  private faults = new FaultInjector();

  private constructor(private readonly state: GuardDutyState, private readonly sleep: (ms: number) => Promise<void>) {
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

  /**
   * Organizations' own faults, as the GuardDuty endpoint's (fault-injector.ts), answered
   * as Organizations answers them: a throttle is HTTP 400 TooManyRequestsException (the
   * SDK retries it as a throttle), a server error HTTP 500 ServiceException.
   */
  public setFaults(faults: FaultOptions): void {
    this.faults = new FaultInjector(faults);
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
    const faults = this.faults;
    const scripted = faults.scripted(operation);
    await this.sleep(faults.latencyMs());
    if (scripted === 'dropped' || (scripted === undefined && faults.dropsBeforeApply(operation))) {
      this.log.push({ operation, statusCode: 0, fault: 'dropped' });
      dropConnection(request);
      return;
    }
    const injected: ServiceError | undefined = scripted === 'throttled' || (scripted === undefined && faults.throttles())
      ? new ServiceError('TooManyRequestsException', 400, 'AWS Organizations can\'t complete your request because another request is already in progress (injected by the emulator).')
      : scripted === 'server-error' || (scripted === undefined && faults.failsWithServerError(operation))
        ? new ServiceError('ServiceException', 500, 'AWS Organizations can\'t complete your request because of an internal service error (injected by the emulator).')
        : scripted === undefined && faults.deniesAccess(operation)
          ? new ServiceError('AccessDeniedException', 403, `You don't have permissions to access this resource: organizations:${operation} (injected by the emulator).`)
          : undefined;
    const fault: CallFault | undefined = injected ? ({ TooManyRequestsException: 'throttled', ServiceException: 'server-error', AccessDeniedException: 'access-denied' } as const)[injected.errorType as 'ServiceException'] : undefined;
    let statusCode = 200;
    let body: unknown;
    let errorType: string | undefined;
    let accountId: string | undefined;
    try {
      if (injected) {
        throw injected;
      }
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
    if (!injected && (scripted === 'dropped-after-apply' || (scripted === undefined && faults.dropsAfterApply(operation)))) {
      this.log.push({ operation, accountId, statusCode: 0, fault: 'dropped-after-apply' });
      dropConnection(request);
      return;
    }
    this.log.push({ operation, accountId, statusCode, fault });
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
