import * as http from 'http';
import type * as https from 'https';
import { AddressInfo } from 'net';

/** Reads a request's whole body. */
export function readBody(request: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** Listens on an ephemeral port of 127.0.0.1 and returns the port. */
export function listenLocally(server: http.Server | https.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** Closes a server, ending its idle keep-alive connections (the SDK keeps them open). */
export function closeServer(server: http.Server | https.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** A request handler whose failures answer 500 with the error, rather than leaving the client waiting. */
export function handled(handler: (request: http.IncomingMessage, response: http.ServerResponse) => Promise<void>): http.RequestListener {
  return (request, response) => {
    handler(request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        response.writeHead(500, { 'content-type': 'text/plain' });
      }
      response.end(`local endpoint failed: ${error instanceof Error ? error.stack : String(error)}`);
    });
  };
}
