import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

/**
 * A consumer app made from the packed tarball: `npm pack` of the built repository,
 * unpacked as `node_modules/cdk-guardduty-members`, so only what the package ships
 * (package.json `files`) is there, beside the repository's own aws-cdk-lib, constructs,
 * cdk-nag and the type packages, linked in. Needs `npm run build` first (npm test runs it).
 */
export function packedConsumer(linked: readonly string[]): string {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'packed-consumer-'));
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', directory], { cwd: ROOT, encoding: 'utf8' })) as Array<{ filename: string }>;
  const target = path.join(directory, 'node_modules', 'cdk-guardduty-members');
  fs.mkdirSync(target, { recursive: true });
  execFileSync('tar', ['xzf', path.join(directory, packed.filename), '-C', target, '--strip-components', '1']);
  for (const name of linked) {
    const link = path.join(directory, 'node_modules', name);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules', name), link, 'dir');
  }
  fs.writeFileSync(path.join(directory, 'package.json'), JSON.stringify({ name: 'consumer', version: '0.0.0', private: true }));
  return directory;
}
