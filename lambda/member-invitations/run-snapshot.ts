import { gunzipSync, gzipSync } from 'zlib';

/**
 * Which declared accounts were already members when a run began, carried from onEvent
 * to the provider framework's isComplete step.
 *
 * When a Create or Update fails in the verification wait, it must undo its own work and
 * nothing else: remove the members it created, never an account that was a member
 * before it. isComplete cannot tell the two apart from GuardDuty's state (a member this
 * run created and a member it re-invited look alike), and the framework gives it no
 * state but the input onEvent's result was merged into. So onEvent adds this snapshot to
 * its result: a field the framework passes to isComplete in the waiter's input and never
 * sends to CloudFormation.
 *
 * The waiter's input is bounded (Step Functions takes 256 KiB), so the snapshot holds the
 * smaller side — the accounts that were absent, or those that were present — as sorted
 * account IDs, delta-encoded and gzipped (25,000 random IDs take about 130 KB), within
 * what the rest of the waiter's input leaves (`snapshotBudget`). A snapshot over its budget
 * is not taken; a failed run then removes nothing and says so.
 */
export interface RunSnapshot {
  /** Which side `accounts` lists. */
  readonly side: 'absent' | 'present';
  /** base64(gzip(base-36 deltas of the sorted account IDs, comma-separated)). */
  readonly accounts: string;
}

export const MAX_SNAPSHOT_BYTES = 160 * 1024;

/** Step Functions' limit on an execution's input, which the waiter's input must fit. */
const STEP_FUNCTIONS_INPUT_BYTES = 256 * 1024;
/** Room for what the framework adds around the event and onEvent's result (ResponseURL, Data). */
const INPUT_ENVELOPE_BYTES = 16 * 1024;

/** The bytes a snapshot may take, given the bytes of the event it travels with. */
export function snapshotBudget(eventBytes: number): number {
  return Math.max(0, Math.min(MAX_SNAPSHOT_BYTES, STEP_FUNCTIONS_INPUT_BYTES - INPUT_ENVELOPE_BYTES - eventBytes));
}

/**
 * `readIds` are the declared accounts whose state the run read. When they are not all of
 * the declared ones (`partial`: onEvent ran out of time first), the snapshot lists the
 * absent ones whatever their number: an account in no list must read as "was a member".
 */
export function takeSnapshot(readIds: readonly string[], presentIds: ReadonlySet<string>, maxBytes = MAX_SNAPSHOT_BYTES, partial = false): RunSnapshot | undefined {
  const present = readIds.filter((id) => presentIds.has(id));
  const absent = readIds.filter((id) => !presentIds.has(id));
  const [side, ids] = partial || absent.length <= present.length ? (['absent', absent] as const) : (['present', present] as const);
  const accounts = encodeIds(ids);
  return accounts.length <= maxBytes ? { side, accounts } : undefined;
}

/**
 * The declared accounts the run created: those absent when it began. Only accounts that
 * are members now can be removed, so callers intersect with GuardDuty's current list.
 */
export function createdByRun(snapshot: RunSnapshot, declaredIds: readonly string[]): string[] {
  const listed = new Set(decodeIds(snapshot.accounts));
  return declaredIds.filter((id) => (snapshot.side === 'absent' ? listed.has(id) : !listed.has(id)));
}

/** Reads a snapshot from the waiter's input; anything malformed reads as "no snapshot". */
export function parseSnapshot(raw: unknown): RunSnapshot | undefined {
  if (typeof raw !== 'object' || raw === null) {
    return undefined;
  }
  const { side, accounts } = raw as Record<string, unknown>;
  if ((side !== 'absent' && side !== 'present') || typeof accounts !== 'string') {
    return undefined;
  }
  try {
    decodeIds(accounts);
  } catch {
    return undefined;
  }
  return { side, accounts };
}

function encodeIds(ids: readonly string[]): string {
  let previous = 0n;
  const deltas = [...ids].sort().map((id) => {
    const value = BigInt(id);
    const delta = (value - previous).toString(36);
    previous = value;
    return delta;
  });
  return gzipSync(deltas.join(','), { level: 9 }).toString('base64');
}

function decodeIds(encoded: string): string[] {
  const text = gunzipSync(Buffer.from(encoded, 'base64')).toString('utf8');
  if (text === '') {
    return [];
  }
  let value = 0n;
  return text.split(',').map((delta) => {
    if (!/^[0-9a-z]+$/.test(delta)) {
      throw new Error('malformed snapshot');
    }
    value += BigInt(parseInt(delta, 36));
    return value.toString().padStart(12, '0');
  });
}
