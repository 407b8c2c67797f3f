// Jest globalSetup: every test run gets a private temporary directory, removed by
// temp-directory-teardown.mjs. aws-cdk-lib's App without an outdir synthesizes into a new
// os.tmpdir()/cdk.outXXXX on every Template.fromStack; pointing TMPDIR here (workers start
// after globalSetup and inherit it) keeps npm test from leaving folders in the system's.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default async () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-guardduty-members-jest-'));
  process.env.CDK_GUARDDUTY_MEMBERS_JEST_TMPDIR = directory;
  process.env.TMPDIR = directory;
  process.env.TMP = directory;
  process.env.TEMP = directory;
};
