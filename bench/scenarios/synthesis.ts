import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SynthJob, SynthResult, SynthVariant } from '../child-protocol';
import type { BenchContext } from '../flows';

export interface SynthRun extends SynthResult {
  /** Spawn to exit: what `cdk synth` would cost, less the CLI's own start-up. */
  readonly processMs: number;
}

export interface SynthMeasurement {
  readonly variant: SynthVariant;
  readonly members: number;
  readonly runs: readonly SynthRun[];
}

/**
 * Scenario 5: `cdk synth` of a stack with N members, through the construct and as one
 * guardduty.CfnMember per account, each in a fresh process with its own output folder.
 * Both variants alternate run by run.
 */
export async function synthesis(ctx: BenchContext): Promise<SynthMeasurement[]> {
  const results: SynthMeasurement[] = [];
  for (const members of ctx.options.synthSizes) {
    const byVariant: Record<SynthVariant, SynthRun[]> = { construct: [], 'cfn-member': [] };
    const runs = ctx.options.runs ?? (members <= 1_000 ? 5 : 3);
    for (let run = 1; run <= runs; run++) {
      for (const variant of ['construct', 'cfn-member'] as const) {
        ctx.progress(`synthesis, ${variant}, N=${members}, run ${run}/${runs}`);
        const outdir = mkdtempSync(join(ctx.children.workDir, 'cdk.out-'));
        try {
          const job: SynthJob = { repoRoot: ctx.repoRoot, variant, members, outdir };
          const { result, processMs } = await ctx.children.run<SynthJob, SynthResult>('synthesize', job);
          byVariant[variant].push({ ...result, processMs });
        } finally {
          rmSync(outdir, { recursive: true, force: true });
        }
      }
    }
    results.push({ variant: 'construct', members, runs: byVariant.construct }, { variant: 'cfn-member', members, runs: byVariant['cfn-member'] });
  }
  return results;
}
