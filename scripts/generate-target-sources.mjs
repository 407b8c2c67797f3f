// Generates the Python, Java, .NET and Go sources of every jsii target declared in
// package.json (jsii-pacmak --code-only: no compilers needed), so an API change that
// breaks a target fails `npm test` here rather than later on Construct Hub or at
// release. The sources are written to dist/target-sources (ignored) and deleted again.
//
// jsii-pacmak embeds an `npm pack` of this package in each target. npm_config_ignore_scripts
// keeps that pack from running `prepack` (a second full build): `npm test` has just built.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
const outdir = join(dist, 'target-sources');
const targets = Object.keys(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).jsii.targets);

if (!existsSync(join(root, '.jsii'))) {
  console.error('No .jsii assembly: run `npm run build` first.');
  process.exit(1);
}

const started = Date.now();
rmSync(outdir, { recursive: true, force: true });
try {
  const pacmak = spawnSync(
    join(root, 'node_modules', '.bin', 'jsii-pacmak'),
    ['--code-only', '--no-npmignore', '--no-fingerprint', '--outdir', outdir, '--targets', ...targets],
    { cwd: root, stdio: 'inherit', env: { ...process.env, npm_config_ignore_scripts: 'true' } },
  );
  if (pacmak.status !== 0) {
    console.error(`jsii-pacmak failed (exit ${pacmak.status ?? pacmak.signal}): an API change breaks one of the targets ${targets.join(', ')}.`);
    process.exit(1);
  }
  const empty = targets.filter((target) => !existsSync(join(outdir, target)) || readdirSync(join(outdir, target)).length === 0);
  if (empty.length > 0) {
    console.error(`jsii-pacmak generated no sources for: ${empty.join(', ')}`);
    process.exit(1);
  }
  console.log(`generated the ${targets.join(', ')} sources in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} finally {
  rmSync(outdir, { recursive: true, force: true });
  if (readdirSync(dist).length === 0) {
    rmdirSync(dist);
  }
}
