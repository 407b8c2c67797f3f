import type { EmulatorTarget, MemberDeclaration } from './child-protocol';
import type { CallConditions } from './rate-limit';
import { CallRecord, GuardDutyEmulator, GuardDutyEmulatorOptions, isWriteOperation, MemberRecord, RelationshipStatus } from '../test/support/guardduty-emulator';

export const ADMINISTRATOR = '111111111111';
export const REGION = 'us-east-1';
/** The organization's management account, in the mixed-fleet scenario. */
const MANAGEMENT = '999999999990';

/** What a flow cost GuardDuty, read from the emulator's call log. */
export interface CallStats {
  /** Every request the emulator answered, throttled ones included. */
  readonly calls: number;
  /** Calls of operations that change state (Create, Invite, Disassociate, Delete...). */
  readonly writeCalls: number;
  /** Calls answered 429 (throttled) or 5xx: each is a retry or a failure for the caller. */
  readonly retries: number;
  /** Calls answered 429 alone: GuardDuty refused them before doing anything. */
  readonly throttled: number;
}

/**
 * What the emulator adds to every call: latency and the rate limit, latency alone (where
 * the emulator's one token bucket for every caller would misrepresent GuardDuty's limits
 * per account), or nothing.
 */
export type EmulatorConditions = CallConditions | { readonly latencyMs: number } | 'unlimited';

/**
 * The GuardDuty emulator as the bench uses it: one server in the driver process for the
 * whole run, wiped before each measured run so each starts from the same state and a
 * full token bucket.
 */
export class BenchEmulator {
  public static async start(options: Pick<GuardDutyEmulatorOptions, 'emailVerificationDelayMs'> = {}): Promise<BenchEmulator> {
    return new BenchEmulator(await GuardDutyEmulator.start(options));
  }

  private constructor(private readonly emulator: GuardDutyEmulator) {}

  /** No members, the given conditions, an empty call log; returns the administrator's detector ID. */
  public freshDetector(conditions: EmulatorConditions): string {
    this.emulator.reset();
    const detectorId = this.emulator.seedDetector(ADMINISTRATOR, REGION);
    if (conditions === 'unlimited') {
      this.emulator.setFaults({});
    } else if ('ratePerSecond' in conditions) {
      this.emulator.setFaults({ latencyMs: conditions.latencyMs, rateLimit: { ratePerSecond: conditions.ratePerSecond, burst: conditions.burst } });
    } else {
      this.emulator.setFaults({ latencyMs: conditions.latencyMs });
    }
    return detectorId;
  }

  /** Enables GuardDuty in each member account (in the bench's region); returns their detector IDs, in order. */
  public seedMemberDetectors(accountIds: readonly string[]): string[] {
    return accountIds.map((accountId) => this.emulator.seedDetector(accountId, REGION));
  }

  public seedMembers(members: readonly MemberDeclaration[], statusOf: (index: number) => RelationshipStatus): void {
    members.forEach((member, index) =>
      this.emulator.seedMember(ADMINISTRATOR, REGION, { accountId: member.AccountId, email: member.Email, relationshipStatus: statusOf(index) }),
    );
  }

  /**
   * An organization whose GuardDuty delegated administrator is the administrator, with
   * these accounts active in it (until the next freshDetector, which clears it).
   */
  public delegatedOrganization(accountIds: readonly string[]): void {
    const organization = this.emulator.organization;
    organization.create(MANAGEMENT);
    organization.addAccount({ accountId: ADMINISTRATOR });
    accountIds.forEach((accountId) => organization.addAccount({ accountId }));
    organization.setGuardDutyAdministrator(REGION, ADMINISTRATOR);
  }

  /** Invitations to these accounts end EmailVerificationFailed (until the next freshDetector). */
  public failEmailVerification(accountIds: readonly string[]): void {
    accountIds.forEach((accountId) => this.emulator.failEmailVerification(accountId));
  }

  /** An S3 object the handler can read through AWS_ENDPOINT_URL_S3 (a member-list asset); call after freshDetector, which clears them. */
  public putObject(bucket: string, key: string, body: Buffer): void {
    this.emulator.s3.put(bucket, key, body);
  }

  /** Invitations GuardDuty sent to `accountId` since the last freshDetector. */
  public invitationsSentTo(accountId: string): number {
    return this.emulator.invitationsSentTo(accountId);
  }

  /** The administrator's members by account ID, email verification settled as of now. */
  public members(): Map<string, MemberRecord> {
    return new Map(this.emulator.members(ADMINISTRATOR, REGION).map((record) => [record.accountId, record]));
  }

  /** Every call since the last freshDetector, in arrival order. */
  public calls(): CallRecord[] {
    return [...this.emulator.calls()].sort((a, b) => a.sequence - b.sequence);
  }

  /** The cost of every call since the last freshDetector, or of those `which` selects. */
  public callStats(which: (call: CallRecord) => boolean = () => true): CallStats {
    const calls = this.calls().filter(which);
    return {
      calls: calls.length,
      writeCalls: calls.filter((call) => isWriteOperation(call.operation)).length,
      retries: calls.filter((call) => call.statusCode === 429 || call.statusCode >= 500).length,
      throttled: calls.filter((call) => call.statusCode === 429).length,
    };
  }

  /** The SDK settings a flow child uses to reach the emulator as the administrator. */
  public target(): EmulatorTarget {
    const config = this.emulator.clientConfig(ADMINISTRATOR, REGION);
    return { endpoint: config.endpoint, region: config.region, credentials: config.credentials };
  }

  /** The environment the handler reads in Lambda, pointed at the emulator, in the administrator account. */
  public handlerEnvironment(): Record<string, string> {
    return this.environmentFor(ADMINISTRATOR);
  }

  /** The environment of a handler deployed in `accountId` (a member stack's accepter, say). */
  public environmentFor(accountId: string): Record<string, string> {
    const credentials = this.emulator.credentialsFor(accountId);
    return {
      AWS_ENDPOINT_URL_GUARDDUTY: this.emulator.endpoint,
      AWS_ENDPOINT_URL_S3: this.emulator.endpoint,
      // DescribeStacks, which the handler asks before removing members: without it the
      // status cannot be read and the handler (rightly) removes nothing.
      AWS_ENDPOINT_URL_CLOUDFORMATION: this.emulator.endpoint,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_ACCOUNT_ID: accountId,
    };
  }

  public stop(): Promise<void> {
    return this.emulator.stop();
  }
}
