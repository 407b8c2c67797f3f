// Bundles each Lambda handler under lambda/<name>/index.ts into assets/<name>/index.js.
// The bundle (AWS SDK client included) ships in the npm package, so a consumer's
// `cdk synth` needs neither esbuild nor Docker, and the handler does not depend on
// whichever SDK version the Lambda runtime happens to carry.
import { build } from 'esbuild';
import { readdirSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { inlineSchemaKeys } from './inline-schema-keys.mjs';

const root = new URL('..', import.meta.url).pathname;
const handlers = readdirSync(join(root, 'lambda')).filter((name) =>
  existsSync(join(root, 'lambda', name, 'index.ts')),
);

for (const name of handlers) {
  const outfile = join(root, 'assets', name, 'index.js');
  await build({
    entryPoints: [join(root, 'lambda', name, 'index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    // The Lambda runtime is Node.js 24; node20 keeps the bundle loadable by the local
    // Node used for tests and benchmarks.
    target: 'node20',
    format: 'cjs',
    // Dynamic import() of a Node.js built-in becomes require(): the SDK's ES module build
    // loads node:http with import() on its first plain-HTTP call, and an import() of a
    // built-in builds its ES module facade, which reads every export, undici's included
    // (13 ms of a 50-account run against a local endpoint, measured with a CPU profile).
    supported: { 'dynamic-import': false },
    // The SDK's ES module build tree-shakes: the bundle keeps only the commands used.
    mainFields: ['module', 'main'],
    // ... and drops the schemas of the operations a handler never calls (see the plugin).
    plugins: [inlineSchemaKeys],
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  console.log(`bundled lambda/${name} -> assets/${name}/index.js (${statSync(outfile).size} bytes)`);
}
