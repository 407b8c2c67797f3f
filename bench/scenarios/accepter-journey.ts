import { setTimeout as sleep } from 'node:timers/promises';
import type { CloudFormationCustomResourceCreateEvent } from 'aws-lambda';
import { ACCEPTER_ATTRIBUTE, AccepterResourceProperties } from '../../lib/private/accepter-contract';
import { ATTRIBUTE } from '../../lib/private/invitation-contract';
import { createEvent, declaredMembers } from '../../test/support/cloudformation-events';
import type { HandlerInvocationResult, MemberDeclaration } from '../child-protocol';
import { ADMINISTRATOR, REGION } from '../emulator-session';
import { ACCEPTER_TIMEOUT_MS, BenchContext, Problem, invitationProperties, invokeBundle, mapWithConcurrency, pollCompletion } from '../flows';
import { runsFor } from '../options';

/**
 * invitation-first: the administrator invites, then each member stack's accepter finds
 * the invitation in its onEvent. accepter-first: each accepter's onEvent finds nothing
 * and leaves the wait to isComplete, the administrator invites, the waiters accept.
 */
export type AccepterOrder = 'invitation-first' | 'accepter-first';

export interface AccepterJourneyRun {
  /**
   * From the arrival of the administrator's first InviteMembers to the end of the last
   * AcceptAdministratorInvitation: from then on GetMembers shows every member Enabled.
   */
  readonly timeToEnabledMs: number;
  readonly administratorCalls: number;
  /** Per member account: the calls its accepter made (onEvent and isComplete together). */
  readonly memberCalls: readonly number[];
  /** Per member account: isComplete calls (0 when onEvent accepted). */
  readonly memberPolls: readonly number[];
  /** Per member account: the accepter's onEvent invocation, and its process from spawn to exit. */
  readonly accepterOnEventMs: readonly number[];
  readonly accepterProcessMs: readonly number[];
  readonly throttled: number;
  /** Members the administrator sees Enabled at the end. */
  readonly enabled: number;
  readonly wanted: number;
  readonly problems: readonly Problem[];
}

export interface AccepterJourneyResult {
  readonly members: number;
  readonly order: AccepterOrder;
  readonly runs: readonly AccepterJourneyRun[];
}

/** The construct's default invitation timeout: 15 minutes. */
const INVITATION_TIMEOUT_SECONDS = 900;
/** How long a waiter polls before the bench calls the run failed. */
const MAX_WAIT_MS = 120_000;

/**
 * Scenario 7: an administrator and M member accounts, each with its own detector, under
 * the emulator's latency. Each member's accepter runs in a process of its own with that
 * account's credentials, `--accepter-concurrency` at once, as separate stacks would.
 * There is no rate limit here: the emulator has one token bucket for every caller,
 * while GuardDuty limits each account on its own; the administrator makes 3 calls per
 * 50 members and each member 3 calls or so, within any account's burst.
 */
export async function accepterJourney(ctx: BenchContext, members: number, order: AccepterOrder): Promise<AccepterJourneyResult> {
  const declared = declaredMembers(members);
  const runs: AccepterJourneyRun[] = [];
  const count = runsFor(ctx.options, members);
  for (let run = 1; run <= count; run++) {
    ctx.progress(`accepter journey, ${order}, M=${members}, run ${run}/${count}`);
    runs.push(await measureRun(ctx, declared, order));
  }
  return { members, order, runs };
}

async function measureRun(ctx: BenchContext, declared: readonly MemberDeclaration[], order: AccepterOrder): Promise<AccepterJourneyRun> {
  const ids = declared.map((m) => m.AccountId);
  const administratorDetector = ctx.emulator.freshDetector({ latencyMs: ctx.conditions.latencyMs });
  const events = ctx.emulator.seedMemberDetectors(ids).map((detectorId, i) => accepterEvent(ids[i], detectorId));
  const accept = (i: number) => invokeBundle(ctx, ctx.accepterAssetPath, events[i], ctx.emulator.environmentFor(ids[i]), ACCEPTER_TIMEOUT_MS);
  const problems: Problem[] = [];
  let onEvents: Array<HandlerInvocationResult & { readonly processMs: number }>;
  let polls: number[];

  if (order === 'invitation-first') {
    await invite(ctx, administratorDetector, declared);
    onEvents = await mapWithConcurrency(ids, ctx.options.accepterConcurrency, (_, i) => accept(i));
    onEvents.forEach((result, i) => {
      const status = result.response?.Data?.[ACCEPTER_ATTRIBUTE.RELATIONSHIP_STATUS];
      if (result.error || status !== 'Enabled') {
        problems.push({ what: `accepter onEvent: ${result.error?.slice(0, 200) ?? `RelationshipStatus ${status ?? 'none'}`} (${ids[i]})`, accounts: 1 });
      }
    });
    polls = ids.map(() => 0);
  } else {
    onEvents = await mapWithConcurrency(ids, ctx.options.accepterConcurrency, (_, i) => accept(i));
    const waiting = onEvents.map((result, i) => {
      if (result.error || !result.response?.Data?.[ACCEPTER_ATTRIBUTE.INVITATION_DEADLINE]) {
        throw new Error(`accepter onEvent of ${ids[i]} did not wait for the invitation: ${result.error ?? JSON.stringify(result.response)}`);
      }
      return { ...events[i], PhysicalResourceId: result.response.PhysicalResourceId, Data: result.response.Data };
    });
    // Every waiter polls at once, as each member stack's waiter does; allSettled so that
    // no failure goes unhandled while the administrator is still to come.
    const waiters = Promise.allSettled(
      ids.map((id, i) =>
        pollCompletion(
          ctx,
          { assetPath: ctx.accepterAssetPath, event: waiting[i], pollIntervalMs: ctx.options.pollIntervalMs, maxWaitMs: MAX_WAIT_MS, remainingMs: ACCEPTER_TIMEOUT_MS },
          ctx.emulator.environmentFor(id),
        ),
      ),
    );
    try {
      await untilEveryWaiterPolled(ctx, ids);
      await invite(ctx, administratorDetector, declared);
    } catch (error) {
      await waiters;
      throw error;
    }
    const settled = await waiters;
    polls = settled.map((outcome, i) => {
      if (outcome.status === 'rejected') {
        problems.push({ what: `accepter isComplete: ${String(outcome.reason).slice(0, 200)} (${ids[i]})`, accounts: 1 });
        return 0;
      }
      const status = outcome.value.response?.Data?.[ACCEPTER_ATTRIBUTE.RELATIONSHIP_STATUS];
      if (outcome.value.error || status !== 'Enabled') {
        problems.push({ what: `accepter isComplete: ${outcome.value.error?.slice(0, 200) ?? `RelationshipStatus ${status ?? 'none'}`} (${ids[i]})`, accounts: 1 });
      }
      return outcome.value.polls;
    });
  }

  const calls = ctx.emulator.calls();
  const invitedAt = Math.min(...calls.filter((c) => c.operation === 'InviteMembers' && c.statusCode === 200).map((c) => c.startedAt));
  const enabledAt = Math.max(...calls.filter((c) => c.operation === 'AcceptAdministratorInvitation' && c.statusCode === 200).map((c) => c.startedAt + c.durationMs));
  const records = ctx.emulator.members();
  const enabled = ids.filter((id) => records.get(id)?.relationshipStatus === 'Enabled').length;
  if (enabled < ids.length && problems.length === 0) {
    problems.push({ what: 'not Enabled', accounts: ids.length - enabled });
  }
  return {
    timeToEnabledMs: enabledAt - invitedAt,
    administratorCalls: ctx.emulator.callStats((c) => c.accountId === ADMINISTRATOR).calls,
    memberCalls: ids.map((id) => ctx.emulator.callStats((c) => c.accountId === id).calls),
    memberPolls: polls,
    accepterOnEventMs: onEvents.map((r) => r.invocationMs),
    accepterProcessMs: onEvents.map((r) => r.processMs),
    throttled: ctx.emulator.callStats().throttled,
    enabled,
    wanted: ids.length,
    problems,
  };
}

/** The administrator's onEvent, without the verification wait (the emulator verifies at once here). */
async function invite(ctx: BenchContext, detectorId: string, declared: readonly MemberDeclaration[]): Promise<void> {
  const result = await invokeBundle(ctx, ctx.assetPath, createEvent(invitationProperties(detectorId, declared, 'RETAIN')), ctx.emulator.handlerEnvironment());
  if (result.error || Number(result.response?.Data?.[ATTRIBUTE.INVITED_ACCOUNT_COUNT]) !== declared.length) {
    throw new Error(`the administrator's onEvent did not invite every member: ${result.error ?? JSON.stringify(result.response?.Data)}`);
  }
}

/**
 * Holds the invitation back until every waiter has made its first isComplete call (a
 * second GetAdministratorAccount from its account, after onEvent's), so the invitation
 * arrives while all of them are polling.
 */
async function untilEveryWaiterPolled(ctx: BenchContext, ids: readonly string[]): Promise<void> {
  const giveUpAt = Date.now() + MAX_WAIT_MS / 2;
  for (;;) {
    const looks = new Map<string | undefined, number>();
    for (const call of ctx.emulator.calls()) {
      if (call.operation === 'GetAdministratorAccount') {
        looks.set(call.accountId, (looks.get(call.accountId) ?? 0) + 1);
      }
    }
    if (ids.every((id) => (looks.get(id) ?? 0) >= 2)) {
      return;
    }
    if (Date.now() > giveUpAt) {
      throw new Error(`the waiters did not all start polling within ${MAX_WAIT_MS / 2_000} s`);
    }
    await sleep(20);
  }
}

/** A Create of the accepter as a member account's stack sends it. */
function accepterEvent(memberAccountId: string, detectorId: string): CloudFormationCustomResourceCreateEvent {
  const properties: AccepterResourceProperties = {
    AdministratorAccountId: ADMINISTRATOR,
    DetectorId: detectorId,
    InvitationTimeoutSeconds: String(INVITATION_TIMEOUT_SECONDS),
    RemovalPolicy: 'RETAIN',
  };
  return {
    ...createEvent({ ...properties }),
    StackId: `arn:aws:cloudformation:${REGION}:${memberAccountId}:stack/guardduty-member/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`,
    LogicalResourceId: 'GuardDutyInvitationAccepter',
    ResourceType: 'Custom::GuardDutyInvitationAccepter',
  };
}
