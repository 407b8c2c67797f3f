import { CurrentMember } from './member-plan';
import { UnprocessedAccount } from '../shared/unprocessed-results';

/**
 * What the last isComplete poll of a run read when email verification was still pending,
 * kept in the container (Lambda usually gives successive polls the same one): the next
 * poll reads again only the accounts still being verified, not all N. Without it (a new
 * container, an unreadable key) a poll reads every declared account, as it always did.
 * Only the statuses of pending accounts can decide the wait; the others are at most one
 * poll interval old, and the run reports them as of then.
 */
export interface RememberedRead {
  readonly members: ReadonlyMap<string, CurrentMember>;
  readonly pending: readonly string[];
  /** What the run's last pass did not process, for the outcome (a continued run). */
  readonly passUnprocessed: readonly UnprocessedAccount[];
}

let remembered: { key: string; read: RememberedRead } | undefined;

/** The key of one run's polls: the request, the run's start and its declared order. */
export function verificationKey(requestId: string | undefined, sinceMs: number, order: string): string | undefined {
  return requestId === undefined ? undefined : `${requestId}:${sinceMs}:${order}`;
}

export function recallRead(key: string | undefined): RememberedRead | undefined {
  return key !== undefined && remembered?.key === key ? remembered.read : undefined;
}

export function rememberRead(key: string | undefined, read: RememberedRead): void {
  remembered = key === undefined ? undefined : { key, read };
}

/** The remembered read brought up to date with a fresh read of its pending accounts. */
export function withFreshPending(read: RememberedRead, fresh: readonly CurrentMember[]): CurrentMember[] {
  const members = new Map(read.members);
  const pending = new Set(read.pending);
  pending.forEach((id) => members.delete(id));
  fresh.filter((m) => pending.has(m.accountId)).forEach((m) => members.set(m.accountId, m));
  return [...members.values()];
}

/** Test hook, and the end of a run: forget the read. */
export function forgetRead(): void {
  remembered = undefined;
}
