import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

interface PackedFile {
  readonly path: string;
  readonly size: number;
}

/**
 * What `npm publish` would upload, as npm itself computes it. `--ignore-scripts` skips
 * `prepack` (a second build inside npm test): the test reads what `npm run build` left,
 * which is what `prepack` builds before a real pack.
 */
function packedFiles(): PackedFile[] {
  const output = execFileSync('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const [pack] = JSON.parse(output) as Array<{ files: PackedFile[] }>;
  return pack.files;
}

const files = packedFiles();
const paths = files.map((file) => file.path);

test.each([
  ['the administrator-side handler bundle', 'assets/member-invitations/index.js'],
  ['the member-side handler bundle', 'assets/invitation-accepter/index.js'],
  ['the compiled entry point', 'lib/index.js'],
  ['the type declarations', 'lib/index.d.ts'],
  ['the jsii assembly', '.jsii'],
  ['the API reference', 'API.md'],
  ['the license', 'LICENSE'],
  ['the notice of bundled third-party software', 'NOTICE'],
  ['the README', 'README.md'],
])('the npm package contains %s (%s)', (_what, file) => {
  if (file.startsWith('lib/') || file.startsWith('assets/') || file === '.jsii') {
    expect({ file, built: fs.existsSync(path.join(ROOT, file)) || 'run `npm run build` first' }).toEqual({ file, built: true });
  }
  expect(paths).toContain(file);
});

test('every construct module is compiled into the package, each with its declarations', () => {
  const sources = fs.readdirSync(path.join(ROOT, 'lib')).filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'));
  for (const source of sources) {
    const base = `lib/${source.replace(/\.ts$/, '')}`;
    expect(paths).toEqual(expect.arrayContaining([`${base}.js`, `${base}.d.ts`]));
  }
});

test('the package ships no TypeScript sources, tests, handler sources, benchmarks or build configuration', () => {
  const unwanted = paths.filter((file) =>
    /^(test|lambda|bench|bin|scripts|examples|node_modules|cdk\.out|dist)\//.test(file) ||
    (file.endsWith('.ts') && !file.endsWith('.d.ts')) ||
    /^tsconfig|\.tsbuildinfo$|^\.ci\//.test(file),
  );
  expect(unwanted).toEqual([]);
});

test('the compiled constructs carry no source maps with the TypeScript embedded (jsii.tsc in package.json)', () => {
  const withSourceMaps = files
    .filter((file) => file.path.startsWith('lib/') && file.path.endsWith('.js'))
    .filter((file) => fs.readFileSync(path.join(ROOT, file.path), 'utf8').includes('sourceMappingURL'));
  expect(withSourceMaps.map((file) => file.path)).toEqual([]);
});
