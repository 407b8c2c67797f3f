import { createEvent, declaredMembers } from '../../test/support/cloudformation-events';
import { BenchContext, FlowRun, invitationProperties, runFloorCalls, runHandler, runPerAccount, runSingleCall } from '../flows';
import { runsFor } from '../options';
import { batchesFor, rateLimitedWallMs, rateLimitedWallMsWithProbe } from '../rate-limit';

/** The least a run over `members` fresh accounts needs, with the time the rate limit allows for it. */
export interface CallFloor {
  readonly calls: number;
  readonly writeCalls: number;
  readonly wallMs: number;
}

export interface InvitationRunResult {
  readonly members: number;
  readonly handler: readonly FlowRun[];
  /** Runs of the per-account flow, or the time it would take when N is above --max-per-account. */
  readonly perAccount: readonly FlowRun[] | { readonly estimatedMs: number; readonly calls: number };
  readonly singleCall: readonly FlowRun[];
  /**
   * Up to 50 members (one batch), the floor's calls and nothing else in a fresh process,
   * through a bare SDK client and over plain node:http: what of the handler's time is the
   * handler's own, and what any fresh process pays. Empty above 50.
   */
  readonly floorCalls: { readonly sdk: readonly FlowRun[]; readonly http: readonly FlowRun[] };
  readonly floor: CallFloor;
}

/**
 * Scenario 1: N fresh accounts (not yet members) to create and invite, under the
 * emulator's latency and rate limit, by the shipped handler and by the two flows people
 * use instead. The flows alternate run by run, so a slow spell of the machine hits all
 * of them alike.
 */
export async function invitationRun(ctx: BenchContext, members: number): Promise<InvitationRunResult> {
  const declared = declaredMembers(members);
  const accountIds = declared.map((m) => m.AccountId);
  const allInvited = (records: ReadonlyMap<string, { relationshipStatus: string }>) => accountIds.filter((id) => records.get(id)?.relationshipStatus === 'Invited').length;
  const runPerAccountFlow = members <= ctx.options.maxPerAccount;

  const handler: FlowRun[] = [];
  const perAccount: FlowRun[] = [];
  const singleCall: FlowRun[] = [];
  const aloneRuns = { sdk: [] as FlowRun[], http: [] as FlowRun[] };
  const runs = runsFor(ctx.options, members);
  for (let run = 1; run <= runs; run++) {
    ctx.progress(`invitation run, N=${members}, run ${run}/${runs}: handler`);
    const detectorId = ctx.emulator.freshDetector(ctx.conditions);
    const event = createEvent(invitationProperties(detectorId, declared, 'RETAIN'));
    handler.push(await runHandler(ctx, event, { total: members, count: allInvited }));

    if (runPerAccountFlow && run <= perAccountRunsFor(ctx, members)) {
      ctx.progress(`invitation run, N=${members}, run ${run}/${runs}: per-account flow`);
      perAccount.push(await runPerAccount(ctx, ctx.emulator.freshDetector(ctx.conditions), declared));
    }

    ctx.progress(`invitation run, N=${members}, run ${run}/${runs}: single-call flow`);
    singleCall.push(await runSingleCall(ctx, ctx.emulator.freshDetector(ctx.conditions), declared));

    if (members <= 50) {
      ctx.progress(`invitation run, N=${members}, run ${run}/${runs}: the floor's calls alone`);
      aloneRuns.sdk.push(await runFloorCalls(ctx, ctx.emulator.freshDetector(ctx.conditions), declared, 'sdk'));
      aloneRuns.http.push(await runFloorCalls(ctx, ctx.emulator.freshDetector(ctx.conditions), declared, 'http'));
    }
  }

  // Reading the current state is part of the floor: without it a re-run cannot know to
  // make no write call. So is one DescribeOrganizationConfiguration, sent beside
  // CreateMembers: it says that no account can come in through the organization, so the
  // new members need no second read. So: GetMembers, CreateMembers, InviteMembers per 50,
  // and the probe once.
  const floorCalls = 3 * batchesFor(members) + 1;
  const perAccountCalls = 2 * members;
  return {
    members,
    handler,
    perAccount: runPerAccountFlow
      ? perAccount
      : { calls: perAccountCalls, estimatedMs: rateLimitedWallMs(perAccountCalls, ctx.conditions, ctx.options.perAccountConcurrency) },
    singleCall,
    floorCalls: aloneRuns,
    floor: { calls: floorCalls, writeCalls: 2 * batchesFor(members), wallMs: rateLimitedWallMsWithProbe(3 * batchesFor(members), ctx.conditions) },
  };
}

/**
 * The per-account flow runs at the rate limit's pace (2 calls per account, 10 a second
 * by default: 200 s at N = 1,000), so above 100 accounts it runs fewer times than the
 * handler to keep the whole bench near 15 minutes. Its figures are far from the
 * handler's, so one or two runs decide the comparison.
 */
export function perAccountRunsFor(ctx: BenchContext, members: number): number {
  const runs = runsFor(ctx.options, members);
  return members <= 100 ? runs : Math.min(runs, members <= 500 ? 2 : 1);
}
