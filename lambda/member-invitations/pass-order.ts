/**
 * The order in which a continued run's isComplete poll goes over the declaration, and how
 * it judges the run done. A poll cannot remember where the previous one stopped (the
 * waiter gives every poll the same input), and GuardDuty may let it through only part of
 * the fleet. So each poll goes batch by batch (read 50, plan, write that batch) around
 * the whole declaration from a start of its own, and the starts of successive polls are
 * spread over the declaration: whatever GuardDuty's rate, a poll keeps every write it
 * gets to, and a batch already done costs it one read. The spread is not a guarantee: a
 * poll may start in a stretch earlier polls did, and then spends its time reading; only
 * a poll that gets all the way around finishes the run (judgePass).
 */

/**
 * The golden ratio's fractional part: the points k·φ (mod 1) of successive k spread as
 * evenly as any sequence can (by the three-gap theorem, n consecutive points leave gaps
 * of at most three sizes, the largest under 2/n of the circle and the smallest over 0.4/n),
 * and no two coincide.
 */
const GOLDEN_FRACTION = (Math.sqrt(5) - 1) / 2;

/**
 * The batch a poll starts from: the golden-ratio point of the whole seconds since the run
 * began, scaled to the number of batches. Polls are at least the waiter's interval apart,
 * so successive polls start at different places, spread evenly when their seconds are
 * consecutive and like k·φ otherwise; the same poll time gives the same start, which
 * keeps a poll reproducible from its log.
 */
export function rotatingStart(batchCount: number, sinceMs: number, nowMs: number): number {
  if (batchCount <= 1) {
    return 0;
  }
  const second = Math.max(0, Math.floor((nowMs - sinceMs) / 1_000));
  return Math.min(batchCount - 1, Math.floor(((second * GOLDEN_FRACTION) % 1) * batchCount));
}

/** Every batch index once, from `start` to the end, then from the first batch up to `start`. */
export function batchOrder(batchCount: number, start: number): number[] {
  return Array.from({ length: batchCount }, (_, i) => (start + i) % batchCount);
}

/** What one poll's pass got through. */
export interface PassProgress {
  readonly batchCount: number;
  /** Batches read, planned and written in this invocation. */
  readonly batchesDone: number;
  /** Batches in which GuardDuty accepted a write (a member created, deleted or invited)... */
  readonly batchesChanged: number;
  /** ...and how many of them the pass read again after getting around. */
  readonly batchesReread: number;
}

/**
 * How the run knows it is done: one invocation went all the way around the declaration.
 * Every account was then read, and written if it needed it, after every earlier poll's
 * writes, so nothing is left. The batches it wrote were read before their writes, so the
 * pass reads those again (only those): then its reads are GuardDuty's state after the
 * run, the outcome and the verification check, with no second read of all N. A pass that
 * did not get around, or ran out of time reading its writes again, goes on at the next
 * poll, which goes around again from GuardDuty's state.
 */
export type PassVerdict = 'unfinished' | 'done';

/**
 * Whether the reads a pass still needs before it is done (its written batches again, the
 * batches finished before it) fit the time left, at the pace of its calls so far. A pass
 * whose reads do not fit stops before them: the next poll has to read those batches
 * anyway, and the reads would only have kept this one from ending sooner.
 */
export function readsFit(readsLeft: number, pace: { readonly elapsedMs: number; readonly calls: number }, remainingMs: number): boolean {
  return pace.calls === 0 || readsLeft * (pace.elapsedMs / pace.calls) <= remainingMs;
}

export function judgePass(progress: PassProgress): PassVerdict {
  const around = progress.batchesDone >= progress.batchCount;
  return around && progress.batchesReread >= progress.batchesChanged ? 'done' : 'unfinished';
}
