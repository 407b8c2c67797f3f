import type { CloudFormationCustomResourceEvent } from 'aws-lambda';

/**
 * What the bench driver sends to each child process and what comes back, over Node's IPC
 * channel. Every measured flow runs in a child of its own, so its peak RSS and timings
 * are its own and not the driver's (which also hosts the emulator).
 */

/** Where a child's SDK client reaches the emulator, signed as the administrator. */
export interface EmulatorTarget {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface MemberDeclaration {
  readonly AccountId: string;
  readonly Email: string;
}

/** The shipped handler bundle, sent one CloudFormation event (endpoint and credentials come from the environment). */
export interface HandlerInvocationJob {
  readonly assetPath: string;
  readonly event: CloudFormationCustomResourceEvent;
  /** What the Lambda context reports as time left: the function's timeout. */
  readonly remainingMs: number;
}

export interface HandlerInvocationResult {
  readonly loadMs: number;
  /** When the invocation started, epoch milliseconds: comparable with the emulator's call log. */
  readonly startedAtEpochMs: number;
  readonly invocationMs: number;
  readonly maxRssBytes: number;
  readonly response?: { readonly PhysicalResourceId: string; readonly Data?: Record<string, string> };
  readonly error?: string;
}

/** The CloudFormation event merged with onEvent's result: what the provider framework passes to isComplete. */
export type CompletionEvent = CloudFormationCustomResourceEvent & { readonly PhysicalResourceId: string; readonly Data?: Record<string, string> };

/**
 * The provider framework's waiter for one resource, run against a bundle's isComplete:
 * the first call right after onEvent (the waiter's first attempt), then one every
 * `pollIntervalMs` after the previous one returned, until it says complete.
 */
export interface CompletionPollJob {
  readonly assetPath: string;
  readonly event: CompletionEvent;
  readonly pollIntervalMs: number;
  /** The child gives up with an error after polling this long: a bench run must not hang. */
  readonly maxWaitMs: number;
  /** What the Lambda context reports as time left at each call: the isComplete function's timeout. */
  readonly remainingMs: number;
}

export interface CompletionPollResult {
  /** isComplete calls made, the one that said complete included. */
  readonly polls: number;
  /** Epoch milliseconds, comparable with the emulator's call log. */
  readonly firstPollAtEpochMs: number;
  readonly completedAtEpochMs: number;
  readonly response?: { readonly IsComplete: boolean; readonly Data?: Record<string, string> };
  readonly error?: string;
  readonly maxRssBytes: number;
}

/** One isComplete call of a bundle, in a fresh process. */
export interface CompletionInvocationJob {
  readonly assetPath: string;
  readonly event: CompletionEvent;
  /** What the Lambda context reports as time left. */
  readonly remainingMs: number;
}

export interface CompletionInvocationResult {
  readonly startedAtEpochMs: number;
  readonly invocationMs: number;
  readonly maxRssBytes: number;
  readonly response?: { readonly IsComplete: boolean; readonly Data?: Record<string, string> };
  readonly error?: string;
}

/** One CreateMembers and one InviteMembers per account, `concurrency` accounts at a time. */
export interface PerAccountJob {
  readonly target: EmulatorTarget;
  readonly detectorId: string;
  readonly members: readonly MemberDeclaration[];
  readonly concurrency: number;
}

/** One CreateMembers and one InviteMembers with every account, as an AwsCustomResource would send. */
export interface SingleCallJob {
  readonly target: EmulatorTarget;
  readonly detectorId: string;
  readonly members: readonly MemberDeclaration[];
}

export interface FloorCallsJob extends SingleCallJob {
  /** Through a bare SDK client, or over plain node:http. */
  readonly client: 'sdk' | 'http';
}

/** An account the flow did not bring to Invited, and why. */
export interface AccountFailure {
  readonly accountId: string;
  readonly step: 'CreateMembers' | 'InviteMembers';
  /** The error name, or GuardDuty's UnprocessedAccounts result. */
  readonly reason: string;
}

export interface FlowResult {
  readonly wallMs: number;
  readonly maxRssBytes: number;
  readonly invited: number;
  readonly failures: readonly AccountFailure[];
}

export interface ColdStartJob {
  readonly assetPath: string;
  /** An event the handler answers without calling GuardDuty (a Delete with RETAIN). */
  readonly setupEvent: CloudFormationCustomResourceEvent;
  /** A one-member Create: the first invocation that calls GuardDuty. */
  readonly firstCallEvent: CloudFormationCustomResourceEvent;
}

export interface ColdStartResult {
  /** From process start to the child's first line: Node's own start-up. */
  readonly nodeStartMs: number;
  /** require() of the bundle. */
  readonly loadMs: number;
  /** The first invocation, which builds the SDK client but makes no call. */
  readonly setupMs: number;
  /** The next invocation: the SDK's first calls (credentials, endpoint, signing), 3 calls to the emulator. */
  readonly firstCallsMs: number;
  readonly maxRssBytes: number;
}

export type SynthVariant = 'construct' | 'cfn-member';

export interface SynthJob {
  readonly repoRoot: string;
  readonly variant: SynthVariant;
  readonly members: number;
  readonly outdir: string;
}

export interface SynthResult {
  /** require() of aws-cdk-lib and this library. */
  readonly loadMs: number;
  /** Building the app, stack and members. */
  readonly constructMs: number;
  /** app.synth(). */
  readonly synthMs: number;
  readonly templateBytes: number;
  readonly resourceCount: number;
  readonly maxRssBytes: number;
}

/** Scenario 11: a GuardDuty organization rolled out to `regions` regions (`every`: the rollout's default list). */
export interface RegionalSynthJob {
  readonly repoRoot: string;
  readonly regions: number | 'every';
  /** Accounts listed in each administrator stack (a member-list asset). */
  readonly members: number;
  readonly outdir: string;
}

export interface RegionalSynthResult {
  /** The regions the app was synthesized for. */
  readonly regionCount: number;
  /** require() of aws-cdk-lib and this library. */
  readonly loadMs: number;
  /** Building the app: the rollout and the listed members. */
  readonly constructMs: number;
  /** app.synth(). */
  readonly synthMs: number;
  readonly stackCount: number;
  /** Every file of the cloud assembly (templates, assets, manifest), in bytes. */
  readonly assemblyBytes: number;
  readonly largestTemplateBytes: number;
  /** Resources of the largest stack: CloudFormation refuses more than 500. */
  readonly mostResources: number;
  readonly maxRssBytes: number;
}

/** What a child sends back: its result, or the error that stopped it. */
export type ChildReply<R> = { readonly ok: true; readonly result: R } | { readonly ok: false; readonly error: string };
