import { RECORD_DIRECTORY_VARIABLE } from './reliability-report';

/** Set to 1 (by `npm run test:slow`) to run every property with its full budget. */
export const FULL_PROPERTIES_VARIABLE = 'GUARDDUTY_MEMBERS_FULL_PROPERTIES';
/** In `npm test`, a property runs this share of its numRuns... */
const QUICK_SHARE = 4;
/** ...but never fewer cases than this (or its numRuns, when that is smaller). */
const QUICK_MIN_CASES = 5;

/**
 * The cases and time a property gets. `npm run test:slow` (GUARDDUTY_MEMBERS_FULL_PROPERTIES=1)
 * and `npm run reliability` (which records what ran in RELIABILITY.md) give it its full
 * numRuns and timeLimitMs. `npm test` runs the first quarter of the same seeded cases (at
 * least QUICK_MIN_CASES). The case count is what shrinks, not the time limit: a quarter of
 * the time would let a busy machine stop a property after a case or two, where a quarter of
 * the cases runs the same cases on any machine that does not reach the full time limit,
 * which stays the bound it always was. A property of hundreds of short cases (a fault
 * sweep), or of a few cases that each wait seconds in the SDK's back-off, names its own
 * `quickRuns`: a quarter of it would cost `npm test` a minute.
 */
export function propertyBudget(params: { readonly numRuns: number; readonly timeLimitMs: number; readonly quickRuns?: number }, env: NodeJS.ProcessEnv = process.env): { numRuns: number; timeLimitMs: number; full: boolean } {
  const full = env[FULL_PROPERTIES_VARIABLE] === '1' || Boolean(env[RECORD_DIRECTORY_VARIABLE]);
  if (full) {
    return { numRuns: params.numRuns, timeLimitMs: params.timeLimitMs, full };
  }
  const quick = params.quickRuns ?? Math.max(QUICK_MIN_CASES, Math.ceil(params.numRuns / QUICK_SHARE));
  return { numRuns: Math.min(params.numRuns, quick), timeLimitMs: params.timeLimitMs, full };
}
