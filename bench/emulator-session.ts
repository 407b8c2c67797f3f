import type { EmulatorTarget, MemberDeclaration } from './child-protocol';
import type { CallConditions } from './rate-limit';
import { GuardDutyEmulator, MemberRecord, RelationshipStatus } from '../test/support/guardduty-emulator';

export const ADMINISTRATOR = '111111111111';
export const REGION = 'us-east-1';

/** What a flow cost GuardDuty, read from the emulator's call log. */
export interface CallStats {
  /** Every request the emulator answered, throttled ones included. */
  readonly calls: number;
  /** Calls of operations that change state (Create, Invite, Disassociate, Delete...). */
  readonly writeCalls: number;
  /** Calls answered 429 (throttled) or 5xx: each is a retry or a failure for the caller. */
  readonly retries: number;
  readonly peakConcurrency: number;
}

/**
 * The GuardDuty emulator as the bench uses it: one server in the driver process for the
 * whole run, wiped before each measured run so each starts from the same state and a
 * full token bucket.
 */
export class BenchEmulator {
  public static async start(): Promise<BenchEmulator> {
    return new BenchEmulator(await GuardDutyEmulator.start());
  }

  private constructor(private readonly emulator: GuardDutyEmulator) {}

  /** No members, the given conditions, an empty call log; returns the administrator's detector ID. */
  public freshDetector(conditions: CallConditions | 'unlimited'): string {
    this.emulator.reset();
    const detectorId = this.emulator.seedDetector(ADMINISTRATOR, REGION);
    this.emulator.setFaults(
      conditions === 'unlimited'
        ? {}
        : { latencyMs: conditions.latencyMs, rateLimit: { ratePerSecond: conditions.ratePerSecond, burst: conditions.burst } },
    );
    return detectorId;
  }

  public seedMembers(members: readonly MemberDeclaration[], statusOf: (index: number) => RelationshipStatus): void {
    members.forEach((member, index) =>
      this.emulator.seedMember(ADMINISTRATOR, REGION, { accountId: member.AccountId, email: member.Email, relationshipStatus: statusOf(index) }),
    );
  }

  /** The administrator's members by account ID. */
  public members(): Map<string, MemberRecord> {
    return new Map(this.emulator.members(ADMINISTRATOR, REGION).map((record) => [record.accountId, record]));
  }

  public callStats(): CallStats {
    const calls = this.emulator.calls();
    return {
      calls: calls.length,
      writeCalls: this.emulator.writeCallCount(),
      retries: calls.filter((call) => call.statusCode === 429 || call.statusCode >= 500).length,
      peakConcurrency: this.emulator.peakConcurrency(),
    };
  }

  /** The SDK settings a flow child uses to reach the emulator as the administrator. */
  public target(): EmulatorTarget {
    const config = this.emulator.clientConfig(ADMINISTRATOR, REGION);
    return { endpoint: config.endpoint, region: config.region, credentials: config.credentials };
  }

  /** The environment the handler reads in Lambda, pointed at the emulator. */
  public handlerEnvironment(): Record<string, string> {
    const credentials = this.emulator.credentialsFor(ADMINISTRATOR);
    return {
      AWS_ENDPOINT_URL_GUARDDUTY: this.emulator.endpoint,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_ACCOUNT_ID: ADMINISTRATOR,
    };
  }

  public stop(): Promise<void> {
    return this.emulator.stop();
  }
}
