import fc from 'fast-check';
import { FaultOptions, GuardDutyEmulator, RELATIONSHIP_STATUSES, RelationshipStatus, ScriptedFault, ScriptedFaultKind } from '../guardduty-emulator';

/**
 * What an account is before a run: not a member, a member in one of GuardDuty's
 * relationship statuses, or not a member but associated with an administrator outside
 * this detector (GuardDuty then refuses to invite it: an unprocessed account).
 */
export type PriorState = 'absent' | 'other-administrator' | RelationshipStatus;

export interface GeneratedMembers {
  readonly count: number;
  /** Account i starts in pattern[i % pattern.length]: mixes of states at any list size, cheap to shrink. */
  readonly pattern: readonly PriorState[];
}

export interface MemberDeclaration {
  readonly accountId: string;
  readonly email: string;
  readonly prior: PriorState;
}

const FIRST_ACCOUNT = 300_000_000_000;
/** The administrator that `other-administrator` accounts belong to. */
export const OTHER_ADMINISTRATOR = '999999999999';

/**
 * Member lists of 1 to 3,000 accounts, most of them short (a run over thousands takes a
 * second or more), in mixed prior states.
 */
export function generatedMembers(states: readonly PriorState[] = ['absent', 'other-administrator', ...RELATIONSHIP_STATUSES]): fc.Arbitrary<GeneratedMembers> {
  return fc.record({
    count: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 120 }) }, { weight: 1, arbitrary: fc.integer({ min: 121, max: 3_000 }) }),
    pattern: fc.array(fc.oneof({ weight: 4, arbitrary: fc.constant<PriorState>('absent') }, { weight: 6, arbitrary: fc.constantFrom(...states) }), { minLength: 1, maxLength: 12 }),
  });
}

export function memberDeclarations(members: GeneratedMembers): MemberDeclaration[] {
  return Array.from({ length: members.count }, (_, i) => {
    const accountId = String(FIRST_ACCOUNT + i);
    return { accountId, email: `aws-root+${accountId}@example.com`, prior: members.pattern[i % members.pattern.length] };
  });
}

/** Puts each account in its prior state in the emulator (the detector must exist). */
export function seedPriorStates(emulator: GuardDutyEmulator, administratorId: string, region: string, members: readonly MemberDeclaration[]): void {
  for (const member of members) {
    if (member.prior === 'other-administrator') {
      emulator.setExternalAdministrator(member.accountId, OTHER_ADMINISTRATOR);
    } else if (member.prior !== 'absent') {
      emulator.seedMember(administratorId, region, { accountId: member.accountId, email: member.email, relationshipStatus: member.prior });
    }
  }
}

/**
 * Fault schedules: none, or any mix of a token-bucket rate limit (429), injected 500s and
 * connections dropped before or after the change is applied, plus a little latency.
 * Rates are kept where the SDK's retries (10 attempts, backoff from 100 ms, 500 ms after
 * a throttle) get through in well under a second per fault, so a case stays short.
 */
export function faultSchedules(): fc.Arbitrary<FaultOptions> {
  const operations = fc.option(fc.subarray(['GetMembers', 'CreateMembers', 'InviteMembers', 'DisassociateMembers', 'DeleteMembers'], { minLength: 1 }), { nil: undefined });
  const schedule = fc.record(
    {
      latencyMs: fc.integer({ min: 0, max: 2 }),
      rateLimit: fc.record({ ratePerSecond: fc.integer({ min: 40, max: 400 }), burst: fc.integer({ min: 5, max: 60 }) }),
      serverErrors: fc.record({ probability: fc.double({ min: 0.01, max: 0.25, noNaN: true }), operations }),
      dropConnections: fc.record({ probability: fc.double({ min: 0.01, max: 0.2, noNaN: true }), afterApply: fc.boolean(), operations }),
      seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    },
    { requiredKeys: ['seed'] },
  );
  return fc.oneof({ weight: 1, arbitrary: fc.constant<FaultOptions>({}) }, { weight: 5, arbitrary: schedule.map(withoutUndefined) });
}

const SCRIPTED_KINDS: readonly ScriptedFaultKind[] = ['throttled', 'server-error', 'dropped', 'dropped-after-apply'];

/**
 * One to four faults at fixed places in a run: the first or second call of one of
 * `operations`, or one of the first `calls` calls of any operation (retries count), throttled,
 * failed with a 5xx, or its connection dropped before or after the change is applied.
 * Each schedule is the same on every run, and there are thousands of them over a handful
 * of calls, so a property walks the places a fault can land.
 */
export function scriptedFaults(operations: readonly string[], calls = 8): fc.Arbitrary<ScriptedFault[]> {
  const kind = fc.constantFrom(...SCRIPTED_KINDS);
  const place = fc.oneof(
    fc.record({ operation: fc.constantFrom(...operations), occurrence: fc.integer({ min: 1, max: 2 }), fault: kind }),
    fc.record({ occurrence: fc.integer({ min: 1, max: calls }), fault: kind }),
  );
  return fc.uniqueArray(place, { minLength: 1, maxLength: 4, selector: (fault: ScriptedFault) => `${fault.operation ?? '*'}#${fault.occurrence}` });
}

/**
 * Fault schedules over one construct's operations: none; a scripted schedule
 * (scriptedFaults over about as many calls as one request makes), most often; or faults
 * drawn at random as faultSchedules() draws them (a rate limit, 5xx and drops with
 * probabilities), restricted to `operations`.
 */
export function constructFaultSchedules(operations: readonly string[], calls = 8): fc.Arbitrary<FaultOptions> {
  const only = fc.option(fc.subarray([...operations], { minLength: 1 }), { nil: undefined });
  const drawn = fc.record(
    {
      rateLimit: fc.record({ ratePerSecond: fc.integer({ min: 20, max: 200 }), burst: fc.integer({ min: 2, max: 10 }) }),
      serverErrors: fc.record({ probability: fc.double({ min: 0.05, max: 0.3, noNaN: true }), operations: only }),
      dropConnections: fc.record({ probability: fc.double({ min: 0.05, max: 0.25, noNaN: true }), afterApply: fc.boolean(), operations: only }),
      seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    },
    { requiredKeys: ['seed'] },
  );
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant<FaultOptions>({}) },
    { weight: 8, arbitrary: scriptedFaults(operations, calls).map((script): FaultOptions => ({ script })) },
    { weight: 2, arbitrary: drawn.map(withoutUndefined) },
  );
}

function withoutUndefined<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * Where the member account stands before its GuardDutyInvitationAccepter's Create: no
 * invitation yet, invited by the administrator's stack, already associated with the
 * administrator (an earlier deployment), or associated with another administrator.
 */
export type AccepterPriorState = 'no-invitation' | 'invited' | 'enabled' | 'other-administrator';

export function accepterPriorStates(): fc.Arbitrary<AccepterPriorState> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant<AccepterPriorState>('no-invitation') },
    { weight: 2, arbitrary: fc.constant<AccepterPriorState>('invited') },
    { weight: 1, arbitrary: fc.constantFrom<AccepterPriorState>('enabled', 'other-administrator') },
  );
}

/**
 * Fault schedules for the member's calls, as faultSchedules() for the administrator's
 * (a member run makes a handful of calls per poll, so the rates are the same), and in
 * one case of four just a lost acceptance: the connection dropped once
 * AcceptAdministratorInvitation has applied, so that the SDK's retry meets an invitation
 * already used (it only matters in the cases that accept, hence so often).
 */
export function accepterFaultSchedules(): fc.Arbitrary<FaultOptions> {
  const operations = fc.option(fc.subarray(['ListDetectors', 'GetAdministratorAccount', 'ListInvitations', 'AcceptAdministratorInvitation'], { minLength: 1 }), { nil: undefined });
  const schedule = fc.record(
    {
      latencyMs: fc.integer({ min: 0, max: 2 }),
      rateLimit: fc.record({ ratePerSecond: fc.integer({ min: 40, max: 400 }), burst: fc.integer({ min: 3, max: 30 }) }),
      serverErrors: fc.record({ probability: fc.double({ min: 0.05, max: 0.25, noNaN: true }), operations }),
      dropConnections: fc.record({ probability: fc.double({ min: 0.05, max: 0.2, noNaN: true }), afterApply: fc.boolean(), operations }),
      seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    },
    { requiredKeys: ['seed'] },
  );
  const lostAcceptance = fc.record({
    dropConnections: fc.constant({ nextCalls: 1, afterApply: true, operations: ['AcceptAdministratorInvitation'] }),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  });
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant<FaultOptions>({}) },
    { weight: 7, arbitrary: schedule.map(withoutUndefined) },
    { weight: 3, arbitrary: lostAcceptance },
  );
}
