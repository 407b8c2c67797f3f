import type { Logger } from './logger';

/**
 * An error whose message CloudFormation shows to the user as the failure reason.
 *
 * The provider framework builds the reason from the message, a line naming the log
 * group, and every line of the Lambda error's stack trace after the first. CloudFormation
 * rejects a response over 4,096 bytes, and then the resource hangs until it times out.
 * So the message is kept on one line and bounded, and the stack is reduced to that one
 * line: nothing is appended to the reason but the log group.
 */
export class HandlerError extends Error {
  public static readonly MAX_MESSAGE_BYTES = 1_500;

  constructor(message: string) {
    super(truncateUtf8(message.replace(/\s*\n\s*/g, ' '), HandlerError.MAX_MESSAGE_BYTES));
    this.name = 'HandlerError';
    this.stack = `${this.name}: ${this.message}`;
  }
}

const ELLIPSIS = '…';

/** Cuts a string to at most `maxBytes` UTF-8 bytes, ending with "…" when it cut. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) {
    return text;
  }
  const budget = maxBytes - Buffer.byteLength(ELLIPSIS, 'utf8');
  let out = '';
  let used = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (used + size > budget) {
      break;
    }
    out += ch;
    used += size;
  }
  return out + ELLIPSIS;
}

/**
 * Logs the full error, then returns one CloudFormation can show: bounded, on one line,
 * without a stack trace (see HandlerError). SDK errors keep their name, message and the
 * number of attempts the retry strategy made; `service` names whose call it was.
 */
export function toHandlerError(error: unknown, log: Logger, service = 'GuardDuty'): HandlerError {
  if (error instanceof HandlerError) {
    log.error('failed', { reason: error.message });
    return error;
  }
  const e = error as { name?: string; message?: string; stack?: string; $metadata?: { httpStatusCode?: number; attempts?: number } };
  log.error('failed', { name: e?.name, message: e?.message, stack: e?.stack, httpStatusCode: e?.$metadata?.httpStatusCode, attempts: e?.$metadata?.attempts });
  const attempts = e?.$metadata?.attempts ? ` after ${e.$metadata.attempts} attempts` : '';
  return new HandlerError(`${service} call failed${attempts}: ${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`);
}
