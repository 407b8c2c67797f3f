import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ChildProcesses } from './child-process';
import { BenchEmulator } from './emulator-session';
import { duration } from './format';
import { BenchContext } from './flows';
import { parseBenchOptions } from './options';
import { renderReport, withHandWritten } from './report';
import { accepterJourney, AccepterJourneyResult, AccepterOrder } from './scenarios/accepter-journey';
import { continuedRun, ContinuedRunResult } from './scenarios/continued-run';
import { coldStart, ColdStartMeasurement } from './scenarios/cold-start';
import { invitationRun, InvitationRunResult } from './scenarios/invitation-run';
import { mixedFleet, MixedFleetResult } from './scenarios/mixed-fleet';
import { mixedUpdate, MixedUpdateResult } from './scenarios/mixed-update';
import { monitorCheck, MonitorCheckResult } from './scenarios/monitor-check';
import { rerunWithNothingToDo, RerunResult } from './scenarios/rerun';
import { regionalSynthesis, RegionalSynthMeasurement } from './scenarios/regional-synthesis';
import { synthesis, SynthMeasurement } from './scenarios/synthesis';
import { verificationRows, verificationWait, VerificationWaitResult } from './scenarios/verification-wait';
import { judgeTargets } from './targets';

/**
 * `npm run bench`: measures the shipped handlers (the administrator's and the member
 * side's accepter) against the GuardDuty emulator, and the construct's synthesis, and
 * writes BENCHMARKS.md. Not part of `npm test`: figures depend on the machine, so
 * nothing here asserts a time; targets are reported as met or missed.
 * `npm run bench -- --help` lists the options.
 */
async function main(): Promise<number> {
  const repoRoot = join(__dirname, '..');
  const options = parseBenchOptions(process.argv.slice(2), join(repoRoot, 'BENCHMARKS.md'), join(tmpdir(), 'BENCHMARKS.quick.md'));
  const assetPath = join(repoRoot, 'assets', 'member-invitations', 'index.js');
  const accepterAssetPath = join(repoRoot, 'assets', 'invitation-accepter', 'index.js');
  for (const asset of [assetPath, accepterAssetPath]) {
    if (!existsSync(asset)) {
      console.error(`${relative(repoRoot, asset)} is missing: run \`npm run build\` first (\`npm run bench\` does).`);
      return 1;
    }
  }

  const startedAt = new Date();
  const loadAtStart = loadavg()[0];
  const started = performance.now();
  const progress = (message: string) => console.error(`[bench ${duration(performance.now() - started).padStart(8)}] ${message}`);
  const children = ChildProcesses.build(repoRoot);
  const emulator = await BenchEmulator.start();
  const ctx: BenchContext = {
    options,
    conditions: { latencyMs: options.latencyMs, ratePerSecond: options.ratePerSecond, burst: options.burst },
    emulator,
    children,
    repoRoot,
    assetPath,
    accepterAssetPath,
    progress,
  };

  const errors: string[] = [];
  /** A scenario that throws is reported and the others still run: one failure must not cost the whole run. */
  const attempt = async <T>(name: string, scenario: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await scenario();
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      errors.push(`${name}: ${message}`);
      progress(`${name} FAILED: ${message}`);
      return undefined;
    }
  };

  const runs = (scenario: number) => options.scenarios.has(scenario);
  /** One attempt per member count, so one failing size does not cost the others. */
  const each = async <S, T>(name: (size: S) => string, sizes: readonly S[], scenario: (size: S) => Promise<T>): Promise<T[]> => {
    const results: T[] = [];
    for (const size of sizes) {
      const result = await attempt(name(size), () => scenario(size));
      if (result) {
        results.push(result);
      }
    }
    return results;
  };

  try {
    const cold: ColdStartMeasurement | undefined = runs(4) ? await attempt('cold start', () => coldStart(ctx)) : undefined;
    const invitation: InvitationRunResult[] = runs(1) ? await each((n) => `invitation run N=${n}`, options.sizes, (n) => invitationRun(ctx, n)) : [];
    const rerun: RerunResult[] = runs(2) ? await each((n) => `re-run N=${n}`, options.sizes, (n) => rerunWithNothingToDo(ctx, n)) : [];
    const mixed: MixedUpdateResult | undefined = runs(3) ? await attempt('mixed update', () => mixedUpdate(ctx)) : undefined;
    const synth: SynthMeasurement[] = runs(5) ? ((await attempt('synthesis', () => synthesis(ctx))) ?? []) : [];

    let verification: VerificationWaitResult[] = [];
    let continued: ContinuedRunResult[] = [];
    if (runs(6) || runs(8)) {
      // Email verification that takes time is an emulator start option: a second emulator for these scenarios.
      const delayed = await BenchEmulator.start({ emailVerificationDelayMs: options.verificationDelayMs });
      try {
        if (runs(6)) {
          verification = await each((row) => `verification wait N=${row.members}${row.failing > 0 ? ` (${row.failing} failing)` : ''}`, verificationRows(options), (row) => verificationWait(ctx, delayed, row));
        }
        if (runs(8)) {
          continued = await each((b) => `continued run N=${options.continuedMembers}, budgets ${b.onEventMs / 1_000}/${b.isCompleteMs / 1_000} s`, options.continuedBudgets, (b) =>
            continuedRun(ctx, delayed, { members: options.continuedMembers, onEventBudgetMs: b.onEventMs, isCompleteBudgetMs: b.isCompleteMs }),
          );
        }
      } finally {
        await delayed.stop();
      }
    }
    const orders: AccepterOrder[] = ['invitation-first', 'accepter-first'];
    const journeys = options.accepterMembers.flatMap((members) => orders.map((order) => ({ members, order })));
    const accepter: AccepterJourneyResult[] = runs(7)
      ? await each((j) => `accepter journey ${j.order} M=${j.members}`, journeys, (j) => accepterJourney(ctx, j.members, j.order))
      : [];

    const monitor: MonitorCheckResult[] = runs(9) ? await each((n) => `monitor check N=${n}`, options.monitorSizes, (n) => monitorCheck(ctx, n)) : [];

    const fleet: MixedFleetResult | undefined = runs(10) ? await attempt('mixed fleet', () => mixedFleet(ctx, options.mixedFleet)) : undefined;

    const regional: RegionalSynthMeasurement[] = runs(11) ? ((await attempt('regional synthesis', () => regionalSynthesis(ctx))) ?? []) : [];

    const results = { invitation, rerun, mixed, coldStart: cold, synthesis: synth, verification, accepter, continued, monitor, mixedFleet: fleet, regionalSynthesis: regional };
    const targets = judgeTargets(results, ctx.conditions);
    const machine = { cpuModel: cpus()[0]?.model ?? 'unknown', cores: cpus().length, nodeVersion: process.version, loadAverage: { atStart: loadAtStart, atEnd: loadavg()[0] } };
    let report = renderReport({ machine, options, startedAt, durationMs: performance.now() - started, results, targets });
    if (errors.length > 0) {
      report += `\n## Scenario errors\n\n${errors.map((e) => `\`\`\`\n${e}\n\`\`\``).join('\n\n')}\n`;
    }
    writeFileSync(options.out, withHandWritten(report, existsSync(options.out) ? readFileSync(options.out, 'utf8') : undefined));

    progress(`wrote ${options.out}`);
    for (const t of targets) {
      console.log(`${t.verdict.toUpperCase().padEnd(12)} ${t.target}\n             ${t.measured}`);
    }
    return errors.length > 0 ? 1 : 0;
  } finally {
    await emulator.stop();
    children.dispose();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
