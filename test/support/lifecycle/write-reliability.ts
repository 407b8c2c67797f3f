/**
 * `npm run reliability`: runs the lifecycle suite and the handlers' bad-input tables, and
 * writes RELIABILITY.md from what they counted, only if every one of their tests passed.
 * The lifecycle files save their records in a directory made for the run
 * (RELIABILITY_RECORD_DIR); the handler tables are counted from Jest's JSON results, so
 * their files need no hook of their own. `npm test` runs the same tests and writes nothing.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FULL_PROPERTIES_VARIABLE } from './property-budget';
import { BadInputTally, RECORD_DIRECTORY_VARIABLE, ReliabilityRecord, reliabilityMarkdown } from './reliability-report';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const LIFECYCLE = path.join('test', 'lifecycle');
const HANDLER_TABLES = [path.join('test', 'handler', 'bad-input.test.ts'), path.join('test', 'accepter', 'bad-input.test.ts')];
const OUTPUT = path.join(ROOT, 'RELIABILITY.md');

interface JestResults {
  readonly success: boolean;
  readonly testResults: ReadonlyArray<{ readonly name: string; readonly assertionResults: ReadonlyArray<{ readonly title: string; readonly status: string }> }>;
}

function main(): number {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'guardduty-members-reliability-'));
  try {
    const resultsFile = path.join(directory, 'jest-results.json');
    const jest = spawnSync('npx', ['jest', LIFECYCLE, ...HANDLER_TABLES, '--maxWorkers=1', '--json', `--outputFile=${resultsFile}`], {
      cwd: ROOT,
      // One worker, as before jest.config.js asked for two: the figures RELIABILITY.md reports
      // (cases within each time limit, the 50,000-member run) come from one file at a time.
      // With the 50,000-member deployment (jest.config.js leaves it out of npm test), and every
      // property with its full budget (property-budget.ts: npm test runs a quarter of the cases).
      env: { ...process.env, [RECORD_DIRECTORY_VARIABLE]: directory, GUARDDUTY_MEMBERS_SCALE: '1', [FULL_PROPERTIES_VARIABLE]: '1' },
      stdio: 'inherit',
    });
    const results = fs.existsSync(resultsFile) ? (JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as JestResults) : undefined;
    if (jest.status !== 0 || !results?.success) {
      console.error(`RELIABILITY.md not written: the suites did not all pass (jest exited with ${jest.status ?? jest.signal}).`);
      return 1;
    }
    const records = fs
      .readdirSync(directory)
      .filter((file) => file.endsWith('.json') && file !== path.basename(resultsFile))
      .sort()
      .map((file) => JSON.parse(fs.readFileSync(path.join(directory, file), 'utf8')) as ReliabilityRecord);
    const lifecycleFiles = results.testResults.filter((r) => path.relative(ROOT, r.name).startsWith(LIFECYCLE + path.sep));
    const incomplete = records.filter((r) => r.unfinished.length > 0);
    if (records.length !== lifecycleFiles.length || incomplete.length > 0) {
      console.error(
        `RELIABILITY.md not written: ${records.length} records for ${lifecycleFiles.length} lifecycle files; unfinished: ${incomplete.flatMap((r) => r.unfinished).join('; ') || 'none'}`,
      );
      return 1;
    }
    fs.writeFileSync(OUTPUT, reliabilityMarkdown(records, handlerTables(results), 'npm run reliability'));
    console.log(`Wrote ${path.relative(ROOT, OUTPUT)} from ${records.length} lifecycle files and ${HANDLER_TABLES.length} handler tables.`);
    return 0;
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

/** The bad inputs of each handler table: its passing tests whose title says the input fails. */
function handlerTables(results: JestResults): BadInputTally[] {
  return HANDLER_TABLES.map((file) => {
    const result = results.testResults.find((r) => path.relative(ROOT, r.name) === file);
    if (!result) {
      throw new Error(`Jest ran no ${file}`);
    }
    const count = result.assertionResults.filter((a) => a.status === 'passed' && /\bfails?\b/i.test(a.title)).length;
    return { where: `\`${file}\`: the handler's source, called directly`, count };
  });
}

process.exitCode = main();
