import { count, duration, mebibytes, spread } from './format';
import { FlowRun, Problem } from './flows';
import { MarkdownDocument } from './markdown';
import { summarize, summarizeField } from './measure';
import type { BenchOptions } from './options';
import type { AccepterJourneyResult } from './scenarios/accepter-journey';
import type { ColdStartRun } from './scenarios/cold-start';
import type { ContinuedRunResult } from './scenarios/continued-run';
import type { MonitorCheckResult } from './scenarios/monitor-check';
import type { CallFloor } from './scenarios/invitation-run';
import type { MixedFleetResult } from './scenarios/mixed-fleet';
import type { MixedUpdateResult } from './scenarios/mixed-update';
import type { RegionalSynthMeasurement } from './scenarios/regional-synthesis';
import type { SynthMeasurement } from './scenarios/synthesis';
import type { VerificationWaitResult } from './scenarios/verification-wait';
import { BenchResults, TargetVerdict, budgetLabel } from './targets';

/** The machine facts the report opens with. */
export interface Machine {
  readonly cpuModel: string;
  readonly cores: number;
  readonly nodeVersion: string;
  /** The 1-minute load average when the bench started and when it ended: other work on the machine skews the timings. */
  readonly loadAverage: { readonly atStart: number; readonly atEnd: number };
}

export interface ReportInput {
  readonly machine: Machine;
  readonly options: BenchOptions;
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly results: BenchResults;
  readonly targets: readonly TargetVerdict[];
}

/**
 * The report ends with a hand-written section between these markers. The generator
 * writes figures and tables only; what they mean is written by a person, who cites the
 * run, and `withHandWritten` carries that section over when the report is regenerated.
 */
export const HAND_WRITTEN_START = '<!-- hand-written: kept by `npm run bench` when it rewrites this file -->';
export const HAND_WRITTEN_END = '<!-- end hand-written -->';

/** CloudFormation's quotas that decide whether a synthesized stack can be deployed. */
const CLOUDFORMATION_MAX_RESOURCES = 500;
const CLOUDFORMATION_MAX_TEMPLATE_BYTES = 1_000_000;

export function renderReport(input: ReportInput): string {
  const { options, results } = input;
  const doc = new MarkdownDocument();
  doc
    .heading(1, 'Benchmarks')
    .paragraph('Cells: median (lowest–highest) over the runs. *Floor* rows are computed from the rate limit, not measured.')
    .table(
      ['', ''],
      [
        ['Command', `\`${options.command}\` (after \`npm run build\`)`],
        ['Date', input.startedAt.toISOString()],
        ['Bench duration', duration(input.durationMs)],
        ['CPU', `${input.machine.cpuModel}, ${input.machine.cores} cores`],
        ['Node.js', input.machine.nodeVersion],
        ['Load average (1 min)', `${input.machine.loadAverage.atStart.toFixed(2)} at start, ${input.machine.loadAverage.atEnd.toFixed(2)} at end`],
        ['GuardDuty emulator', `${options.latencyMs} ms latency per call, ${options.ratePerSecond} calls/s (burst ${options.burst})`],
        ['Waiter query interval (scenarios 6–8)', `${duration(options.pollIntervalMs)} (the provider's is 30 s)`],
      ],
    );
  doc.heading(2, 'Targets').table(
    ['Target', 'Measured', 'Verdict'],
    input.targets.map((t) => [t.target, t.measured, t.verdict === 'pass' ? '**pass**' : t.verdict === 'miss' ? '**miss**' : '—']),
  );
  renderInvitationRuns(doc, input);
  renderReruns(doc, input);
  if (results.mixed) {
    renderMixedUpdate(doc, results.mixed);
  }
  renderColdStart(doc, input);
  renderSynthesis(doc, results.synthesis);
  renderVerificationWait(doc, options, results.verification);
  renderAccepterJourney(doc, options, results.accepter);
  results.continued.forEach((run) => renderContinuedRun(doc, run));
  renderMonitorChecks(doc, results.monitor ?? []);
  if (results.mixedFleet) {
    renderMixedFleet(doc, results.mixedFleet);
  }
  renderRegionalSynthesis(doc, results.regionalSynthesis ?? []);
  return doc.toString();
}

/** `report` followed by the hand-written section of `previous` (the file it replaces), or an empty one. */
export function withHandWritten(report: string, previous: string | undefined): string {
  const start = previous?.indexOf(HAND_WRITTEN_START) ?? -1;
  const end = previous?.indexOf(HAND_WRITTEN_END, start) ?? -1;
  const kept = previous && start >= 0 && end > start ? previous.slice(start, end + HAND_WRITTEN_END.length) : `${HAND_WRITTEN_START}\n\n## Findings\n\n(none written yet)\n\n${HAND_WRITTEN_END}`;
  return `${report}\n${kept}\n`;
}

const FLOW_HEADER = ['N', 'Flow', 'Runs', 'API calls', 'Write calls', 'Retries (429/5xx)', 'Wall time', 'Peak RSS', 'Outcome'];
const FLOW_ALIGN: Array<'l' | 'r'> = ['r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'l'];

function renderInvitationRuns(doc: MarkdownDocument, input: ReportInput): void {
  const { options } = input;
  if (input.results.invitation.length === 0) {
    return;
  }
  const rows: string[][] = [];
  for (const r of input.results.invitation) {
    rows.push(flowRow(r.members, 'Shipped handler', r.handler));
    const perAccount = `Per-account flow (${options.perAccountConcurrency} at once)`;
    if (Array.isArray(r.perAccount)) {
      rows.push(flowRow(r.members, perAccount, r.perAccount as readonly FlowRun[]));
    } else {
      const estimate = r.perAccount as { estimatedMs: number; calls: number };
      rows.push([count(r.members), perAccount, '0', `*floor* ${count(estimate.calls)}`, `*floor* ${count(estimate.calls)}`, '—', `*floor* ${duration(estimate.estimatedMs)}`, '—', 'not run']);
    }
    rows.push(flowRow(r.members, 'Single call (AwsCustomResource)', r.singleCall));
    if (r.floorCalls.sdk.length > 0) {
      rows.push(flowRow(r.members, "The floor's calls alone, bare SDK client", r.floorCalls.sdk));
      rows.push(flowRow(r.members, "The floor's calls alone, plain node:http (unsigned)", r.floorCalls.http));
    }
    rows.push(floorRow(r.members, r.floor));
  }
  doc.heading(2, '1. Invitation run: N fresh accounts').table(FLOW_HEADER, rows, FLOW_ALIGN);
}

function renderReruns(doc: MarkdownDocument, input: ReportInput): void {
  if (input.results.rerun.length === 0) {
    return;
  }
  const rows = input.results.rerun.flatMap((r) => [flowRow(r.members, 'Shipped handler', r.handler), floorRow(r.members, r.floor, 'GetMembers per 50')]);
  doc.heading(2, '2. Re-run with nothing to do: N members, half Invited, half Enabled').table(FLOW_HEADER, rows, FLOW_ALIGN);
}

function renderMixedUpdate(doc: MarkdownDocument, mixed: MixedUpdateResult): void {
  doc
    .heading(2, `3. Mixed update: ${count(mixed.members)} members, ${count(mixed.removed)} removed and ${count(mixed.added)} added (DESTROY, with the verification wait: removals in isComplete)`)
    .table(FLOW_HEADER, [flowRow(mixed.members, 'Shipped handler', mixed.handler), floorRow(mixed.members, mixed.floor, 'Get per 50 declared in onEvent and again in isComplete; Create, Invite, Disassociate, Delete per 50 changed; one probe')], FLOW_ALIGN);
}

function renderColdStart(doc: MarkdownDocument, input: ReportInput): void {
  const cold = input.results.coldStart;
  if (!cold) {
    return;
  }
  const row = (what: string, field: (r: ColdStartRun) => number, format = duration) => [what, spread(summarizeField(cold.runs, field), format)];
  doc.heading(2, `4. Handler cold start: ${cold.runs.length} fresh processes`).table(
    ['Measure', 'Value'],
    [
      ['Asset size (gzipped)', `${count(cold.assetBytes)} bytes (${count(cold.assetGzipBytes)})`],
      row('Node start-up (not counted)', (r) => r.nodeStartMs),
      row('Module load', (r) => r.loadMs),
      row('First-invocation setup, no call', (r) => r.setupMs),
      row('**Load + setup**', (r) => r.loadMs + r.setupMs),
      row('First 3 calls (no latency)', (r) => r.firstCallsMs),
      row('Process, spawn to exit', (r) => r.processMs),
      row('Peak RSS', (r) => r.maxRssBytes, mebibytes),
    ],
    ['l', 'r'],
  );
}

function renderSynthesis(doc: MarkdownDocument, measurements: readonly SynthMeasurement[]): void {
  if (measurements.length === 0) {
    return;
  }
  const rows = measurements.map((m) => {
    const f = (field: (r: (typeof m.runs)[number]) => number, format = duration) => spread(summarizeField(m.runs, field), format);
    const resources = summarizeField(m.runs, (r) => r.resourceCount).max;
    const bytes = summarizeField(m.runs, (r) => r.templateBytes).max;
    const problems = [
      resources > CLOUDFORMATION_MAX_RESOURCES ? `${count(resources)} resources > ${count(CLOUDFORMATION_MAX_RESOURCES)}` : undefined,
      bytes > CLOUDFORMATION_MAX_TEMPLATE_BYTES ? `template > ${count(CLOUDFORMATION_MAX_TEMPLATE_BYTES)} bytes` : undefined,
    ].filter((p): p is string => p !== undefined);
    return [
      count(m.members),
      m.variant === 'construct' ? 'GuardDutyMemberInvitations' : 'CfnMember per account',
      String(m.runs.length),
      f((r) => r.processMs),
      f((r) => r.loadMs + r.constructMs + r.synthMs),
      count(bytes),
      count(resources),
      problems.length === 0 ? 'yes' : `**no**: ${problems.join(', ')}`,
    ];
  });
  doc
    .heading(2, '5. Synthesis: a detector and N members, fresh process')
    .table(['N', 'Members as', 'Runs', 'Process', 'In process', 'Template bytes', 'Resources', 'Deployable'], rows, ['r', 'l', 'r', 'r', 'r', 'r', 'r', 'l']);
}

function renderRegionalSynthesis(doc: MarkdownDocument, measurements: readonly RegionalSynthMeasurement[]): void {
  const measured = measurements.filter((m) => m.runs.length > 0);
  if (measured.length === 0) {
    return;
  }
  const rows = measured.map((m) => {
    const f = (field: (r: (typeof m.runs)[number]) => number, format = duration) => spread(summarizeField(m.runs, field), format);
    const resources = summarizeField(m.runs, (r) => r.mostResources).max;
    const templateBytes = summarizeField(m.runs, (r) => r.largestTemplateBytes).max;
    const problems = [
      resources > CLOUDFORMATION_MAX_RESOURCES ? `${count(resources)} resources > ${count(CLOUDFORMATION_MAX_RESOURCES)}` : undefined,
      templateBytes > CLOUDFORMATION_MAX_TEMPLATE_BYTES ? `template > ${count(CLOUDFORMATION_MAX_TEMPLATE_BYTES)} bytes` : undefined,
    ].filter((p): p is string => p !== undefined);
    return [
      m.regions === 'every' ? `every (${m.runs[0].regionCount})` : count(m.regions),
      count(m.members),
      String(m.runs.length),
      count(m.runs[0].stackCount),
      f((r) => r.processMs),
      f((r) => r.constructMs + r.synthMs),
      f((r) => r.assemblyBytes, mebibytes),
      count(templateBytes),
      count(resources),
      f((r) => r.maxRssBytes, mebibytes),
      problems.length === 0 ? 'yes' : `**no**: ${problems.join(', ')}`,
    ];
  });
  doc
    .heading(2, '11. Regional synthesis: a GuardDutyOrganizationRollout in 1, 10 and every region, N accounts listed per administrator stack, fresh process')
    .table(
      ['Regions', 'N', 'Runs', 'Stacks', 'Process', 'Construct + synth', 'Cloud assembly', 'Largest template bytes', 'Most resources in a stack', 'Peak RSS', 'Deployable'],
      rows,
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
    );
}

function renderVerificationWait(doc: MarkdownDocument, options: BenchOptions, results: readonly VerificationWaitResult[]): void {
  if (results.length === 0) {
    return;
  }
  const rows = results.map((r) => {
    const f = (field: (run: VerificationWaitResult['runs'][number]) => number, format: (n: number) => string = count) => spread(summarizeField(r.runs, field), format);
    return [
      count(r.members),
      r.failing > 0 ? count(r.failing) : '—',
      String(r.runs.length),
      f((run) => run.onEventCalls),
      f((run) => run.polls),
      f((run) => run.isCompleteCalls),
      f((run) => run.pollReadsFloor),
      f((run) => run.throttled),
      f((run) => run.onEventMs, duration),
      f((run) => run.settledAfterMs, duration),
      f((run) => run.timeToCompleteMs, duration),
      verificationOutcome(r),
    ];
  });
  doc
    .heading(2, `6. Email verification wait: N fresh accounts, verification takes ${duration(options.verificationDelayMs)}`)
    .table(
      ['N', 'Failing verification', 'Runs', 'onEvent calls', 'isComplete polls', 'isComplete calls', 'Floor: GetMembers per 50 per poll', 'Answered 429', 'onEvent time', 'Verification settled', 'Time to complete', 'Outcome'],
      rows,
      ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
    );
}

function verificationOutcome(r: VerificationWaitResult): string {
  const ok = r.runs.every((run) => run.problems.length === 0 && run.reportedAsExpected);
  if (!ok) {
    return problemsText(r.runs.map((run) => run.problems), r.runs.length);
  }
  const verified = `all ${count(r.members - r.failing)}${r.failing > 0 ? ' others' : ''} Invited and reported invited`;
  return r.failing > 0 ? `${count(r.failing)} EmailVerificationFailed, reported unprocessed; ${verified}` : verified;
}

function renderAccepterJourney(doc: MarkdownDocument, options: BenchOptions, results: readonly AccepterJourneyResult[]): void {
  if (results.length === 0) {
    return;
  }
  const rows = results.map((r) => {
    const all = (field: (run: AccepterJourneyResult['runs'][number]) => readonly number[], format: (n: number) => string = count) => spread(summarize(r.runs.flatMap(field)), format);
    const perRun = (field: (run: AccepterJourneyResult['runs'][number]) => number, format: (n: number) => string = count) => spread(summarizeField(r.runs, field), format);
    const ok = r.runs.every((run) => run.problems.length === 0 && run.enabled === run.wanted);
    return [
      count(r.members),
      r.order === 'invitation-first' ? 'Invitation first' : 'Accepter first',
      String(r.runs.length),
      perRun((run) => run.administratorCalls),
      all((run) => run.memberCalls),
      r.order === 'invitation-first' ? '—' : all((run) => run.memberPolls),
      all((run) => run.accepterOnEventMs, duration),
      all((run) => run.accepterProcessMs, duration),
      perRun((run) => run.throttled),
      perRun((run) => run.timeToEnabledMs, duration),
      ok ? `all ${count(r.members)} Enabled` : problemsText(r.runs.map((run) => run.problems), r.runs.length),
    ];
  });
  doc
    .heading(2, `7. Accepter: invitation to Enabled, M member stacks (${options.accepterConcurrency} at once, latency, no rate limit)`)
    .table(
      ['M', 'Order', 'Runs', 'Administrator calls', 'Calls per member', 'isComplete polls per member', 'Accepter onEvent', 'Accepter process', 'Answered 429', 'Time to Enabled', 'Outcome'],
      rows,
      ['r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
    );
}

function renderContinuedRun(doc: MarkdownDocument, r: ContinuedRunResult): void {
  const operations = ['GetMembers', 'CreateMembers', 'InviteMembers'];
  const others = (accepted: Readonly<Record<string, number>>) => Object.entries(accepted).filter(([op]) => !operations.includes(op)).map(([op, n]) => `${op} ${count(n)}`).join(', ') || '—';
  const sum = (op: string) => r.invocations.reduce((total, i) => total + (i.accepted[op] ?? 0), 0);
  const rows = r.invocations.map((i, index) => [
    String(index + 1),
    i.step,
    duration(i.wallMs),
    mebibytes(i.peakRssBytes),
    ...operations.map((op) => count(i.accepted[op] ?? 0)),
    others(i.accepted),
    count(i.throttled),
    i.outcome,
  ]);
  rows.push([
    '',
    '**Total**',
    duration(r.invocations.reduce((total, i) => total + i.wallMs, 0)),
    mebibytes(Math.max(...r.invocations.map((i) => i.peakRssBytes))),
    ...operations.map((op) => count(sum(op))),
    '',
    count(r.invocations.reduce((total, i) => total + i.throttled, 0)),
    r.complete ? `complete: InvitedAccountCount ${count(r.reportedInvited ?? 0)}, UnprocessedAccountCount ${count(r.reportedUnprocessed ?? 0)}` : '**not complete**',
  ]);
  const batches = Math.floor(r.floorCalls / 4);
  rows.push(['', '*Floor*', duration(r.floorWallMs), '—', count(2 * batches), count(batches), count(batches), '', '0', 'computed']);
  doc
    .heading(2, `8. One construct, ${count(r.members)} members, MemberList asset, verification wait: ${budgetLabel(r)} (onEvent/isComplete)`)
    .table(
      ['', ''],
      [
        ['Member list (S3 asset)', `${count(r.listBytes)} bytes`],
        ['Budget (time left the Lambda context reports)', `onEvent ${duration(r.onEventBudgetMs)}, each isComplete ${duration(r.isCompleteBudgetMs)}`],
        ['Invocations', count(r.invocations.length)],
        ['Wall time, onEvent start to last invocation end', duration(r.wallMs)],
        ['Rate floor of the 4 × ⌈N/50⌉ + 1 calls', `${duration(r.floorWallMs)} (wall time ${(r.wallMs / r.floorWallMs).toFixed(2)}×)`],
        ['Rate floor of the calls GuardDuty accepted', `${duration(r.acceptedFloorWallMs)} (wall time ${(r.wallMs / r.acceptedFloorWallMs).toFixed(2)}×)`],
        ['Accounts invited once / never / more than once', `${count(r.invitedOnce)} / ${count(r.neverInvited)} / ${count(r.invitedMoreThanOnce)}`],
        ['Accounts Invited at the end', count(r.invitedAtEnd)],
      ],
    )
    .table(
      ['#', 'Invocation', 'Wall time', 'Peak RSS', 'GetMembers accepted', 'CreateMembers accepted', 'InviteMembers accepted', 'Other calls', 'Answered 429', 'Returned'],
      rows,
      ['r', 'l', 'r', 'r', 'r', 'r', 'r', 'l', 'r', 'l'],
    );
}

/** Problems of every run, grouped by cause: "3 of 5 runs: cause × accounts; …". */
function problemsText(problemsPerRun: ReadonlyArray<readonly Problem[]>, runs: number): string {
  const causes = new Map<string, number>();
  problemsPerRun.forEach((problems) => problems.forEach((p) => causes.set(p.what, (causes.get(p.what) ?? 0) + p.accounts)));
  const failedRuns = problemsPerRun.filter((problems) => problems.length > 0).length;
  const why = [...causes.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([what, accounts]) => `${what} × ${count(accounts)}`).join('; ');
  return `${failedRuns} of ${runs} runs failed: ${why || 'attributes not as expected'}`;
}

function renderMonitorChecks(doc: MarkdownDocument, results: readonly MonitorCheckResult[]): void {
  if (results.length === 0) {
    return;
  }
  doc
    .heading(2, 'Scenario 9: a membership monitor check')
    .paragraph(
      'One scheduled check of `GuardDutyMembershipMonitor` (assets/membership-monitor, with the declaration.json the construct packages beside it) over N declared accounts, ' +
        'all GuardDuty members (1 in 50 Resigned, 1 in 100 Invited, the rest Enabled), healing off: it lists every member (ListMembers, OnlyAssociated=false, 50 a page) and writes its metrics to its log, no other call. ' +
        'Outcome: the check counted every declared account and reported each resigned one.',
    )
    .table(
      ['Members', 'Flow', 'Runs', 'API calls', 'Write calls', 'Retries (429/5xx)', 'Wall time', 'Peak RSS', 'declaration.json', 'Outcome'],
      results.flatMap((r) => [
        [...flowRow(r.members, 'Monitor check', r.runs).slice(0, 8), `${count(r.declarationBytes)} bytes`, outcome(r.runs)],
        [...floorRow(r.members, r.floor, 'ListMembers pages, ⌈N/50⌉').slice(0, 8), '—', 'computed'],
      ]),
      ['r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
    );
}
function flowRow(members: number, flow: string, runs: readonly FlowRun[]): string[] {
  const f = (field: (r: FlowRun) => number, format: (n: number) => string = count) => spread(summarizeField(runs, field), format);
  return [
    count(members),
    flow,
    String(runs.length),
    f((r) => r.calls),
    f((r) => r.writeCalls),
    f((r) => r.retries),
    f((r) => r.wallMs, duration),
    f((r) => r.peakRssBytes, mebibytes),
    outcome(runs),
  ];
}

function floorRow(members: number, floor: CallFloor, what = 'Get, Create, Invite per 50; one probe'): string[] {
  return [count(members), `*Floor* (${what})`, '—', count(floor.calls), count(floor.writeCalls), '0', duration(floor.wallMs), '—', 'computed'];
}

/**
 * "all 1,000 done", or how many accounts failed (median and spread over the runs) and
 * why, each cause with the accounts it hit over all runs together.
 */
function outcome(runs: readonly FlowRun[]): string {
  const wanted = runs[0].wanted;
  if (runs.every((r) => r.succeeded === r.wanted && r.problems.length === 0)) {
    return `all ${count(wanted)} done`;
  }
  const causes = new Map<string, number>();
  runs.forEach((r) => r.problems.forEach((p) => causes.set(p.what, (causes.get(p.what) ?? 0) + p.accounts)));
  const why = [...causes.entries()].sort((a, b) => b[1] - a[1]).map(([what, accounts]) => `${what} × ${count(accounts)}`).join('; ');
  const failed = spread(summarizeField(runs, (r) => r.wanted - r.succeeded), count);
  return `${failed} of ${count(wanted)} failed${runs.length > 1 ? ' per run' : ''}: ${why}${runs.length > 1 ? ` (accounts, all ${runs.length} runs)` : ''}`;
}

function renderMixedFleet(doc: MarkdownDocument, r: MixedFleetResult): void {
  const members = r.organizationAccounts + r.outsideAccounts;
  const operations = ['GetMembers', 'CreateMembers', 'InviteMembers'];
  const accepted = (op: string) => summarizeField(r.accepted, (a) => a[op] ?? 0);
  doc
    .heading(2, `10. Mixed fleet: ${count(r.organizationAccounts)} organization accounts and ${count(r.outsideAccounts)} outside accounts in one declaration, delegated administrator`)
    .paragraph(
      'One Create of the shipped handler: organization accounts are associated with CreateMembers alone, the others invited. ' +
        'The floor reads the declared accounts, creates them, reads them again (which tells the two apart) and invites the outside ones; ' +
        'a user who split the list by hand would save the second read.',
    )
    .table(FLOW_HEADER, [
      flowRow(members, 'Shipped handler', r.handler),
      floorRow(members, r.floor, 'Get, Create, Get again per 50 declared; Invite per 50 outside; one probe'),
      floorRow(members, r.splitListFloor, 'list split by hand: no second read'),
    ], FLOW_ALIGN)
    .table(
      ['Calls GuardDuty accepted', ...operations, 'Accounts invited'],
      [
        ['Shipped handler (median, lowest–highest)', ...operations.map((op) => `${count(accepted(op).median)} (${count(accepted(op).min)}–${count(accepted(op).max)})`), count(Math.max(...r.invitationsSent))],
        ['*Floor*', ...operations.map((op) => count(r.floor.byOperation[op] ?? 0)), count(r.outsideAccounts)],
      ],
    );
}
