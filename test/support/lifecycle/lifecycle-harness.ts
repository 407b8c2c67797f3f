import { createHash } from 'crypto';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import fc from 'fast-check';
import { GuardDutyMemberInvitationsProps, MemberAccount } from '../../../lib';
import { GuardDutyEmulator, RegionalEndpoint, RelationshipStatus } from '../guardduty-emulator';
import { attributeError } from './attribute-check';
import { followUpRequest } from './cloudformation-requests';
import { Invariants } from './invariants';
import { LambdaContainer } from './lambda-container';
import { LocalAws } from './local-aws/local-aws';
import { Delivery, DeliveryOptions, ProviderFramework, ProviderFrameworkOptions } from './provider-framework';
import { propertyBudget } from './property-budget';
import { PropertyConstruct, ReliabilityReport, faultSequence } from './reliability-report';
import { ResourceEvents, resourceEvents } from './resource-events';
import { AppOutcome, CloudFormationStack, deployApp } from './stack-deployment';
import { StackSettings, SynthesizedAppStack, SynthesizedStack, WaiterSettings, removeSynthesizedAssemblies, synthesizeInvitations } from './synthesized-stack';

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
/** Cases per lane in a round of checkLanes. */
const LANE_BATCH = 4;

/** One case of a property's round: what happened in it, and the fault schedule it realized. */
interface RunCase {
  readonly labels: readonly string[];
  readonly schedule: string;
}

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

/**
 * Where a deployment's handlers send their GuardDuty (and S3) calls: the emulator's own
 * endpoint, which serves every region, or one region's endpoint (emulator.startRegion).
 */
export type DeploymentTarget = Pick<GuardDutyEmulator | RegionalEndpoint, 'endpoint' | 'organizationsEndpoint' | 'credentialsFor' | 's3' | 'settled'>;

/**
 * The stacks of one app as CloudFormation deploys them, version after version (see
 * stack-deployment.ts). Each stack's handlers reach its region's endpoint when the harness
 * opened one (`regions`), the emulator's own endpoint otherwise.
 */
export interface AppDeployment {
  /** Deploys every stack of `version` (a synthesis of the app) in the order of their stack dependencies. */
  deploy(version: readonly SynthesizedAppStack[]): Promise<AppOutcome>;
}

export interface LifecycleHarnessOptions {
  /** Regions whose own GuardDuty endpoint is opened for the file (RegionalEndpoint). @default none */
  readonly regions?: readonly string[];
  /**
   * Emulators for checkLanes, the file's own first: each lane is a GuardDuty and
   * Organizations of its own, so that cases on different lanes run at the same time.
   * @default 1
   */
  readonly lanes?: number;
}

export interface PropertyParameters {
  readonly seed: number;
  /** Replays one case: the path fast-check printed for a failure (with its seed). @default every case */
  readonly path?: string;
  /** The cases of the full budget (`npm run test:slow`, `npm run reliability`); see propertyBudget. */
  readonly numRuns: number;
  readonly timeLimitMs: number;
  /** The cases `npm test` runs (see propertyBudget). @default a quarter of numRuns, at least 5 */
  readonly quickRuns?: number;
  /** The construct whose handler the property exercises, for RELIABILITY.md's per-construct counts. */
  readonly construct: PropertyConstruct;
  /**
   * The property injects faults: each case's realized fault schedule (faultSequence) is
   * counted. The body must reset the emulator at its start, so that its calls are the case's.
   * @default false
   */
  readonly injectsFaults?: boolean;
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
  deployed(synthesized: readonly SynthesizedStack[], settings: StackSettings, target: DeploymentTarget, emails: readonly string[], options: ProviderFrameworkOptions): Deployment;
  /** A region's own endpoint, opened for the file (`regions`). */
  region(name: string): RegionalEndpoint;
  /** An app's stacks across deployments; every response is checked as `deployed` checks it, `emails` never disclosed. */
  app(emails: readonly string[]): AppDeployment;
  /** The administrator's members and their relationship status. */
  statuses(target?: GuardDutyEmulator): Record<string, RelationshipStatus>;
  /** How many invitations each account received. */
  invitations(members: readonly MemberAccount[], target?: GuardDutyEmulator): number[];
  /** The emulators of checkLanes (`lanes`); the first is `emulator`. */
  readonly lanes: readonly GuardDutyEmulator[];
  /**
   * A fault sweep: checkProperty over cases run `lanes` at a time, one per lane, each
   * `body(value, lane)` on its own emulator (which it resets first). numRuns and quickRuns
   * count cases, not rounds; each case's realized schedule is read from its lane.
   */
  checkLanes<T>(name: string, arbitrary: fc.Arbitrary<T>, body: (value: T, lane: GuardDutyEmulator) => Promise<readonly string[]>, params: PropertyParameters): Promise<void>;
  /** A fast-check property, bounded in cases and time, recorded in the report. */
  checkProperty<T>(name: string, arbitrary: fc.Arbitrary<T>, body: (value: T) => Promise<readonly string[]>, params: PropertyParameters): Promise<void>;
}

/**
 * Sets up a lifecycle test file: starts the emulator and the local AWS services before
 * its tests, seeds the administrator's detector before each, ends each test's Lambda
 * containers after it, and at the end stops everything and saves the file's reliability
 * record (when `npm run reliability` asked for it and every test of the file passed).
 */
export function lifecycleHarness(suite: string, options: LifecycleHarnessOptions = {}): LifecycleHarness {
  const report = new ReliabilityReport(suite);
  const check = new Invariants(report);
  const frameworks: ProviderFramework[] = [];
  let emulator: GuardDutyEmulator;
  let aws: LocalAws;
  let detectorId: string;
  const lanes: GuardDutyEmulator[] = [];

  beforeAll(async () => {
    [emulator, aws] = await Promise.all([GuardDutyEmulator.start(), LocalAws.start()]);
    await Promise.all((options.regions ?? []).map((region) => emulator.startRegion(region)));
    lanes.push(emulator, ...(await Promise.all(Array.from({ length: Math.max(0, (options.lanes ?? 1) - 1) }, () => GuardDutyEmulator.start()))));
  });
  beforeEach(() => {
    emulator.reset();
    detectorId = emulator.seedDetector(ADMIN, REGION);
  });
  afterEach(() => frameworks.splice(0).forEach((framework) => framework.stop()));
  afterAll(async () => {
    LambdaContainer.stopAll();
    await Promise.all([...lanes.slice(1).map((lane) => lane.stop()), emulator?.stop(), aws?.stop()]);
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
      const framework = providerFramework(stack, settings, target, options);
      const events = resourceEvents(stack, resources[0]);
      const send = async (event: CloudFormationCustomResourceEvent, deliveryOptions?: DeliveryOptions) => {
        upload();
        return checkedDelivery(framework, stack, target, event, emails, deliveryOptions);
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

    region: (name) => emulator.region(name),

    app(emails) {
      const stacks = new Map<string, CloudFormationStack>();
      const stackFor = (version: SynthesizedAppStack) => {
        const { settings } = version;
        const target: DeploymentTarget = (options.regions ?? []).includes(settings.region) ? emulator.region(settings.region) : emulator;
        const key = `${settings.account}/${settings.region}/${settings.stackName}`;
        let stack = stacks.get(key);
        if (!stack) {
          // A framework per custom resource type, kept (its Lambda containers warm) across
          // versions whose functions ship the same code and settings, as Lambda keeps a
          // function that a deployment did not change.
          const frameworksOfStack = new Map<string, { readonly code: string; readonly framework: ProviderFramework }>();
          stack = new CloudFormationStack((part, event, deliveryOptions) => {
            const { onEvent, isComplete, onTimeout } = part.framework;
            const code = JSON.stringify([onEvent, isComplete, onTimeout, part.onEvent, part.isComplete].map((fn) => fn && [fn.arn, fn.assetHash, fn.variables]));
            let framework = frameworksOfStack.get(part.resourceType)?.code === code ? frameworksOfStack.get(part.resourceType)!.framework : undefined;
            if (!framework) {
              framework = providerFramework(part, settings, target, {});
              frameworksOfStack.set(part.resourceType, { code, framework });
            }
            part.objects.forEach((o) => target.s3.put(o.bucket, o.key, o.body));
            return checkedDelivery(framework, part, target, event, emails, deliveryOptions);
          });
          stacks.set(key, stack);
        }
        return stack;
      };
      return { deploy: (version) => deployApp(version, stackFor) };
    },

    statuses(target = emulator) {
      return Object.fromEntries(target.members(ADMIN, REGION).map((m) => [m.accountId, m.relationshipStatus]));
    },

    invitations(members, target = emulator) {
      return members.map((m) => target.invitationsSentTo(m.accountId));
    },

    lanes,

    async checkLanes(name, arbitrary, body, params) {
      // A round is LANE_BATCH cases per lane, each lane running its own one after another:
      // a round waits for its slowest lane, and a batch evens out the slow cases (a warm
      // container's SDK paces itself for a while after a throttle). npm test's few cases run
      // one round of one case per lane, on no more lanes than it has cases: a lane costs its
      // Lambda containers' start-up, and npm test's time is CPU, not back-off.
      const { full, numRuns } = propertyBudget(params);
      const active = full ? lanes : lanes.slice(0, Math.max(1, numRuns));
      const width = active.length * (full ? LANE_BATCH : 1);
      const rounds = fc.array(arbitrary, { minLength: width, maxLength: width });
      const perRound = (runs: number | undefined) => runs && Math.ceil(runs / width);
      await runProperty(name, rounds, async (values) => {
        const done: RunCase[] = [];
        const results = await Promise.allSettled(active.map(async (lane, i) => {
          for (let k = i; k < values.length; k += active.length) {
            const labels = await body(values[k], lane);
            // Read now: the lane's next case resets its logs.
            done.push({ labels, schedule: realizedSchedule(lane) });
          }
        }));
        const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
        if (failed) {
          throw failed.reason;
        }
        return done;
      }, { ...params, numRuns: perRound(params.numRuns)!, quickRuns: perRound(params.quickRuns) }, width);
    },

    /**
     * Runs a fast-check property bounded in cases and time (propertyBudget), with a fixed
     * seed, and records the run. Each case returns labels for what happened in it, tallied in the report. A
     * failure rethrows fast-check's report (seed, path, counterexample) and the cause, so it
     * can be replayed. fast-check stops waiting for a case at the time limit but cannot stop
     * it: the case still running is awaited before the next test uses the emulator.
     */
    async checkProperty(name, arbitrary, body, params) {
      await runProperty(name, arbitrary, async (value) => {
        const labels = await body(value);
        return [{ labels, schedule: realizedSchedule(emulator) }];
      }, params);
    },
  };

  /**
   * checkProperty and checkLanes: each round of the property runs one case or one per
   * lane; every case's labels are tallied and, with injectsFaults, its realized schedule
   * read from its lane's call logs.
   */
  async function runProperty<T>(name: string, arbitrary: fc.Arbitrary<T>, round: (value: T) => Promise<readonly RunCase[]>, params: PropertyParameters, casesPerRound = 1): Promise<void> {
    const { construct } = params;
    let cases = 0;
    const schedules = new Set<string>();
    const outcomes: Record<string, number> = {};
    let running: Promise<unknown> = Promise.resolve();
    const property = fc.asyncProperty(arbitrary, async (value) => {
      const current = running.catch(() => undefined).then(() => round(value));
      running = current;
      for (const { labels, schedule } of await current) {
        cases += 1;
        labels.forEach((label) => (outcomes[label] = (outcomes[label] ?? 0) + 1));
        if (params.injectsFaults) {
          schedules.add(schedule);
        }
      }
    });
    const budget = propertyBudget(params);
    const details = await fc.check(property, { seed: params.seed, path: params.path, numRuns: budget.numRuns, endOnFailure: true, plugins: [fc.interruptAfterTimeLimit(budget.timeLimitMs)] });
    await running.catch(() => undefined);
    if (details.failed) {
      const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
      throw new Error(`Property "${name}" failed (seed ${params.seed}):\n${fc.defaultReportMessage(details)}\n\nCause: ${cause}`);
    }
    report.propertyRan({ name, construct, seed: params.seed, cases, numRuns: budget.numRuns * casesPerRound, interrupted: details.interrupted, faultSchedules: schedules.size, scheduleKeys: [...schedules].map(scheduleKey), outcomes });
  }

  /** The faults a case met, from its emulator's call logs: GuardDuty's, then Organizations' (its operations prefixed). */
  function realizedSchedule(lane: GuardDutyEmulator): string {
    const organizations = lane.organizationsCalls().map((call) => ({ ...call, operation: `organizations:${call.operation}` }));
    return faultSequence([...lane.calls(), ...organizations]);
  }

  /** A schedule as RELIABILITY.md's records keep it: 12 hex digits of its SHA-256 (the sequences run long). */
  function scheduleKey(sequence: string): string {
    return createHash('sha256').update(sequence).digest('hex').slice(0, 12);
  }

  /** A provider framework in front of one stack's handlers, stopped after the test. */
  function providerFramework(stack: SynthesizedStack, settings: StackSettings, target: DeploymentTarget, frameworkOptions: ProviderFrameworkOptions): ProviderFramework {
    const framework = new ProviderFramework(stack, { aws, endpoint: target.endpoint, organizationsEndpoint: target.organizationsEndpoint, region: settings.region, credentials: target.credentialsFor(settings.account) }, frameworkOptions);
    frameworks.push(framework);
    return framework;
  }

  /** Every response gets its checks: the envelope, the 4,096-byte bound, no email disclosed, the attributes the stack reads. */
  async function checkedDelivery(framework: ProviderFramework, stack: SynthesizedStack, target: DeploymentTarget, event: CloudFormationCustomResourceEvent, emails: readonly string[], deliveryOptions?: DeliveryOptions): Promise<Delivery> {
    const delivery = await framework.deliver(event, deliveryOptions);
    await target.settled();
    expect(delivery.response).toMatchObject({ StackId: stack.stackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId });
    check.responseFits(delivery);
    check.noEmailDisclosed(delivery, emails);
    // CloudFormation's own check of a successful response: every attribute the stack reads.
    expect(attributeError(event.RequestType, delivery.response, stack.attributesRead[event.LogicalResourceId] ?? [])).toBeUndefined();
    return delivery;
  }

  return harness;
}
