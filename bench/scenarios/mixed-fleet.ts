import { createEvent, declaredMembers } from '../../test/support/cloudformation-events';
import { BenchContext, FlowRun, invitationProperties, runHandler } from '../flows';
import { runsFor } from '../options';
import { batchesFor, rateLimitedWallMs } from '../rate-limit';
import type { CallFloor } from './invitation-run';

export interface MixedFleetResult {
  readonly organizationAccounts: number;
  readonly outsideAccounts: number;
  readonly handler: readonly FlowRun[];
  /** Calls GuardDuty accepted (not 429), by operation, per run. */
  readonly accepted: ReadonlyArray<Readonly<Record<string, number>>>;
  /** Accounts that received an invitation, per run: the outside accounts alone. */
  readonly invitationsSent: readonly number[];
  /** GetMembers, CreateMembers and the re-read per 50 declared accounts; InviteMembers per 50 outside ones. */
  readonly floor: CallFloor & { readonly byOperation: Readonly<Record<string, number>> };
  /** What a user who split the list by hand would need: no re-read. */
  readonly splitListFloor: CallFloor;
}

/**
 * Scenario 10: one declaration of organization accounts and outside accounts, the
 * administrator being the organization's GuardDuty delegated administrator. The handler
 * associates the organization accounts with CreateMembers alone and invites the rest,
 * telling them apart by reading GuardDuty's relationship right after CreateMembers.
 */
export async function mixedFleet(ctx: BenchContext, fleet: { readonly organization: number; readonly outside: number }): Promise<MixedFleetResult> {
  const declared = declaredMembers(fleet.organization + fleet.outside);
  const organizationIds = declared.slice(0, fleet.organization).map((m) => m.AccountId);
  const outsideIds = declared.slice(fleet.organization).map((m) => m.AccountId);
  const settled = (records: ReadonlyMap<string, { relationshipStatus: string }>) =>
    organizationIds.filter((id) => records.get(id)?.relationshipStatus === 'Enabled').length + outsideIds.filter((id) => records.get(id)?.relationshipStatus === 'Invited').length;

  const handler: FlowRun[] = [];
  const accepted: Array<Record<string, number>> = [];
  const invitationsSent: number[] = [];
  const runs = runsFor(ctx.options, declared.length);
  for (let run = 1; run <= runs; run++) {
    ctx.progress(`mixed fleet, ${fleet.organization} organization + ${fleet.outside} outside accounts, run ${run}/${runs}`);
    const detectorId = ctx.emulator.freshDetector(ctx.conditions);
    ctx.emulator.delegatedOrganization(organizationIds);
    handler.push(await runHandler(ctx, createEvent(invitationProperties(detectorId, declared, 'RETAIN')), { total: declared.length, count: settled }));
    const byOperation: Record<string, number> = {};
    ctx.emulator.calls().filter((c) => c.statusCode !== 429).forEach((c) => (byOperation[c.operation] = (byOperation[c.operation] ?? 0) + 1));
    accepted.push(byOperation);
    invitationsSent.push(declared.filter((m) => ctx.emulator.invitationsSentTo(m.AccountId) > 0).length);
  }

  const all = batchesFor(declared.length);
  const invites = batchesFor(fleet.outside);
  // The probe (DescribeOrganizationConfiguration) answers: this is the delegated
  // administrator, and with the accounts listed in Members (no organization listing) any
  // of them may be an organization account, so every new member is read again.
  const floorCalls = 3 * all + invites + 1;
  const splitCalls = 2 * all + invites;
  return {
    organizationAccounts: fleet.organization,
    outsideAccounts: fleet.outside,
    handler,
    accepted,
    invitationsSent,
    floor: { calls: floorCalls, writeCalls: all + invites, wallMs: rateLimitedWallMs(floorCalls, ctx.conditions), byOperation: { GetMembers: 2 * all, CreateMembers: all, InviteMembers: invites, DescribeOrganizationConfiguration: 1 } },
    splitListFloor: { calls: splitCalls, writeCalls: all + invites, wallMs: rateLimitedWallMs(splitCalls, ctx.conditions) },
  };
}
