// Gives the whole `jest` run a temporary directory of its own: TMPDIR points there for
// this process and every worker it starts, so whatever a test writes to os.tmpdir()
// (an App synthesized without an outdir writes cdk.out* there, fixtures and assemblies
// mkdtemp there) lands inside it, and jest-global-teardown.mjs removes it, whether or not
// each test cleaned up after itself.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default async function globalSetup() {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-guardduty-members-jest-'));
  process.env.CDK_GUARDDUTY_MEMBERS_TEST_TMPDIR = directory;
  process.env.TMPDIR = directory;
  process.env.TMP = directory;
  process.env.TEMP = directory;
  // aws-cdk-lib runs its built-in CloudFormation validation on every synthesis, and starting
  // its WebAssembly engine costs about 3 s in each test file (Jest gives every file a fresh
  // module registry): a third of npm test's time. The guardrail files (test/guardrails/
  // rule-packs.ts) register the plugin themselves, which this variable does not turn off,
  // and assert that it reports nothing on any construct; `npm run synth` and the consumer
  // check run it as a user's synthesis does.
  process.env.CDK_VALIDATION = 'false';
}
