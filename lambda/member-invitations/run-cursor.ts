import { createHash } from 'crypto';
import { MAX_ACCOUNTS_PER_CALL } from '../../lib/private/member-account-rules';

/**
 * How far onEvent got, carried to the provider framework's isComplete polls in the run
 * state (run-state.ts), so that they go on from there instead of reading the whole fleet
 * again. onEvent goes over the declaration batch by batch in order (start-pass.ts); the
 * cursor counts the leading batches it finished (read, created, invited) with nothing
 * unprocessed, which no poll needs to plan or write again: a poll only reads them, once,
 * for the outcome and the verification check. A batch with an unprocessed account ends
 * the count, so a poll goes over it again and reports it as onEvent would have.
 *
 * A batch is a position in the declaration, so the cursor holds only for the same order:
 * an organization selection is listed again in a new container, and Organizations does
 * not promise one order. The cursor names a digest of the declared IDs in order, and a
 * poll that declares them in another order ignores it (and goes over every batch).
 */
export interface RunCursor {
  /** Leading batches of 50 that onEvent finished with nothing unprocessed. */
  readonly batchesDone: number;
  /** sha256 (base64url, 16 characters) of the declared account IDs in order. */
  readonly order: string;
}

export function declarationOrder(declaredIds: readonly string[]): string {
  return createHash('sha256').update(declaredIds.join(',')).digest('base64url').slice(0, 16);
}

/** The batches a poll may skip planning: the cursor's, if it was taken over this same declaration. */
export function batchesAlreadyDone(cursor: RunCursor | undefined, declaredIds: readonly string[]): number {
  if (!cursor || cursor.order !== declarationOrder(declaredIds)) {
    return 0;
  }
  return Math.max(0, Math.min(cursor.batchesDone, Math.ceil(declaredIds.length / MAX_ACCOUNTS_PER_CALL)));
}

/** Reads a cursor from the run state; anything malformed reads as none. */
export function parseCursor(raw: unknown): RunCursor | undefined {
  if (typeof raw !== 'object' || raw === null) {
    return undefined;
  }
  const { batchesDone, order } = raw as Record<string, unknown>;
  return typeof batchesDone === 'number' && Number.isInteger(batchesDone) && batchesDone >= 0 && typeof order === 'string' ? { batchesDone, order } : undefined;
}
