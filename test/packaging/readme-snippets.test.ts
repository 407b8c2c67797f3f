import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { packedConsumer } from '../support/packed-consumer';
import { Snippet, snippets } from '../support/readme-snippets';

/**
 * Every TypeScript snippet of README.md and docs/*.md compiles, as a user pastes it, in a
 * consumer app made from the packed tarball, with a strict tsconfig as `cdk init app
 * --language typescript` writes it; then each one synthesizes. How a block is wrapped
 * (a program, a Stack constructor's body, or the "Testing your stacks" blocks in order as
 * one file) is in test/support/readme-snippets.ts.
 */
const ROOT = path.join(__dirname, '..', '..');
const LINKED = ['aws-cdk-lib', 'constructs', 'cdk-nag', 'expect', '@types/node', '@jest/expect-utils', 'jest-matcher-utils', 'jest-message-util', 'jest-mock', 'jest-util', '@jest/types', '@jest/schemas', '@sinclair/typebox'];

let consumer: string;
let documented: Snippet[];
let compiled: Record<string, string[]>;

beforeAll(() => {
  consumer = packedConsumer(LINKED.filter((name) => fs.existsSync(path.join(ROOT, 'node_modules', name))));
  documented = snippets(ROOT);
  const sources = path.join(consumer, 'src');
  fs.mkdirSync(sources);
  for (const snippet of documented) {
    fs.writeFileSync(path.join(sources, snippet.name), snippet.source);
  }
  // The CSV snippet reads the file named in it from the app's directory.
  fs.copyFileSync(path.join(ROOT, 'examples', 'guardduty-members.csv'), path.join(consumer, 'guardduty-members.csv'));
  const program = ts.createProgram(documented.map((s) => path.join(sources, s.name)), {
    // cdk init app --language typescript
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2022.d.ts'],
    strict: true,
    noImplicitReturns: true,
    noFallthroughCasesInSwitch: true,
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [path.join(consumer, 'node_modules', '@types')],
    rootDir: sources,
    outDir: path.join(consumer, 'out'),
  });
  const emitted = program.emit();
  compiled = {};
  for (const diagnostic of [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics]) {
    const file = diagnostic.file ? path.basename(diagnostic.file.fileName) : '(options)';
    const at = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start) : undefined;
    (compiled[file] ??= []).push(`${at ? `line ${at.line + 1}: ` : ''}TS${diagnostic.code} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`);
  }
}, 120_000);

afterAll(() => consumer && fs.rmSync(consumer, { recursive: true, force: true }));

test('the documentation has snippets, from README.md at least', () => {
  expect(documented.length).toBeGreaterThanOrEqual(6);
  expect(documented.some((s) => s.where.startsWith('README.md'))).toBe(true);
});

test('every snippet compiles as written', () => {
  const failures = documented.filter((s) => compiled[s.name]).map((s) => `${s.where}:\n  ${compiled[s.name].join('\n  ')}`);
  expect(failures).toEqual([]);
  expect(compiled).toEqual({});
});

test('every snippet synthesizes', () => {
  // One node process runs them all (aws-cdk-lib loads once), each App into its own outdir.
  const runner = path.join(consumer, 'run-snippets.js');
  fs.writeFileSync(
    runner,
    `const fs = require('fs'); const path = require('path');
const failures = [];
for (const name of JSON.parse(process.argv[2])) {
  process.env.CDK_OUTDIR = fs.mkdtempSync(path.join(require('os').tmpdir(), 'snippet-out-'));
  try { require(path.join(__dirname, 'out', name.replace(/\\.ts$/, '.js'))); } catch (e) { failures.push(name + ': ' + (e && e.message)); }
}
process.stdout.write(JSON.stringify(failures));
`,
  );
  const runnable = documented.filter((s) => !compiled[s.name]);
  const output = execFileSync(process.execPath, [runner, JSON.stringify(runnable.map((s) => s.name))], { cwd: consumer, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const failures = (JSON.parse(output.slice(output.lastIndexOf('['))) as string[]).map((f) => `${documented.find((s) => f.startsWith(s.name))?.where}: ${f}`);
  expect(failures).toEqual([]);
}, 120_000);
