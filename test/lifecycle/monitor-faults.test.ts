import { GuardDutyClient, UpdateDetectorCommand } from '@aws-sdk/client-guardduty';
import fc from 'fast-check';
import { GuardDutyInvitationAccepter, GuardDutyMemberInvitations } from '../../lib';
import { GuardDutyEmulator, MemberRecord, RelationshipStatus } from '../support/guardduty-emulator';
import { constructFaultSchedules } from '../support/lifecycle/arbitraries';
import { ADMIN, OTHER_ADMINISTRATOR, REGION, lifecycleHarness } from '../support/lifecycle/lifecycle-harness';
import { Invoker, ShippedMonitor, removeMonitorAssemblies, startMonitor, synthesizeMonitor } from '../monitor/shipped-monitor';

/**
 * Fault sweeps over the two monitors' scheduled functions as the cloud assembly ships
 * them (bundle, declaration.json, environment), run in a warm Lambda container against
 * the GuardDuty emulator under throttling, 5xx and dropped connections. What they prove
 * (INVARIANTS.monitorReportsTruth):
 *
 * - Membership monitor: each of two consecutive checks under one fault schedule returns
 *   counts that match GuardDuty's member list and the declaration as they were before it,
 *   or fails with an error (never a Lambda timeout). With healing, the accounts that
 *   received an invitation are only declared accounts that left (Resigned, Removed,
 *   EmailVerificationFailed) and were last invited longer ago than the re-invitation
 *   interval, one invitation each across all the checks; undeclared members are never
 *   touched; without healing nothing is written. Once the faults stop, the next check
 *   succeeds with the right counts, invites no account again, and leaves every account
 *   that was due with exactly one invitation (none when GuardDuty refuses it).
 * - Administrator monitor (member side): each check under faults returns the association
 *   and detector status GuardDuty holds, or fails with an error; nothing is written; once
 *   the faults stop, the next check succeeds with the right assessment.
 *
 * The function's clock runs `ageDays` ahead of the emulator's, so the seeded invitations
 * are that old as the check sees them (the defaults: 7-day grace period and interval).
 *
 * Cases run LANES at a time (checkLanes), each on an emulator of its own: every case
 * seeds, faults and checks only its lane's emulator, and its warm containers reach only
 * that lane's endpoint, so everything that outlives a case is kept per lane. Eight lanes:
 * a case waits mostly in the SDK's back-off, and npm test's three cases use three of them.
 */
const LANES = 8;
const h = lifecycleHarness('monitor-faults', { lanes: LANES });

const DAY_MS = 24 * 3_600_000;
const GRACE_MS = 7 * DAY_MS;
const INTERVAL_MS = 7 * DAY_MS;
const AWAITING_MEMBER: readonly string[] = ['Created', 'Invited', 'EmailVerificationInProgress'];
const REINVITABLE: readonly string[] = ['Removed', 'Resigned', 'EmailVerificationFailed'];
/** Scheduled checks in a row under one fault schedule, before the one without faults. */
const FAULTED_CHECKS = 2;

afterAll(() => removeMonitorAssemblies());

/** The check's outcome as Lambda reports it: its result, or the runtime's errorType. */
type Outcome = { readonly result: unknown } | { readonly errorType: string; readonly message: string };

async function run(invoke: Invoker, clockOffsetMs: number): Promise<Outcome> {
  try {
    return { result: (await invoke(clockOffsetMs)).result };
  } catch (error) {
    const message = (error as Error).message;
    return { errorType: /^The check failed: ([^:]+):/.exec(message)?.[1] ?? 'unknown', message };
  }
}

/** A failure must be the function's own error, not Lambda stopping it at its timeout or the runtime dying. */
function expectHandledError(outcome: Outcome): void {
  expect('errorType' in outcome && outcome.errorType).not.toMatch(/^(Sandbox\.Timedout|Runtime\.ExitError|unknown)$/);
}

describe('GuardDutyMembershipMonitor under faults', () => {
  /** A declared account's state before the check; `resigned-elsewhere` has since joined another administrator, so GuardDuty refuses to invite it. */
  type DeclaredState = 'absent' | 'resigned-elsewhere' | Exclude<RelationshipStatus, 'EmailVerificationInProgress'>;
  const DECLARED_STATES: readonly DeclaredState[] = ['Enabled', 'Invited', 'Created', 'Disabled', 'Resigned', 'Removed', 'EmailVerificationFailed', 'absent', 'resigned-elsewhere'];
  const declaredId = (i: number) => String(400_000_000_000 + i);
  const undeclaredId = (i: number) => String(500_000_000_000 + i);

  /**
   * One synthesized monitor per fleet size and healing setting (and detector), as each such
   * app would deploy, and one warm container per lane, monitor and clock: a container
   * reaches one lane's endpoint, and its clock never moves back (the SDK's adaptive rate
   * limiter, module-level in the warm container, would take a clock moved back by days for
   * a token debt of days, which no Lambda clock does).
   */
  const shipped = new Map<string, ShippedMonitor>();
  const warm = new Map<GuardDutyEmulator, Map<string, Promise<Invoker>>>();
  function monitorFor(lane: GuardDutyEmulator, detectorId: string, size: number, healing: boolean, clockOffsetMs: number): Promise<Invoker> {
    const key = `${size}/${healing}/${detectorId}`;
    if (!shipped.has(key)) {
      shipped.set(
        key,
        synthesizeMonitor(
          { account: ADMIN, region: REGION },
          (stack) =>
            new GuardDutyMemberInvitations(stack, 'Members', {
              members: Array.from({ length: size }, (_, i) => ({ accountId: declaredId(i), email: `aws-root+${declaredId(i)}@example.com` })),
            }).addMonitor({ healing }),
          { 'Custom::GuardDutyMemberInvitations': { DetectorId: detectorId } },
        ),
      );
    }
    const containers = warm.get(lane) ?? new Map<string, Promise<Invoker>>();
    warm.set(lane, containers);
    const container = `${key}/${clockOffsetMs}`;
    if (!containers.has(container)) {
      containers.set(container, startMonitor(shipped.get(key)!, lane, ADMIN, REGION));
    }
    return containers.get(container)!;
  }

  const fleet = fc.record({
    size: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(1, 2, 5, 12) }, { weight: 1, arbitrary: fc.constantFrom(51, 120) }),
    pattern: fc.array(fc.constantFrom(...DECLARED_STATES), { minLength: 1, maxLength: 8 }),
    undeclared: fc.array(fc.constantFrom<RelationshipStatus>('Enabled', 'Created', 'Resigned', 'Removed', 'EmailVerificationFailed'), { maxLength: 6 }),
    ageDays: fc.constantFrom(1, 8),
    healing: fc.boolean(),
  });
  const arbitrary = fleet.chain((generated) =>
    // About as many GuardDuty calls as one case's checks make, so that scripted faults land on calls that happen.
    constructFaultSchedules(generated.healing ? ['ListMembers', 'InviteMembers'] : ['ListMembers'], 4).map((faults) => ({ ...generated, faults })),
  );

  /** What the check must report, computed from GuardDuty's member list and the declaration. */
  function expectedSummary(declared: readonly string[], members: readonly MemberRecord[], nowMs: number) {
    const byId = new Map(members.map((m) => [m.accountId, m]));
    const pastGrace = (m: MemberRecord | undefined) => {
      if (!m) {
        return true;
      }
      if (m.relationshipStatus === 'Enabled') {
        return false;
      }
      const since = m.invitedAt ?? m.updatedAt;
      return !AWAITING_MEMBER.includes(m.relationshipStatus) || since === undefined || nowMs - since > GRACE_MS;
    };
    return {
      declaredAccounts: declared.length,
      listedMembers: members.length,
      undeclaredMembers: members.filter((m) => !declared.includes(m.accountId)).length,
      missingMembers: declared.filter((id) => !byId.has(id)).length,
      notEnabledPastGracePeriod: declared.filter((id) => pastGrace(byId.get(id))).length,
    };
  }

  /** The declared members healing may invite now: left, and last invited at least an interval ago. */
  function dueForInvitation(declared: readonly string[], members: readonly MemberRecord[], nowMs: number): Set<string> {
    return new Set(
      members
        .filter((m) => declared.includes(m.accountId) && REINVITABLE.includes(m.relationshipStatus) && (m.invitedAt === undefined || m.invitedAt + INTERVAL_MS <= nowMs))
        .map((m) => m.accountId),
    );
  }

  const invitationCounts = (e: GuardDutyEmulator, ids: readonly string[]) => new Map(ids.map((id) => [id, e.invitationsSentTo(id)]));
  const newlyInvited = (e: GuardDutyEmulator, before: Map<string, number>) => [...before].filter(([id, count]) => e.invitationsSentTo(id) > count).map(([id]) => id);

  test('a check under faults reports the member list as it is, or fails with an error; healing invites only what is due, once', async () => {
    await h.checkLanes(
      'Membership monitor: two checks under faults, then one without',
      arbitrary,
      async ({ size, pattern, undeclared, ageDays, healing, faults }, e) => {
        const labels: string[] = [healing ? 'healing' : 'read-only'];
        const offsetMs = ageDays * DAY_MS;
        e.reset();
        const detectorId = e.seedDetector(ADMIN, REGION);
        const invoke = await monitorFor(e, detectorId, size, healing, offsetMs);
        const declared = Array.from({ length: size }, (_, i) => declaredId(i));
        declared.forEach((accountId, i) => {
          const state = pattern[i % pattern.length];
          if (state === 'resigned-elsewhere') {
            e.seedMember(ADMIN, REGION, { accountId, relationshipStatus: 'Resigned' });
            e.setExternalAdministrator(accountId, OTHER_ADMINISTRATOR);
          } else if (state !== 'absent') {
            e.seedMember(ADMIN, REGION, { accountId, relationshipStatus: state });
          }
        });
        undeclared.forEach((relationshipStatus, i) => e.seedMember(ADMIN, REGION, { accountId: undeclaredId(i), relationshipStatus }));
        const undeclaredBefore = e.members(ADMIN, REGION).filter((m) => !declared.includes(m.accountId));
        const everyone = [...declared, ...undeclared.map((_, i) => undeclaredId(i))];

        const previouslySent = new Set<string>();
        let firstDue: Set<string> | undefined;
        /** One scheduled check: its counts are those of the member list before it, its invitations only what was due. */
        const checkOnce = async (underFaults: boolean) => {
          const members = e.members(ADMIN, REGION);
          const before = invitationCounts(e, everyone);
          const due = healing ? dueForInvitation(declared, members, Date.now() + offsetMs) : new Set<string>();
          firstDue ??= due;
          const callsBefore = e.calls().length;
          const outcome = await run(invoke, offsetMs);
          await e.settled();
          const calls = e.calls().slice(callsBefore);
          const sent = newlyInvited(e, before);
          if (calls.some((call) => call.fault !== undefined)) {
            labels.push('faults-bit');
          }
          if ('result' in outcome) {
            expect(outcome.result).toMatchObject(expectedSummary(declared, members, Date.now() + offsetMs));
            // Every invitation GuardDuty sent counts as re-invited, one whose response was lost included.
            expect((outcome.result as { reinvitedAccounts: number }).reinvitedAccounts).toBe(sent.length);
          } else {
            expect(underFaults).toBe(true);
            expectHandledError(outcome);
            labels.push('failed-under-faults');
          }
          // Only declared accounts that are due, one invitation each across every check.
          for (const accountId of sent) {
            expect(due.has(accountId)).toBe(true);
            expect(previouslySent.has(accountId)).toBe(false);
            expect(e.invitationsSentTo(accountId)).toBe(1);
            previouslySent.add(accountId);
          }
          if (!underFaults && sent.length > 0) {
            labels.push('healed-by-clean-check');
          }
        };

        // Consecutive scheduled checks under the same faults (a scripted fault may land on a later check's call), then one without.
        e.setFaults(faults);
        for (let i = 0; i < FAULTED_CHECKS; i++) {
          await checkOnce(true);
        }
        e.clearFaults();
        await checkOnce(false);

        if (!healing) {
          expect(e.writeCallCount()).toBe(0);
        }
        // Every account due at the first check has had its one invitation, unless GuardDuty refuses it (another administrator).
        for (const accountId of firstDue ?? []) {
          const refused = e.members(ADMIN, REGION).find((m) => m.accountId === accountId)?.relationshipStatus === 'Resigned';
          expect(e.invitationsSentTo(accountId)).toBe(refused ? 0 : 1);
        }
        // Undeclared members are never touched.
        expect(e.members(ADMIN, REGION).filter((m) => !declared.includes(m.accountId))).toEqual(undeclaredBefore);
        h.report.held('monitorReportsTruth');

        if (previouslySent.size > 0) {
          labels.push('healed');
        }
        if (healing && firstDue?.size === 0 && e.members(ADMIN, REGION).some((m) => declared.includes(m.accountId) && REINVITABLE.includes(m.relationshipStatus))) {
          labels.push('held-back');
        }
        return [...new Set(labels)];
      },
      { seed: 20261207, numRuns: 192, quickRuns: 3, timeLimitMs: 100_000, construct: 'GuardDutyMembershipMonitor', injectsFaults: true },
    );
  }, 180_000);
});

describe('GuardDutyAdministratorMonitor under faults', () => {
  const MEMBER = '222222222222';
  type MemberSide = 'Enabled' | 'Invited' | 'Created' | 'Resigned' | 'Removed' | 'absent' | 'other-administrator';
  /** The monitor synthesized once per member detector, and per lane a warm container and a client of its own. */
  const shipped = new Map<string, ShippedMonitor>();
  const warm = new Map<GuardDutyEmulator, Promise<Invoker>>();
  const clients = new Map<GuardDutyEmulator, GuardDutyClient>();
  afterAll(() => clients.forEach((client) => client.destroy()));

  function monitor(lane: GuardDutyEmulator, detectorId: string): Promise<Invoker> {
    if (!shipped.has(detectorId)) {
      shipped.set(
        detectorId,
        synthesizeMonitor(
          { account: MEMBER, region: REGION },
          (stack) => new GuardDutyInvitationAccepter(stack, 'Administrator', { administratorAccountId: ADMIN }).addMonitor(),
          { 'Custom::GuardDutyInvitationAccepter': { DetectorId: detectorId, AdministratorAccountId: ADMIN } },
          'AdministratorMonitorFunction',
        ),
      );
    }
    if (!warm.has(lane)) {
      warm.set(lane, startMonitor(shipped.get(detectorId)!, lane, MEMBER, REGION));
    }
    return warm.get(lane)!;
  }

  function clientFor(lane: GuardDutyEmulator): GuardDutyClient {
    if (!clients.has(lane)) {
      clients.set(lane, new GuardDutyClient({ ...lane.clientConfig(MEMBER, REGION), maxAttempts: 1 }));
    }
    return clients.get(lane)!;
  }

  const arbitrary = fc.record({
    side: fc.constantFrom<MemberSide>('Enabled', 'Enabled', 'Invited', 'Created', 'Resigned', 'Removed', 'absent', 'other-administrator'),
    detectorEnabled: fc.boolean(),
    // About as many GuardDuty calls as one case's checks make, so that scripted faults land on calls that happen.
    faults: constructFaultSchedules(['GetAdministratorAccount', 'GetDetector'], 6),
  });

  /** What the check must find, from the member side's state as seeded. */
  function expectedAssessment(side: MemberSide, detectorEnabled: boolean) {
    const administrator = side === 'other-administrator' ? OTHER_ADMINISTRATOR : side === 'Enabled' ? ADMIN : undefined;
    // A member that suspends its detector is Disabled as its administrator sees it.
    const relationship = side === 'Enabled' && !detectorEnabled ? 'Disabled' : 'Enabled';
    const administratorAssociated = administrator === ADMIN && relationship === 'Enabled';
    const problems = (administratorAssociated ? 0 : 1) + (detectorEnabled ? 0 : 1);
    return { administratorAssociated, detectorEnabled, problemCount: problems };
  }

  test('a check under faults reports the association and the detector as they are, or fails with an error', async () => {
    await h.checkLanes(
      'Administrator monitor: three checks under faults, then one without',
      arbitrary,
      async ({ side, detectorEnabled, faults }, e) => {
        e.reset();
        e.seedDetector(ADMIN, REGION);
        const detectorId = e.seedDetector(MEMBER, REGION);
        const check = await monitor(e, detectorId);
        if (side === 'other-administrator') {
          e.setExternalAdministrator(MEMBER, OTHER_ADMINISTRATOR);
        } else if (side !== 'absent') {
          e.seedMember(ADMIN, REGION, { accountId: MEMBER, relationshipStatus: side });
        }
        if (!detectorEnabled) {
          await clientFor(e).send(new UpdateDetectorCommand({ DetectorId: detectorId, Enable: false }));
        }
        const { problemCount, ...assessment } = expectedAssessment(side, detectorEnabled);
        const expected = { ...assessment, problems: expect.any(Array) };
        const writesBefore = e.writeCallCount();
        const labels: string[] = [problemCount > 0 ? 'drift' : 'healthy'];

        e.setFaults(faults);
        for (let i = 0; i < FAULTED_CHECKS; i++) {
          const callsBefore = e.calls().length;
          const outcome = await run(check, 0);
          await e.settled();
          if (e.calls().slice(callsBefore).some((call) => call.fault !== undefined)) {
            labels.push('faults-bit');
          }
          if ('result' in outcome) {
            expect(outcome.result).toEqual(expected);
            expect((outcome.result as { problems: string[] }).problems).toHaveLength(problemCount);
          } else {
            expectHandledError(outcome);
            labels.push('failed-under-faults');
          }
        }
        e.clearFaults();

        const clean = await run(check, 0);
        expect(clean).toHaveProperty('result');
        expect((clean as { result: unknown }).result).toEqual(expected);
        expect((clean as { result: { problems: string[] } }).result.problems).toHaveLength(problemCount);
        await e.settled();
        // Read-only: the checks wrote nothing.
        expect(e.writeCallCount()).toBe(writesBefore);
        h.report.held('monitorReportsTruth');
        return [...new Set(labels)];
      },
      { seed: 20261208, numRuns: 288, quickRuns: 3, timeLimitMs: 100_000, construct: 'GuardDutyAdministratorMonitor', injectsFaults: true },
    );
  }, 180_000);
});
