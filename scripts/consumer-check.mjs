#!/usr/bin/env node
// `npm run test:consumer`: does the packed tarball pass every cdk-nag rule pack in a new
// user's app, with the newest aws-cdk-lib and cdk-nag? The repo's own rule-pack tests run
// against the versions its lock file pins; this check catches what a newer aws-cdk-lib or
// cdk-nag changes for users (a newer Lambda runtime making AwsSolutions-L1 fire, a new
// rule, a new pack) before a user does.
//
// Steps, each in a temporary directory removed at the end (`--keep` keeps it):
//   1. `npm run build`, then `npm pack --ignore-scripts`: the build is always run here, so
//      the tarball never holds stale output (`--skip-build` packs the existing build when
//      you know it is fresh); packing with the prepack script would mix the build's output
//      into `npm pack --json`.
//   2. `npx aws-cdk@latest init app --language typescript --generate-only`: the app, its
//      strict tsconfig.json and its cdk.json feature flags as cdk init writes them today.
//      The template's jest setup is left out (no tests run there).
//   3. `npm install` the tarball, aws-cdk-lib, constructs and cdk-nag (each @latest), plus
//      the template's own devDependencies (typescript, tsx, aws-cdk).
//   4. scripts/consumer-check/consumer-app.ts replaces the template's bin/ file; it runs as
//      cdk.json's "app" says (type-check with the app's tsc, then tsx), with cdk.json's
//      context as `cdk synth` passes it. It registers every pack cdk-nag exports through
//      Validations and synthesizes.
//   5. Each pack's findings, as it returned them to aws-cdk-lib, are sorted. Fatal: every error on a construct of the library
//      (anything the app did not declare itself), except, in the stacks with default props,
//      the findings README "Rule packs" says vpc, logEncryptionKey or alarmTopic resolve.
//      Printed, not fatal: warnings, those expected findings, and findings on the app's own
//      resources (its VPC, key, topic, detector).
//
// Options: --skip-build, --keep. Versions: CONSUMER_AWS_CDK_LIB, CONSUMER_CDK_NAG,
// CONSUMER_CONSTRUCTS, CONSUMER_AWS_CDK (the CLI that runs cdk init); each defaults to
// "latest", and the report prints the command that reproduces a run with its versions.
// Needs the npm registry; no AWS account, no Docker.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const APP_SOURCE = path.join(ROOT, 'scripts', 'consumer-check', 'consumer-app.ts');
const APP_NAME = 'consumer-app';
const TEMPLATE_TEST_DEPENDENCIES = ['jest', '@types/jest', 'ts-jest', '@swc/core', '@swc/jest'];

const args = process.argv.slice(2);
const unknown = args.filter((arg) => !['--skip-build', '--keep'].includes(arg));
if (unknown.length > 0) {
  console.error(`consumer-check: unknown option(s) ${unknown.join(' ')}; options are --skip-build and --keep`);
  process.exit(2);
}
const SKIP_BUILD = args.includes('--skip-build');
const KEEP = args.includes('--keep');
const REQUESTED = {
  'aws-cdk-lib': process.env.CONSUMER_AWS_CDK_LIB || 'latest',
  'cdk-nag': process.env.CONSUMER_CDK_NAG || 'latest',
  constructs: process.env.CONSUMER_CONSTRUCTS || 'latest',
  'aws-cdk': process.env.CONSUMER_AWS_CDK || 'latest',
};

/**
 * The README "Rule packs" table: with default props, these rules find every function, log
 * group or monitor alarm, and the option named resolves them (the guardrail stacks prove it).
 * Matched on the rule's name after the pack's prefix, in any pack.
 */
const EXPECTED_WITH_DEFAULT_PROPS = {
  LambdaInsideVPC: 'vpc',
  CloudWatchLogGroupEncrypted: 'logEncryptionKey',
  CloudWatchAlarmAction: 'alarmTopic',
};

// Started by `npm run`, npm's own variables describe this repository; the consumer's npm
// must not inherit them (npm_config_local_prefix would point its install here).
const childEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_(package_|lifecycle_|config_local_prefix$)/.test(key)));

class CheckError extends Error {}

/** Object.groupBy, which Node 20 lacks. */
function groupBy(list, key) {
  const groups = {};
  for (const item of list) {
    (groups[key(item)] ??= []).push(item);
  }
  return groups;
}

const started = Date.now();
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** Runs a command, its output captured; on failure throws with the command, where it ran and its output's end. */
function run(what, command, commandArgs, { cwd, env = childEnv, echo = false } = {}) {
  const stepStarted = Date.now();
  const result = spawnSync(command, commandArgs, { cwd, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.error || result.status !== 0) {
    const tail = output.trimEnd().split('\n').slice(-80).join('\n');
    throw new CheckError(
      `${what} failed (${result.error ? result.error.message : `exit code ${result.status}${result.signal ? `, signal ${result.signal}` : ''}`}).\n` +
        `  command: ${[command, ...commandArgs].join(' ')}\n  in: ${cwd}\n--- last lines of its output ---\n${tail}\n---`,
    );
  }
  console.log(`consumer-check: ${what} (${seconds(stepStarted)})`);
  if (echo && output.trim()) {
    console.log(output.trimEnd().replace(/^/gm, '  | '));
  }
  return result.stdout;
}

function readJson(file, what) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CheckError(`cannot read ${what} (${file}): ${error.message}`);
  }
}

function writeJson(file, value) {
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** 1. The tarball, as `npm publish` would upload it. */
function pack(workDir) {
  if (SKIP_BUILD) {
    if (!fs.existsSync(path.join(ROOT, 'lib', 'index.js')) || !fs.existsSync(path.join(ROOT, '.jsii'))) {
      throw new CheckError('--skip-build, but there is no build (lib/index.js, .jsii): run `npm run build` first, or drop --skip-build');
    }
    console.log('consumer-check: --skip-build: packing the existing build as it is');
  } else {
    run('npm run build', 'npm', ['run', 'build'], { cwd: ROOT });
  }
  const packed = JSON.parse(run('npm pack', 'npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', workDir], { cwd: ROOT }));
  const tarball = path.join(workDir, packed[0].filename);
  console.log(`consumer-check: packed ${packed[0].id}: ${packed[0].entryCount} files, ${(packed[0].size / 1024).toFixed(0)} KiB`);
  return tarball;
}

/** 2. and 3. A `cdk init app --language typescript` app with the tarball and the newest toolchain. */
function createConsumer(workDir, tarball) {
  const appDir = path.join(workDir, APP_NAME);
  fs.mkdirSync(appDir);
  run(`cdk init app --language typescript (aws-cdk@${REQUESTED['aws-cdk']})`, 'npx', ['--yes', `aws-cdk@${REQUESTED['aws-cdk']}`, 'init', 'app', '--language', 'typescript', '--generate-only'], { cwd: appDir });

  const packageJson = readJson(path.join(appDir, 'package.json'), "the template's package.json");
  for (const name of TEMPLATE_TEST_DEPENDENCIES) {
    delete packageJson.devDependencies?.[name];
  }
  writeJson(path.join(appDir, 'package.json'), packageJson);
  const tsconfig = readJson(path.join(appDir, 'tsconfig.json'), "the template's tsconfig.json");
  if (Array.isArray(tsconfig.compilerOptions?.types)) {
    tsconfig.compilerOptions.types = tsconfig.compilerOptions.types.filter((type) => type !== 'jest');
  }
  writeJson(path.join(appDir, 'tsconfig.json'), tsconfig);
  fs.rmSync(path.join(appDir, 'test'), { recursive: true, force: true });
  fs.rmSync(path.join(appDir, 'jest.config.js'), { force: true });

  run(
    'npm install',
    'npm',
    ['install', '--no-audit', '--no-fund', tarball, ...['aws-cdk-lib', 'constructs', 'cdk-nag'].map((name) => `${name}@${REQUESTED[name]}`)],
    { cwd: appDir },
  );

  const installed = readJson(path.join(appDir, 'package-lock.json'), "the consumer's package-lock.json").packages;
  const version = (name) => installed[`node_modules/${name}`]?.version ?? '(not installed)';
  const versions = Object.fromEntries(['aws-cdk-lib', 'cdk-nag', 'constructs', 'typescript', 'tsx', 'aws-cdk', 'cdk-guardduty-members'].map((name) => [name, version(name)]));
  console.log(`consumer-check: resolved versions (node ${process.version}):`);
  for (const [name, resolved] of Object.entries(versions)) {
    console.log(`  ${name.padEnd(22)} ${resolved}`);
  }
  return { appDir, versions };
}

/** 4. The app of scripts/consumer-check/consumer-app.ts, run as cdk.json says. */
function synthesize(appDir) {
  const cdkJson = readJson(path.join(appDir, 'cdk.json'), "the template's cdk.json");
  const entry = /\bbin\/[\w.-]+\.ts\b/.exec(cdkJson.app ?? '')?.[0];
  if (!entry) {
    throw new CheckError(`cdk.json's "app" (${JSON.stringify(cdkJson.app)}) names no bin/*.ts file to replace with ${path.relative(ROOT, APP_SOURCE)}; the cdk init template changed`);
  }
  fs.copyFileSync(APP_SOURCE, path.join(appDir, entry));
  const outdir = path.join(appDir, 'cdk.out');
  const flags = Object.keys(cdkJson.context ?? {}).length;
  // What `cdk synth` does: run "app" with the context of cdk.json in CDK_CONTEXT_JSON and the
  // output directory in CDK_OUTDIR.
  run(`type-check and synthesize (cdk.json "app": ${cdkJson.app}; ${flags} context values)`, 'sh', ['-c', cdkJson.app], {
    cwd: appDir,
    env: { ...childEnv, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(cdkJson.context ?? {}) },
    echo: true,
  });
  return outdir;
}

/** 5. Every finding of every pack, sorted into fatal and not. */
function judge(outdir) {
  const meta = readJson(path.join(outdir, 'consumer-check.json'), 'what the consumer app wrote beside its assembly');
  const notRun = meta.packs.filter((pack) => !meta.results[pack]);
  if (meta.packs.length === 0 || notRun.length > 0) {
    throw new CheckError(`rule packs registered: ${meta.packs.join(', ') || 'none'}; not run by the synthesis: ${notRun.join(', ') || 'none'}`);
  }

  const isConsumers = (constructPath) => meta.consumerOwned.some((own) => constructPath === own || constructPath.startsWith(`${own}/`));
  const findings = meta.packs.flatMap((pack) =>
    meta.results[pack].violations.flatMap((violation) =>
      violation.violatingResources.map((construct) => {
        const stack = construct.constructPath.split('/')[0];
        const suffix = violation.ruleName.slice(pack.length + 1).replace(/\[.*$/, '');
        const expectedOption = meta.variants[stack] === 'default' ? EXPECTED_WITH_DEFAULT_PROPS[suffix] : undefined;
        const kind = isConsumers(construct.constructPath)
          ? 'consumer'
          : violation.severity !== 'error'
            ? 'warning'
            : expectedOption
              ? 'expected'
              : 'fatal';
        return { pack, rule: violation.ruleName, message: violation.description, severity: violation.severity, path: construct.constructPath, kind, expectedOption };
      }),
    ),
  );

  const major = (runtime) => Number(/^nodejs(\d+)/.exec(runtime)?.[1] ?? 0);
  const newest = meta.nodejsRuntimes.reduce((a, b) => (major(b) > major(a) ? b : a), '');
  console.log(`\nconsumer-check: the newest Node.js runtime aws-cdk-lib knows: ${newest} (of ${meta.nodejsRuntimes.join(', ')})`);
  const libraryFunctions = meta.functionRuntimes.filter((fn) => !isConsumers(fn.path));
  const byRuntime = groupBy(libraryFunctions, (fn) => fn.runtime);
  console.log(`consumer-check: the library's ${libraryFunctions.length} functions run on: ${Object.entries(byRuntime).map(([runtime, fns]) => `${runtime} (${fns.length})`).join(', ')}`);
  console.log(`consumer-check: feature flags in the app's context: ${meta.featureFlags}`);

  const grouped = (list) => Object.entries(groupBy(list, (f) => `${f.rule}: ${f.message}`));
  for (const pack of meta.packs) {
    const ofPack = findings.filter((f) => f.pack === pack);
    const fatal = ofPack.filter((f) => f.kind === 'fatal');
    console.log(`\n=== ${pack}: ${fatal.length === 0 ? 'PASS' : `FAIL, ${fatal.length} error finding(s) on the library's constructs`}`);
    for (const [rule, list] of grouped(fatal)) {
      console.log(`  ERROR ${rule}`);
      for (const f of list) {
        console.log(`    ${f.path}`);
      }
    }
    for (const [rule, list] of grouped(ofPack.filter((f) => f.kind === 'warning'))) {
      console.log(`  warning (not fatal) ${rule}`);
      for (const f of list) {
        console.log(`    ${f.path}`);
      }
    }
    for (const [rule, list] of Object.entries(groupBy(ofPack.filter((f) => f.kind === 'expected'), (f) => f.rule))) {
      console.log(`  expected with default props (README "Rule packs"; ${list[0].expectedOption} resolves it): ${rule} on ${list.length} resource(s)`);
    }
    for (const [rule, list] of Object.entries(groupBy(ofPack.filter((f) => f.kind === 'consumer'), (f) => f.rule))) {
      console.log(`  on the app's own resources, not the library's (not fatal): ${rule} on ${list.length}: ${[...new Set(list.map((f) => f.path.split('/').slice(0, 2).join('/')))].join(', ')}`);
    }
  }
  console.log('\nconsumer-check: per pack (errors on the library\'s constructs / expected with default props / warnings / on the app\'s own resources):');
  for (const pack of meta.packs) {
    const count = (kind) => findings.filter((f) => f.pack === pack && f.kind === kind).length;
    console.log(`  ${pack.padEnd(16)} ${count('fatal') === 0 ? 'PASS' : 'FAIL'}  ${count('fatal')} / ${count('expected')} / ${count('warning')} / ${count('consumer')}`);
  }
  return findings.filter((f) => f.kind === 'fatal');
}

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'consumer-check-'));
const cleanUp = () => {
  if (KEEP) {
    console.log(`consumer-check: kept ${workDir}`);
  } else {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
};
process.on('SIGINT', () => {
  cleanUp();
  process.exit(130);
});

let exitCode = 0;
let versions;
try {
  const tarball = pack(workDir);
  let appDir;
  ({ appDir, versions } = createConsumer(workDir, tarball));
  const fatal = judge(synthesize(appDir));
  const pinned = Object.entries({ CONSUMER_AWS_CDK_LIB: 'aws-cdk-lib', CONSUMER_CDK_NAG: 'cdk-nag', CONSUMER_CONSTRUCTS: 'constructs', CONSUMER_AWS_CDK: 'aws-cdk' })
    .map(([variable, name]) => `${variable}=${versions[name]}`)
    .join(' ');
  if (fatal.length > 0) {
    const packs = [...new Set(fatal.map((f) => f.pack))];
    console.error(
      `\nconsumer-check: FAILED: ${fatal.length} error finding(s) on the library's constructs, in ${packs.length} pack(s): ${packs.join(', ')} (listed above).\n` +
        `  Reproduce with these versions: ${pinned} npm run test:consumer -- --keep\n` +
        `  then, in the kept ${APP_NAME}/ directory, \`npx cdk synth\` prints the same findings.`,
    );
    exitCode = 1;
  } else {
    console.log(`\nconsumer-check: PASSED: no error finding on the library's constructs in any pack (${seconds(started)}).\n  Versions: ${pinned}`);
  }
} catch (error) {
  if (!(error instanceof CheckError)) {
    throw error;
  }
  console.error(`\nconsumer-check: FAILED: ${error.message}\n  Reproduce: npm run test:consumer -- --keep (keeps the temporary directory to look into).`);
  exitCode = 1;
} finally {
  cleanUp();
}
console.log(`consumer-check: ${seconds(started)} in all`);
process.exit(exitCode);
