// Removes the run's temporary directory (see jest-global-setup.mjs).
import fs from 'node:fs';

export default async function globalTeardown() {
  const directory = process.env.CDK_GUARDDUTY_MEMBERS_TEST_TMPDIR;
  if (directory) {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}
