import * as http from 'http';
import type { InvocationOutcome } from '../lambda-container';
import { closeServer, handled, listenLocally, readBody } from './http-exchange';

/** Lambda's limit on a synchronous invocation's request and response payloads: 6 MB. */
export const INVOKE_PAYLOAD_LIMIT_BYTES = 6_291_456;

/** Runs the function `functionArn` with `payload` (parsed JSON) and reports how it ended. */
export type FunctionRunner = (functionArn: string, payload: unknown) => Promise<InvocationOutcome>;

/** Maps a FunctionName as a caller passes it (name, ARN, partial ARN) to a known ARN, if any. */
export type FunctionResolver = (functionName: string) => string | undefined;

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/**
 * Lambda's `Invoke` API (REST-JSON, `POST /2015-03-31/functions/{FunctionName}/invocations`)
 * on 127.0.0.1, as the provider framework's SDK client calls it through
 * `AWS_ENDPOINT_URL_LAMBDA`. A synchronous invocation answers 200 with the function's
 * result; when the function throws or is stopped at its timeout, still 200, with
 * `X-Amz-Function-Error: Unhandled` and the runtime's `{ errorType, errorMessage, trace }`
 * as the payload, which is what the framework reads. An unknown function is a 404
 * ResourceNotFoundException, a payload over 6 MB a 413 RequestTooLargeException, and a
 * result over 6 MB becomes the function error Lambda reports for it.
 */
export class LambdaEndpoint {
  public static async start(resolve: FunctionResolver, run: FunctionRunner): Promise<LambdaEndpoint> {
    const endpoint = new LambdaEndpoint(resolve, run);
    endpoint.port = await listenLocally(endpoint.server);
    return endpoint;
  }

  private readonly server: http.Server;
  private port = 0;

  private constructor(private readonly resolve: FunctionResolver, private readonly run: FunctionRunner) {
    this.server = http.createServer(handled((request, response) => this.handle(request, response)));
  }

  /** `http://127.0.0.1:<port>`: the value of `AWS_ENDPOINT_URL_LAMBDA`. */
  public get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  public stop(): Promise<void> {
    return closeServer(this.server);
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const body = await readBody(request);
    const match = INVOKE_PATH.exec(new URL(request.url ?? '/', this.url).pathname);
    if (request.method !== 'POST' || !match) {
      return serviceError(response, 400, 'InvalidRequestContentException', `This endpoint serves Invoke only, not ${request.method} ${request.url}`);
    }
    const functionName = decodeURIComponent(match[1]);
    const functionArn = this.resolve(functionName);
    if (!functionArn) {
      return serviceError(response, 404, 'ResourceNotFoundException', `Function not found: ${functionName}`);
    }
    const invocationType = String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (invocationType !== 'RequestResponse') {
      return serviceError(response, 400, 'InvalidParameterValueException', `This endpoint runs RequestResponse invocations only, not ${invocationType}`);
    }
    if (body.length > INVOKE_PAYLOAD_LIMIT_BYTES) {
      return serviceError(response, 413, 'RequestTooLargeException', `Request must be smaller than ${INVOKE_PAYLOAD_LIMIT_BYTES} bytes for the InvokeFunction operation`);
    }
    let payload: unknown;
    try {
      payload = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      return serviceError(response, 400, 'InvalidRequestContentException', 'Could not parse request body into json');
    }

    const outcome = await this.run(functionArn, payload);
    const headers = { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' };
    if (outcome.kind === 'result') {
      const result = JSON.stringify(outcome.result ?? null);
      if (Buffer.byteLength(result, 'utf8') <= INVOKE_PAYLOAD_LIMIT_BYTES) {
        response.writeHead(200, headers);
        response.end(result);
        return;
      }
      const tooLarge = { errorType: 'Function.ResponseSizeTooLarge', errorMessage: `Response payload size exceeded maximum allowed payload size (${INVOKE_PAYLOAD_LIMIT_BYTES} bytes).` };
      response.writeHead(200, { ...headers, 'x-amz-function-error': 'Unhandled' });
      response.end(JSON.stringify(tooLarge));
      return;
    }
    response.writeHead(200, { ...headers, 'x-amz-function-error': 'Unhandled' });
    response.end(JSON.stringify(outcome.error));
  }
}

function serviceError(response: http.ServerResponse, status: number, type: string, message: string): void {
  response.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
  response.end(JSON.stringify({ Type: 'User', message }));
}
