import fc from 'fast-check';
import { CurrentMember, INVITE_WHEN_STATUS, planInvitations, planRemovals } from '../../lambda/member-invitations/member-plan';

const RELATIONSHIP_STATUSES = ['Created', 'Invited', 'Disabled', 'Enabled', 'Removed', 'Resigned', 'EmailVerificationInProgress', 'EmailVerificationFailed'];
const member = (accountId: string) => ({ accountId, email: `a+${accountId}@example.com` });

describe('planInvitations', () => {
  test('creates and invites accounts that are not members', () => {
    expect(planInvitations([member('111111111111')], new Map())).toEqual({
      create: [member('111111111111')],
      recreate: [],
      invite: ['111111111111'],
      unchanged: [],
    });
  });

  test('in a run that goes on over several invocations, a member this run already invited is never invited again, whatever its status', () => {
    const since = Date.parse('2026-11-29T03:00:00.500Z');
    const current = new Map<string, CurrentMember>([
      // Invited by this run, its verification failed: reported, not retried within the run.
      ['111111111111', { accountId: '111111111111', relationshipStatus: 'EmailVerificationFailed', invitedAtMs: since + 20_000 }],
      // InvitedAt is to the second: this run's invitation, stamped just before `since`.
      ['222222222222', { accountId: '222222222222', relationshipStatus: 'EmailVerificationFailed', invitedAtMs: Date.parse('2026-11-29T03:00:00Z') }],
      // An earlier run's failed invitation: a new run retries it.
      ['333333333333', { accountId: '333333333333', relationshipStatus: 'EmailVerificationFailed', invitedAtMs: since - 3_600_000 }],
      ['444444444444', { accountId: '444444444444', relationshipStatus: 'Created' }],
    ]);
    const plan = planInvitations(['111111111111', '222222222222', '333333333333', '444444444444'].map(member), current, { sinceMs: since });

    expect(plan.invite).toEqual(['333333333333', '444444444444']);
    expect(plan.unchanged.map((u) => u.accountId)).toEqual(['111111111111', '222222222222']);
  });

  test('re-creates a member about to be invited whose email was corrected, case aside', () => {
    const current = new Map<string, CurrentMember>([
      ['111111111111', { accountId: '111111111111', relationshipStatus: 'EmailVerificationFailed', email: 'old@example.com' }],
      ['222222222222', { accountId: '222222222222', relationshipStatus: 'Created', email: 'A+222222222222@EXAMPLE.COM' }],
      ['333333333333', { accountId: '333333333333', relationshipStatus: 'Enabled', email: 'old@example.com' }],
    ]);
    const plan = planInvitations(['111111111111', '222222222222', '333333333333'].map(member), current);

    expect(plan.recreate).toEqual([member('111111111111')]);
    expect(plan.create).toEqual([member('111111111111')]);
    expect(plan.invite).toEqual(['111111111111', '222222222222']);
    // An accepted invitation is not undone for an email change.
    expect(plan.unchanged).toEqual([{ accountId: '333333333333', relationshipStatus: 'Enabled' }]);
  });

  test('never plans an invitation for an account with a pending or accepted one', () => {
    for (const status of ['Invited', 'Enabled', 'EmailVerificationInProgress']) {
      const current = new Map<string, CurrentMember>([['111111111111', { accountId: '111111111111', relationshipStatus: status }]]);
      expect(planInvitations([member('111111111111')], current).invite).toEqual([]);
    }
  });

  test('places every declared account in exactly one of create-and-invite, invite, unchanged', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^\d{12}$/), { maxLength: 300 }),
        fc.array(fc.option(fc.constantFrom(...RELATIONSHIP_STATUSES, 'SomeFutureStatus'), { nil: undefined }), { maxLength: 300 }),
        (ids, statuses) => {
          const current = new Map<string, CurrentMember>();
          ids.forEach((id, i) => statuses[i] && current.set(id, { accountId: id, relationshipStatus: statuses[i]! }));
          const plan = planInvitations(ids.map(member), current);

          const created = new Set(plan.create.map((m) => m.accountId));
          const unchanged = new Set(plan.unchanged.map((m) => m.accountId));
          for (const id of ids) {
            const invited = plan.invite.includes(id);
            expect([invited, unchanged.has(id)].filter(Boolean)).toHaveLength(1);
            expect(created.has(id)).toBe(!current.has(id));
            if (invited && current.has(id)) {
              expect(INVITE_WHEN_STATUS.has(current.get(id)!.relationshipStatus)).toBe(true);
            }
          }
          expect(plan.invite.length + plan.unchanged.length).toBe(ids.length);
        },
      ),
    );
  });
});

describe('planRemovals', () => {
  const previous = ['111111111111', '222222222222', '333333333333'].map(member);
  const next = ['222222222222', '444444444444'].map(member);

  test('with DESTROY on the same detector, removes the accounts no longer declared', () => {
    expect(planRemovals(previous, next, { removalPolicy: 'DESTROY', sameDetector: true })).toEqual(['111111111111', '333333333333']);
  });

  test('with RETAIN, removes nothing', () => {
    expect(planRemovals(previous, next, { removalPolicy: 'RETAIN', sameDetector: true })).toEqual([]);
  });

  test('on a new detector, removes nothing (the old resource\'s Delete does)', () => {
    expect(planRemovals(previous, next, { removalPolicy: 'DESTROY', sameDetector: false })).toEqual([]);
  });
});
