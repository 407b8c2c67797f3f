import { count, duration, mebibytes, ratio } from './format';
import { FlowRun, LAMBDA_TIMEOUT_MS } from './flows';
import { summarizeField } from './measure';
import type { CallConditions } from './rate-limit';
import type { AccepterJourneyResult } from './scenarios/accepter-journey';
import type { ColdStartMeasurement } from './scenarios/cold-start';
import type { ContinuedRunResult } from './scenarios/continued-run';
import type { InvitationRunResult } from './scenarios/invitation-run';
import type { MixedFleetResult } from './scenarios/mixed-fleet';
import type { MixedUpdateResult } from './scenarios/mixed-update';
import type { RerunResult } from './scenarios/rerun';
import type { RegionalSynthMeasurement } from './scenarios/regional-synthesis';
import type { SynthMeasurement } from './scenarios/synthesis';
import type { VerificationWaitResult } from './scenarios/verification-wait';
import type { MonitorCheckResult } from './scenarios/monitor-check';

/** Everything the scenarios measured, for the targets and the report. */
export interface BenchResults {
  readonly invitation: readonly InvitationRunResult[];
  readonly rerun: readonly RerunResult[];
  readonly mixed?: MixedUpdateResult;
  readonly coldStart?: ColdStartMeasurement;
  readonly synthesis: readonly SynthMeasurement[];
  readonly verification: readonly VerificationWaitResult[];
  readonly accepter: readonly AccepterJourneyResult[];
  readonly monitor?: readonly MonitorCheckResult[];
  readonly continued: readonly ContinuedRunResult[];
  readonly mixedFleet?: MixedFleetResult;
  readonly regionalSynthesis?: readonly RegionalSynthMeasurement[];
}

export type Verdict = 'pass' | 'miss' | 'not measured';

export interface TargetVerdict {
  readonly target: string;
  readonly measured: string;
  readonly verdict: Verdict;
}

/** The targets. A miss is reported, not a failure of the bench. */
export const TARGET = {
  CALLS_ABOVE_FLOOR: 2,
  COMPARISON_MEMBERS: 1_000,
  FEWER_CALLS_THAN_PER_ACCOUNT: 25,
  LESS_TIME_THAN_PER_ACCOUNT: 10,
  WALL_TIME_OVER_FLOOR: 1.3,
  LARGEST_MEMBERS: 5_000,
  /** "Well inside" the Lambda timeout: at most half of it. */
  SHARE_OF_TIMEOUT: 0.5,
  /** The handler function's memory size (MB in Lambda's terms, which are MiB). */
  PEAK_RSS_BYTES: 256 * 2 ** 20,
  ASSET_BYTES: 600_000,
  LOAD_AND_SETUP_MS: 250,
  SYNTH_SMALL_MEMBERS: 100,
  SYNTH_LARGE_MEMBERS: 5_000,
  SYNTH_RATIO: 2,
  /** Scenario 11: every region's synthesis against one region's, and the cloud assembly's size at every region. */
  REGIONAL_SYNTH_MEMBERS: 5_000,
  REGIONAL_SYNTH_RATIO: 3,
  REGIONAL_ASSEMBLY_BYTES: 50 * 2 ** 20,
  /** Scenario 8: wall time over the rate floor of 4 × ⌈N/50⌉ + 1 calls (GetMembers twice: the state, then the verification check; one probe). */
  CONTINUED_WALL_TIME_OVER_FLOOR: 1.05,
} as const;

type Judge = (results: BenchResults, conditions: CallConditions) => TargetVerdict;

const JUDGES: readonly Judge[] = [
  (r) => callsWithinFloor(r.invitation),
  (r) => againstPerAccount(r.invitation),
  (r) => wallTimeWithinFloor(r.invitation),
  (r) => largestRun(r.invitation),
  (r) => rerunWrites(r.rerun),
  (r) => assetSize(r.coldStart),
  (r) => loadAndSetup(r.coldStart),
  (r) => synthesisGrowth(r.synthesis),
  (r) => eachBudget(r.continued, continuedCompletes),
  (r) => eachBudget(r.continued, continuedWrites),
  (r) => eachBudget(r.continued, continuedWallTime),
  (r) => eachBudget(r.continued, continuedMemory),
  (r) => mixedFleetCalls(r.mixedFleet),
  (r) => mixedFleetWallTime(r.mixedFleet),
  (r) => regionalSynthesisGrowth(r.regionalSynthesis ?? []),
  (r) => regionalAssemblySize(r.regionalSynthesis ?? []),
];

export function judgeTargets(results: BenchResults, conditions: CallConditions): TargetVerdict[] {
  return JUDGES.map((judge) => judge(results, conditions));
}

const notMeasured = (target: string, measured = '—'): TargetVerdict => ({ target, measured, verdict: 'not measured' });
const judged = (target: string, measured: string, pass: boolean): TargetVerdict => ({ target, measured, verdict: pass ? 'pass' : 'miss' });

function callsWithinFloor(runs: readonly InvitationRunResult[]): TargetVerdict {
  const target = `1. API calls ≤ floor + ${TARGET.CALLS_ABOVE_FLOOR}, every N, every run (429s count)`;
  if (runs.length === 0) {
    return notMeasured(target);
  }
  const parts = runs.map((r) => {
    const most = summarizeField(r.handler, (run) => run.calls).max;
    const accepted = summarizeField(r.handler, (run) => run.calls - run.throttled).max;
    return { ok: most <= r.floor.calls + TARGET.CALLS_ABOVE_FLOOR, text: `N=${count(r.members)}: ≤ ${count(most)} (≤ ${count(accepted)} not 429) vs ${count(r.floor.calls)}` };
  });
  return judged(target, parts.map((p) => p.text).join('; '), parts.every((p) => p.ok));
}

function againstPerAccount(runs: readonly InvitationRunResult[]): TargetVerdict {
  const target = `1. At N = ${count(TARGET.COMPARISON_MEMBERS)}: ≥ ${TARGET.FEWER_CALLS_THAN_PER_ACCOUNT}× fewer calls, ≥ ${TARGET.LESS_TIME_THAN_PER_ACCOUNT}× less time than per-account`;
  const at = runs.find((r) => r.members === TARGET.COMPARISON_MEMBERS);
  if (!at || !Array.isArray(at.perAccount) || at.perAccount.length === 0) {
    return notMeasured(target);
  }
  const perAccount = at.perAccount as readonly FlowRun[];
  const callRatio = median(perAccount, (r) => r.calls) / median(at.handler, (r) => r.calls);
  const timeRatio = median(perAccount, (r) => r.wallMs) / median(at.handler, (r) => r.wallMs);
  const measured = `${ratio(callRatio)} fewer calls (${count(median(at.handler, (r) => r.calls))} vs ${count(median(perAccount, (r) => r.calls))}), ${ratio(timeRatio)} less time (${duration(median(at.handler, (r) => r.wallMs))} vs ${duration(median(perAccount, (r) => r.wallMs))})`;
  return judged(target, measured, callRatio >= TARGET.FEWER_CALLS_THAN_PER_ACCOUNT && timeRatio >= TARGET.LESS_TIME_THAN_PER_ACCOUNT);
}

function wallTimeWithinFloor(runs: readonly InvitationRunResult[]): TargetVerdict {
  const target = `1. Wall time ≤ ${TARGET.WALL_TIME_OVER_FLOOR}× the floor, every N (median)`;
  if (runs.length === 0) {
    return notMeasured(target);
  }
  const parts = runs.map((r) => {
    const overFloor = (flow: readonly FlowRun[]) => median(flow, (run) => run.wallMs) / r.floor.wallMs;
    const over = overFloor(r.handler);
    // Where the bench also made the floor's calls alone, the figure says how far a fresh
    // process gets without the handler's code, and without the SDK: the target's context.
    const alone = r.floorCalls.sdk.length > 0 ? ` (the calls alone: bare SDK ${ratio(overFloor(r.floorCalls.sdk))}, plain HTTP ${ratio(overFloor(r.floorCalls.http))})` : '';
    return { ok: over <= TARGET.WALL_TIME_OVER_FLOOR, text: `N=${count(r.members)}: ${ratio(over)}${alone}` };
  });
  return judged(target, parts.map((p) => p.text).join('; '), parts.every((p) => p.ok));
}

function rerunWrites(runs: readonly RerunResult[]): TargetVerdict {
  const target = '2. A re-run with nothing to do makes no write call, every N, every run';
  if (runs.length === 0) {
    return notMeasured(target);
  }
  const writes = runs.map((r) => ({ members: r.members, most: summarizeField(r.handler, (run) => run.writeCalls).max }));
  return judged(target, writes.map((w) => `N=${count(w.members)}: ${count(w.most)}`).join('; '), writes.every((w) => w.most === 0));
}

function largestRun(runs: readonly InvitationRunResult[]): TargetVerdict {
  const target = `1. N = ${count(TARGET.LARGEST_MEMBERS)} in one invocation within ${Math.round(TARGET.SHARE_OF_TIMEOUT * 100)}% of ${duration(LAMBDA_TIMEOUT_MS)}, peak RSS < ${mebibytes(TARGET.PEAK_RSS_BYTES)}`;
  const at = runs.find((r) => r.members === TARGET.LARGEST_MEMBERS);
  if (!at) {
    return notMeasured(target);
  }
  const slowest = summarizeField(at.handler, (r) => r.wallMs).max;
  const rss = summarizeField(at.handler, (r) => r.peakRssBytes).max;
  const complete = at.handler.every((r) => r.succeeded === r.wanted && r.problems.length === 0);
  const measured = `${complete ? 'all invited' : 'incomplete'}; slowest ${duration(slowest)}; peak RSS ≤ ${mebibytes(rss)}`;
  return judged(target, measured, complete && slowest <= LAMBDA_TIMEOUT_MS * TARGET.SHARE_OF_TIMEOUT && rss < TARGET.PEAK_RSS_BYTES);
}

function assetSize(cold: ColdStartMeasurement | undefined): TargetVerdict {
  const target = `4. Handler asset ≤ ${count(TARGET.ASSET_BYTES)} bytes`;
  return cold ? judged(target, `${count(cold.assetBytes)} bytes`, cold.assetBytes <= TARGET.ASSET_BYTES) : notMeasured(target);
}

function loadAndSetup(cold: ColdStartMeasurement | undefined): TargetVerdict {
  const target = `4. Module load + first-invocation setup ≤ ${TARGET.LOAD_AND_SETUP_MS} ms (median)`;
  if (!cold || cold.runs.length === 0) {
    return notMeasured(target);
  }
  const total = median(cold.runs, (r) => r.loadMs + r.setupMs);
  return judged(target, duration(total), total <= TARGET.LOAD_AND_SETUP_MS);
}

function synthesisGrowth(measurements: readonly SynthMeasurement[]): TargetVerdict {
  const target = `5. Synthesis of ${count(TARGET.SYNTH_LARGE_MEMBERS)} members < ${TARGET.SYNTH_RATIO}× that of ${count(TARGET.SYNTH_SMALL_MEMBERS)} (construct, process)`;
  const small = measurements.find((m) => m.variant === 'construct' && m.members === TARGET.SYNTH_SMALL_MEMBERS);
  const large = measurements.find((m) => m.variant === 'construct' && m.members === TARGET.SYNTH_LARGE_MEMBERS);
  if (!small || !large) {
    return notMeasured(target);
  }
  const smallMs = median(small.runs, (r) => r.processMs);
  const largeMs = median(large.runs, (r) => r.processMs);
  return judged(target, `${ratio(largeMs / smallMs)} (${duration(largeMs)} vs ${duration(smallMs)})`, largeMs / smallMs < TARGET.SYNTH_RATIO);
}

function continuedCompletes(r: ContinuedRunResult | undefined): TargetVerdict {
  const target = '8. The run completes, every account invited exactly once';
  if (!r) {
    return notMeasured(target);
  }
  const measured =
    `${r.complete ? 'complete' : 'not complete'} after ${count(r.invocations.length)} invocations; ` +
    `invited once ${count(r.invitedOnce)}, never ${count(r.neverInvited)}, more than once ${count(r.invitedMoreThanOnce)} of ${count(r.members)}`;
  return judged(target, measured, r.complete && r.invitedOnce === r.members);
}

function continuedWrites(r: ContinuedRunResult | undefined): TargetVerdict {
  const target = '8. Calls GuardDuty accepted: CreateMembers and InviteMembers = ⌈N/50⌉ each (GetMembers: the state and the verification check, and any re-read, shown)';
  if (!r) {
    return notMeasured(target);
  }
  const sum = (op: string) => r.invocations.reduce((total, i) => total + (i.accepted[op] ?? 0), 0);
  const batches = Math.floor(r.floorCalls / 4);
  const accepted = r.invocations.reduce((total, i) => total + Object.values(i.accepted).reduce((a, b) => a + b, 0), 0);
  const measured =
    `${count(accepted)} accepted vs floor ${count(r.floorCalls)}: GetMembers ${count(sum('GetMembers'))}, CreateMembers ${count(sum('CreateMembers'))}, InviteMembers ${count(sum('InviteMembers'))} (floor ${count(batches)} each); ` +
    `${count(r.invocations.reduce((total, i) => total + i.throttled, 0))} answered 429`;
  return judged(target, measured, r.complete && sum('CreateMembers') === batches && sum('InviteMembers') === batches);
}

function continuedWallTime(r: ContinuedRunResult | undefined): TargetVerdict {
  const target = `8. Wall time ≤ ${TARGET.CONTINUED_WALL_TIME_OVER_FLOOR}× the rate floor of 4 × ⌈N/50⌉ + 1 calls`;
  if (!r) {
    return notMeasured(target);
  }
  const over = r.wallMs / r.floorWallMs;
  return judged(target, `${over.toFixed(2)}× (${duration(r.wallMs)} vs ${duration(r.floorWallMs)})${r.complete ? '' : ', run not complete'}`, r.complete && over <= TARGET.CONTINUED_WALL_TIME_OVER_FLOOR);
}

function continuedMemory(r: ContinuedRunResult | undefined): TargetVerdict {
  const target = `8. Peak RSS < ${mebibytes(TARGET.PEAK_RSS_BYTES)} in every invocation`;
  if (!r || r.invocations.length === 0) {
    return notMeasured(target);
  }
  const peak = Math.max(...r.invocations.map((i) => i.peakRssBytes));
  return judged(target, `≤ ${mebibytes(peak)}`, peak < TARGET.PEAK_RSS_BYTES);
}

function mixedFleetLabel(r: MixedFleetResult): string {
  return `${count(r.organizationAccounts)} organization + ${count(r.outsideAccounts)} outside`;
}

function mixedFleetCalls(r: MixedFleetResult | undefined): TargetVerdict {
  const target = `10. Mixed fleet: calls GuardDuty accepted ≤ floor + ${TARGET.CALLS_ABOVE_FLOOR} (Get, Create, Get again per 50 declared; Invite per 50 outside; one probe), every run, every account in its state, invitations to outside accounts only`;
  if (!r || r.handler.length === 0) {
    return notMeasured(target);
  }
  const accepted = summarizeField(r.accepted, (a) => Object.values(a).reduce((x, y) => x + y, 0)).max;
  const complete = r.handler.every((run) => run.succeeded === run.wanted && run.problems.length === 0);
  const onlyOutside = r.invitationsSent.every((n) => n === r.outsideAccounts);
  const measured = `${mixedFleetLabel(r)}: ≤ ${count(accepted)} accepted vs floor ${count(r.floor.calls)} (${count(r.splitListFloor.calls)} with the list split by hand); ${complete ? 'all in their state' : 'incomplete'}; invitations sent to ≤ ${count(Math.max(...r.invitationsSent))} accounts`;
  return judged(target, measured, accepted <= r.floor.calls + TARGET.CALLS_ABOVE_FLOOR && complete && onlyOutside);
}

function mixedFleetWallTime(r: MixedFleetResult | undefined): TargetVerdict {
  const target = `10. Mixed fleet: wall time ≤ ${TARGET.WALL_TIME_OVER_FLOOR}× the rate floor (median)`;
  if (!r || r.handler.length === 0) {
    return notMeasured(target);
  }
  const over = median(r.handler, (run) => run.wallMs) / r.floor.wallMs;
  return judged(target, `${mixedFleetLabel(r)}: ${ratio(over)} (${duration(median(r.handler, (run) => run.wallMs))} vs ${duration(r.floor.wallMs)})`, over <= TARGET.WALL_TIME_OVER_FLOOR);
}

function regionalSynthesisGrowth(measurements: readonly RegionalSynthMeasurement[]): TargetVerdict {
  const target = `11. Synthesis of every region < ${TARGET.REGIONAL_SYNTH_RATIO}× that of one region, ${count(TARGET.REGIONAL_SYNTH_MEMBERS)} listed members (process)`;
  const one = measurements.find((m) => m.regions === 1 && m.members === TARGET.REGIONAL_SYNTH_MEMBERS && m.runs.length > 0);
  const every = measurements.find((m) => m.regions === 'every' && m.members === TARGET.REGIONAL_SYNTH_MEMBERS && m.runs.length > 0);
  if (!one || !every) {
    return notMeasured(target);
  }
  const oneMs = median(one.runs, (r) => r.processMs);
  const everyMs = median(every.runs, (r) => r.processMs);
  const regions = every.runs[0].regionCount;
  return judged(target, `${ratio(everyMs / oneMs)} (${regions} regions ${duration(everyMs)} vs 1 region ${duration(oneMs)})`, everyMs / oneMs < TARGET.REGIONAL_SYNTH_RATIO);
}

function regionalAssemblySize(measurements: readonly RegionalSynthMeasurement[]): TargetVerdict {
  const target = `11. Cloud assembly of every region < ${mebibytes(TARGET.REGIONAL_ASSEMBLY_BYTES)}, ${count(TARGET.REGIONAL_SYNTH_MEMBERS)} listed members`;
  const every = measurements.find((m) => m.regions === 'every' && m.members === TARGET.REGIONAL_SYNTH_MEMBERS && m.runs.length > 0);
  if (!every) {
    return notMeasured(target);
  }
  const bytes = summarizeField(every.runs, (r) => r.assemblyBytes).max;
  return judged(target, `${mebibytes(bytes)} (${count(every.runs[0].stackCount)} stacks)`, bytes < TARGET.REGIONAL_ASSEMBLY_BYTES);
}

/** One verdict over scenario 8's runs: every budget's figures, passed when all pass. */
function eachBudget(runs: readonly ContinuedRunResult[], judge: (run: ContinuedRunResult | undefined) => TargetVerdict): TargetVerdict {
  const verdicts = runs.map((run) => ({ run, verdict: judge(run) }));
  if (verdicts.length === 0) {
    return judge(undefined);
  }
  return {
    target: verdicts[0].verdict.target,
    measured: verdicts.map(({ run, verdict }) => `${budgetLabel(run)}: ${verdict.measured}`).join('; '),
    verdict: verdicts.every(({ verdict }) => verdict.verdict === 'pass') ? 'pass' : 'miss',
  };
}

export function budgetLabel(run: ContinuedRunResult): string {
  return `budgets ${run.onEventBudgetMs / 1_000}/${run.isCompleteBudgetMs / 1_000} s`;
}

function median<T>(runs: readonly T[], field: (run: T) => number): number {
  return summarizeField(runs, field).median;
}
