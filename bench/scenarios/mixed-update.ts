import { ATTRIBUTE, PHYSICAL_ID_PREFIX } from '../../lib/private/invitation-contract';
import { declaredMembers, updateEvent } from '../../test/support/cloudformation-events';
import type { CompletionEvent } from '../child-protocol';
import { BenchContext, FlowRun, IS_COMPLETE_TIMEOUT_MS, Problem, invitationProperties, invokeBundle, pollCompletion } from '../flows';
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

/** The construct's default verification wait, 15 minutes: the run's removals happen in isComplete. */
const VERIFICATION_TIMEOUT_SECONDS = 900;
/** The bench gives up on the waiter after this long. */
const MAX_WAIT_MS = 10 * 60_000;

/**
 * Scenario 3: an Update with RemovalPolicy DESTROY that drops a share of the members
 * and declares as many new accounts, with the verification wait on (the construct's
 * default). The kept members are already Invited; onEvent creates and invites the new
 * ones, and the waiter's isComplete polls remove the dropped ones (disassociate, delete)
 * once the run can no longer fail. The wall time is from onEvent's start to the poll
 * that said complete, the waiter's interval included.
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
    const waiting = (list: typeof before) => ({ ...invitationProperties(detectorId, list, 'DESTROY'), VerificationTimeoutSeconds: String(VERIFICATION_TIMEOUT_SECONDS) });
    const event = updateEvent(`${PHYSICAL_ID_PREFIX}${detectorId}`, waiting(after), waiting(before));
    handler.push(await runWithWaiter(ctx, event, { total: after.length + dropped.size, count: settled }));
  }

  // onEvent: GetMembers over the declared list; CreateMembers and InviteMembers for the
  // added accounts, and one DescribeOrganizationConfiguration (no second read: no account
  // can come in through an organization here). isComplete: GetMembers over the declared
  // list (the verification check); DisassociateMembers and DeleteMembers for the dropped ones.
  const calls = 2 * batchesFor(members) + 4 * batchesFor(changed) + 1;
  return {
    members,
    removed: changed,
    added: changed,
    handler,
    floor: { calls, writeCalls: 4 * batchesFor(changed), wallMs: rateLimitedWallMs(calls, ctx.conditions) },
  };
}

/** onEvent in one process, then the waiter's isComplete polls in another, as the provider framework runs them. */
async function runWithWaiter(
  ctx: BenchContext,
  event: ReturnType<typeof updateEvent>,
  wanted: { readonly total: number; readonly count: (members: ReturnType<BenchContext['emulator']['members']>) => number },
): Promise<FlowRun> {
  const problems: Problem[] = [];
  const environment = ctx.emulator.handlerEnvironment();
  const onEvent = await invokeBundle(ctx, ctx.assetPath, event, environment);
  let completion: Awaited<ReturnType<typeof pollCompletion>> | undefined;
  if (onEvent.error || !onEvent.response?.Data?.[ATTRIBUTE.VERIFICATION_DEADLINE]) {
    problems.push({ what: `onEvent: ${onEvent.error?.slice(0, 300) ?? 'returned no verification deadline: the wait did not start'}`, accounts: wanted.total });
  } else {
    // What the provider framework passes isComplete: the event with onEvent's result merged over it.
    const merged = { ...event, ...onEvent.response } as unknown as CompletionEvent;
    completion = await pollCompletion(
      ctx,
      { assetPath: ctx.assetPath, event: merged, pollIntervalMs: ctx.options.pollIntervalMs, maxWaitMs: MAX_WAIT_MS, remainingMs: IS_COMPLETE_TIMEOUT_MS },
      environment,
    );
    if (completion.error) {
      problems.push({ what: `isComplete: ${completion.error.slice(0, 300)}`, accounts: wanted.total });
    }
  }
  const succeeded = wanted.count(ctx.emulator.members());
  const unprocessed = Number(completion?.response?.Data?.[ATTRIBUTE.UNPROCESSED_ACCOUNT_COUNT] ?? 0);
  if (unprocessed > 0) {
    problems.push({ what: 'reported unprocessed by the handler', accounts: unprocessed });
  }
  if (wanted.total > succeeded && problems.length === 0) {
    problems.push({ what: 'not in the expected state', accounts: wanted.total - succeeded });
  }
  const endedAt = completion ? completion.completedAtEpochMs : onEvent.startedAtEpochMs + onEvent.invocationMs;
  return {
    ...ctx.emulator.callStats(),
    wallMs: endedAt - onEvent.startedAtEpochMs,
    peakRssBytes: Math.max(onEvent.maxRssBytes, completion?.maxRssBytes ?? 0),
    succeeded,
    wanted: wanted.total,
    problems,
  };
}
