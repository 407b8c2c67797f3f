import { Caller } from './caller-identity';
import { GuardDutyState } from './guardduty-state';
import { detectorNotOwned } from './service-error';
import { Document } from './wire-codec';

/** What an operation sees: the signed caller and the emulator's state. */
export interface OperationContext {
  readonly caller: Caller;
  readonly state: GuardDutyState;
}

/** An operation on input and output keyed by model member names (`AccountIds`). */
export type OperationHandler = (context: OperationContext, input: Document) => Document;

/**
 * Every detector-scoped operation acts on the caller's own detector in the signed region;
 * GuardDuty rejects any other detector ID, including another account's.
 */
export function requireOwnDetector({ caller, state }: OperationContext, input: Document): string {
  const own = state.detectorId(caller.accountId, caller.region);
  if (!own || input.DetectorId !== own) {
    throw detectorNotOwned();
  }
  return own;
}

/** GuardDuty renders its timestamps as ISO 8601 strings. */
export function timestamp(epochMs: number | undefined): string | undefined {
  return epochMs === undefined ? undefined : new Date(epochMs).toISOString();
}
