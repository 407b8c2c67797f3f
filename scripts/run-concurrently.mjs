// Runs shell commands side by side and fails if any fails: `npm test` builds (esbuild,
// jsii, the language targets) while it type-checks and lints, since each of those is one
// single-threaded process and the machine has two cores. Each output line carries its
// command's label, so interleaved output still says where a line came from.
//
//   node scripts/run-concurrently.mjs build="npm run build && npm run targets" lint="npm run lint"
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const jobs = process.argv.slice(2).map((argument) => {
  const at = argument.indexOf('=');
  if (at <= 0) {
    console.error(`run-concurrently: expected label=command, got ${JSON.stringify(argument)}`);
    process.exit(2);
  }
  return { label: argument.slice(0, at), command: argument.slice(at + 1) };
});

const results = await Promise.all(jobs.map(({ label, command }) => new Promise((resolve) => {
  const child = spawn(command, { shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const [stream, out] of [[child.stdout, process.stdout], [child.stderr, process.stderr]]) {
    createInterface({ input: stream }).on('line', (line) => out.write(`[${label}] ${line}\n`));
  }
  child.on('error', (error) => resolve({ label, code: `not started (${error.message})` }));
  child.on('close', (code, signal) => resolve({ label, code: signal ?? code }));
})));

const failed = results.filter((result) => result.code !== 0);
for (const { label, code } of failed) {
  console.error(`run-concurrently: ${label} failed (${code})`);
}
process.exit(failed.length > 0 ? 1 : 0);
