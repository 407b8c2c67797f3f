import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { MemberRecord } from '../test/support/guardduty-emulator';
import type {
  AccountFailure,
  CompletionPollJob,
  CompletionPollResult,
  FloorCallsJob,
  FlowResult,
  HandlerInvocationJob,
  HandlerInvocationResult,
  MemberDeclaration,
  PerAccountJob,
  SingleCallJob,
} from './child-protocol';
import type { ChildProcesses } from './child-process';
import type { BenchEmulator, CallStats } from './emulator-session';
import type { BenchOptions } from './options';
import type { CallConditions } from './rate-limit';

/** What every scenario gets from the driver. */
export interface BenchContext {
  readonly options: BenchOptions;
  readonly conditions: CallConditions;
  readonly emulator: BenchEmulator;
  readonly children: ChildProcesses;
  readonly repoRoot: string;
  /** The shipped handler bundle, assets/member-invitations/index.js. */
  readonly assetPath: string;
  /** The member side's bundle, assets/invitation-accepter/index.js. */
  readonly accepterAssetPath: string;
  progress(message: string): void;
}

/** One measured run of one flow. */
export interface FlowRun extends CallStats {
  /** The flow's own time: the handler invocation, or the flow's calls (not process start-up). */
  readonly wallMs: number;
  /** Peak RSS of the process that ran the flow. */
  readonly peakRssBytes: number;
  /** Accounts left in the state the run was asked for, out of `wanted`. */
  readonly succeeded: number;
  readonly wanted: number;
  /** What went wrong, grouped by cause; empty when nothing did. */
  readonly problems: readonly Problem[];
}

/** One cause of failure ("CreateMembers: TooManyRequestsException") and how many accounts it hit. */
export interface Problem {
  readonly what: string;
  readonly accounts: number;
}

/** The handler function's timeout (lib/member-invitations-provider.ts): what the context reports as time left. */
export const LAMBDA_TIMEOUT_MS = 10 * 60_000;
/** Its isComplete timeout (lib/member-invitations-provider.ts). */
export const IS_COMPLETE_TIMEOUT_MS = 5 * 60_000;
/** The accepter's onEvent and isComplete timeouts (lib/invitation-accepter-provider.ts). */
export const ACCEPTER_TIMEOUT_MS = 2 * 60_000;

/**
 * The resource properties as the construct writes them. OnUnprocessed REPORT: the run
 * returns normally even if GuardDuty leaves accounts out, and the bench counts them.
 */
export function invitationProperties(detectorId: string, members: readonly MemberDeclaration[], removalPolicy: 'RETAIN' | 'DESTROY'): Record<string, unknown> {
  return { DetectorId: detectorId, Members: members, DisableEmailNotification: 'false', OnUnprocessed: 'REPORT', RemovalPolicy: removalPolicy };
}

/**
 * Sends the shipped handler one event in a fresh process and reads what it cost from
 * the emulator. `wanted.count` says how many accounts ended as the run should leave them.
 */
export async function runHandler(
  ctx: BenchContext,
  event: CloudFormationCustomResourceEvent,
  wanted: { readonly total: number; readonly count: (members: ReadonlyMap<string, MemberRecord>) => number },
): Promise<FlowRun> {
  const result = await invokeBundle(ctx, ctx.assetPath, event, ctx.emulator.handlerEnvironment());
  const succeeded = wanted.count(ctx.emulator.members());
  const problems: Problem[] = [];
  const missing = wanted.total - succeeded;
  if (result.error) {
    problems.push({ what: `handler failed: ${result.error.slice(0, 300)}`, accounts: missing });
  }
  const unprocessed = Number(result.response?.Data?.UnprocessedAccountCount ?? 0);
  if (unprocessed > 0) {
    problems.push({ what: 'reported unprocessed by the handler', accounts: unprocessed });
  }
  if (missing > 0 && problems.length === 0) {
    problems.push({ what: 'not in the expected state', accounts: missing });
  }
  return { ...ctx.emulator.callStats(), wallMs: result.invocationMs, peakRssBytes: result.maxRssBytes, succeeded, wanted: wanted.total, problems };
}

/** One onEvent invocation of a bundle in a fresh process, in the account whose environment is given. */
export async function invokeBundle(
  ctx: BenchContext,
  assetPath: string,
  event: CloudFormationCustomResourceEvent,
  environment: Record<string, string>,
  remainingMs = LAMBDA_TIMEOUT_MS,
): Promise<HandlerInvocationResult & { readonly processMs: number }> {
  const job: HandlerInvocationJob = { assetPath, event, remainingMs };
  const { result, processMs } = await ctx.children.run<HandlerInvocationJob, HandlerInvocationResult>('handler-invocation', job, environment);
  return { ...result, processMs };
}

/** The waiter's isComplete calls for one resource, in a fresh process (the isComplete function's container). */
export async function pollCompletion(ctx: BenchContext, job: CompletionPollJob, environment: Record<string, string>): Promise<CompletionPollResult & { readonly processMs: number }> {
  const { result, processMs } = await ctx.children.run<CompletionPollJob, CompletionPollResult>('completion-poller', job, environment);
  return { ...result, processMs };
}

/** `work` over every item, at most `limit` at once, results in the items' order. */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) {
      results[i] = await work(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

export async function runPerAccount(ctx: BenchContext, detectorId: string, members: readonly MemberDeclaration[]): Promise<FlowRun> {
  const job: PerAccountJob = { target: ctx.emulator.target(), detectorId, members, concurrency: ctx.options.perAccountConcurrency };
  const { result } = await ctx.children.run<PerAccountJob, FlowResult>('per-account-flow', job);
  return flowRun(ctx, result, members.length);
}

export async function runSingleCall(ctx: BenchContext, detectorId: string, members: readonly MemberDeclaration[]): Promise<FlowRun> {
  const job: SingleCallJob = { target: ctx.emulator.target(), detectorId, members };
  const { result } = await ctx.children.run<SingleCallJob, FlowResult>('single-call-flow', job);
  return flowRun(ctx, result, members.length);
}

/** The floor's calls for one batch and nothing else, in a fresh process: see bench/children/floor-calls-flow.ts. */
export async function runFloorCalls(ctx: BenchContext, detectorId: string, members: readonly MemberDeclaration[], client: FloorCallsJob['client']): Promise<FlowRun> {
  const job: FloorCallsJob = { target: ctx.emulator.target(), detectorId, members, client };
  const { result } = await ctx.children.run<FloorCallsJob, FlowResult>('floor-calls-flow', job);
  return flowRun(ctx, result, members.length);
}

function flowRun(ctx: BenchContext, result: FlowResult, wanted: number): FlowRun {
  return { ...ctx.emulator.callStats(), wallMs: result.wallMs, peakRssBytes: result.maxRssBytes, succeeded: result.invited, wanted, problems: groupFailures(result.failures) };
}

/** Failures grouped by step and reason, most frequent first. */
function groupFailures(failures: readonly AccountFailure[]): Problem[] {
  const counts = new Map<string, number>();
  failures.forEach((f) => counts.set(`${f.step}: ${f.reason}`, (counts.get(`${f.step}: ${f.reason}`) ?? 0) + 1));
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([what, accounts]) => ({ what, accounts }));
}
