import { randomUUID } from 'crypto';
import * as http from 'http';
import { closeServer, handled, listenLocally, readBody } from './http-exchange';

/** The stack statuses CloudFormation is in while it sends a custom resource a request. */
export type StackStatus =
  | 'CREATE_IN_PROGRESS'
  | 'ROLLBACK_IN_PROGRESS'
  | 'UPDATE_IN_PROGRESS'
  | 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'
  | 'UPDATE_ROLLBACK_IN_PROGRESS'
  | 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS'
  | 'DELETE_IN_PROGRESS';

/** One stack as this endpoint knows it: its ARN and the status the scenario put it in. */
interface KnownStack {
  readonly stackId: string;
  readonly stackName: string;
  status: StackStatus;
}

/**
 * CloudFormation's `DescribeStacks` API on 127.0.0.1, as `@aws-sdk/client-cloudformation`
 * calls it through `AWS_ENDPOINT_URL_CLOUDFORMATION`: the AWS query protocol (that client,
 * 3.1169, sends a form-encoded POST `Action=DescribeStacks&Version=2010-05-15&StackName=…`
 * and reads an XML answer). `StackName` may be the stack's name or its ARN, as the event's
 * `StackId` is; the status is whatever the harness's model of CloudFormation set last. A
 * stack it does not know is CloudFormation's 400 ValidationError "Stack with id … does
 * not exist".
 */
export class CloudFormationEndpoint {
  public static async start(): Promise<CloudFormationEndpoint> {
    const endpoint = new CloudFormationEndpoint();
    endpoint.port = await listenLocally(endpoint.server);
    return endpoint;
  }

  private readonly server: http.Server;
  private readonly stacks = new Map<string, KnownStack>();
  private readonly reads: Array<{ readonly stackName: string; readonly status?: StackStatus }> = [];
  private port = 0;

  private constructor() {
    this.server = http.createServer(handled((request, response) => this.handle(request, response)));
  }

  /** `http://127.0.0.1:<port>`: the value of `AWS_ENDPOINT_URL_CLOUDFORMATION`. */
  public get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Puts the stack (by its ARN) in `status`, as CloudFormation does before it sends a request. */
  public setStackStatus(stackId: string, status: StackStatus): void {
    const stack = this.stacks.get(stackId) ?? { stackId, stackName: stackId.split('/')[1] ?? stackId, status };
    stack.status = status;
    this.stacks.set(stackId, stack);
  }

  /** Every DescribeStacks answered, with the status it returned (none for an unknown stack). */
  public statusReads(): ReadonlyArray<{ readonly stackName: string; readonly status?: StackStatus }> {
    return this.reads;
  }

  public stop(): Promise<void> {
    return closeServer(this.server);
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const form = new URLSearchParams((await readBody(request)).toString('utf8'));
    const action = form.get('Action');
    if (request.method !== 'POST' || action !== 'DescribeStacks') {
      return queryError(response, 400, 'InvalidAction', `This endpoint serves DescribeStacks only, not ${action ?? request.method}`);
    }
    const stackName = form.get('StackName') ?? '';
    const stack = [...this.stacks.values()].find((s) => s.stackId === stackName || s.stackName === stackName);
    this.reads.push({ stackName, status: stack?.status });
    if (!stack) {
      return queryError(response, 400, 'ValidationError', `Stack with id ${stackName} does not exist`);
    }
    response.writeHead(200, { 'content-type': 'text/xml' });
    response.end(
      [
        '<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">',
        '<DescribeStacksResult><Stacks><member>',
        `<StackId>${xml(stack.stackId)}</StackId>`,
        `<StackName>${xml(stack.stackName)}</StackName>`,
        '<CreationTime>2026-01-01T00:00:00.000Z</CreationTime>',
        `<StackStatus>${stack.status}</StackStatus>`,
        '</member></Stacks></DescribeStacksResult>',
        `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>`,
        '</DescribeStacksResponse>',
      ].join(''),
    );
  }
}

function queryError(response: http.ServerResponse, status: number, code: string, message: string): void {
  response.writeHead(status, { 'content-type': 'text/xml' });
  response.end(
    `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  );
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
