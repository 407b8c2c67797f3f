import * as fs from 'fs';

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

export interface PropertyRun {
  readonly name: string;
  readonly seed: number;
  /** Generated cases that ran to their end. */
  readonly cases: number;
  readonly numRuns: number;
  /** True when the time limit stopped the run before numRuns cases. */
  readonly interrupted: boolean;
  /** Distinct fault schedules among the cases (0 for properties without faults). */
  readonly faultSchedules: number;
  /** How many cases ended each notable way (the faults bit, a deadline stopped a run, ...). */
  readonly outcomes: Readonly<Record<string, number>>;
}

/**
 * What the lifecycle suite ran and what held, collected while it runs and written to
 * RELIABILITY.md at the end: every figure there comes from this record. Jest runs each
 * test file in its own module registry, so the one test file that owns the report
 * creates the record and the tests it declares report to it.
 */
export class ReliabilityReport {
  private readonly declared: string[] = [];
  private readonly finished = new Set<string>();
  private readonly scenarios: Array<{ readonly side: Side; readonly name: string }> = [];
  private readonly properties: PropertyRun[] = [];
  private readonly checks = new Map<InvariantId, number>();
  private readonly knownDefects: string[] = [];
  private badInputs = 0;

  /** A test whose completion counts: the report is written only if every such test finished. */
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
   * the handler is fixed; `defect` says what goes wrong today, for the report.
   */
  public knownDefect(name: string, defect: string, body: () => Promise<void>, timeoutMs?: number): void {
    this.knownDefects.push(`${defect} Shown by the failing test "${name}".`);
    test.failing(name, body, timeoutMs);
  }

  public held(invariant: InvariantId): void {
    this.checks.set(invariant, (this.checks.get(invariant) ?? 0) + 1);
  }

  public badInputTried(): void {
    this.badInputs += 1;
  }

  public propertyRan(run: PropertyRun): void {
    this.properties.push(run);
  }

  /** Tests declared through this record that did not finish (failed, skipped or filtered out). */
  public unfinished(): string[] {
    return this.declared.filter((name) => !this.finished.has(name));
  }

  public write(file: string, command: string): void {
    fs.writeFileSync(file, this.markdown(command));
  }

  private markdown(command: string): string {
    const cases = sum(this.properties.map((p) => p.cases));
    const schedules = sum(this.properties.map((p) => p.faultSchedules));
    const sides = Object.keys(SIDES) as Side[];
    const scenariosOf = (side: Side) => this.scenarios.filter((scenario) => scenario.side === side);
    const lines = [
      '# Reliability',
      '',
      `Written by \`test/lifecycle/lifecycle.test.ts\` at the end of a run in which all of its tests passed; every figure below is counted by the suite, none is written by hand. Reproduce it with \`${command}\`. The seeds are fixed, so every run generates the same cases; rate limits and deadlines run on the wall clock, so how a case ends, and with it the tallies and check counts, can differ a little from run to run, and a property stopped by its time limit on a slow machine runs fewer cases and says so below.`,
      '',
      'The suite synthesizes an administrator account\'s stack with `GuardDutyMemberInvitations` and a member account\'s stack with `GuardDutyInvitationAccepter`, loads each handler from its asset in the cloud assembly (the file Lambda would run, in a Node.js process of its own per Lambda container, with its own account\'s credentials), points them at the GuardDuty emulator in `test/support/guardduty-emulator/`, and sends them the requests CloudFormation sends through the CDK provider framework, with the properties from the synthesized templates. Each response is the body the framework would PUT to CloudFormation. On the member side the administrator\'s invitations come from the administrator\'s handler, deployed the same way.',
      '',
      '## Figures',
      '',
      '| What | Count |',
      '| --- | ---: |',
      `| Lifecycle scenarios run | ${this.scenarios.length} |`,
      ...sides.map((side) => `| … of them on the ${side} side | ${scenariosOf(side).length} |`),
      `| Properties checked with fast-check | ${this.properties.length} |`,
      `| Generated cases run | ${cases} |`,
      `| Distinct fault schedules among them | ${schedules} |`,
      `| Bad inputs tried through the provider framework | ${this.badInputs} |`,
      `| Invariant checks that held | ${sum([...this.checks.values()])} |`,
      `| Known defects (tests marked failing until fixed) | ${this.knownDefects.length} |`,
      '',
      'The handler unit tests (`test/handler/bad-input.test.ts`) try a larger table of bad inputs against the source; the figure above counts only those this suite sends to the shipped bundle.',
      '',
      '## Invariants',
      '',
      '| Invariant | Checks that held |',
      '| --- | ---: |',
      ...(Object.keys(INVARIANTS) as InvariantId[]).map((id) => `| ${INVARIANTS[id]} | ${this.checks.get(id) ?? 0} |`),
      '',
      '## Lifecycle scenarios',
      '',
      ...sides.flatMap((side) => [`### ${SIDES[side]}`, '', ...scenariosOf(side).map((scenario) => `- ${scenario.name}`), '']),
      '## Properties',
      '',
      '| Property | Seed | Cases run | Of numRuns | Stopped by the time limit | Fault schedules |',
      '| --- | ---: | ---: | ---: | --- | ---: |',
      ...this.properties.map((p) => `| ${p.name} | ${p.seed} | ${p.cases} | ${p.numRuns} | ${p.interrupted ? 'yes' : 'no'} | ${p.faultSchedules} |`),
      '',
      'How the generated cases went:',
      '',
      ...this.properties.flatMap((p) => [`- ${p.name}:`, ...Object.entries(p.outcomes).sort(([a], [b]) => a.localeCompare(b)).map(([outcome, count]) => `  - ${outcome}: ${count}`)]),
      '',
      'A failing property prints its seed and counterexample path; pass them to `fc.assert` as `{ seed, path }` to replay it.',
      '',
      '## Known defects',
      '',
      ...(this.knownDefects.length > 0 ? this.knownDefects.map((name) => `- ${name}`) : ['None.']),
      '',
      '## What these figures do not cover',
      '',
      '- The emulator gives an account one detector per region, with an ID derived from both, and has no DeleteDetector: the Update that changes the detector starts from a detector GuardDuty already deleted, so the Create on the old detector is not part of that scenario.',
      '- Runs on a small time budget keep members (RETAIN): a failed Create with DESTROY may spend a further 60 s removing its members, which a bounded test does not wait for.',
      '- The email verification property starts no account in EmailVerificationInProgress; one regression scenario covers an earlier run\'s invitation still being verified.',
      '- Latencies are milliseconds and the waiter polls every few milliseconds instead of every 30 s; GuardDuty\'s real throttling rates and the Lambda runtime itself are modelled, not measured.',
      '- On the member side the handler\'s clock moves on by the waiter\'s 30 s at each wait between polls, so the invitation deadline passes after as many polls as in AWS; the emulator\'s own timestamps (when an invitation was sent) stay on the wall clock. The administrator side waits for email verification on the wall clock.',
      '- The member side is not run here through an Update that changes the administrator or the detector (leaving one administrator for another); the handler tests cover that against a fake GuardDuty client.',
      '',
    ];
    return lines.join('\n');
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
