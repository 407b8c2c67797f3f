import { FaultOptions, GuardDutyEmulator, RelationshipStatus } from '../guardduty-emulator';
import { CLOUDFORMATION_RESPONSE_LIMIT_BYTES } from '../provider-framework-response';
import { Delivery } from './provider-framework';
import { ReliabilityReport } from './reliability-report';
import { WaiterSettings } from './synthesized-stack';

/** Statuses in which an account has a live invitation or relationship: no new invitation may go out. */
export const NOT_TO_BE_INVITED_AGAIN: readonly RelationshipStatus[] = ['Invited', 'Enabled', 'Disabled', 'EmailVerificationInProgress'];

/** HandlerError's bound on a message CloudFormation shows. */
const MAX_FAILURE_MESSAGE_BYTES = 1_500;

/** An account's relationship status and the invitations sent to it so far. */
export interface InvitationSnapshot {
  /** Undefined: not a member. */
  readonly status?: RelationshipStatus;
  readonly sent: number;
}

/** The accounts' invitation state now, for `noSecondInvitation` after a run. */
export function invitationSnapshot(emulator: GuardDutyEmulator, administratorId: string, region: string, accountIds: readonly string[]): Map<string, InvitationSnapshot> {
  const statuses = new Map(emulator.members(administratorId, region).map((m) => [m.accountId, m.relationshipStatus]));
  return new Map(accountIds.map((accountId) => [accountId, { status: statuses.get(accountId), sent: emulator.invitationsSentTo(accountId) }]));
}

/** Where a member account stands with an administrator, as the administrator sees it. */
export interface MemberRelationship {
  readonly administratorId: string;
  readonly memberId: string;
  readonly region: string;
}

/** The member's relationship status in the administrator's detector; undefined: not its member. */
export function relationshipStatus(emulator: GuardDutyEmulator, where: MemberRelationship): RelationshipStatus | undefined {
  return emulator.members(where.administratorId, where.region).find((m) => m.accountId === where.memberId)?.relationshipStatus;
}

/**
 * AcceptAdministratorInvitation calls of the account that GuardDuty applied: answered 200,
 * or applied and then lost on the way back.
 */
export function appliedAcceptances(emulator: GuardDutyEmulator, accountId: string): number {
  return emulator
    .calls()
    .filter((call) => call.operation === 'AcceptAdministratorInvitation' && call.accountId === accountId)
    .filter((call) => call.statusCode === 200 || call.fault === 'dropped-after-apply').length;
}

/** What one run did with the declared accounts, from the handler's `applied` log line (the attributes are cut short; the log is not). */
export interface AppliedOutcome {
  readonly invited: readonly string[];
  /** Associated through the organization by CreateMembers alone. */
  readonly associated: readonly string[];
  readonly alreadyMembers: readonly string[];
  readonly unprocessed: ReadonlyArray<{ readonly accountId: string; readonly reason: string }>;
  readonly removed: readonly string[];
}

/**
 * The suite's invariants as assertions: each checks with `expect` (so it fails a test or
 * a fast-check property with a readable diff) and then counts one check that held in the
 * report.
 */
export class Invariants {
  constructor(private readonly report: ReliabilityReport) {}

  public responseFits(delivery: Delivery): void {
    expect(delivery.bytes).toBeLessThanOrEqual(CLOUDFORMATION_RESPONSE_LIMIT_BYTES);
    this.report.held('responseFits');
  }

  /**
   * Each declared account is in exactly one of the run's lists, every unprocessed one with
   * a reason; the counts in Data add up to the declared count (the response's own figures,
   * after the isComplete step moved failed verifications to unprocessed).
   */
  public everyAccountReportedOnce(delivery: Delivery, declared: readonly string[]): void {
    const outcome = appliedOutcome(delivery);
    const declaredSet = new Set(declared);
    const reported = [...outcome.invited, ...outcome.associated, ...outcome.alreadyMembers, ...outcome.unprocessed.map((u) => u.accountId)].filter((id) => declaredSet.has(id));
    expect(sorted(reported)).toEqual(sorted(declared));
    outcome.unprocessed.forEach((u) => expect(u.reason.trim()).not.toBe(''));

    const data = delivery.response.Data ?? {};
    const counts = ['InvitedAccountCount', 'AlreadyMemberAccountCount', 'UnprocessedAccountCount'].map((name) => Number(data[name]));
    const removals = outcome.removed.length + outcome.unprocessed.filter((u) => !declaredSet.has(u.accountId)).length;
    if (removals === 0) {
      expect(counts[0] + counts[1] + counts[2] + Number(data.AssociatedAccountCount ?? 0)).toBe(declared.length);
      // Each member came in one way: through the organization or by invitation.
      expect(Number(data.OrganizationAccountCount) + Number(data.InvitationAccountCount) + counts[2]).toBe(declared.length);
    }
    for (const [list, count] of [['InvitedAccountIds', counts[0]], ['UnprocessedAccountIds', counts[2]]] as const) {
      const listed = (data[list] ?? '').split(',').filter((id) => id !== '');
      const complete = !listed.some((id) => id.startsWith('…'));
      expect(listed.filter((id) => !id.startsWith('…')).every((id) => declaredSet.has(id))).toBe(true);
      if (complete) {
        expect(listed).toHaveLength(count);
      }
    }
    this.report.held('everyAccountReportedOnce');
  }

  /**
   * Since `before` was taken, no account got an invitation while it had a live invitation
   * or relationship, and none got more than one.
   */
  public noSecondInvitation(emulator: GuardDutyEmulator, before: ReadonlyMap<string, InvitationSnapshot>): void {
    const tooMany = [...before.entries()]
      .map(([accountId, was]) => ({ accountId, was, sentSince: emulator.invitationsSentTo(accountId) - was.sent }))
      .filter(({ was, sentSince }) => sentSince > (was.status && NOT_TO_BE_INVITED_AGAIN.includes(was.status) ? 0 : 1));
    expect(tooMany).toEqual([]);
    this.report.held('noSecondInvitation');
  }

  /** FAILED for unprocessed accounts: a HandlerError, one bounded line, naming one of `unprocessed`. */
  public failureBoundedAndNamed(delivery: Delivery, unprocessed: readonly string[]): void {
    expect(delivery.response.Status).toBe('FAILED');
    expect(delivery.error?.errorType).toBe('HandlerError');
    const message = delivery.error?.errorMessage ?? '';
    expect(Buffer.byteLength(message, 'utf8')).toBeLessThanOrEqual(MAX_FAILURE_MESSAGE_BYTES);
    expect(message).not.toContain('\n');
    expect(unprocessed.some((accountId) => delivery.response.Reason.includes(accountId))).toBe(true);
    this.report.held('failureBoundedAndNamed');
  }

  /**
   * The run ended on its own: not stopped by Lambda, and a failure is a HandlerError. With
   * a working budget (the remaining time the handler may use for calls), it answered
   * within that budget plus `marginMs`.
   */
  public failsCleanlyInTime(delivery: Delivery, bound?: { readonly workBudgetMs: number; readonly marginMs: number }): void {
    expect(delivery.timedOut).toBe(false);
    if (delivery.response.Status === 'FAILED') {
      expect(delivery.error?.errorType).toBe('HandlerError');
    }
    if (bound) {
      expect(delivery.onEventMs).toBeLessThanOrEqual(bound.workBudgetMs + bound.marginMs);
    }
    this.report.held('failsCleanlyInTime');
  }

  /**
   * Once the faults stop, the same request succeeds (or, with FAIL, fails only for the
   * accounts GuardDuty refuses), and every declared account GuardDuty accepts ends with a
   * live invitation or relationship.
   */
  public convergesAfterFaults(delivery: Delivery, emulator: GuardDutyEmulator, target: { readonly administratorId: string; readonly region: string; readonly declared: readonly string[]; readonly refused: readonly string[] }, policy: 'FAIL' | 'REPORT'): void {
    if (policy === 'REPORT' || target.refused.length === 0) {
      expect(delivery.response).toMatchObject({ Status: 'SUCCESS' });
    } else {
      expect(delivery.response.Status === 'SUCCESS' || target.refused.some((id) => delivery.response.Reason.includes(id))).toBe(true);
    }
    if (delivery.response.Status === 'SUCCESS') {
      const statuses = new Map(emulator.members(target.administratorId, target.region).map((m) => [m.accountId, m.relationshipStatus]));
      const refused = new Set(target.refused);
      const notLive = target.declared.filter((id) => !refused.has(id)).filter((id) => !NOT_TO_BE_INVITED_AGAIN.includes(statuses.get(id) as RelationshipStatus));
      expect(notLive.map((id) => `${id}:${statuses.get(id) ?? 'not a member'}`)).toEqual([]);
    }
    this.report.held('convergesAfterFaults');
  }

  public destroyLeavesNoMember(emulator: GuardDutyEmulator, administratorId: string, region: string, declared: readonly string[]): void {
    const declaredSet = new Set(declared);
    expect(emulator.members(administratorId, region).filter((m) => declaredSet.has(m.accountId)).map((m) => m.accountId)).toEqual([]);
    this.report.held('destroyLeavesNoMember');
  }

  /**
   * After a rollback (the Delete that follows a failed Create, the Update back that follows
   * a failed Update): every account that was a member before the failed step still is.
   */
  public rollbackKeepsPriorMembers(emulator: GuardDutyEmulator, administratorId: string, region: string, membersBefore: readonly string[]): void {
    const members = new Set(emulator.members(administratorId, region).map((m) => m.accountId));
    expect(membersBefore.filter((accountId) => !members.has(accountId))).toEqual([]);
    this.report.held('rollbackKeepsPriorMembers');
  }

  /** After a failed Create with DESTROY: none of the accounts that were not members before is one now. */
  public failedCreateRemovesWhatItCreated(emulator: GuardDutyEmulator, administratorId: string, region: string, absentBefore: readonly string[]): void {
    const absent = new Set(absentBefore);
    expect(emulator.members(administratorId, region).filter((m) => absent.has(m.accountId)).map((m) => `${m.accountId}:${m.relationshipStatus}`)).toEqual([]);
    this.report.held('failedCreateRemovesWhatItCreated');
  }

  public retainMakesNoCall(delivery: Delivery, callsBefore: number, emulator: GuardDutyEmulator): void {
    expect(delivery.response.Status).toBe('SUCCESS');
    expect(emulator.callCount()).toBe(callsBefore);
    this.report.held('retainMakesNoCall');
  }

  /**
   * Scripted schedules (a few faults at fixed calls, or none) are all the SDK's retries
   * must absorb: under them the request succeeded. Faults drawn at random may exhaust the
   * retries, and are not judged here.
   */
  public transientFaultsAbsorbed(delivery: Delivery, ...faults: readonly FaultOptions[]): void {
    if (faults.every((f) => Object.keys(f).length === 0 || f.script !== undefined)) {
      expect(delivery.response).toMatchObject({ Status: 'SUCCESS' });
      this.report.held('transientFaultsAbsorbed');
    }
  }

  public physicalIdStable(delivery: Delivery, expected: string): void {
    expect(delivery.response.PhysicalResourceId).toBe(expected);
    this.report.held('physicalIdStable');
  }

  /**
   * Since `acceptedBefore` (appliedAcceptances then), GuardDuty applied at most one
   * acceptance of the member, and none if it was already associated with the declared
   * administrator.
   */
  public acceptedAtMostOnce(emulator: GuardDutyEmulator, accountId: string, acceptedBefore: number, wasAssociated: boolean): void {
    expect(appliedAcceptances(emulator, accountId) - acceptedBefore).toBeLessThanOrEqual(wasAssociated ? 0 : 1);
    this.report.held('acceptedAtMostOnce');
  }

  /**
   * A Create that waited for an invitation that never came failed at the first isComplete
   * poll at or after the deadline (polls come every interval of the waiter's clock), with
   * the handler's own HandlerError saying what it waited for, well before the framework's
   * own timeout would have answered "Operation timed out".
   */
  public invitationWaitEndsAtDeadline(delivery: Delivery, waiter: WaiterSettings, wait: { readonly timeoutSeconds: number; readonly administratorId: string; readonly memberId: string }): void {
    expect(delivery.response.Status).toBe('FAILED');
    expect(delivery.error?.errorType).toBe('HandlerError');
    const message = delivery.error?.errorMessage ?? '';
    expect(Buffer.byteLength(message, 'utf8')).toBeLessThanOrEqual(MAX_FAILURE_MESSAGE_BYTES);
    expect(message).not.toContain('\n');
    const minutes = Math.round(wait.timeoutSeconds / 60);
    expect(delivery.response.Reason).toContain(`No GuardDuty invitation from administrator account ${wait.administratorId} reached account ${wait.memberId}`);
    expect(delivery.response.Reason).toContain(`within ${minutes} minute`);
    const deadlinePoll = 1 + Math.ceil(wait.timeoutSeconds / waiter.intervalSeconds);
    expect(delivery.isCompletePolls).toBe(deadlinePoll);
    expect(deadlinePoll).toBeLessThan(1 + waiter.maxAttempts);
    this.report.held('invitationWaitEndsAtDeadline');
  }

  /**
   * The member is associated with another administrator: FAILED with a bounded, one-line
   * HandlerError naming both, and no call that changes anything since `writesBefore`.
   */
  public conflictNamesBoth(delivery: Delivery, emulator: GuardDutyEmulator, writesBefore: number, administrators: { readonly declared: string; readonly current: string }): void {
    expect(delivery.response.Status).toBe('FAILED');
    expect(delivery.error?.errorType).toBe('HandlerError');
    const message = delivery.error?.errorMessage ?? '';
    expect(Buffer.byteLength(message, 'utf8')).toBeLessThanOrEqual(MAX_FAILURE_MESSAGE_BYTES);
    expect(message).not.toContain('\n');
    expect(delivery.response.Reason).toContain(`administrator account ${administrators.current}`);
    expect(delivery.response.Reason).toContain(`not with ${administrators.declared}`);
    expect(emulator.writeCallCount()).toBe(writesBefore);
    this.report.held('conflictNamesBoth');
  }

  /** After the member's Delete with DESTROY: the administrator no longer sees it associated (Enabled or Disabled). */
  public destroyLeavesAdministrator(delivery: Delivery, emulator: GuardDutyEmulator, where: MemberRelationship): void {
    expect(delivery.response.Status).toBe('SUCCESS');
    expect(['Enabled', 'Disabled']).not.toContain(relationshipStatus(emulator, where));
    this.report.held('destroyLeavesAdministrator');
  }

  /**
   * The member's Create ended one of two ways: SUCCESS with the member Enabled as the
   * administrator sees it (and said so in Data), or FAILED with a HandlerError no later
   * than the first isComplete poll at or after its deadline.
   */
  public acceptsOrFailsByDeadline(delivery: Delivery, emulator: GuardDutyEmulator, where: MemberRelationship, deadlinePoll: number): void {
    if (delivery.response.Status === 'SUCCESS') {
      expect(delivery.response.Data).toMatchObject({ AdministratorAccountId: where.administratorId, RelationshipStatus: 'Enabled' });
      expect(relationshipStatus(emulator, where)).toBe('Enabled');
    } else {
      expect(delivery.timedOut).toBe(false);
      expect(delivery.error?.errorType).toBe('HandlerError');
      expect(delivery.isCompletePolls).toBeLessThanOrEqual(deadlinePoll);
    }
    this.report.held('acceptsOrFailsByDeadline');
  }

  public noEmailDisclosed(delivery: Delivery, emails: readonly string[]): void {
    const seen = [delivery.body, ...delivery.logs].join('\n').toLowerCase();
    expect(disclosedEmails(seen, emails)).toEqual([]);
    this.report.held('noEmailDisclosed');
  }
}

/**
 * What the handler did in the run that answered `delivery`: its `applied` log line (the
 * declared accounts created and invited), merged with its `removed dropped members` line
 * (the accounts an Update dropped, removed once the run could no longer fail, by onEvent
 * or by the last isComplete poll).
 */
export function appliedOutcome(delivery: Delivery): AppliedOutcome {
  const entries = delivery.logs.map(parseJson);
  const lines = entries.filter((entry): entry is Record<string, unknown> => entry?.message === 'applied');
  if (lines.length === 0) {
    throw new Error(`The handler logged no "applied" line; it logged:\n${delivery.logs.join('\n')}`);
  }
  const removal = entries.find((entry) => entry?.message === 'removed dropped members');
  const strings = (value: unknown) => (Array.isArray(value) ? value.map(String) : []);
  const reasons = (value: unknown) => strings(value).map((entry) => {
    const colon = entry.indexOf(':');
    return { accountId: entry.slice(0, colon), reason: entry.slice(colon + 1) };
  });
  // onEvent logs one line for the whole declaration; a continued run's polls log one per
  // batch, and a later poll sees an account an earlier one invited as a member. Each
  // account ends where its last line put it, except that an invitation is kept.
  const where = new Map<string, { list: 'invited' | 'associated' | 'alreadyMembers' | 'unprocessed'; reason?: string }>();
  const broughtIn = new Map<string, 'invited' | 'associated'>();
  for (const line of lines) {
    strings(line.invited).forEach((id) => {
      broughtIn.set(id, 'invited');
      where.set(id, { list: 'invited' });
    });
    strings(line.associated).forEach((id) => {
      broughtIn.set(id, 'associated');
      where.set(id, { list: 'associated' });
    });
    strings(line.alreadyMembers).forEach((entry) => {
      const id = entry.split(':')[0];
      where.set(id, { list: broughtIn.get(id) ?? 'alreadyMembers' });
    });
    reasons(line.unprocessed).forEach((u) => where.set(u.accountId, { list: 'unprocessed', reason: u.reason }));
  }
  const inList = (list: string) => [...where.entries()].filter(([, w]) => w.list === list);
  return {
    invited: inList('invited').map(([id]) => id),
    associated: inList('associated').map(([id]) => id),
    alreadyMembers: inList('alreadyMembers').map(([id]) => id),
    unprocessed: [...inList('unprocessed').map(([accountId, w]) => ({ accountId, reason: w.reason ?? '' })), ...reasons(removal?.refused)],
    removed: strings(removal?.removed),
  };
}

function parseJson(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The emails of `emails` that occur in `text` (lowercased), as `text.includes(email)`
 * would find them, in one scan of the text's '@' signs rather than one scan per email:
 * a 50,000-member run logs megabytes.
 */
function disclosedEmails(text: string, emails: readonly string[]): string[] {
  const wanted = new Set(emails.map((email) => email.toLowerCase()));
  // Where an email's '@' is and how long it is: the few shapes the declared emails have.
  const shapes = new Set([...wanted].map((email) => `${email.indexOf('@')}:${email.length}`));
  const found = new Set<string>();
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    for (const shape of shapes) {
      const [offset, length] = shape.split(':').map(Number);
      const candidate = text.substr(at - offset, length);
      if (at >= offset && wanted.has(candidate)) {
        found.add(candidate);
      }
    }
  }
  return emails.filter((email) => found.has(email.toLowerCase()));
}

function sorted(ids: readonly string[]): string[] {
  return [...ids].sort();
}
