import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import fc from 'fast-check';
import { GuardDutyMemberInvitationsProps, MemberAccount } from '../../../lib';
import { GuardDutyEmulator, RelationshipStatus } from '../guardduty-emulator';
import { attributeError } from './attribute-check';
import { followUpRequest } from './cloudformation-requests';
import { Invariants } from './invariants';
import { LambdaContainer } from './lambda-container';
import { LocalAws } from './local-aws/local-aws';
import { Delivery, DeliveryOptions, ProviderFramework, ProviderFrameworkOptions } from './provider-framework';
import { propertyBudget } from './property-budget';
import { ReliabilityReport } from './reliability-report';
import { ResourceEvents, resourceEvents } from './resource-events';
import { StackSettings, SynthesizedStack, WaiterSettings, removeSynthesizedAssemblies, synthesizeInvitations } from './synthesized-stack';

/**
 * What every lifecycle test file shares: the administrator's stack settings, the GuardDuty
 * emulator and the local AWS services (LocalAws) for the file, deployments of synthesized
 * stacks behind aws-cdk-lib's provider framework, and the record of what held, which
 * `npm run reliability` gathers into RELIABILITY.md.
 */

export const ADMIN = '111111111111';
export const REGION = 'ap-southeast-2';
export const STACK: StackSettings = { account: ADMIN, region: REGION, stackName: 'security-tooling-guardduty-administrator-production' };
/** A long construct ID: the logical ID counts against the 4,096-byte response. */
export const CONSTRUCT_ID = 'OrganizationMembersSecurityToolingProduction';
export const OTHER_ADMINISTRATOR = '999999999999';

export function account(n: number): MemberAccount {
  const accountId = String(200_000_000_000 + n);
  return { accountId, email: `aws-root+${accountId}@example.com` };
}

export const ids = (members: readonly MemberAccount[]) => members.map((m) => m.accountId);

export const physicalId = (detector: string) => `guardduty-members:${detector}`;

/**
 * A template's properties with the member list inline (`Members`) instead of the asset
 * (`MemberList`) the construct writes: for properties generated per case, without an
 * asset per case. The handler takes both forms (a list holding tokens stays inline).
 */
export function withInlineMembers(properties: Record<string, unknown>, members: ReadonlyArray<{ accountId: string; email: string }>): Record<string, unknown> {
  const inline: Record<string, unknown> = { ...properties, Members: members.map((m) => ({ AccountId: m.accountId, Email: m.email })) };
  delete inline.MemberList;
  return inline;
}

/** One custom resource across versions of the app: each version synthesized, same construct ID. */
export interface Deployment {
  readonly events: ResourceEvents;
  /** The template's properties in each version, in order. */
  readonly properties: ReadonlyArray<Record<string, unknown>>;
  /** The provider's waiter (its interval and attempts), when it has an isComplete step. */
  readonly waiter?: WaiterSettings;
  /** Sends one request through the framework and checks what every response must hold. */
  send(event: CloudFormationCustomResourceEvent, options?: DeliveryOptions): Promise<Delivery>;
  /**
   * Sends what CloudFormation sends next after `delivery` answered `event` (a rollback, or
   * the cleanup of a replaced resource; see cloudformation-requests.ts), and returns its
   * answer, or undefined when CloudFormation sends nothing more.
   */
  followUp(event: CloudFormationCustomResourceEvent, delivery: Delivery, options?: DeliveryOptions): Promise<Delivery | undefined>;
  /** Ends the framework's Lambda containers before the test ends (afterEach ends them anyway). */
  stop(): void;
}

export interface PropertyParameters<T> {
  readonly seed: number;
  /** Replays one case: the path fast-check printed for a failure (with its seed). @default every case */
  readonly path?: string;
  /** The cases of the full budget (`npm run test:slow`, `npm run reliability`); see propertyBudget. */
  readonly numRuns: number;
  readonly timeLimitMs: number;
  readonly schedule?: (value: T) => string;
}

export interface LifecycleHarness {
  readonly report: ReliabilityReport;
  readonly check: Invariants;
  readonly emulator: GuardDutyEmulator;
  readonly aws: LocalAws;
  /** The administrator's detector, seeded before each test. */
  readonly detectorId: string;
  /** One GuardDutyMemberInvitations across versions of the administrator's app. */
  deployment(versions: readonly GuardDutyMemberInvitationsProps[], target?: GuardDutyEmulator, pollIntervalMs?: number): Deployment;
  /** The versions of one stack's custom resource behind a provider framework of its own. */
  deployed(synthesized: readonly SynthesizedStack[], settings: StackSettings, target: GuardDutyEmulator, emails: readonly string[], options: ProviderFrameworkOptions): Deployment;
  /** The administrator's members and their relationship status. */
  statuses(target?: GuardDutyEmulator): Record<string, RelationshipStatus>;
  /** How many invitations each account received. */
  invitations(members: readonly MemberAccount[], target?: GuardDutyEmulator): number[];
  /** A fast-check property, bounded in cases and time, recorded in the report. */
  checkProperty<T>(name: string, arbitrary: fc.Arbitrary<T>, body: (value: T) => Promise<readonly string[]>, params: PropertyParameters<T>): Promise<void>;
}

/**
 * Sets up a lifecycle test file: starts the emulator and the local AWS services before
 * its tests, seeds the administrator's detector before each, ends each test's Lambda
 * containers after it, and at the end stops everything and saves the file's reliability
 * record (when `npm run reliability` asked for it and every test of the file passed).
 */
export function lifecycleHarness(suite: string): LifecycleHarness {
  const report = new ReliabilityReport(suite);
  const check = new Invariants(report);
  const frameworks: ProviderFramework[] = [];
  let emulator: GuardDutyEmulator;
  let aws: LocalAws;
  let detectorId: string;

  beforeAll(async () => {
    [emulator, aws] = await Promise.all([GuardDutyEmulator.start(), LocalAws.start()]);
  });
  beforeEach(() => {
    emulator.reset();
    detectorId = emulator.seedDetector(ADMIN, REGION);
  });
  afterEach(() => frameworks.splice(0).forEach((framework) => framework.stop()));
  afterAll(async () => {
    LambdaContainer.stopAll();
    await Promise.all([emulator?.stop(), aws?.stop()]);
    removeSynthesizedAssemblies();
    report.save();
  });

  const harness: LifecycleHarness = {
    report,
    check,
    get emulator() {
      return emulator;
    },
    get aws() {
      return aws;
    },
    get detectorId() {
      return detectorId;
    },

    deployment(versions, target = emulator, pollIntervalMs) {
      const synthesized = versions.map((props) => synthesizeInvitations({ [CONSTRUCT_ID]: props }, STACK));
      const emails = versions.flatMap((v) => (v.members ?? []).map((m) => m.email));
      return harness.deployed(synthesized, STACK, target, emails, { pollIntervalMs });
    },

    /** Every response gets its checks: the envelope, the 4,096-byte bound, no email disclosed. */
    deployed(synthesized, settings, target, emails, options) {
      const resources = synthesized.map((s) => s.resources[0]);
      expect(new Set(resources.map((r) => r.logicalId)).size).toBe(1);
      const stack = synthesized[0];
      // What cdk deploy uploads with the stack: the member-list assets the handler reads.
      // Uploaded again before each request, as each deployment does: a test may reset the
      // emulator (its S3 objects too) between requests.
      const upload = () => synthesized.flatMap((s) => s.objects).forEach((o) => target.s3.put(o.bucket, o.key, o.body));
      upload();
      const framework = new ProviderFramework(stack, { aws, endpoint: target.endpoint, organizationsEndpoint: target.organizationsEndpoint, region: settings.region, credentials: target.credentialsFor(settings.account) }, options);
      frameworks.push(framework);
      const events = resourceEvents(stack, resources[0]);
      const send = async (event: CloudFormationCustomResourceEvent, deliveryOptions?: DeliveryOptions) => {
        upload();
        const delivery = await framework.deliver(event, deliveryOptions);
        await target.settled();
        expect(delivery.response).toMatchObject({ StackId: stack.stackId, RequestId: event.RequestId, LogicalResourceId: resources[0].logicalId });
        check.responseFits(delivery);
        check.noEmailDisclosed(delivery, emails);
        // CloudFormation's own check of a successful response: every attribute the stack reads.
        expect(attributeError(event.RequestType, delivery.response, stack.attributesRead[resources[0].logicalId] ?? [])).toBeUndefined();
        return delivery;
      };
      return {
        events,
        properties: resources.map((r) => r.properties),
        waiter: stack.waiter,
        send,
        async followUp(event, delivery, deliveryOptions) {
          const next = followUpRequest(events, event, delivery);
          return next && send(next.event, { ...deliveryOptions, stackStatus: next.stackStatus });
        },
        stop: () => framework.stop(),
      };
    },

    statuses(target = emulator) {
      return Object.fromEntries(target.members(ADMIN, REGION).map((m) => [m.accountId, m.relationshipStatus]));
    },

    invitations(members, target = emulator) {
      return members.map((m) => target.invitationsSentTo(m.accountId));
    },

    /**
     * Runs a fast-check property bounded in cases and time (propertyBudget), with a fixed
     * seed, and records the run. Each case returns labels for what happened in it, tallied in the report. A
     * failure rethrows fast-check's report (seed, path, counterexample) and the cause, so it
     * can be replayed. fast-check stops waiting for a case at the time limit but cannot stop
     * it: the case still running is awaited before the next test uses the emulator.
     */
    async checkProperty(name, arbitrary, body, params) {
      let cases = 0;
      const schedules = new Set<string>();
      const outcomes: Record<string, number> = {};
      let running: Promise<unknown> = Promise.resolve();
      const property = fc.asyncProperty(arbitrary, async (value) => {
        const current = running.catch(() => undefined).then(() => body(value));
        running = current;
        const labels = await current;
        cases += 1;
        labels.forEach((label) => (outcomes[label] = (outcomes[label] ?? 0) + 1));
        if (params.schedule) {
          schedules.add(params.schedule(value));
        }
      });
      const budget = propertyBudget(params);
      const details = await fc.check(property, { seed: params.seed, path: params.path, numRuns: budget.numRuns, endOnFailure: true, plugins: [fc.interruptAfterTimeLimit(budget.timeLimitMs)] });
      await running.catch(() => undefined);
      if (details.failed) {
        const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
        throw new Error(`Property "${name}" failed (seed ${params.seed}):\n${fc.defaultReportMessage(details)}\n\nCause: ${cause}`);
      }
      report.propertyRan({ name, seed: params.seed, cases, numRuns: budget.numRuns, interrupted: details.interrupted, faultSchedules: schedules.size, outcomes });
    },
  };
  return harness;
}
