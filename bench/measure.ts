/**
 * Statistics over repeated runs. Every table cell the report shows is one of these: the
 * median, which one slow run does not move, and the spread as the lowest and highest
 * value seen, so a reader can tell a stable figure from a noisy one.
 */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly count: number;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) {
    throw new Error('summarize: no values');
  }
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], count: sorted.length };
}

/** Summarizes one numeric field of each run. */
export function summarizeField<T>(runs: readonly T[], field: (run: T) => number): Summary {
  return summarize(runs.map(field));
}

/** Runs `measure` `runs` times, one after another (runs never overlap: they share the emulator). */
export async function repeat<T>(runs: number, measure: (run: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let run = 0; run < runs; run++) {
    results.push(await measure(run));
  }
  return results;
}

/** Milliseconds since `startedAt` (a `performance.now()` value). */
export function elapsedMs(startedAt: number): number {
  return performance.now() - startedAt;
}
