import { MAX_ACCOUNTS_PER_CALL } from '../lib/private/member-account-rules';

/** The emulator's conditions for a run: latency per call and a token-bucket rate limit. */
export interface CallConditions {
  readonly latencyMs: number;
  readonly ratePerSecond: number;
  readonly burst: number;
}

/** Calls needed for `accounts` accounts at GuardDuty's limit of 50 accounts per call. */
export function batchesFor(accounts: number): number {
  return Math.ceil(accounts / MAX_ACCOUNTS_PER_CALL);
}

/**
 * The shortest wall time in which `calls` calls can all succeed under the conditions,
 * made by `callers` callers at once (1: one after another): no call is throttled and
 * none waits longer than it must. The bucket starts full (`burst` calls at once), then
 * the k-th call (from 0) cannot succeed before (k + 1 - burst) / rate seconds, and a
 * caller's next call cannot end before its previous one ended plus the latency.
 */
/**
 * The shortest wall time of `serialCalls` calls one after another with one more call
 * beside them (the handler's DescribeOrganizationConfiguration probe, sent beside
 * CreateMembers): the extra call takes a token but adds no latency of its own.
 */
export function rateLimitedWallMsWithProbe(serialCalls: number, conditions: CallConditions): number {
  return Math.max(rateLimitedWallMs(serialCalls, conditions), rateLimitedWallMs(serialCalls + 1, conditions, serialCalls + 1));
}

export function rateLimitedWallMs(calls: number, conditions: CallConditions, callers = 1): number {
  const callerFreeAt: number[] = new Array(Math.max(1, callers)).fill(0);
  let lastEnd = 0;
  for (let k = 0; k < calls; k++) {
    const caller = k % callerFreeAt.length;
    const tokenAt = Math.max(0, ((k + 1 - conditions.burst) / conditions.ratePerSecond) * 1_000);
    const end = Math.max(callerFreeAt[caller] + conditions.latencyMs, tokenAt);
    callerFreeAt[caller] = end;
    lastEnd = Math.max(lastEnd, end);
  }
  return lastEnd;
}
