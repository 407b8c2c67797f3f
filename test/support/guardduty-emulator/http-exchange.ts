import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { ServiceError } from './service-error';

/** A response ready to send: status, JSON body, and the error name for error responses. */
export interface Answer {
  readonly statusCode: number;
  readonly body: unknown;
  readonly errorType?: string;
}

export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export function errorAnswer(error: ServiceError): Answer {
  return { statusCode: error.statusCode, errorType: error.errorType, body: { message: error.message, __type: error.errorType } };
}

/**
 * Sends the answer unless the client has gone (it timed out on a slow response).
 * Returns whether it was sent. The request ID header lands in the SDK's `$metadata`.
 */
export function send(response: ServerResponse, answer: Answer): boolean {
  if (response.destroyed || response.socket?.destroyed) {
    return false;
  }
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amzn-RequestId': randomUUID() };
  if (answer.errorType) {
    headers['x-amzn-ErrorType'] = answer.errorType;
  }
  response.writeHead(answer.statusCode, headers);
  response.end(JSON.stringify(answer.body));
  return true;
}

/** Ends the exchange without a byte of response: the client sees the connection reset. */
export function dropConnection(request: IncomingMessage): void {
  request.socket.destroy();
}
