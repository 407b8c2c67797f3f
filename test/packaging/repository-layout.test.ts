import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

test('docs/development.md names every top-level folder and file of the repository', () => {
  const development = fs.readFileSync(path.join(ROOT, 'docs', 'development.md'), 'utf8');
  const tracked = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
  const topLevel = [...new Set(tracked.map((file) => (file.includes('/') ? `${file.split('/')[0]}/` : file)))];

  const unlisted = topLevel.filter((entry) => !development.includes(`\`${entry}`));
  expect(unlisted).toEqual([]);
});
