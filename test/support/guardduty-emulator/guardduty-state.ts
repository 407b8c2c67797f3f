import { createHash } from 'node:crypto';
import { OrganizationState } from './organization-state';
import { ACCEPTED, RelationshipStatus } from './relationship-status';

/** One member record in an administrator's detector, as the administrator sees it. */
export interface MemberRecord {
  readonly accountId: string;
  email: string;
  relationshipStatus: RelationshipStatus;
  readonly administratorId: string;
  invitationId?: string;
  /** Epoch milliseconds. */
  invitedAt?: number;
  updatedAt: number;
}

/** A detector as GetDetector shows it; GuardDuty's detector status is ENABLED or DISABLED. */
export interface DetectorRecord {
  readonly detectorId: string;
  status: 'ENABLED' | 'DISABLED';
  /** FIFTEEN_MINUTES, ONE_HOUR or SIX_HOURS; GuardDuty starts a detector at SIX_HOURS. */
  findingPublishingFrequency: string;
  readonly createdAt: number;
  updatedAt: number;
}

export interface StateSettings {
  /** Epoch milliseconds; injectable so timestamps and email verification are controllable. */
  readonly clock: () => number;
  /**
   * How long an invited member stays EmailVerificationInProgress. 0: InviteMembers settles
   * it at once; Infinity: it waits for completeEmailVerification().
   */
  readonly emailVerificationDelayMs: number;
}

/**
 * GuardDuty's data for every account and region: detectors, administrators' member
 * records, and the test's configuration of the world outside the emulator (administrators
 * it does not host, accounts whose email verification fails). GuardDuty is regional, so
 * everything is keyed by account and region.
 */
export class GuardDutyState {
  private readonly detectors = new Map<string, string>();
  private readonly detectorRecords = new Map<string, DetectorRecord>();
  private readonly memberTables = new Map<string, Map<string, MemberRecord>>();
  private readonly invitationCounts = new Map<string, number>();
  private invitationSequence = 0;
  /** Member account → administrator account outside the emulator, in every region. */
  public readonly externalAdministrators = new Map<string, string>();
  public readonly failingEmailVerification = new Set<string>();
  /** AWS Organizations and GuardDuty's organization settings (see organization-state.ts). */
  public readonly organization = new OrganizationState();

  constructor(public readonly settings: StateSettings) {}

  /** Forgets everything, configuration of the outside world included. */
  public clear(): void {
    this.detectors.clear();
    this.detectorRecords.clear();
    this.memberTables.clear();
    this.invitationCounts.clear();
    this.invitationSequence = 0;
    this.externalAdministrators.clear();
    this.failingEmailVerification.clear();
    this.organization.clear();
  }

  public now(): number {
    return this.settings.clock();
  }

  public detectorId(accountId: string, region: string): string | undefined {
    return this.detectors.get(scope(accountId, region));
  }

  /** Detector IDs are 32 hex digits like GuardDuty's, derived so a test can predict them. */
  public addDetector(accountId: string, region: string): string {
    const id = createHash('md5').update(scope(accountId, region)).digest('hex');
    this.detectors.set(scope(accountId, region), id);
    this.detectorRecords.set(scope(accountId, region), { detectorId: id, status: 'ENABLED', findingPublishingFrequency: 'SIX_HOURS', createdAt: this.now(), updatedAt: this.now() });
    return id;
  }

  public detector(accountId: string, region: string): DetectorRecord | undefined {
    return this.detectorRecords.get(scope(accountId, region));
  }

  /** Sets the frequency at which the account's detector exports updated findings. */
  public setFindingPublishingFrequency(accountId: string, region: string, frequency: string): void {
    const detector = this.detector(accountId, region);
    if (!detector) {
      throw new Error(`${accountId} has no detector in ${region}`);
    }
    detector.findingPublishingFrequency = frequency;
    detector.updatedAt = this.now();
  }

  /**
   * Suspends or re-enables the account's detector. An administrator sees a member that
   * suspends its detector as Disabled, and Enabled again once it re-enables it.
   */
  public setDetectorEnabled(accountId: string, region: string, enabled: boolean): void {
    const detector = this.detector(accountId, region);
    if (!detector) {
      throw new Error(`${accountId} has no detector in ${region}`);
    }
    detector.status = enabled ? 'ENABLED' : 'DISABLED';
    detector.updatedAt = this.now();
    const [from, to]: RelationshipStatus[] = enabled ? ['Disabled', 'Enabled'] : ['Enabled', 'Disabled'];
    this.recordsAbout(accountId, region)
      .filter((record) => record.relationshipStatus === from)
      .forEach((record) => this.setStatus(record, to));
  }

  /** The administrator's member records in a region, created empty on first use. */
  public members(administratorId: string, region: string): Map<string, MemberRecord> {
    const key = scope(administratorId, region);
    let table = this.memberTables.get(key);
    if (!table) {
      table = new Map();
      this.memberTables.set(key, table);
    }
    return table;
  }

  /** The account's administrator in a region, whether hosted here or configured as external. */
  public administratorOf(memberAccountId: string, region: string): string | undefined {
    const external = this.externalAdministrators.get(memberAccountId);
    if (external) {
      return external;
    }
    return this.recordsAbout(memberAccountId, region).find((record) => ACCEPTED.includes(record.relationshipStatus))?.administratorId;
  }

  /** Every administrator's record of the given member account in a region. */
  public recordsAbout(memberAccountId: string, region: string): MemberRecord[] {
    return [...this.memberTables.entries()]
      .filter(([key]) => key.endsWith(`/${region}`))
      .flatMap(([, table]) => table.get(memberAccountId) ?? []);
  }

  public setStatus(record: MemberRecord, status: RelationshipStatus): void {
    record.relationshipStatus = status;
    record.updatedAt = this.now();
  }

  /** Sends an invitation: a new invitation ID, then email verification. */
  public invite(record: MemberRecord): void {
    this.assignInvitation(record);
    this.invitationCounts.set(record.accountId, this.invitationsSentTo(record.accountId) + 1);
    this.setStatus(record, 'EmailVerificationInProgress');
    if (this.settings.emailVerificationDelayMs <= 0) {
      this.settleEmailVerification(record);
    }
  }

  /** Gives the record a fresh invitation, without counting it as sent (for seeded state). */
  public assignInvitation(record: MemberRecord): void {
    this.invitationSequence += 1;
    record.invitationId = createHash('md5').update(`${record.administratorId}/${record.accountId}/${this.invitationSequence}`).digest('hex');
    record.invitedAt = this.now();
  }

  public invitationsSentTo(accountId: string): number {
    return this.invitationCounts.get(accountId) ?? 0;
  }

  /**
   * Email verification is settled lazily, whenever state is read, rather than by timers:
   * nothing is left running when the emulator stops, and a test's clock drives it.
   */
  public settleDueEmailVerifications(): void {
    for (const record of this.allMembers()) {
      if (record.relationshipStatus === 'EmailVerificationInProgress' && this.now() >= (record.invitedAt ?? 0) + this.settings.emailVerificationDelayMs) {
        this.settleEmailVerification(record);
      }
    }
  }

  public settleAllEmailVerifications(): void {
    this.allMembers()
      .filter((record) => record.relationshipStatus === 'EmailVerificationInProgress')
      .forEach((record) => this.settleEmailVerification(record));
  }

  private settleEmailVerification(record: MemberRecord): void {
    this.setStatus(record, this.failingEmailVerification.has(record.accountId) ? 'EmailVerificationFailed' : 'Invited');
  }

  private allMembers(): MemberRecord[] {
    return [...this.memberTables.values()].flatMap((table) => [...table.values()]);
  }
}

function scope(accountId: string, region: string): string {
  return `${accountId}/${region}`;
}
