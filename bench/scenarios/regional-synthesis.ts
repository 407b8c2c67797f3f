import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RegionalSynthJob, RegionalSynthResult } from '../child-protocol';
import type { BenchContext } from '../flows';

export interface RegionalSynthRun extends RegionalSynthResult {
  /** Spawn to exit: what `cdk synth` would cost, less the CLI's own start-up. */
  readonly processMs: number;
}

export interface RegionalSynthMeasurement {
  /** As asked: a count, or every commercial region (default-enabled and opt-in). */
  readonly regions: number | 'every';
  readonly members: number;
  readonly runs: readonly RegionalSynthRun[];
}

/** The region counts of the target: one, ten, and every commercial region. */
export const REGION_COUNTS: ReadonlyArray<number | 'every'> = [1, 10, 'every'];

/**
 * Scenario 11: `cdk synth` of a GuardDuty organization in 1, 10 and every region, with N
 * accounts listed in each administrator stack, each run in a fresh process with its own
 * output folder. Region counts alternate run by run, so load on the machine spreads over
 * all of them.
 */
export async function regionalSynthesis(ctx: BenchContext): Promise<RegionalSynthMeasurement[]> {
  const members = ctx.options.regionalSynthMembers;
  const runs = ctx.options.runs ?? 3;
  const byCount = new Map<number | 'every', RegionalSynthRun[]>(REGION_COUNTS.map((regions) => [regions, []]));
  for (let run = 1; run <= runs; run++) {
    for (const regions of REGION_COUNTS) {
      ctx.progress(`regional synthesis, ${regions} region(s), N=${members}, run ${run}/${runs}`);
      const outdir = mkdtempSync(join(ctx.children.workDir, 'cdk.out-'));
      try {
        const job: RegionalSynthJob = { repoRoot: ctx.repoRoot, regions, members, outdir };
        const { result, processMs } = await ctx.children.run<RegionalSynthJob, RegionalSynthResult>('regional-synthesize', job);
        byCount.get(regions)!.push({ ...result, processMs });
      } finally {
        rmSync(outdir, { recursive: true, force: true });
      }
    }
  }
  return REGION_COUNTS.map((regions) => ({ regions, members, runs: byCount.get(regions)! }));
}
