import { count, duration, ratio } from './format';
import type { FlowRun } from './flows';
import { summarize, summarizeField } from './measure';
import type { CallConditions } from './rate-limit';
import type { ColdStartMeasurement } from './scenarios/cold-start';
import type { InvitationRunResult } from './scenarios/invitation-run';
import { BenchResults, TARGET, TargetVerdict } from './targets';

/** One finding: a heading, what the run's figures say, and the figures themselves. */
export interface Finding {
  readonly heading: string;
  readonly paragraphs: readonly string[];
  readonly table?: { readonly header: readonly string[]; readonly rows: ReadonlyArray<readonly string[]>; readonly align: ReadonlyArray<'l' | 'r'> };
}

/**
 * The report's Findings: each missed target with its physical cause, as far as this run's
 * own figures show it, and anything scenarios 6 and 7 found wrong. Every sentence that
 * states a figure or a cause is conditional on the figures it rests on, so a run whose
 * figures differ says so instead of repeating an earlier run's explanation.
 */
export function explainFindings(results: BenchResults, targets: readonly TargetVerdict[], conditions: CallConditions): Finding[] {
  const found: Finding[] = [];
  for (const target of targets.filter((t) => t.verdict === 'missed')) {
    switch (target.id) {
      case 'calls-within-floor':
        found.push(throttledCalls(target, results));
        break;
      case 'wall-time-within-floor':
        found.push(wallTimeAboveFloor(target, results.invitation, results.coldStart, conditions, targets.some((t) => t.id === 'calls-within-floor' && t.verdict === 'missed')));
        break;
      default:
        found.push({ heading: target.target, paragraphs: ['Missed in this run; no explanation is recorded for it. The figures are in the tables below.'] });
    }
  }
  found.push(...newPathProblems(results));
  return found;
}

/** "API calls ≤ floor + 2": are the calls above the floor all 429s, and do the 429s recur? */
function throttledCalls(target: TargetVerdict, results: BenchResults): Finding {
  const rows = results.invitation.map((r) => {
    const accepted = (run: FlowRun) => run.calls - run.throttled;
    return {
      r,
      exact: r.handler.filter((run) => accepted(run) === r.floor.calls).length,
      exactWrites: r.handler.filter((run) => run.writeCalls - run.throttledWriteCalls === r.floor.writeCalls).length,
      allDone: r.handler.every((run) => run.succeeded === run.wanted && run.problems.length === 0),
      otherRetries: r.handler.some((run) => run.retries !== run.throttled),
      acceptedMax: summarizeField(r.handler, accepted).max,
    };
  });
  const totalRuns = rows.reduce((sum, row) => sum + row.r.handler.length, 0);
  const allExact = rows.every((row) => row.exact === row.r.handler.length);
  const paragraphs: string[] = [];

  if (allExact) {
    const writesExact = rows.every((row) => row.exactWrites === row.r.handler.length);
    const done = rows.every((row) => row.allDone);
    paragraphs.push(
      `Every call above the floor was answered 429 (TooManyRequestsException): in ${eachOf(totalRuns, 'handler run')} of scenario 1, the calls not answered 429 equal the floor exactly` +
        (writesExact ? ', and so do the write calls not answered 429 (a CreateMembers and an InviteMembers per 50 accounts)' : '') +
        (done ? '; every account ended Invited. ' : '. ') +
        'A 429 changes nothing in GuardDuty: the request is refused before it is applied (the emulator answers it ahead of the operation), so the extra calls cost time, not duplicate work.',
    );
  } else {
    const over = rows.filter((row) => row.exact < row.r.handler.length).map((row) => `N=${count(row.r.members)} (${row.r.handler.length - row.exact} of ${row.r.handler.length} runs, up to ${count(row.acceptedMax)} vs ${count(row.r.floor.calls)})`);
    paragraphs.push(
      `The calls above the floor are not all 429s: calls not answered 429 exceeded the floor at ${over.join(', ')}. ` +
        'The retry strategy does not explain those; this run does not say what does.',
    );
  }
  if (rows.some((row) => row.otherRetries)) {
    paragraphs.push('Some runs also met 5xx answers, which the emulator injects only when asked to; they are counted as retries in the tables.');
  }

  const largest = [...rows].reverse().find((row) => row.r.handler.some((run) => run.throttled > 0));
  if (allExact && largest) {
    const runs = largest.r.handler.filter((run) => run.throttled > 0);
    const episodes = summarizeField(runs, (run) => run.throttleEpisodes);
    const first = Math.min(...runs.map((run) => run.throttledSpanMs?.first ?? Infinity));
    const last = Math.max(...runs.map((run) => run.throttledSpanMs?.last ?? -Infinity));
    const throttled = summarizeField(runs, (run) => run.throttled);
    const evidence =
      episodes.max > 1
        ? `This run shows it: at N=${count(largest.r.members)}, the runs met ${range(throttled.min, throttled.max)} 429s each, in ${range(episodes.min, episodes.max)} separate episodes with accepted calls between them, ` +
          `from ${duration(first)} to ${duration(last)} into the run: the client found the rate, slowed down, sped up again and ran into the limit again.`
        : `In this run, though, each run's 429s came in one episode (N=${count(largest.r.members)}: ${range(throttled.min, throttled.max)} 429s, ${duration(first)}–${duration(last)} into the run), so only the first search for the rate is visible.`;
    paragraphs.push(
      "The physical cause is the SDK's adaptive retry mode, which the handler's client uses: it has no rate to start from and finds GuardDuty's only by exceeding it; " +
        `after each throttle it lowers its rate, then raises it again, probing upward, until the next 429. ${evidence}`,
    );
    paragraphs.push(
      "A client-side limiter that never speeds up again would remove these 429s against this emulator's bucket, whose rate is fixed, " +
        "at the cost of running slower than necessary wherever GuardDuty's real rate is higher, or when the account's rate is shared with other callers and changes. " +
        `We keep the SDK's strategy. Counted as the calls GuardDuty accepted, the target holds: ≤ floor + ${TARGET.CALLS_ABOVE_FLOOR} at every N, in fact equal to the floor.`,
    );
  } else if (allExact) {
    paragraphs.push('No handler run of scenario 1 met a 429 in this run, so the calls above the floor cannot be told apart further.');
  }

  const verification = results.verification.flatMap((row) => row.runs.map((run) => ({ row, run })));
  if (allExact && verification.length > 0) {
    const exactPolls = verification.filter(({ run }) => run.isCompleteCalls - run.isCompleteThrottled === run.pollReadsFloor).length;
    const throttledPolls = verification.filter(({ run }) => run.isCompleteThrottled > 0).length;
    paragraphs.push(
      exactPolls === verification.length
        ? `Scenario 6's waiter behaves alike: in ${eachOf(verification.length, 'run')}, its GetMembers calls not answered 429 equal ceil(N/50) per poll exactly; ${throttledPolls} of those runs met 429s.`
        : `Scenario 6's waiter does not fully match: in ${verification.length - exactPolls} of ${verification.length} runs its GetMembers calls not answered 429 differ from ceil(N/50) per poll.`,
    );
  }

  return {
    heading: target.target,
    paragraphs,
    table: {
      header: ['N', 'Runs', 'API calls (max)', 'Answered 429 (max)', 'Not answered 429 (max)', 'Floor', 'Runs with calls not answered 429 = floor'],
      rows: rows.map((row) => [
        count(row.r.members),
        String(row.r.handler.length),
        count(summarizeField(row.r.handler, (run) => run.calls).max),
        count(summarizeField(row.r.handler, (run) => run.throttled).max),
        count(row.acceptedMax),
        count(row.r.floor.calls),
        `${row.exact} of ${row.r.handler.length}`,
      ]),
      align: ['r', 'r', 'r', 'r', 'r', 'r', 'r'],
    },
  };
}

/** "Wall time ≤ 1.3× floor": below the burst, how much of the gap is the fresh process's first calls; above it, what the runs say. */
function wallTimeAboveFloor(
  target: TargetVerdict,
  runs: readonly InvitationRunResult[],
  cold: ColdStartMeasurement | undefined,
  conditions: CallConditions,
  throttlesExplained: boolean,
): Finding {
  const wall = (r: InvitationRunResult) => summarizeField(r.handler, (run) => run.wallMs).median;
  const missed = runs.filter((r) => wall(r) / r.floor.wallMs > TARGET.WALL_TIME_OVER_FLOOR);
  const metWhereBinding = runs.filter((r) => !missed.includes(r) && r.floor.calls > conditions.burst);
  const startUp = cold && cold.runs.length > 0
    ? { setup: summarizeField(cold.runs, (r) => r.setupMs).median, firstCalls: summarizeField(cold.runs, (r) => r.firstCallsMs).median }
    : undefined;
  const paragraphs: string[] = [];

  for (const r of missed) {
    const gap = wall(r) - r.floor.wallMs;
    const at = `N=${count(r.members)}`;
    if (r.floor.calls <= conditions.burst) {
      let text =
        `At ${at} the floor's ${r.floor.calls} calls fit in the burst of ${conditions.burst}, so the rate limit does not bind and the floor is latency alone: ` +
        `${r.floor.calls} × ${conditions.latencyMs} ms = ${duration(r.floor.wallMs)}. The handler took ${duration(wall(r))} (median), ${duration(gap)} more. `;
      if (startUp) {
        const cost = startUp.setup + startUp.firstCalls;
        const share = cost / gap;
        text +=
          `Scenario 4 measured what a fresh process pays before its calls are just latency: ${duration(startUp.setup)} of first-invocation setup and ` +
          `${duration(startUp.firstCalls)} for the SDK's first three calls against the emulator without latency, ${duration(cost)} together. ` +
          (share >= 0.5
            ? `That is ${Math.round(Math.min(share, 1) * 100)}% of the gap${share < 1 ? `; the remaining ${duration(gap - cost)} is not broken down by this bench` : ''}. `
            : `That is only ${Math.round(share * 100)}% of the gap; this run does not explain the remaining ${duration(gap - cost)}. `) +
          `Against the floor plus that cost, the handler took ${ratio(wall(r) / (r.floor.wallMs + cost))}.`;
        if (share >= 0.5 && metWhereBinding.length > 0) {
          text +=
            ` The cost comes once per process whatever N is: ${duration(cost)} is ` +
            metWhereBinding.map((m) => `${formatShare(cost / m.floor.wallMs)} of the floor at N=${count(m.members)}`).join(', ') +
            ', where the rate limit binds and the target is met.';
        }
      } else {
        text += 'Scenario 4 did not run, so this run cannot say how much of that is the fresh process\'s start-up.';
      }
      paragraphs.push(text);
    } else {
      paragraphs.push(throttledRunsText(r, at, gap, startUp ? startUp.setup + startUp.firstCalls : undefined, conditions, throttlesExplained));
    }
  }
  return { heading: target.target, paragraphs };
}

/**
 * Where the rate limit binds, the floor assumes no call is ever throttled and every call
 * goes out as soon as a token is there. The runs say how far each fell behind that, and
 * whether the pace the client kept after its first 429 orders them by wall time.
 */
function throttledRunsText(r: InvitationRunResult, at: string, gap: number, startUpMs: number | undefined, conditions: CallConditions, throttlesExplained: boolean): string {
  const wall = summarizeField(r.handler, (run) => run.wallMs).median;
  const within = r.handler.filter((run) => run.wallMs <= r.floor.wallMs * TARGET.WALL_TIME_OVER_FLOOR).length;
  let text =
    `At ${at} the rate limit binds (${count(r.floor.calls)} calls > burst of ${conditions.burst}) and the handler took ${ratio(wall / r.floor.wallMs)} the floor (median), ${duration(gap)} more; ` +
    `runs within ${TARGET.WALL_TIME_OVER_FLOOR}× of it: ${within} of ${r.handler.length}. ` +
    (startUpMs !== undefined ? `The start-up cost measured in scenario 4 (${duration(startUpMs)}) is ${formatShare(startUpMs / gap)} of that. ` : '');

  const paces = r.handler.map((run) => ({ wallMs: run.wallMs, firstMs: run.throttledSpanMs?.first, pace: run.afterFirstThrottle }));
  const k = paces[0]?.pace?.calls;
  if (r.handler.length < 2 || k === undefined || paces.some((p) => p.pace?.calls !== k || p.firstMs === undefined)) {
    return text + 'Not every run met a 429 followed by as many calls, so this run\'s figures do not break the time down further.';
  }
  const byWall = [...paces].sort((a, b) => a.wallMs - b.wallMs);
  const firsts = summarize(paces.map((p) => p.firstMs ?? 0));
  const rho = spearman(paces.map((p) => p.wallMs), paces.map((p) => p.pace?.ms ?? 0));
  const allowedMs = (k / conditions.ratePerSecond) * 1_000;
  text +=
    `Every run met its first 429 ${firsts.max - firsts.min < 50 ? `at the same point, ${durationRange(firsts.min, firsts.max)} into the run,` : `between ${duration(firsts.min)} and ${duration(firsts.max)} into the run,`} once the burst was spent. ` +
    `What differs is the pace after it: the ${k} calls that followed took ${byWall.map((p) => `${duration(p.pace?.ms ?? 0)} (run of ${duration(p.wallMs)})`).join(', ')}, ` +
    `where the rate limit lets them through in ${duration(allowedMs)}. `;
  if (rho >= 0.8) {
    text +=
      `The slower that pace, the slower the run (rank correlation ${rho.toFixed(2)} over ${paces.length} runs): after a throttle, the SDK's adaptive mode sends at a rate it derives from the rate it measured before, ` +
      'and raises it only gradually; that rate differs from run to run, and the floor assumes none of this' +
      `${throttlesExplained ? ' (why the client meets 429s at all is under the API-calls target above)' : ''}.`;
  } else {
    text += `That pace does not order the runs by wall time (rank correlation ${rho.toFixed(2)}), so this run's figures do not break the time down further.`;
  }
  return text;
}

/** Spearman's rank correlation of two equally long lists (ties get their mean rank). */
function spearman(xs: readonly number[], ys: readonly number[]): number {
  const ranks = (values: readonly number[]) => {
    const order = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
    const rank = new Array<number>(values.length);
    for (let start = 0; start < order.length; ) {
      let end = start;
      while (end + 1 < order.length && order[end + 1].v === order[start].v) {
        end++;
      }
      for (let j = start; j <= end; j++) {
        rank[order[j].i] = (start + end) / 2;
      }
      start = end + 1;
    }
    return rank;
  };
  const rx = ranks(xs);
  const ry = ranks(ys);
  const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const mx = mean(rx);
  const my = mean(ry);
  const cov = rx.reduce((sum, x, i) => sum + (x - mx) * (ry[i] - my), 0);
  const sd = Math.sqrt(rx.reduce((sum, x) => sum + (x - mx) ** 2, 0) * ry.reduce((sum, y) => sum + (y - my) ** 2, 0));
  return sd === 0 ? 0 : cov / sd;
}

/** Scenarios 6 and 7 have no target; a wrong outcome there is still a finding. */
function newPathProblems(results: BenchResults): Finding[] {
  const found: Finding[] = [];
  for (const row of results.verification) {
    const wrong = row.runs.filter((run) => run.problems.length > 0 || !run.reportedAsExpected);
    if (wrong.length > 0) {
      found.push({
        heading: `Email verification wait, N=${count(row.members)}${row.failing > 0 ? `, ${row.failing} failing` : ''}: outcome not as expected`,
        paragraphs: [`${wrong.length} of ${row.runs.length} runs: ${[...new Set(wrong.flatMap((run) => run.problems.map((p) => p.what)))].join('; ') || 'attributes not as expected'}.`],
      });
    }
  }
  for (const result of results.accepter) {
    const wrong = result.runs.filter((run) => run.problems.length > 0 || run.enabled < run.wanted);
    if (wrong.length > 0) {
      found.push({
        heading: `Accepter journey, ${result.order}, M=${count(result.members)}: not every member Enabled`,
        paragraphs: [`${wrong.length} of ${result.runs.length} runs: ${[...new Set(wrong.flatMap((run) => run.problems.map((p) => p.what)))].slice(0, 5).join('; ')}.`],
      });
    }
  }
  return found;
}

function eachOf(runs: number, what: string): string {
  return runs === 1 ? `its one ${what}` : `each of the ${runs} ${what}s`;
}

function range(min: number, max: number): string {
  return min === max ? count(min) : `${count(min)}–${count(max)}`;
}

function durationRange(min: number, max: number): string {
  return duration(min) === duration(max) ? duration(min) : `${duration(min)}–${duration(max)}`;
}

function formatShare(share: number): string {
  return `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%`;
}
