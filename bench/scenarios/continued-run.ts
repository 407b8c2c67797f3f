import { createHash } from 'node:crypto';
import { ATTRIBUTE, MemberListLocation } from '../../lib/private/invitation-contract';
import { createEvent, declaredMembers } from '../../test/support/cloudformation-events';
import type { CompletionEvent, CompletionInvocationJob, CompletionInvocationResult } from '../child-protocol';
import { ADMINISTRATOR, BenchEmulator, REGION } from '../emulator-session';
import { BenchContext, invokeBundle } from '../flows';
import { batchesFor, rateLimitedWallMs, rateLimitedWallMsWithProbe } from '../rate-limit';

/** The verification timeout a fleet this size would declare: the construct's longest, 50 minutes. */
const VERIFICATION_TIMEOUT_SECONDS = 50 * 60;
/** The run's own limit (lambda/member-invitations/run-start.ts MAX_RUN_MS) plus a margin: the bench stops polling after this. */
const GIVE_UP_MS = 55 * 60_000;
/** Where `cdk deploy` puts file assets (the bootstrap's default bucket name); the key is the content hash, as CDK's is. */
const ASSET_BUCKET = `cdk-hnb659fds-assets-${ADMINISTRATOR}-${REGION}`;

/** One Lambda invocation of the run: onEvent, or one isComplete poll. */
export interface ContinuedInvocation {
  readonly step: 'onEvent' | 'isComplete';
  readonly wallMs: number;
  readonly peakRssBytes: number;
  /** Calls this invocation made, by operation: accepted (not 429) and throttled. */
  readonly accepted: Readonly<Record<string, number>>;
  readonly throttled: number;
  /** What it returned: 'handed over' (onEvent out of time), 'in progress', 'complete', 'done', or the error. */
  readonly outcome: string;
}

export interface ContinuedRunResult {
  readonly members: number;
  readonly onEventBudgetMs: number;
  readonly isCompleteBudgetMs: number;
  readonly pollIntervalMs: number;
  readonly listBytes: number;
  readonly invocations: readonly ContinuedInvocation[];
  /** From onEvent's start to the last invocation's end. */
  readonly wallMs: number;
  /** GetMembers, CreateMembers and InviteMembers once per 50 accounts. */
  readonly floorCalls: number;
  /** The fastest the rate limit allows those calls. */
  readonly floorWallMs: number;
  /** The fastest the rate limit allows the calls GuardDuty accepted in this run. */
  readonly acceptedFloorWallMs: number;
  /** Declared accounts by invitations GuardDuty recorded: 0, 1, more. */
  readonly invitedOnce: number;
  readonly neverInvited: number;
  readonly invitedMoreThanOnce: number;
  /** Declared accounts Invited at the end (email verified). */
  readonly invitedAtEnd: number;
  readonly complete: boolean;
  readonly reportedInvited?: number;
  readonly reportedUnprocessed?: number;
  readonly error?: string;
}

/** Options of scenario 8. */
export interface ContinuedRunOptions {
  readonly members: number;
  /** What the Lambda context reports as time left to onEvent, and to each isComplete call. */
  readonly onEventBudgetMs: number;
  readonly isCompleteBudgetMs: number;
}

/**
 * Scenario 8: one construct with `members` fresh accounts, the verification wait on, the
 * list delivered as the construct delivers it above 16 KiB (a `MemberList` asset read
 * from S3), under the rate limit, with invocation budgets short enough that GuardDuty's
 * rate spreads the run over several invocations, each in a fresh process (a cold Lambda
 * container). `emulator` is the one with the email verification delay.
 */
export async function continuedRun(ctx: BenchContext, emulator: BenchEmulator, options: ContinuedRunOptions): Promise<ContinuedRunResult> {
  const detectorId = emulator.freshDetector(ctx.conditions);
  const declared = declaredMembers(options.members);
  const json = JSON.stringify(declared);
  // As lib/private/member-list-asset.ts writes it: the SHA-256 of the JSON text.
  const sha256 = createHash('sha256').update(json).digest('hex');
  const location: MemberListLocation = {
    Bucket: ASSET_BUCKET,
    Key: `${sha256}.json`,
    Sha256: sha256,
    AccountCount: String(declared.length),
    FirstAccountIds: declared.map((m) => m.AccountId).sort().slice(0, 10).join(','),
  };
  emulator.putObject(location.Bucket, location.Key, Buffer.from(json, 'utf8'));
  const event = createEvent({
    DetectorId: detectorId,
    MemberList: location,
    DisableEmailNotification: 'false',
    OnUnprocessed: 'REPORT',
    RemovalPolicy: 'RETAIN',
    VerificationTimeoutSeconds: String(VERIFICATION_TIMEOUT_SECONDS),
  });
  const environment = emulator.handlerEnvironment();
  const invocations: ContinuedInvocation[] = [];
  let seen = 0;
  /** The calls since the previous invocation ended (the previous process has exited: its calls are all logged). */
  const callsSince = () => {
    const calls = emulator.calls().slice(seen);
    seen += calls.length;
    const accepted: Record<string, number> = {};
    calls.filter((c) => c.statusCode !== 429).forEach((c) => (accepted[c.operation] = (accepted[c.operation] ?? 0) + 1));
    return { accepted, throttled: calls.filter((c) => c.statusCode === 429).length };
  };

  const label = `continued run, N=${options.members}, budgets ${options.onEventBudgetMs / 1_000}/${options.isCompleteBudgetMs / 1_000} s`;
  ctx.progress(`${label}: onEvent`);
  const onEvent = await invokeBundle(ctx, ctx.assetPath, event, environment, options.onEventBudgetMs);
  const startedAt = onEvent.startedAtEpochMs;
  let endedAt = startedAt + onEvent.invocationMs;
  // The run state carries `work` only when onEvent ran out of time and handed the rest over.
  const runState = (onEvent.response as { GuardDutyMembersRun?: { work?: unknown } } | undefined)?.GuardDutyMembersRun;
  const handedOver = runState?.work !== undefined;
  invocations.push({
    step: 'onEvent',
    wallMs: onEvent.invocationMs,
    peakRssBytes: onEvent.maxRssBytes,
    ...callsSince(),
    outcome: onEvent.error ? `failed: ${onEvent.error.slice(0, 200)}` : handedOver ? 'out of time: work handed over' : 'work done, verification wait next',
  });

  let error = onEvent.error;
  let final: CompletionInvocationResult['response'];
  if (!error && onEvent.response) {
    // What the provider framework passes isComplete: the event with onEvent's result merged over it.
    const completionEvent = { ...event, ...onEvent.response } as unknown as CompletionEvent;
    for (let poll = 1; ; poll++) {
      ctx.progress(`${label}: isComplete ${poll}`);
      const job: CompletionInvocationJob = { assetPath: ctx.assetPath, event: completionEvent, remainingMs: options.isCompleteBudgetMs };
      const { result } = await ctx.children.run<CompletionInvocationJob, CompletionInvocationResult>('completion-invocation', job, environment);
      endedAt = result.startedAtEpochMs + result.invocationMs;
      invocations.push({
        step: 'isComplete',
        wallMs: result.invocationMs,
        peakRssBytes: result.maxRssBytes,
        ...callsSince(),
        outcome: result.error ? `failed: ${result.error.slice(0, 200)}` : result.response?.IsComplete ? 'complete' : 'in progress',
      });
      if (result.error || result.response?.IsComplete) {
        error = result.error;
        final = result.response;
        break;
      }
      if (Date.now() - startedAt > GIVE_UP_MS) {
        error = `still in progress after ${poll} isComplete calls`;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, ctx.options.pollIntervalMs));
    }
  }

  const records = emulator.members();
  const invitations = declared.map((m) => emulator.invitationsSentTo(m.AccountId));
  const accepted = emulator.calls().filter((c) => c.statusCode !== 429).length;
  // GetMembers (the state), CreateMembers, InviteMembers, GetMembers (the verification
  // check after the invitations) per 50, and one DescribeOrganizationConfiguration.
  const floorCalls = 4 * batchesFor(declared.length) + 1;
  return {
    members: declared.length,
    onEventBudgetMs: options.onEventBudgetMs,
    isCompleteBudgetMs: options.isCompleteBudgetMs,
    pollIntervalMs: ctx.options.pollIntervalMs,
    listBytes: Buffer.byteLength(json, 'utf8'),
    invocations,
    wallMs: endedAt - startedAt,
    floorCalls,
    floorWallMs: rateLimitedWallMsWithProbe(4 * batchesFor(declared.length), ctx.conditions),
    acceptedFloorWallMs: rateLimitedWallMs(accepted, ctx.conditions),
    invitedOnce: invitations.filter((n) => n === 1).length,
    neverInvited: invitations.filter((n) => n === 0).length,
    invitedMoreThanOnce: invitations.filter((n) => n > 1).length,
    invitedAtEnd: declared.filter((m) => records.get(m.AccountId)?.relationshipStatus === 'Invited').length,
    complete: final?.IsComplete === true,
    reportedInvited: final?.Data ? Number(final.Data[ATTRIBUTE.INVITED_ACCOUNT_COUNT]) : undefined,
    reportedUnprocessed: final?.Data ? Number(final.Data[ATTRIBUTE.UNPROCESSED_ACCOUNT_COUNT]) : undefined,
    error,
  };
}
