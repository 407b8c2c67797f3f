import * as fs from 'fs';
import * as path from 'path';

/** The invariants the lifecycle suite checks, in the words RELIABILITY.md uses. */
export const INVARIANTS = {
  responseFits: 'Every response the provider framework sends to CloudFormation (status, reason, physical ID, stack ID, logical ID, data) is at most 4,096 bytes, on both sides.',
  everyAccountReportedOnce:
    'Every declared account is reported exactly once: invited now, already a member, or unprocessed with a reason (the handler log lists each account in exactly one of those lists), and InvitedAccountCount + AlreadyMemberAccountCount + UnprocessedAccountCount equals the declared count when nothing was removed.',
  noSecondInvitation: 'No account receives a second invitation while it is Invited, Enabled, Disabled or being verified; a re-run of the same request sends none.',
  failureBoundedAndNamed: 'A FAIL reason stays bounded (the message at most 1,500 bytes, on one line) and names at least one unprocessed account.',
  failsCleanlyInTime:
    'Under throttling (HTTP 429), 5xx and dropped connections the handler succeeds, or fails with a HandlerError before its deadline plus a margin; Lambda never has to stop it at its timeout.',
  convergesAfterFaults:
    'Once the faults stop, sending the same request again (a CloudFormation retry or a redeployment) succeeds, or with FAIL fails only for the accounts GuardDuty refuses; after a success every declared account GuardDuty accepts is invited or associated.',
  destroyLeavesNoMember: 'With RemovalPolicy DESTROY, Delete leaves none of the declared accounts as a member of the detector.',
  failedCreateRemovesWhatItCreated:
    'A failed Create with DESTROY removes the members it created (the framework answers the rollback Delete without calling the handler), and leaves the accounts that were members before.',
  rollbackKeepsPriorMembers:
    'A rollback (the Delete CloudFormation sends after a failed Create, the Update back after a failed Update) leaves every account that was a member before the failed step a member, with either removal policy.',
  retainMakesNoCall: 'With RemovalPolicy RETAIN, Delete makes no GuardDuty call, on either side.',
  physicalIdStable:
    'The physical ID is guardduty-members:<detector ID> (administrator side) or guardduty-administrator:<detector ID>:<administrator account ID> (member side): unchanged by an Update on the same detector and administrator, never changed by a Delete, the framework\'s CREATE_FAILED marker after a Create that onEvent failed.',
  noEmailDisclosed: 'No declared email address appears in a response to CloudFormation or in the handler log, on either side.',
  acceptedAtMostOnce:
    'The member accepts at most once: GuardDuty applies one AcceptAdministratorInvitation at most per resource, and none when the account is already associated with the declared administrator (a CloudFormation retry, an Update).',
  invitationWaitEndsAtDeadline:
    'A member Create whose invitation never arrives fails at the first isComplete poll at or after its invitationTimeout (on the waiter\'s clock), with a bounded, one-line HandlerError naming the administrator, the member account and the wait, long before the provider framework\'s own "Operation timed out".',
  conflictNamesBoth: 'A member associated with a different administrator fails with a bounded, one-line HandlerError naming both administrators, and nothing in GuardDuty is changed.',
  destroyLeavesAdministrator: 'With RemovalPolicy DESTROY, the member\'s Delete leaves the administrator its physical ID names: the administrator no longer sees it Enabled or Disabled.',
  acceptsOrFailsByDeadline:
    'Whatever the order of the administrator\'s invitation, the member\'s Create and the waiter\'s polls, and under throttling, 5xx and dropped connections, the member\'s Create succeeds with the account Enabled as the administrator sees it, or fails with a HandlerError no later than the first poll at or after its deadline.',
  settlesAsDeclared:
    'Organization side (the delegated administrator, the organization configuration, organization selections, the organization policy and its type): under throttling, 5xx and dropped connections on GuardDuty and Organizations, a request ends on its own; a success leaves GuardDuty and Organizations as declared; once the faults stop, the same request succeeds and leaves them as declared.',
  rollbackLeavesPrior:
    'Organization side: a failed Create or Update and the rollback CloudFormation sends after it leave what was there before the step: a delegation, trusted access, members or a policy type that existed stay, and the configuration or the policy is the old properties\' again.',
  deleteLeavesWhatItFound:
    'Organization side: a Delete removes only what the stack created: a policy type it found enabled stays enabled (only one it enabled is disabled, and only with disablePolicyTypeOnDelete), and with RemovalPolicy RETAIN the policy stays attached, with no Organizations call.',
  transientFaultsAbsorbed:
    'Organization side: a handful of transient faults (one to four throttles, 5xx or connections dropped before or after the change is applied, at any of the first three calls of an operation) never fails a request: the SDK\'s retries and the handler\'s re-reads absorb them.',
  monitorReportsTruth:
    'Monitors: a scheduled check under throttling, 5xx and dropped connections returns counts that match GuardDuty\'s member list and the declaration, or fails with an error before its Lambda timeout; healing re-invites only declared accounts that are not members or have left, at most once each per check, and no account invited within the re-invitation interval.',
} as const;

export type InvariantId = keyof typeof INVARIANTS;

/** The two sides of an invitation, each a construct with a handler of its own. */
export const SIDES = {
  administrator: 'Administrator account: `GuardDutyMemberInvitations`',
  member: 'Member account: `GuardDutyInvitationAccepter`',
} as const;

export type Side = keyof typeof SIDES;

export interface ScenarioOptions {
  /** @default 'administrator' */
  readonly side?: Side;
  readonly timeoutMs?: number;
}

/** The constructs whose handlers the lifecycle properties exercise, as RELIABILITY.md names them. */
export const PROPERTY_CONSTRUCTS = [
  'GuardDutyMemberInvitations',
  'GuardDutyInvitationAccepter',
  'GuardDutyOrganizationConfiguration',
  'GuardDutyDelegatedAdministrator',
  'GuardDutyMembershipMonitor',
  'GuardDutyAdministratorMonitor',
  'GuardDutyOrganizationPolicy',
] as const;

export type PropertyConstruct = (typeof PROPERTY_CONSTRUCTS)[number];

/**
 * A case's realized fault schedule: the ordered (operation, fault) pairs the emulator
 * actually injected, in the order the calls finished. Two cases whose generated schedules
 * differ (another seed, another rate) but that injected the same faults into the same
 * operations count once; a case that injected nothing is the empty schedule.
 */
export function faultSequence(calls: ReadonlyArray<{ readonly operation: string; readonly fault?: string }>): string {
  return calls.flatMap((call) => (call.fault === undefined ? [] : [`${call.operation}:${call.fault}`])).join(' ');
}

export interface PropertyRun {
  readonly name: string;
  readonly construct: PropertyConstruct;
  readonly seed: number;
  /** Generated cases that ran to their end. */
  readonly cases: number;
  readonly numRuns: number;
  /** True when the time limit stopped the run before numRuns cases. */
  readonly interrupted: boolean;
  /** Distinct realized fault schedules among the cases (faultSequence; 0 for properties without faults). */
  readonly faultSchedules: number;
  /** The schedules themselves, each as a short hash of its faultSequence: counted once per construct across its properties. */
  readonly scheduleKeys: readonly string[];
  /** How many cases ended each notable way (the faults bit, a deadline stopped a run, ...). */
  readonly outcomes: Readonly<Record<string, number>>;
}

/** Where the record of each lifecycle test file goes, when `npm run reliability` runs the suites. */
export const RECORD_DIRECTORY_VARIABLE = 'RELIABILITY_RECORD_DIR';

/** A bad input the suites tried, and where it ran. */
export interface BadInputTally {
  /** Where it ran: the test file, and what it reached (the handler's source, the shipped bundle through the framework). */
  readonly where: string;
  readonly count: number;
}

/** What one lifecycle test file ran and what held: the part of RELIABILITY.md it counts. */
export interface ReliabilityRecord {
  readonly suite: string;
  /** Tests declared through the record that did not finish (failed, skipped or filtered out). */
  readonly unfinished: readonly string[];
  readonly scenarios: ReadonlyArray<{ readonly side: Side; readonly name: string }>;
  readonly properties: readonly PropertyRun[];
  readonly checks: Partial<Record<InvariantId, number>>;
  readonly knownDefects: readonly string[];
  readonly badInputs: readonly BadInputTally[];
}

/**
 * What a lifecycle test file ran and what held, collected while it runs. Jest runs each
 * test file in its own module registry, so each file keeps its own record and saves it at
 * the end (`save()`), when `npm run reliability` runs the suites: that command gathers the
 * records and the handler tables' bad inputs into RELIABILITY.md. `npm test` writes nothing.
 */
export class ReliabilityReport {
  private readonly declared: string[] = [];
  private readonly finished = new Set<string>();
  private readonly scenarios: Array<{ readonly side: Side; readonly name: string }> = [];
  private readonly properties: PropertyRun[] = [];
  private readonly checks = new Map<InvariantId, number>();
  private readonly knownDefects: string[] = [];
  private readonly badInputs = new Map<string, number>();

  constructor(private readonly suite: string) {}

  /** A test whose completion counts: the record is complete only if every such test finished. */
  public test(name: string, body: () => Promise<void>, timeoutMs?: number): void {
    this.declared.push(name);
    test(
      name,
      async () => {
        await body();
        this.finished.add(name);
      },
      timeoutMs,
    );
  }

  /** A lifecycle scenario: a test that also counts as one scenario run, on its side. */
  public scenario(name: string, body: () => Promise<void>, options: ScenarioOptions = {}): void {
    this.test(
      name,
      async () => {
        await body();
        this.scenarios.push({ side: options.side ?? 'administrator', name });
      },
      options.timeoutMs,
    );
  }

  /**
   * A defect this suite found: `name` states the correct behaviour, the test fails until
   * the handler is fixed; `defect` says what goes wrong today, for the report. With
   * SHOW_KNOWN_DEFECTS=1 it runs as a plain test, to show where and why it fails.
   */
  public knownDefect(name: string, defect: string, body: () => Promise<void>, timeoutMs?: number): void {
    this.knownDefects.push(`${defect} Shown by the failing test "${name}".`);
    (process.env.SHOW_KNOWN_DEFECTS === '1' ? test : test.failing)(name, body, timeoutMs);
  }

  public held(invariant: InvariantId): void {
    this.checks.set(invariant, (this.checks.get(invariant) ?? 0) + 1);
  }

  /** One bad input tried, and where it ran. */
  public badInputTried(where: string): void {
    this.badInputs.set(where, (this.badInputs.get(where) ?? 0) + 1);
  }

  public propertyRan(run: PropertyRun): void {
    this.properties.push(run);
  }

  public record(): ReliabilityRecord {
    return {
      suite: this.suite,
      unfinished: this.declared.filter((name) => !this.finished.has(name)),
      scenarios: this.scenarios,
      properties: this.properties,
      checks: Object.fromEntries(this.checks),
      knownDefects: this.knownDefects,
      badInputs: [...this.badInputs].map(([where, count]) => ({ where, count })),
    };
  }

  /** Saves the record for `npm run reliability`, when that command runs the suite; otherwise does nothing. */
  public save(): void {
    const directory = process.env[RECORD_DIRECTORY_VARIABLE];
    if (directory) {
      fs.writeFileSync(path.join(directory, `${this.suite}.json`), JSON.stringify(this.record(), undefined, 2));
    }
  }
}

/** RELIABILITY.md from the lifecycle files' records and the bad inputs of the handler tables. */
export function reliabilityMarkdown(records: readonly ReliabilityRecord[], handlerTables: readonly BadInputTally[], command: string): string {
  const scenarios = records.flatMap((r) => r.scenarios);
  const properties = records.flatMap((r) => r.properties);
  const knownDefects = records.flatMap((r) => r.knownDefects);
  const badInputs = [...handlerTables, ...records.flatMap((r) => r.badInputs)];
  const checks = (id: InvariantId) => sum(records.map((r) => r.checks[id] ?? 0));
  const cases = sum(properties.map((p) => p.cases));
  // A schedule two properties of one construct both realized counts once for it.
  const schedulesOf = (construct: PropertyConstruct) => new Set(properties.filter((p) => p.construct === construct).flatMap((p) => p.scheduleKeys)).size;
  const schedules = sum(PROPERTY_CONSTRUCTS.map(schedulesOf));
  const sides = Object.keys(SIDES) as Side[];
  const scenariosOf = (side: Side) => scenarios.filter((scenario) => scenario.side === side);
  const lines = [
    '# Reliability',
    '',
    `Written by \`${command}\`, which runs the lifecycle suite (\`test/lifecycle/\`) and the handlers' bad-input tables, and writes this file only when every one of their tests passed; every figure below is counted by the suites, none is written by hand. \`npm test\` runs the same tests and leaves this file alone. The seeds are fixed, so every run generates the same cases; rate limits and deadlines run on the wall clock, so how a case ends, and with it the tallies and check counts, can differ a little from run to run, and a property stopped by its time limit on a slow machine runs fewer cases and says so below.`,
    '',
    'The suite synthesizes an administrator account\'s stack with `GuardDutyMemberInvitations` and a member account\'s stack with `GuardDutyInvitationAccepter`, and deploys them as AWS would run them: aws-cdk-lib\'s own provider framework functions and the library\'s handlers, each loaded from its asset in the cloud assembly and run in a Node.js process of its own per Lambda container, with the environment variables of the template. The framework reaches the local Lambda (Invoke), Step Functions (StartExecution; the waiter runs from the state machine definition in the template, its retries and catch as Step Functions runs them, time compressed) and the HTTPS response URL on 127.0.0.1; the handlers reach the GuardDuty emulator in `test/support/guardduty-emulator/` and CloudFormation (DescribeStacks). The requests are CloudFormation\'s, with the properties from the synthesized templates, and what CloudFormation sends after a response (a rollback, the cleanup of a replaced resource) follows from the response the framework sent. On the member side the administrator\'s invitations come from the administrator\'s handler, deployed the same way. The organization side is deployed the same way: `GuardDutyDelegatedAdministrator` from the management account, `GuardDutyOrganizationConfiguration` from the delegated administrator, and `GuardDutyMemberInvitations` with `OrganizationMembers`, their handlers also reaching the emulator\'s AWS Organizations endpoint, which injects faults of its own (a throttle is Organizations\' HTTP 400 TooManyRequestsException). The monitors\' scheduled functions run from their assets the same way, invoked as EventBridge invokes them.',
    '',
    '## Figures',
    '',
    '| What | Count |',
    '| --- | ---: |',
    `| Lifecycle scenarios run | ${scenarios.length} |`,
    ...sides.map((side) => `| … of them on the ${side} side | ${scenariosOf(side).length} |`),
    `| Properties checked with fast-check | ${properties.length} |`,
    `| Generated cases run | ${cases} |`,
    `| Distinct fault schedules among them | ${schedules} |`,
    `| Bad inputs tried | ${sum(badInputs.map((b) => b.count))} |`,
    `| Invariant checks that held | ${sum((Object.keys(INVARIANTS) as InvariantId[]).map(checks))} |`,
    `| Known defects (tests marked failing until fixed) | ${knownDefects.length} |`,
    '',
    '## Properties per construct',
    '',
    'A case\'s fault schedule is counted as it was realized, not as it was generated: the ordered list of (operation, fault kind) pairs the emulator injected in the case, from its call log. Cases whose generated schedules differ only in their random seed or rates but that injected the same faults into the same operations count once, and every case that injected nothing counts as the one empty schedule. A construct\'s count is over all its properties: a schedule two of them realized counts once.',
    '',
    '| Construct | Properties | Generated cases | Distinct fault schedules |',
    '| --- | ---: | ---: | ---: |',
    ...PROPERTY_CONSTRUCTS.map((construct) => {
      const of = properties.filter((p) => p.construct === construct);
      return `| \`${construct}\` | ${of.length} | ${sum(of.map((p) => p.cases))} | ${schedulesOf(construct)} |`;
    }),
    '',
    '## Bad inputs tried',
    '',
    'Each is a request whose properties are malformed, sent until the handler fails it with a HandlerError naming the bad value and no GuardDuty call. In the handler tables a test is counted when its title says the input fails; each table runs once per request type.',
    '',
    '| Where | Bad inputs |',
    '| --- | ---: |',
    ...badInputs.map((b) => `| ${b.where} | ${b.count} |`),
    '',
    '## Invariants',
    '',
    '| Invariant | Checks that held |',
    '| --- | ---: |',
    ...(Object.keys(INVARIANTS) as InvariantId[]).map((id) => `| ${INVARIANTS[id]} | ${checks(id)} |`),
    '',
    '## Lifecycle scenarios',
    '',
    ...sides.flatMap((side) => [`### ${SIDES[side]}`, '', ...scenariosOf(side).map((scenario) => `- ${scenario.name}`), '']),
    '## Properties',
    '',
    '| Property | Construct | Seed | Cases run | Of numRuns | Stopped by the time limit | Fault schedules |',
    '| --- | --- | ---: | ---: | ---: | --- | ---: |',
    ...properties.map((p) => `| ${p.name} | \`${p.construct}\` | ${p.seed} | ${p.cases} | ${p.numRuns} | ${p.interrupted ? 'yes' : 'no'} | ${p.faultSchedules} |`),
    '',
    'How the generated cases went:',
    '',
    ...properties.flatMap((p) => [`- ${p.name}:`, ...Object.entries(p.outcomes).sort(([a], [b]) => a.localeCompare(b)).map(([outcome, count]) => `  - ${outcome}: ${count}`)]),
    '',
    'A failing property prints its seed and counterexample path; pass them to `fc.assert` as `{ seed, path }` to replay it.',
    '',
    '## Known defects',
    '',
    ...(knownDefects.length > 0 ? knownDefects.map((defect) => `- ${defect}`) : ['None.']),
    '',
    '## What these figures do not cover',
    '',
    '- The emulator gives an account one detector per region, with an ID derived from both, and has no DeleteDetector: the Update that changes the detector starts from a detector GuardDuty already deleted, so the Create on the old detector is not part of that scenario.',
    '- Runs on a small time budget keep members (RETAIN): a failed Create with DESTROY may spend a further 60 s removing its members, which a bounded test does not wait for.',
    '- The email verification property starts no account in EmailVerificationInProgress; one regression scenario covers an earlier run\'s invitation still being verified.',
    '- Latencies are milliseconds and the waiter retries every few milliseconds instead of every 30 s (the number of attempts is the template\'s); GuardDuty\'s real throttling rates and the Lambda runtime itself are modelled, not measured. Lambda\'s retries of CloudFormation\'s asynchronous invocation of the framework (when the framework cannot send its response) are not modelled.',
    '- The provider framework reaches the response URL through a default HTTPS port set in its process (the S3 URL has no port, and the framework drops any); everything else about its request, TLS verification included, is as in AWS.',
    '- On the member side the handler\'s clock moves on by the waiter\'s 30 s at each wait between polls, so the invitation deadline passes after as many polls as in AWS; the emulator\'s own timestamps (when an invitation was sent) stay on the wall clock. The administrator side waits for email verification on the wall clock, or until a scenario settles it between two polls.',
    '- The member side is not run here through an Update that changes the administrator or the detector (leaving one administrator for another); the handler tests cover that against a fake GuardDuty client.',
    '',
  ];
  return lines.join('\n');
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
