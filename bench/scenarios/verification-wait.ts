import { ATTRIBUTE } from '../../lib/private/invitation-contract';
import { createEvent, declaredMembers } from '../../test/support/cloudformation-events';
import type { BenchEmulator } from '../emulator-session';
import { BenchContext, IS_COMPLETE_TIMEOUT_MS, Problem, invitationProperties, invokeBundle, pollCompletion } from '../flows';
import { BenchOptions, runsFor } from '../options';
import { batchesFor } from '../rate-limit';

/** The verification timeout the resource declares: the construct's default, 15 minutes. */
const VERIFICATION_TIMEOUT_SECONDS = 900;
/** How long past the verification delay the bench waits for isComplete before calling the run failed. */
const EXTRA_WAIT_MS = 120_000;

/** One row of scenario 6: `members` fresh accounts, of which `failing` fail email verification. */
export interface VerificationRow {
  readonly members: number;
  readonly failing: number;
}

export interface VerificationWaitRun {
  /** onEvent's calls: GetMembers, CreateMembers and InviteMembers, 429s included. */
  readonly onEventCalls: number;
  readonly onEventMs: number;
  /** isComplete calls until it said complete. */
  readonly polls: number;
  /** The GetMembers calls those polls made, 429s included. */
  readonly isCompleteCalls: number;
  readonly isCompleteThrottled: number;
  /** ceil(N/50) GetMembers per poll: what the polls had to read. */
  readonly pollReadsFloor: number;
  readonly totalCalls: number;
  readonly throttled: number;
  /** From onEvent's start to the last invitation's verification being due (its InviteMembers plus the delay). */
  readonly settledAfterMs: number;
  /** From onEvent's start to isComplete returning IsComplete true. */
  readonly timeToCompleteMs: number;
  /** Declared accounts the emulator shows Invited at the end, and EmailVerificationFailed. */
  readonly invited: number;
  readonly verificationFailed: number;
  /** Whether the final attributes report exactly the failing accounts unprocessed (count and IDs) and the others invited. */
  readonly reportedAsExpected: boolean;
  readonly problems: readonly Problem[];
}

export interface VerificationWaitResult extends VerificationRow {
  readonly runs: readonly VerificationWaitRun[];
}

/** The sizes without failures, then the row with failures. */
export function verificationRows(options: BenchOptions): VerificationRow[] {
  const clean = options.verificationSizes.map((members) => ({ members, failing: 0 }));
  return options.verificationFailures > 0 ? [...clean, { members: options.verificationFailureMembers, failing: options.verificationFailures }] : clean;
}

/**
 * Scenario 6: a Create with the verification wait on (the construct's default) for N
 * fresh accounts, under the emulator's latency and rate limit, with email verification
 * taking `--verification-delay-ms`. onEvent runs in one process, then the waiter polls
 * isComplete in another (its own Lambda function, so its own SDK client) until complete.
 * `emulator` is a second emulator started with that delay.
 */
export async function verificationWait(ctx: BenchContext, emulator: BenchEmulator, row: VerificationRow): Promise<VerificationWaitResult> {
  const declared = declaredMembers(row.members);
  // Spread over the batches, as typos in a member list would be.
  const failing = Array.from({ length: row.failing }, (_, i) => declared[Math.floor((i * row.members) / row.failing)].AccountId);
  const runs: VerificationWaitRun[] = [];
  const count = runsFor(ctx.options, row.members);
  for (let run = 1; run <= count; run++) {
    ctx.progress(`verification wait, N=${row.members}${row.failing > 0 ? `, ${row.failing} failing` : ''}, run ${run}/${count}`);
    runs.push(await measureRun(ctx, emulator, declared, failing));
  }
  return { ...row, runs };
}

async function measureRun(ctx: BenchContext, emulator: BenchEmulator, declared: ReturnType<typeof declaredMembers>, failing: readonly string[]): Promise<VerificationWaitRun> {
  const detectorId = emulator.freshDetector(ctx.conditions);
  emulator.failEmailVerification(failing);
  const environment = emulator.handlerEnvironment();
  const event = createEvent({ ...invitationProperties(detectorId, declared, 'RETAIN'), VerificationTimeoutSeconds: String(VERIFICATION_TIMEOUT_SECONDS) });

  const onEvent = await invokeBundle(ctx, ctx.assetPath, event, environment);
  if (onEvent.error || !onEvent.response) {
    throw new Error(`onEvent failed: ${onEvent.error ?? 'no response'}`);
  }
  if (!onEvent.response.Data?.[ATTRIBUTE.VERIFICATION_DEADLINE]) {
    throw new Error('onEvent returned no verification deadline: the wait did not start');
  }
  // onEvent's process has exited, so every call it made is logged and came before any of isComplete's.
  const onEventCalls = emulator.calls().length;
  const completion = await pollCompletion(
    ctx,
    {
      assetPath: ctx.assetPath,
      event: { ...event, PhysicalResourceId: onEvent.response.PhysicalResourceId, Data: onEvent.response.Data },
      pollIntervalMs: ctx.options.pollIntervalMs,
      maxWaitMs: ctx.options.verificationDelayMs + EXTRA_WAIT_MS,
      remainingMs: IS_COMPLETE_TIMEOUT_MS,
    },
    environment,
  );

  const calls = emulator.calls();
  const lastInvitation = Math.max(...calls.filter((c) => c.operation === 'InviteMembers' && c.statusCode === 200).map((c) => c.startedAt + c.durationMs));
  const all = emulator.callStats();
  const polling = emulator.callStats((call) => call.sequence >= onEventCalls);
  const records = emulator.members();
  const failingSet = new Set(failing);
  const invited = declared.filter((m) => !failingSet.has(m.AccountId) && records.get(m.AccountId)?.relationshipStatus === 'Invited').length;
  const verificationFailed = failing.filter((id) => records.get(id)?.relationshipStatus === 'EmailVerificationFailed').length;

  const problems: Problem[] = [];
  if (completion.error) {
    problems.push({ what: `isComplete: ${completion.error.slice(0, 300)}`, accounts: declared.length });
  }
  const data = completion.response?.Data ?? {};
  const reportedIds = new Set((data[ATTRIBUTE.UNPROCESSED_ACCOUNT_IDS] ?? '').split(',').filter((id) => /^\d{12}$/.test(id)));
  const reportedAsExpected =
    completion.response?.IsComplete === true &&
    Number(data[ATTRIBUTE.UNPROCESSED_ACCOUNT_COUNT]) === failing.length &&
    failing.every((id) => reportedIds.has(id)) &&
    reportedIds.size === failing.length &&
    Number(data[ATTRIBUTE.INVITED_ACCOUNT_COUNT]) === declared.length - failing.length;
  if (!completion.error && !reportedAsExpected) {
    problems.push({
      what: `attributes not as expected (InvitedAccountCount ${data[ATTRIBUTE.INVITED_ACCOUNT_COUNT]}, UnprocessedAccountCount ${data[ATTRIBUTE.UNPROCESSED_ACCOUNT_COUNT]}, UnprocessedAccountIds ${data[ATTRIBUTE.UNPROCESSED_ACCOUNT_IDS]})`,
      accounts: declared.length,
    });
  }
  const missing = declared.length - failing.length - invited + (failing.length - verificationFailed);
  if (missing > 0 && problems.length === 0) {
    problems.push({ what: 'not in the expected state', accounts: missing });
  }

  const polls = completion.polls;
  return {
    onEventCalls,
    onEventMs: onEvent.invocationMs,
    polls,
    isCompleteCalls: polling.calls,
    isCompleteThrottled: polling.throttled,
    pollReadsFloor: polls * batchesFor(declared.length),
    totalCalls: all.calls,
    throttled: all.throttled,
    settledAfterMs: lastInvitation + ctx.options.verificationDelayMs - onEvent.startedAtEpochMs,
    timeToCompleteMs: completion.completedAtEpochMs - onEvent.startedAtEpochMs,
    invited,
    verificationFailed,
    reportedAsExpected,
    problems,
  };
}
