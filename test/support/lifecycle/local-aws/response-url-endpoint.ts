import * as https from 'https';
import { closeServer, handled, listenLocally, readBody } from './http-exchange';
import { LocalCertificate } from './local-certificate';

/** One PUT to a response URL: the exact body, as CloudFormation would read it. */
export interface ReceivedResponse {
  readonly body: string;
  readonly contentLength?: number;
}

/**
 * The pre-signed S3 URL CloudFormation gives each request (`ResponseURL`), served over
 * HTTPS on 127.0.0.1 with a certificate made for the run: the provider framework PUTs its
 * response there with `https.request`, TLS verification on. Each URL is
 * `https://127.0.0.1:<port>/<key>?X-Amz-…`; what is PUT to a key is kept for the harness.
 */
export class ResponseUrlEndpoint {
  public static async start(certificate: LocalCertificate, received: (key: string, response: ReceivedResponse) => void): Promise<ResponseUrlEndpoint> {
    const endpoint = new ResponseUrlEndpoint(certificate, received);
    endpoint.boundPort = await listenLocally(endpoint.server);
    return endpoint;
  }

  private readonly server: https.Server;
  private boundPort = 0;

  private constructor(certificate: LocalCertificate, private readonly received: (key: string, response: ReceivedResponse) => void) {
    this.server = https.createServer(
      { key: certificate.key, cert: certificate.cert },
      handled(async (request, response) => {
        const body = (await readBody(request)).toString('utf8');
        const key = decodeURIComponent(new URL(request.url ?? '/', 'https://127.0.0.1').pathname.slice(1));
        if (request.method !== 'PUT') {
          response.writeHead(405);
          response.end();
          return;
        }
        const length = request.headers['content-length'];
        this.received(key, { body, contentLength: length === undefined ? undefined : Number(length) });
        response.writeHead(200);
        response.end();
      }),
    );
  }

  /** The port the framework's PUT must reach (see lambda-runtime.mjs: the S3 URL has none). */
  public get port(): number {
    return this.boundPort;
  }

  /** The response URL for `key`, shaped like a pre-signed one. */
  public urlFor(key: string): string {
    return `https://127.0.0.1:${this.boundPort}/${encodeURIComponent(key)}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=7200&X-Amz-Signature=local`;
  }

  public stop(): Promise<void> {
    return closeServer(this.server);
  }
}
