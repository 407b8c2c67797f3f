import * as fs from 'fs';
import * as path from 'path';

/**
 * The TypeScript snippets of README.md and docs/*.md, as a user would paste them.
 *
 * Each ```ts block is one of three kinds, told from its text:
 * - a **program** (it makes its own `new App()`): it runs as written;
 * - the **body of a Stack's constructor** (anything else, as the README's
 *   `// in the constructor of your Stack:` snippets): its imports are hoisted and the rest
 *   becomes the constructor body of a Stack in an App, which is synthesized;
 * - a block under a heading named "Testing your stacks": these run in order, as one file
 *   (the first is a program, the later ones continue it), with jest's `expect` imported
 *   as a test file has it global.
 * A block whose first line is `// not compiled: <why>` is left out, and says why.
 */
export interface Snippet {
  /** `README.md:13 (# cdk-guardduty-members)`: where the block starts, and its heading. */
  readonly where: string;
  /** A file name for the compiled snippet. */
  readonly name: string;
  /** The TypeScript source that runs: the block, wrapped as its kind needs. */
  readonly source: string;
}

interface Block {
  readonly file: string;
  readonly line: number;
  readonly heading: string;
  readonly code: string;
}

const TESTING_HEADING = /^#+ Testing your stacks/;

export function documentationFiles(root: string): string[] {
  const docs = path.join(root, 'docs');
  const pages = fs.existsSync(docs) ? fs.readdirSync(docs).filter((f) => f.endsWith('.md')).sort().map((f) => path.join('docs', f)) : [];
  return ['README.md', ...pages];
}

export function extractBlocks(file: string, text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split('\n');
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    if (/^#+ /.test(lines[i])) {
      heading = lines[i];
    }
    const fence = /^```(ts|typescript)\s*$/.exec(lines[i]);
    if (!fence) {
      continue;
    }
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i].startsWith('```'); i++) {
      body.push(lines[i]);
    }
    blocks.push({ file, line: start + 1, heading, code: body.join('\n') });
  }
  return blocks;
}

/** Every snippet of the documentation under `root`, wrapped to run. */
export function snippets(root: string): Snippet[] {
  const result: Snippet[] = [];
  for (const file of documentationFiles(root)) {
    const blocks = extractBlocks(file, fs.readFileSync(path.join(root, file), 'utf8')).filter((b) => !/^\/\/ not compiled: /.test(b.code));
    const testing = blocks.filter((b) => TESTING_HEADING.test(b.heading));
    for (const block of blocks.filter((b) => !testing.includes(b))) {
      const where = `${block.file}:${block.line} (${block.heading})`;
      result.push({ where, name: snippetName(block), source: /\bnew App\(/.test(block.code) ? block.code + '\n' : stackBody(block.code) });
    }
    if (testing.length > 0) {
      const where = `${file}:${testing.map((b) => b.line).join('+')} (${testing[0].heading}, in order)`;
      result.push({ where, name: snippetName(testing[0]), source: asTestFile(testing.map((b) => b.code)) });
    }
  }
  return result;
}

function snippetName(block: Block): string {
  return `${block.file.replace(/[^A-Za-z0-9]+/g, '-')}-${block.line}.ts`;
}

/** Splits off the import declarations (which may span lines) from the rest. */
function splitImports(code: string): { imports: string[]; rest: string[] } {
  const imports: string[] = [];
  const rest: string[] = [];
  const lines = code.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (/^import /.test(lines[i])) {
      let statement = lines[i];
      while (!/;\s*$/.test(statement) && i + 1 < lines.length) {
        statement += '\n' + lines[++i];
      }
      imports.push(statement);
    } else {
      rest.push(lines[i]);
    }
  }
  return { imports, rest };
}

function stackBody(code: string): string {
  const { imports, rest } = splitImports(code);
  return [
    ...imports,
    "import { App as SnippetApp, Stack as SnippetStackBase } from 'aws-cdk-lib';",
    "import { Construct as SnippetConstruct } from 'constructs';",
    '',
    'class SnippetStack extends SnippetStackBase {',
    '  constructor(scope: SnippetConstruct, id: string) {',
    // Environment-agnostic, as `cdk init` makes a stack: the administrator's and a
    // member's snippets both fit it.
    '    super(scope, id);',
    ...rest.map((line) => (line ? `    ${line}` : line)),
    '  }',
    '}',
    '',
    'const snippetApp = new SnippetApp();',
    "new SnippetStack(snippetApp, 'Snippet');",
    'snippetApp.synth();',
    '',
  ].join('\n');
}

function asTestFile(codes: string[]): string {
  const { imports, rest } = splitImports(codes.join('\n'));
  // In a jest test file `expect` is a global; here it comes from jest's own package.
  return ["import { expect } from 'expect';", ...imports, ...rest, ''].join('\n');
}
