import { parseArgs } from 'node:util';

/** Everything a bench run can be told on the command line, with the defaults applied. */
export interface BenchOptions {
  /** Member counts of the invitation and re-run scenarios. */
  readonly sizes: readonly number[];
  /** Emulator latency added to every call. */
  readonly latencyMs: number;
  /** The emulator's token bucket: sustained calls per second... */
  readonly ratePerSecond: number;
  /** ...and how many calls it lets through at once after a quiet spell. */
  readonly burst: number;
  /** Runs per measurement; undefined: 5 up to 500 members, 3 above (see runsFor). */
  readonly runs?: number;
  /** Largest N the per-account flow is measured at; above it the report gives an estimate. */
  readonly maxPerAccount: number;
  /** Accounts the per-account flow works on at once (Terraform's default -parallelism). */
  readonly perAccountConcurrency: number;
  /** Members of the mixed-update scenario, and the share of them removed and added. */
  readonly mixedMembers: number;
  readonly mixedChangeShare: number;
  /** Fresh processes started for the cold-start figures. */
  readonly coldStartRuns: number;
  /** Member counts of the synthesis scenario. */
  readonly synthSizes: readonly number[];
  /** Member counts of the email verification wait (scenario 6). */
  readonly verificationSizes: readonly number[];
  /** How long the emulator keeps an invited account EmailVerificationInProgress. */
  readonly verificationDelayMs: number;
  /** The extra verification row: this many of `verificationFailureMembers` accounts fail verification. */
  readonly verificationFailures: number;
  readonly verificationFailureMembers: number;
  /** The waiter's query interval in scenarios 6 and 7, in place of the provider's 30 s. */
  readonly pollIntervalMs: number;
  /** Member accounts of the accepter journey (scenario 7). */
  readonly accepterMembers: readonly number[];
  /** Member stacks whose accepter runs at once in scenario 7. */
  readonly accepterConcurrency: number;
  /** Declared members of the membership monitor's check (scenario 9). */
  readonly monitorSizes: readonly number[];
  /** Scenario 8: members of the run that spans several invocations, and each invocation's budget (the time left the Lambda context reports). */
  readonly continuedMembers: number;
  readonly continuedBudgets: ReadonlyArray<{ readonly onEventMs: number; readonly isCompleteMs: number }>;
  /** Scenario 10: organization accounts and outside accounts in one declaration, under a delegated administrator. */
  readonly mixedFleet: { readonly organization: number; readonly outside: number };
  /** Scenario 11: accounts listed in each administrator stack of the regional rollout. */
  readonly regionalSynthMembers: number;
  /** The scenarios to run, by number (1 to 11). */
  readonly scenarios: ReadonlySet<number>;
  readonly quick: boolean;
  /** Where the report goes. */
  readonly out: string;
  /** The command line, as the report shows it. */
  readonly command: string;
}

const ALL_SCENARIOS: readonly number[] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

const USAGE = `Usage: npm run bench -- [options]

  --sizes 50,500,1000,5000   members per invitation and re-run scenario
  --latency-ms 30            emulator latency per call
  --rate 10                  emulator rate limit, calls per second (token bucket)
  --burst 10                 token bucket size (default: the rate, one second of calls)
  --runs N                   runs per measurement (default: 5 up to 500 members, 3 above)
  --max-per-account 1000     largest N the per-account flow runs at; larger N get an estimate
  --concurrency 10           accounts the per-account flow works on at once
  --mixed-members 1000       members of the mixed-update scenario (10% removed, 10% added)
  --cold-start-runs 15       fresh processes for the cold-start figures (at least 10)
  --synth-sizes 100,1000,5000
  --verification-sizes 50,500,1000
                             members per email verification wait (scenario 6)
  --verification-delay-ms 2000
                             how long the emulator takes to verify an invited account's email
  --verification-failures 10 accounts whose verification fails, in one extra row...
  --verification-failure-members 500
                             ...of this many members
  --poll-interval-ms 500     the waiter's query interval in scenarios 6 and 7 (the provider's is 30 s)
  --accepter-members 1,10,50 member accounts in the accepter journey (scenario 7)
  --accepter-concurrency 10  member stacks whose accepter runs at once
  --monitor-sizes 5000,50000 declared members per membership monitor check (scenario 9)
  --continued-members 50000  members of scenario 8, a run over several invocations
  --continued-budgets-s 180/300,600/300
                             scenario 8 runs, each with the time left onEvent's and each
                             isComplete call's Lambda context reports, in seconds
  --mixed-fleet 4000/1000    organization/outside accounts of the mixed-fleet scenario (10)
  --regional-synth-members 5000
                             accounts listed in each administrator stack of scenario 11
                             (synthesis of 1, 10 and every region)
  --scenarios 1,2,3,4,5,6,7,8,9,10,11
                             which scenarios to run
  --quick                    smoke run in under a minute (small N, one run each)
  --out PATH                 report file (default: BENCHMARKS.md; with --quick, a temp file)
  --help`;

/** Parses `argv` (without node and the script); prints usage and exits on --help or a bad value. */
export function parseBenchOptions(argv: readonly string[], defaultOut: string, quickOut: string): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      sizes: { type: 'string' },
      'latency-ms': { type: 'string' },
      rate: { type: 'string' },
      burst: { type: 'string' },
      runs: { type: 'string' },
      'max-per-account': { type: 'string' },
      concurrency: { type: 'string' },
      'mixed-members': { type: 'string' },
      'cold-start-runs': { type: 'string' },
      'synth-sizes': { type: 'string' },
      'verification-sizes': { type: 'string' },
      'verification-delay-ms': { type: 'string' },
      'verification-failures': { type: 'string' },
      'verification-failure-members': { type: 'string' },
      'poll-interval-ms': { type: 'string' },
      'accepter-members': { type: 'string' },
      'accepter-concurrency': { type: 'string' },
      'monitor-sizes': { type: 'string' },
      'continued-members': { type: 'string' },
      'continued-budgets-s': { type: 'string' },
      scenarios: { type: 'string' },
      'mixed-fleet': { type: 'string' },
      'regional-synth-members': { type: 'string' },
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const quick = values.quick ?? false;
  const ratePerSecond = positive(values.rate, 'rate', 10);
  const verificationFailureMembers = positive(values['verification-failure-members'], 'verification-failure-members', quick ? 50 : 500);
  const verificationFailures = whole(values['verification-failures'], 'verification-failures', quick ? 5 : 10);
  if (verificationFailures > verificationFailureMembers) {
    fail(`--verification-failures (${verificationFailures}) cannot exceed --verification-failure-members (${verificationFailureMembers})`);
  }
  const scenarios = list(values.scenarios, 'scenarios', [...ALL_SCENARIOS]);
  if (scenarios.some((n) => !ALL_SCENARIOS.includes(n))) {
    fail(`--scenarios takes numbers from ${ALL_SCENARIOS.join(', ')}, got ${JSON.stringify(values.scenarios)}`);
  }
  return {
    sizes: list(values.sizes, 'sizes', quick ? [50, 200] : [50, 500, 1_000, 5_000]),
    latencyMs: whole(values['latency-ms'], 'latency-ms', 30),
    ratePerSecond,
    burst: positive(values.burst, 'burst', ratePerSecond),
    runs: values.runs === undefined ? (quick ? 1 : undefined) : positive(values.runs, 'runs', 1),
    maxPerAccount: whole(values['max-per-account'], 'max-per-account', quick ? 50 : 1_000),
    perAccountConcurrency: positive(values.concurrency, 'concurrency', 10),
    mixedMembers: positive(values['mixed-members'], 'mixed-members', quick ? 200 : 1_000),
    mixedChangeShare: 0.1,
    coldStartRuns: positive(values['cold-start-runs'], 'cold-start-runs', quick ? 3 : 15),
    synthSizes: list(values['synth-sizes'], 'synth-sizes', quick ? [100, 500] : [100, 1_000, 5_000]),
    verificationSizes: list(values['verification-sizes'], 'verification-sizes', quick ? [50, 200] : [50, 500, 1_000]),
    verificationDelayMs: whole(values['verification-delay-ms'], 'verification-delay-ms', quick ? 500 : 2_000),
    verificationFailures,
    verificationFailureMembers,
    pollIntervalMs: positive(values['poll-interval-ms'], 'poll-interval-ms', 500),
    accepterMembers: list(values['accepter-members'], 'accepter-members', quick ? [1, 5] : [1, 10, 50]),
    accepterConcurrency: positive(values['accepter-concurrency'], 'accepter-concurrency', 10),
    monitorSizes: list(values['monitor-sizes'], 'monitor-sizes', quick ? [500, 2_000] : [5_000, 50_000]),
    // Quick: 2,500 members (150 calls, 15 s at 10/s) with budgets that leave 13 s and 55 s
    // of work after the handler's 65 s reserve, so the run still spans invocations.
    continuedMembers: positive(values['continued-members'], 'continued-members', quick ? 2_500 : 50_000),
    continuedBudgets: budgets(values['continued-budgets-s'], quick ? '78/120' : '180/300,600/300'),
    mixedFleet: mixedFleetOf(values['mixed-fleet'], quick ? '400/100' : '4000/1000'),
    regionalSynthMembers: positive(values['regional-synth-members'], 'regional-synth-members', quick ? 500 : 5_000),
    scenarios: new Set(scenarios),
    quick,
    out: values.out ?? (quick ? quickOut : defaultOut),
    command: ['npm run bench', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' '),
  };
}

/** Runs per measurement at `members`: more where a run is short and noisy, fewer where it is long. */
export function runsFor(options: BenchOptions, members: number): number {
  return options.runs ?? (members <= 500 ? 5 : 3);
}

function whole(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined) {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    fail(`--${name} must be a whole number, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function positive(raw: string | undefined, name: string, fallback: number): number {
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    fail(`--${name} must be a positive number, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function list(raw: string | undefined, name: string, fallback: number[]): number[] {
  if (raw === undefined) {
    return fallback;
  }
  const values = raw.split(',').map((part) => Number(part.trim()));
  if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v < 1)) {
    fail(`--${name} must be a comma-separated list of whole numbers, got ${JSON.stringify(raw)}`);
  }
  return values;
}

/** "180/300,600/300": onEvent/isComplete budgets in seconds, as milliseconds. */
function budgets(raw: string | undefined, fallback: string): Array<{ onEventMs: number; isCompleteMs: number }> {
  return (raw ?? fallback).split(',').map((pair) => {
    const [onEvent, isComplete, extra] = pair.split('/').map((part) => Number(part.trim()));
    if (extra !== undefined || !(onEvent > 0) || !(isComplete > 0)) {
      fail(`--continued-budgets-s takes onEvent/isComplete pairs in seconds, such as 180/300,600/300; got ${JSON.stringify(raw)}`);
    }
    return { onEventMs: onEvent * 1_000, isCompleteMs: isComplete * 1_000 };
  });
}

/** "4000/1000": organization accounts / outside accounts. */
function mixedFleetOf(raw: string | undefined, fallback: string): { organization: number; outside: number } {
  const [organization, outside, extra] = (raw ?? fallback).split('/').map((part) => Number(part.trim()));
  if (extra !== undefined || !Number.isInteger(organization) || !Number.isInteger(outside) || organization < 0 || outside < 0 || organization + outside < 1) {
    fail(`--mixed-fleet takes organization/outside account counts, such as 4000/1000; got ${JSON.stringify(raw)}`);
  }
  return { organization, outside };
}

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}
