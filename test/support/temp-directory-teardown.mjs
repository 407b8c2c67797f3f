// Jest globalTeardown: removes the run's private temporary directory (see temp-directory-setup.mjs).
import fs from 'node:fs';

export default async () => {
  const directory = process.env.CDK_GUARDDUTY_MEMBERS_JEST_TMPDIR;
  if (directory) {
    fs.rmSync(directory, { recursive: true, force: true });
  }
};
