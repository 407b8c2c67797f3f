import { createEvent, declaredMembers } from '../../test/support/cloudformation-events';
import { BenchContext, FlowRun, invitationProperties, runHandler } from '../flows';
import { runsFor } from '../options';
import { batchesFor, rateLimitedWallMs } from '../rate-limit';
import type { CallFloor } from './invitation-run';

export interface RerunResult {
  readonly members: number;
  readonly handler: readonly FlowRun[];
  readonly floor: CallFloor;
}

/**
 * Scenario 2: a run with nothing to do. Every declared account is already a member, half
 * Invited and half Enabled, as after a Create that CloudFormation retries or a stack
 * re-created over existing members. The handler should only read.
 */
export async function rerunWithNothingToDo(ctx: BenchContext, members: number): Promise<RerunResult> {
  const declared = declaredMembers(members);
  const seededStatus = (index: number) => (index % 2 === 0 ? 'Invited' : 'Enabled');
  const unchanged = (records: ReadonlyMap<string, { relationshipStatus: string }>) =>
    declared.filter((m, i) => records.get(m.AccountId)?.relationshipStatus === seededStatus(i)).length;

  const handler: FlowRun[] = [];
  const runs = runsFor(ctx.options, members);
  for (let run = 1; run <= runs; run++) {
    ctx.progress(`re-run with nothing to do, N=${members}, run ${run}/${runs}`);
    const detectorId = ctx.emulator.freshDetector(ctx.conditions);
    ctx.emulator.seedMembers(declared, seededStatus);
    handler.push(await runHandler(ctx, createEvent(invitationProperties(detectorId, declared, 'RETAIN')), { total: members, count: unchanged }));
  }
  const reads = batchesFor(members);
  return { members, handler, floor: { calls: reads, writeCalls: 0, wallMs: rateLimitedWallMs(reads, ctx.conditions) } };
}
