import { readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { PHYSICAL_ID_PREFIX } from '../../lib/private/invitation-contract';
import { createEvent, declaredMembers, deleteEvent } from '../../test/support/cloudformation-events';
import type { ColdStartJob, ColdStartResult } from '../child-protocol';
import { BenchContext, invitationProperties } from '../flows';

export interface ColdStartRun extends ColdStartResult {
  /** Spawn to exit, as the driver saw it. */
  readonly processMs: number;
}

export interface ColdStartMeasurement {
  readonly assetBytes: number;
  readonly assetGzipBytes: number;
  readonly runs: readonly ColdStartRun[];
}

/**
 * Scenario 4: the handler asset's size, and a Lambda cold start in fresh Node processes:
 * loading the bundle, then the first invocation's setup. The emulator has no latency and
 * no rate limit here, so the first calls time the SDK, not the network.
 */
export async function coldStart(ctx: BenchContext): Promise<ColdStartMeasurement> {
  const runs: ColdStartRun[] = [];
  for (let run = 1; run <= ctx.options.coldStartRuns; run++) {
    ctx.progress(`cold start, run ${run}/${ctx.options.coldStartRuns}`);
    const detectorId = ctx.emulator.freshDetector('unlimited');
    const job: ColdStartJob = {
      assetPath: ctx.assetPath,
      setupEvent: deleteEvent(`${PHYSICAL_ID_PREFIX}${detectorId}`, invitationProperties(detectorId, declaredMembers(1), 'RETAIN')),
      firstCallEvent: createEvent(invitationProperties(detectorId, declaredMembers(1), 'RETAIN')),
    };
    const { result, processMs } = await ctx.children.run<ColdStartJob, ColdStartResult>('cold-start', job, ctx.emulator.handlerEnvironment());
    runs.push({ ...result, processMs });
  }
  return { assetBytes: statSync(ctx.assetPath).size, assetGzipBytes: gzipSync(readFileSync(ctx.assetPath)).length, runs };
}
