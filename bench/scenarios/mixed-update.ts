import { PHYSICAL_ID_PREFIX } from '../../lib/private/invitation-contract';
import { declaredMembers, updateEvent } from '../../test/support/cloudformation-events';
import { BenchContext, FlowRun, invitationProperties, runHandler } from '../flows';
import { runsFor } from '../options';
import { batchesFor, rateLimitedWallMs } from '../rate-limit';
import type { CallFloor } from './invitation-run';

export interface MixedUpdateResult {
  readonly members: number;
  readonly removed: number;
  readonly added: number;
  readonly handler: readonly FlowRun[];
  readonly floor: CallFloor;
}

/**
 * Scenario 3: an Update with RemovalPolicy DESTROY that drops a share of the members
 * and declares as many new accounts. The kept members are already Invited; the dropped
 * ones must be disassociated and deleted, the new ones created and invited.
 */
export async function mixedUpdate(ctx: BenchContext): Promise<MixedUpdateResult> {
  const members = ctx.options.mixedMembers;
  const changed = Math.round(members * ctx.options.mixedChangeShare);
  const before = declaredMembers(members);
  const after = [...before.slice(changed), ...declaredMembers(changed, 200000000000 + members)];
  const dropped = new Set(before.slice(0, changed).map((m) => m.AccountId));
  const settled = (records: ReadonlyMap<string, { relationshipStatus: string }>) =>
    after.filter((m) => records.get(m.AccountId)?.relationshipStatus === 'Invited').length + [...dropped].filter((id) => !records.has(id)).length;

  const handler: FlowRun[] = [];
  const runs = runsFor(ctx.options, members);
  for (let run = 1; run <= runs; run++) {
    ctx.progress(`mixed update, ${members} members, run ${run}/${runs}`);
    const detectorId = ctx.emulator.freshDetector(ctx.conditions);
    ctx.emulator.seedMembers(before, () => 'Invited');
    const event = updateEvent(`${PHYSICAL_ID_PREFIX}${detectorId}`, invitationProperties(detectorId, after, 'DESTROY'), invitationProperties(detectorId, before, 'DESTROY'));
    handler.push(await runHandler(ctx, event, { total: after.length + dropped.size, count: settled }));
  }

  // GetMembers over the declared list; CreateMembers, GetMembers again (organization
  // accounts) and InviteMembers for the added accounts; DisassociateMembers and
  // DeleteMembers for the dropped ones.
  const calls = batchesFor(members) + 5 * batchesFor(changed);
  return {
    members,
    removed: changed,
    added: changed,
    handler,
    floor: { calls, writeCalls: 4 * batchesFor(changed), wallMs: rateLimitedWallMs(calls, ctx.conditions) },
  };
}
