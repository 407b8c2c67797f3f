import { existsSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ChildProcesses } from './child-process';
import { BenchEmulator } from './emulator-session';
import { duration } from './format';
import { BenchContext } from './flows';
import { parseBenchOptions } from './options';
import { renderReport } from './report';
import { coldStart, ColdStartMeasurement } from './scenarios/cold-start';
import { invitationRun, InvitationRunResult } from './scenarios/invitation-run';
import { mixedUpdate, MixedUpdateResult } from './scenarios/mixed-update';
import { rerunWithNothingToDo, RerunResult } from './scenarios/rerun';
import { synthesis, SynthMeasurement } from './scenarios/synthesis';
import { judgeTargets } from './targets';

/**
 * `npm run bench`: measures the shipped handler against the GuardDuty emulator, and the
 * construct's synthesis, and writes BENCHMARKS.md. Not part of `npm test`: figures
 * depend on the machine, so nothing here asserts a time; targets are reported as met
 * or missed. `npm run bench -- --help` lists the options.
 */
async function main(): Promise<number> {
  const repoRoot = join(__dirname, '..');
  const options = parseBenchOptions(process.argv.slice(2), join(repoRoot, 'BENCHMARKS.md'), join(tmpdir(), 'BENCHMARKS.quick.md'));
  const assetPath = join(repoRoot, 'assets', 'member-invitations', 'index.js');
  if (!existsSync(assetPath)) {
    console.error(`${relative(repoRoot, assetPath)} is missing: run \`npm run build\` first (\`npm run bench\` does).`);
    return 1;
  }

  const startedAt = new Date();
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

  try {
    const cold: ColdStartMeasurement | undefined = await attempt('cold start', () => coldStart(ctx));
    const invitation: InvitationRunResult[] = [];
    for (const members of options.sizes) {
      const result = await attempt(`invitation run N=${members}`, () => invitationRun(ctx, members));
      if (result) {
        invitation.push(result);
      }
    }
    const rerun: RerunResult[] = [];
    for (const members of options.sizes) {
      const result = await attempt(`re-run N=${members}`, () => rerunWithNothingToDo(ctx, members));
      if (result) {
        rerun.push(result);
      }
    }
    const mixed: MixedUpdateResult | undefined = await attempt('mixed update', () => mixedUpdate(ctx));
    const synth: SynthMeasurement[] = (await attempt('synthesis', () => synthesis(ctx))) ?? [];

    const results = { invitation, rerun, mixed, coldStart: cold, synthesis: synth };
    const targets = judgeTargets(results, ctx.conditions);
    const machine = { cpuModel: cpus()[0]?.model ?? 'unknown', cores: cpus().length, nodeVersion: process.version };
    let report = renderReport({ machine, options, startedAt, durationMs: performance.now() - started, results, targets });
    if (errors.length > 0) {
      report += `\n## Scenario errors\n\n${errors.map((e) => `\`\`\`\n${e}\n\`\`\``).join('\n\n')}\n`;
    }
    writeFileSync(options.out, report);

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
