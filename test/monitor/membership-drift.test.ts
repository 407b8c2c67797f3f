import fc from 'fast-check';
import { checkOutputLines } from '../../lambda/membership-monitor/check-output';
import { planHealing } from '../../lambda/membership-monitor/healing-plan';
import { ListedMember, compareMembership } from '../../lambda/membership-monitor/membership-drift';
import { KNOWN_RELATIONSHIP_STATUSES, NOT_A_MEMBER } from '../../lib/private/monitor-contract';
import { emittedMetrics } from './shipped-monitor';

const NOW = Date.parse('2026-11-29T00:00:00Z');
const DAY = 24 * 3_600_000;
const GRACE = 7 * DAY;

const member = (accountId: string, relationshipStatus: string, ageDays = 0): ListedMember => ({
  accountId,
  relationshipStatus,
  invitedAtMs: NOW - ageDays * DAY,
  updatedAtMs: NOW - ageDays * DAY,
});

describe('compareMembership', () => {
  test('a declared account that left counts for the alarm at once', () => {
    const report = compareMembership(['222222222222'], [member('222222222222', 'Resigned', 0)], NOW, GRACE);

    expect(report.notEnabledPastGracePeriod).toBe(1);
    expect(report.drifted).toEqual([{ accountId: '222222222222', drift: 'not-enabled', relationshipStatus: 'Resigned', sinceMs: NOW, pastGracePeriod: true }]);
  });

  test.each(['Created', 'Invited', 'EmailVerificationInProgress'])('a %s account counts only once its invitation is older than the grace period', (status) => {
    const young = compareMembership(['222222222222'], [member('222222222222', status, 7)], NOW, GRACE);
    const old = compareMembership(['222222222222'], [member('222222222222', status, 7.01)], NOW, GRACE);

    expect([young.notEnabledPastGracePeriod, old.notEnabledPastGracePeriod]).toEqual([0, 1]);
  });

  test('the grace period of a pending invitation runs from the invitation, not from the last change', () => {
    const invitedLongAgo = { accountId: '222222222222', relationshipStatus: 'Invited', invitedAtMs: NOW - 30 * DAY, updatedAtMs: NOW - DAY };

    expect(compareMembership(['222222222222'], [invitedLongAgo], NOW, GRACE).notEnabledPastGracePeriod).toBe(1);
  });

  test('a declared account that is not a member is missing, counted as NotAMember and for the alarm', () => {
    const report = compareMembership(['222222222222'], [], NOW, GRACE);

    expect(report).toMatchObject({ missingMembers: 1, notEnabledPastGracePeriod: 1, declaredByStatus: expect.objectContaining({ [NOT_A_MEMBER]: 1 }) });
  });

  test('a member nobody declared is undeclared and never counted for the drift alarm, whatever its status', () => {
    const report = compareMembership([], [member('555555555555', 'Resigned', 100)], NOW, GRACE);

    expect(report).toMatchObject({ undeclaredMembers: 1, notEnabledPastGracePeriod: 0, declaredAccounts: 0 });
    expect(report.drifted).toEqual([expect.objectContaining({ accountId: '555555555555', drift: 'undeclared', pastGracePeriod: false })]);
  });

  test('a status GuardDuty adds later is counted under its own name', () => {
    const report = compareMembership(['222222222222'], [member('222222222222', 'Paused')], NOW, GRACE);

    expect(report.declaredByStatus.Paused).toBe(1);
    expect(report.notEnabledPastGracePeriod).toBe(1);
  });
});

describe('any drift pattern', () => {
  const accountIds = fc.uniqueArray(fc.integer({ min: 100_000_000_000, max: 999_999_999_999 }).map(String), { maxLength: 60 });
  const statuses = fc.constantFrom(...KNOWN_RELATIONSHIP_STATUSES, 'SomethingNew');
  /** Declared accounts, and GuardDuty's members: some declared, some not, any status and age. */
  const fleets = fc
    .tuple(accountIds, accountIds)
    .chain(([declared, others]) =>
      fc.tuple(
        fc.constant(declared),
        fc.array(fc.tuple(fc.boolean(), statuses, fc.double({ min: 0, max: 30, noNaN: true })), { minLength: declared.length, maxLength: declared.length }),
        fc.array(fc.tuple(statuses, fc.double({ min: 0, max: 30, noNaN: true })), { minLength: others.length, maxLength: others.length }),
        fc.constant(others.filter((id) => !declared.includes(id))),
      ),
    )
    .map(([declared, declaredState, otherState, others]) => {
      const listed = [
        ...declared.flatMap((id, i) => (declaredState[i][0] ? [member(id, declaredState[i][1], declaredState[i][2])] : [])),
        ...others.map((id, i) => member(id, otherState[i][0], otherState[i][1])),
      ];
      return { declared, listed };
    });

  test('counts every declared account exactly once across the status metrics, and every member in exactly one place', () => {
    fc.assert(
      fc.property(fleets, ({ declared, listed }) => {
        const report = compareMembership(declared, listed, NOW, GRACE);
        const sum = Object.values(report.declaredByStatus).reduce((a, b) => a + b, 0);
        const listedIds = new Set(listed.map((m) => m.accountId));

        expect(sum).toBe(declared.length);
        expect(report.declaredAccounts).toBe(declared.length);
        expect(report.missingMembers).toBe(declared.filter((id) => !listedIds.has(id)).length);
        expect(report.undeclaredMembers + declared.length - report.missingMembers).toBe(listed.length);
        expect(report.declaredByStatus.Enabled + report.drifted.filter((d) => d.drift !== 'undeclared').length).toBe(declared.length);
        expect(new Set(report.drifted.map((d) => d.accountId)).size).toBe(report.drifted.length);
        expect(report.notEnabledPastGracePeriod).toBeLessThanOrEqual(declared.length - report.declaredByStatus.Enabled);

        // As CloudWatch reads the lines: the per-status metrics add up to the declared accounts.
        const perStatus = emittedMetrics(checkOutputLines(report, 0, 'monitor', NOW)).filter((m) => m.dimensions.RelationshipStatus !== undefined);
        expect(perStatus.reduce((total, m) => total + m.values.DeclaredAccounts, 0)).toBe(declared.length);
        expect(new Set(perStatus.map((m) => m.dimensions.RelationshipStatus)).size).toBe(perStatus.length);
      }),
    );
  });

  test('healing plans only declared accounts that left, removed or failed, invited at least an interval ago', () => {
    fc.assert(
      fc.property(fleets, ({ declared, listed }) => {
        const plan = planHealing(declared, listed, NOW, GRACE);
        const byId = new Map(listed.map((m) => [m.accountId, m]));

        for (const accountId of plan.reinvite) {
          const found = byId.get(accountId);
          expect(declared).toContain(accountId);
          expect(['Removed', 'Resigned', 'EmailVerificationFailed']).toContain(found?.relationshipStatus);
          expect(NOW - (found?.invitedAtMs ?? 0)).toBeGreaterThanOrEqual(GRACE);
        }
        expect(plan.reinvite.some((id) => plan.heldBack.some((held) => held.accountId === id))).toBe(false);
      }),
    );
  });
});

describe('planHealing', () => {
  test('re-invites a Resigned account invited more than an interval ago, holds back one invited within it', () => {
    const plan = planHealing(['222222222222', '333333333333'], [member('222222222222', 'Resigned', 8), member('333333333333', 'Removed', 2)], NOW, GRACE);

    expect(plan).toEqual({ reinvite: ['222222222222'], heldBack: [{ accountId: '333333333333', nextInvitationAtMs: NOW - 2 * DAY + GRACE }] });
  });

  test('never re-invites an undeclared member, nor a pending or Enabled one', () => {
    const plan = planHealing(['222222222222', '333333333333'], [member('555555555555', 'Resigned', 90), member('222222222222', 'Invited', 90), member('333333333333', 'Enabled', 90)], NOW, GRACE);

    expect(plan).toEqual({ reinvite: [], heldBack: [] });
  });
});
