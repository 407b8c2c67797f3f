import { randomUUID } from 'crypto';
import * as http from 'http';
import { closeServer, handled, listenLocally, readBody } from './http-exchange';
import { ExecutionResult, STATE_PAYLOAD_LIMIT_BYTES, StateMachineDefinition } from './state-machine';

/** Starts an execution of a registered state machine; the endpoint answers StartExecution at once. */
export type ExecutionStarter = (stateMachineArn: string, definition: StateMachineDefinition, input: string, executionArn: string) => Promise<ExecutionResult>;

/**
 * Step Functions' `StartExecution` API (JSON 1.0, `X-Amz-Target: AWSStepFunctions.StartExecution`)
 * on 127.0.0.1, as the provider framework's SDK client calls it through
 * `AWS_ENDPOINT_URL_SFN`. It validates the request as Step Functions does (a known state
 * machine; an input of valid JSON at most 256 KiB as UTF-8, else a ValidationException
 * from the `input` member's length constraint), answers with the execution's ARN, and
 * runs the execution in the background through `start`.
 */
export class StepFunctionsEndpoint {
  public static async start(startExecution: ExecutionStarter): Promise<StepFunctionsEndpoint> {
    const endpoint = new StepFunctionsEndpoint(startExecution);
    endpoint.port = await listenLocally(endpoint.server);
    return endpoint;
  }

  private readonly server: http.Server;
  private readonly stateMachines = new Map<string, StateMachineDefinition>();
  private port = 0;

  private constructor(private readonly startExecution: ExecutionStarter) {
    this.server = http.createServer(handled((request, response) => this.handle(request, response)));
  }

  /** `http://127.0.0.1:<port>`: the value of `AWS_ENDPOINT_URL_SFN`. */
  public get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Makes a state machine (its ARN and its definition, as deployed) known. */
  public register(stateMachineArn: string, definition: StateMachineDefinition): void {
    this.stateMachines.set(stateMachineArn, definition);
  }

  public stop(): Promise<void> {
    return closeServer(this.server);
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const body = (await readBody(request)).toString('utf8');
    const target = String(request.headers['x-amz-target'] ?? '');
    if (target !== 'AWSStepFunctions.StartExecution') {
      return serviceError(response, 'UnknownOperationException', `This endpoint serves StartExecution only, not "${target}"`);
    }
    const { stateMachineArn, input = '{}', name } = JSON.parse(body) as { stateMachineArn?: string; input?: string; name?: string };
    const definition = stateMachineArn ? this.stateMachines.get(stateMachineArn) : undefined;
    if (!stateMachineArn || !definition) {
      return serviceError(response, 'StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    }
    if (Buffer.byteLength(input, 'utf8') > STATE_PAYLOAD_LIMIT_BYTES) {
      return serviceError(response, 'ValidationException', `1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to ${STATE_PAYLOAD_LIMIT_BYTES}`);
    }
    try {
      JSON.parse(input);
    } catch {
      return serviceError(response, 'InvalidExecutionInput', 'Invalid State Machine Execution Input');
    }
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name ?? randomUUID()}`;
    // Step Functions answers once the execution is started; it runs on its own.
    void this.startExecution(stateMachineArn, definition, input, executionArn);
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
    response.end(JSON.stringify({ executionArn, startDate: Date.now() / 1000 }));
  }
}

function serviceError(response: http.ServerResponse, type: string, message: string): void {
  response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
  response.end(JSON.stringify({ __type: `com.amazonaws.swf.service.v2.model#${type}`, message }));
}
