import { RUN_STATE_FIELD } from '../../lib/private/invitation-contract';
import { RunCursor, parseCursor } from './run-cursor';
import { RunSnapshot, parseSnapshot } from './run-snapshot';

/**
 * What onEvent hands to the provider framework's isComplete step about the run it
 * started, through a field of its result that travels in the waiter's input and never
 * reaches CloudFormation. isComplete cannot learn either fact from the event alone: the
 * framework overwrites the event's PhysicalResourceId with onEvent's, and GuardDuty's
 * state does not say which members existed before the run.
 */
export interface RunState {
  /** The physical ID before an Update: removals apply only on the same detector. */
  readonly previousPhysicalResourceId?: string;
  /** Which declared accounts were members when the run began; absent when too large to carry. */
  readonly snapshot?: RunSnapshot;
  /**
   * Set when onEvent ran out of time before its work was done: isComplete goes on with it,
   * deriving progress from GuardDuty's state, until `deadlineMs` (epoch milliseconds).
   */
  readonly work?: {
    readonly sinceMs: number;
    readonly deadlineMs: number;
    /** How far onEvent got (run-cursor.ts); absent: the polls go over every batch. */
    readonly cursor?: RunCursor;
  };
}

export function runStateField(state: RunState): { [RUN_STATE_FIELD]: RunState } {
  return { [RUN_STATE_FIELD]: state };
}

/** Reads the run state from the isComplete request; anything malformed reads as empty. */
export function readRunState(event: Record<string, unknown>): RunState {
  const raw = event[RUN_STATE_FIELD];
  if (typeof raw !== 'object' || raw === null) {
    return {};
  }
  const { previousPhysicalResourceId, snapshot, work } = raw as Record<string, unknown>;
  const { sinceMs, deadlineMs, cursor } = (typeof work === 'object' && work !== null ? work : {}) as Record<string, unknown>;
  return {
    previousPhysicalResourceId: typeof previousPhysicalResourceId === 'string' ? previousPhysicalResourceId : undefined,
    snapshot: parseSnapshot(snapshot),
    work: typeof sinceMs === 'number' && typeof deadlineMs === 'number' ? { sinceMs, deadlineMs, cursor: parseCursor(cursor) } : undefined,
  };
}
