import * as fs from 'fs';
import * as path from 'path';
import { Documentation, Language } from 'jsii-docgen';

const ROOT = path.join(__dirname, '..', '..');

/**
 * API.md is what Construct Hub and readers of the repository see of the public API. It is
 * generated from the jsii assembly (.jsii, written by `npm run build`) and committed, so
 * this renders it in memory, with the options `jsii-docgen -o API.md` uses, and compares.
 */
test('API.md is the jsii-docgen rendering of the current jsii assembly', async () => {
  if (!fs.existsSync(path.join(ROOT, '.jsii'))) {
    throw new Error('No .jsii assembly: run `npm run build` first (npm test does).');
  }
  const docs = await Documentation.forProject(ROOT);
  try {
    const rendered = (await docs.toMarkdown({ language: Language.TYPESCRIPT, allSubmodules: true })).render();
    const committed = fs.existsSync(path.join(ROOT, 'API.md')) ? fs.readFileSync(path.join(ROOT, 'API.md'), 'utf8') : '';
    if (committed !== rendered) {
      throw new Error('API.md is out of date with the public API: run `npm run build && npm run docgen` and commit API.md.');
    }
  } finally {
    await docs.cleanup();
  }
});
