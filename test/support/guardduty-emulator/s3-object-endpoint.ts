import { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The S3 objects a handler reads at deploy time — the member-list asset `cdk deploy`
 * uploads (lib/private/member-list-asset.ts) — served from the emulator's own port, so
 * every Lambda container reaches them through `AWS_ENDPOINT_URL_S3` (path-style:
 * `GET /<bucket>/<key>`). Requests for a bucket nobody put an object in are left to
 * GuardDuty's routes.
 */
export class S3ObjectEndpoint {
  private readonly objects = new Map<string, Buffer>();
  private readonly buckets = new Set<string>();
  /** `bucket/key` of every GET, in order. */
  public readonly reads: string[] = [];

  public put(bucket: string, key: string, body: Buffer): void {
    this.buckets.add(bucket);
    this.objects.set(`${bucket}/${key}`, body);
  }

  public reset(): void {
    this.objects.clear();
    this.buckets.clear();
    this.reads.length = 0;
  }

  public serves(request: IncomingMessage): boolean {
    const bucket = new URL(request.url ?? '/', 'http://localhost').pathname.split('/')[1];
    return request.method === 'GET' && this.buckets.has(decodeURIComponent(bucket ?? ''));
  }

  public handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname.slice(1));
    this.reads.push(pathname);
    const body = this.objects.get(pathname);
    if (!body) {
      response.writeHead(404, { 'content-type': 'application/xml' });
      response.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>');
    } else {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
      response.end(body);
    }
    return Promise.resolve();
  }
}
