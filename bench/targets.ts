import { count, duration, mebibytes, ratio } from './format';
import { FlowRun, LAMBDA_TIMEOUT_MS } from './flows';
import { summarizeField } from './measure';
import type { CallConditions } from './rate-limit';
import type { ColdStartMeasurement } from './scenarios/cold-start';
import type { InvitationRunResult } from './scenarios/invitation-run';
import type { MixedUpdateResult } from './scenarios/mixed-update';
import type { RerunResult } from './scenarios/rerun';
import type { SynthMeasurement } from './scenarios/synthesis';
import type { AccepterJourneyResult } from './scenarios/accepter-journey';
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
}

export type Verdict = 'met' | 'missed' | 'not measured';

/** Which target a verdict is about, for the findings that explain a miss. */
export type TargetId = 'calls-within-floor' | 'against-per-account' | 'wall-time-within-floor' | 'rerun-writes' | 'largest-run' | 'asset-size' | 'load-and-setup' | 'synthesis-growth';

export interface TargetVerdict {
  readonly id: TargetId;
  readonly target: string;
  readonly measured: string;
  readonly verdict: Verdict;
}

/** The targets. A miss is a finding to report, not a failure of the bench. */
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
} as const;

export function judgeTargets(results: BenchResults, conditions: CallConditions): TargetVerdict[] {
  const judged: Array<[TargetId, Judgement]> = [
    ['calls-within-floor', callsWithinFloor(results.invitation)],
    ['against-per-account', againstPerAccount(results.invitation)],
    ['wall-time-within-floor', wallTimeWithinFloor(results.invitation, conditions)],
    ['rerun-writes', rerunWrites(results.rerun)],
    ['largest-run', largestRun(results.invitation)],
    ['asset-size', assetSize(results.coldStart)],
    ['load-and-setup', loadAndSetup(results.coldStart)],
    ['synthesis-growth', synthesisGrowth(results.synthesis)],
  ];
  return judged.map(([id, judgement]) => ({ id, ...judgement }));
}

type Judgement = Omit<TargetVerdict, 'id'>;

function callsWithinFloor(runs: readonly InvitationRunResult[]): Judgement {
  const target = `API calls ≤ floor + ${TARGET.CALLS_ABOVE_FLOOR} for every N (every run; throttled calls count)`;
  if (runs.length === 0) {
    return { target, measured: '—', verdict: 'not measured' };
  }
  const parts = runs.map((r) => {
    const most = summarizeField(r.handler, (run) => run.calls).max;
    const retries = summarizeField(r.handler, (run) => run.retries).max;
    return { ok: most <= r.floor.calls + TARGET.CALLS_ABOVE_FLOOR, text: `N=${count(r.members)}: ≤ ${count(most)} vs floor ${count(r.floor.calls)} (≤ ${count(retries)} answered 429/5xx)` };
  });
  // Whether the calls above the floor are all throttled ones: then every call that was
  // answered did its share of the work, and the excess is the price of finding the rate.
  const onlyThrottledExtra = runs.every((r) => r.handler.every((run) => run.calls - run.retries === r.floor.calls));
  const measured = parts.map((p) => p.text).join('; ') + (onlyThrottledExtra ? '. In every run, calls not answered 429/5xx = the floor exactly' : '');
  return { target, measured, verdict: parts.every((p) => p.ok) ? 'met' : 'missed' };
}

function againstPerAccount(runs: readonly InvitationRunResult[]): Judgement {
  const target = `At N = ${count(TARGET.COMPARISON_MEMBERS)}: ≥ ${TARGET.FEWER_CALLS_THAN_PER_ACCOUNT}× fewer calls and ≥ ${TARGET.LESS_TIME_THAN_PER_ACCOUNT}× less wall time than the per-account flow`;
  const at = runs.find((r) => r.members === TARGET.COMPARISON_MEMBERS);
  if (!at || !Array.isArray(at.perAccount) || at.perAccount.length === 0) {
    return { target, measured: `per-account flow not run at N = ${count(TARGET.COMPARISON_MEMBERS)}`, verdict: 'not measured' };
  }
  const perAccount = at.perAccount as readonly FlowRun[];
  const callRatio = median(perAccount, (r) => r.calls) / median(at.handler, (r) => r.calls);
  const timeRatio = median(perAccount, (r) => r.wallMs) / median(at.handler, (r) => r.wallMs);
  const failed = median(perAccount, (r) => r.wanted - r.succeeded);
  const measured =
    `${ratio(callRatio)} fewer calls (${count(median(at.handler, (r) => r.calls))} vs ${count(median(perAccount, (r) => r.calls))}), ` +
    `${ratio(timeRatio)} less time (${duration(median(at.handler, (r) => r.wallMs))} vs ${duration(median(perAccount, (r) => r.wallMs))})` +
    (failed > 0 ? `; the per-account flow left ${count(failed)} of ${count(at.members)} accounts failed` : '');
  const met = callRatio >= TARGET.FEWER_CALLS_THAN_PER_ACCOUNT && timeRatio >= TARGET.LESS_TIME_THAN_PER_ACCOUNT;
  return { target, measured, verdict: met ? 'met' : 'missed' };
}

function wallTimeWithinFloor(runs: readonly InvitationRunResult[], conditions: CallConditions): Judgement {
  const target = `Wall time ≤ ${TARGET.WALL_TIME_OVER_FLOOR}× what the rate limit allows for the floor's calls, every N (median)`;
  if (runs.length === 0) {
    return { target, measured: '—', verdict: 'not measured' };
  }
  const parts = runs.map((r) => {
    const wall = median(r.handler, (run) => run.wallMs);
    const over = wall / r.floor.wallMs;
    // Calls that fit in the burst are not held back by the rate limit: that floor is latency alone.
    const latencyOnly = r.floor.calls <= conditions.burst ? `, rate limit not binding: ${r.floor.calls} calls fit in the burst of ${conditions.burst}, ${duration(wall - r.floor.wallMs)} above ${r.floor.calls} × ${conditions.latencyMs} ms latency` : '';
    return { ok: over <= TARGET.WALL_TIME_OVER_FLOOR, text: `N=${count(r.members)}: ${ratio(over)} (${duration(wall)} vs ${duration(r.floor.wallMs)}${latencyOnly})` };
  });
  return { target, measured: parts.map((p) => p.text).join('; '), verdict: parts.every((p) => p.ok) ? 'met' : 'missed' };
}

function rerunWrites(runs: readonly RerunResult[]): Judgement {
  const target = 'A re-run with nothing to do makes no write call (every N, every run)';
  if (runs.length === 0) {
    return { target, measured: '—', verdict: 'not measured' };
  }
  const writes = runs.map((r) => ({ members: r.members, most: summarizeField(r.handler, (run) => run.writeCalls).max }));
  const measured = writes.map((w) => `N=${count(w.members)}: ${count(w.most)}`).join('; ');
  return { target, measured: `write calls ${measured}`, verdict: writes.every((w) => w.most === 0) ? 'met' : 'missed' };
}

function largestRun(runs: readonly InvitationRunResult[]): Judgement {
  const target =
    `N = ${count(TARGET.LARGEST_MEMBERS)} completes in one invocation within ${Math.round(TARGET.SHARE_OF_TIMEOUT * 100)}% of the ` +
    `${duration(LAMBDA_TIMEOUT_MS)} Lambda timeout, peak RSS < ${mebibytes(TARGET.PEAK_RSS_BYTES)} (every run)`;
  const at = runs.find((r) => r.members === TARGET.LARGEST_MEMBERS);
  if (!at) {
    return { target, measured: `N = ${count(TARGET.LARGEST_MEMBERS)} not run`, verdict: 'not measured' };
  }
  const slowest = summarizeField(at.handler, (r) => r.wallMs).max;
  const rss = summarizeField(at.handler, (r) => r.peakRssBytes).max;
  const complete = at.handler.every((r) => r.succeeded === r.wanted && r.problems.length === 0);
  const met = complete && slowest <= LAMBDA_TIMEOUT_MS * TARGET.SHARE_OF_TIMEOUT && rss < TARGET.PEAK_RSS_BYTES;
  const measured = `${complete ? 'all accounts invited in every run' : 'incomplete'}; slowest ${duration(slowest)} (${Math.round((slowest / LAMBDA_TIMEOUT_MS) * 100)}% of the timeout); peak RSS ≤ ${mebibytes(rss)}`;
  return { target, measured, verdict: met ? 'met' : 'missed' };
}

function assetSize(cold: ColdStartMeasurement | undefined): Judgement {
  const target = `Handler asset ≤ 600 KB (${count(TARGET.ASSET_BYTES)} bytes)`;
  if (!cold) {
    return { target, measured: '—', verdict: 'not measured' };
  }
  return { target, measured: `${count(cold.assetBytes)} bytes`, verdict: cold.assetBytes <= TARGET.ASSET_BYTES ? 'met' : 'missed' };
}

function loadAndSetup(cold: ColdStartMeasurement | undefined): Judgement {
  const target = `Module load + first-invocation setup ≤ ${TARGET.LOAD_AND_SETUP_MS} ms (median)`;
  if (!cold || cold.runs.length === 0) {
    return { target, measured: '—', verdict: 'not measured' };
  }
  const total = median(cold.runs, (r) => r.loadMs + r.setupMs);
  const measured = `${duration(total)} (load ${duration(median(cold.runs, (r) => r.loadMs))} + setup ${duration(median(cold.runs, (r) => r.setupMs))}, ${cold.runs.length} processes)`;
  return { target, measured, verdict: total <= TARGET.LOAD_AND_SETUP_MS ? 'met' : 'missed' };
}

function synthesisGrowth(measurements: readonly SynthMeasurement[]): Judgement {
  const target = `Synthesis with ${count(TARGET.SYNTH_LARGE_MEMBERS)} members < ${TARGET.SYNTH_RATIO}× the time with ${count(TARGET.SYNTH_SMALL_MEMBERS)} (construct, fresh process)`;
  const small = measurements.find((m) => m.variant === 'construct' && m.members === TARGET.SYNTH_SMALL_MEMBERS);
  const large = measurements.find((m) => m.variant === 'construct' && m.members === TARGET.SYNTH_LARGE_MEMBERS);
  if (!small || !large) {
    return { target, measured: 'sizes not run', verdict: 'not measured' };
  }
  const smallMs = median(small.runs, (r) => r.processMs);
  const largeMs = median(large.runs, (r) => r.processMs);
  return { target, measured: `${ratio(largeMs / smallMs)} (${duration(largeMs)} vs ${duration(smallMs)})`, verdict: largeMs / smallMs < TARGET.SYNTH_RATIO ? 'met' : 'missed' };
}

function median<T>(runs: readonly T[], field: (run: T) => number): number {
  return summarizeField(runs, field).median;
}
