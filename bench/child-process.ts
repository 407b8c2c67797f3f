import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import type { ChildReply } from './child-protocol';

/** The child scripts under bench/children, by the name the driver starts them with. */
export const CHILD_SCRIPTS = ['handler-invocation', 'completion-poller', 'completion-invocation', 'per-account-flow', 'single-call-flow', 'floor-calls-flow', 'cold-start', 'synthesize', 'regional-synthesize'] as const;
export type ChildScript = (typeof CHILD_SCRIPTS)[number];

export interface ChildRun<R> {
  readonly result: R;
  /** From spawn to exit, as the driver saw it. */
  readonly processMs: number;
}

/**
 * Children run as plain `node` on JavaScript bundled here with esbuild, not under tsx:
 * a TypeScript loader in the child would add its own start-up time and memory to every
 * figure. The SDK is bundled into the flow scripts as it is into the handler asset;
 * aws-cdk-lib is not (the synthesis child loads the repository's copy at run time).
 */
export class ChildProcesses {
  public static build(repoRoot: string): ChildProcesses {
    const dir = mkdtempSync(join(tmpdir(), 'guardduty-members-bench-'));
    buildSync({
      entryPoints: CHILD_SCRIPTS.map((name) => join(repoRoot, 'bench', 'children', `${name}.ts`)),
      outdir: join(dir, 'children'),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      mainFields: ['module', 'main'],
      external: ['aws-cdk-lib', 'constructs'],
      logLevel: 'error',
    });
    return new ChildProcesses(dir);
  }

  private constructor(public readonly workDir: string) {}

  /**
   * Starts `script` in a fresh Node process with only `env` (plus PATH), sends it `job`
   * and waits for its reply. The child's stdout (the handler's log lines) is drained and
   * only its tail kept, to explain a failure.
   */
  public run<J, R>(script: ChildScript, job: J, env: Record<string, string> = {}, timeoutMs = 20 * 60_000): Promise<ChildRun<R>> {
    const started = performance.now();
    const child = fork(join(this.workDir, 'children', `${script}.js`), [], {
      // Without this, the child inherits tsx's loader flags from the driver.
      execArgv: [],
      env: { PATH: process.env.PATH ?? '', HOME: this.workDir, ...env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let output = '';
    const keepTail = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4_000);
    };
    child.stdout?.on('data', keepTail);
    child.stderr?.on('data', keepTail);
    return new Promise((resolve, reject) => {
      let reply: ChildReply<R> | undefined;
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.once('message', (message) => {
        reply = message as ChildReply<R>;
      });
      child.once('error', reject);
      let processMs = 0;
      let exitStatus: string | number | null = null;
      child.once('exit', (code, signal) => {
        processMs = performance.now() - started;
        exitStatus = signal ?? code;
      });
      // Settled on 'close', not 'exit': a reply sent just before the child exits can still
      // be in the IPC pipe when 'exit' fires (seen with dozens of children at once on two
      // cores); 'close' comes once stdout, stderr and the IPC channel are drained.
      child.once('close', () => {
        clearTimeout(timer);
        if (reply?.ok) {
          resolve({ result: reply.result, processMs });
        } else {
          const why = reply ? reply.error : `exited with ${exitStatus} before replying`;
          reject(new Error(`bench child ${script} failed: ${why}\n--- child output (tail) ---\n${output}`));
        }
      });
      child.send(job as object);
    });
  }

  public dispose(): void {
    rmSync(this.workDir, { recursive: true, force: true });
  }
}
