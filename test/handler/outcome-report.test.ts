import fc from 'fast-check';
import { truncateUtf8 } from '../../lambda/shared/handler-error';
import { boundedList, failureMessage, groupByReason, outcomeFromState, responseData } from '../../lambda/member-invitations/outcome-report';

const accountId = fc.stringMatching(/^\d{12}$/);
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('boundedList', () => {
  test('joins a list that fits', () => {
    expect(boundedList(['111111111111', '222222222222'], 100)).toBe('111111111111,222222222222');
  });

  test('ends a cut list with the number of items left out', () => {
    const ids = Array.from({ length: 10 }, (_, i) => String(i).repeat(12));
    expect(boundedList(ids, 60)).toBe('000000000000,111111111111,222222222222,… and 7 more');
  });

  test('never exceeds the byte budget, and the kept items plus the count add up to the whole list', () => {
    fc.assert(
      fc.property(fc.array(accountId, { maxLength: 3_000 }), fc.integer({ min: 40, max: 2_000 }), (ids, budget) => {
        const out = boundedList(ids, budget);
        expect(bytes(out)).toBeLessThanOrEqual(budget);
        const match = /(?:^|,)… and (\d+) more$/.exec(out);
        const kept = (match ? out.slice(0, match.index) : out).split(',').filter((s) => s.length > 0);
        expect(kept).toEqual(ids.slice(0, kept.length));
        expect(kept.length + (match ? Number(match[1]) : 0)).toBe(ids.length);
      }),
    );
  });
});

describe('truncateUtf8', () => {
  test('cuts on character boundaries within the byte budget', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), fc.integer({ min: 3, max: 300 }), (text, budget) => {
        const out = truncateUtf8(text, budget);
        if (bytes(text) <= budget) {
          expect(out).toBe(text);
        } else {
          expect(bytes(out)).toBeLessThanOrEqual(budget);
          expect(out.endsWith('…')).toBe(true);
          expect(text.startsWith(out.slice(0, -1))).toBe(true);
        }
      }),
    );
  });
});

describe('responseData', () => {
  test('stays under 2,400 bytes whatever the number of accounts', () => {
    fc.assert(
      fc.property(
        fc.array(accountId, { maxLength: 5_000 }),
        fc.array(accountId, { maxLength: 5_000 }),
        fc.array(accountId, { maxLength: 5_000 }),
        fc.array(fc.record({ accountId, relationshipStatus: fc.constant('Enabled'), wayIn: fc.constantFrom('organization' as const, 'invitation' as const) }), { maxLength: 5_000 }),
        (invited, refused, associated, alreadyMembers) => {
          const data = responseData({
            detectorId: 'd'.repeat(32),
            invited,
            associated,
            alreadyMembers,
            unprocessed: refused.map((id) => ({ accountId: id, result: 'refused' })),
            removed: [],
          });
          expect(bytes(JSON.stringify(data))).toBeLessThan(2_400);
          expect(data.InvitedAccountCount).toBe(String(invited.length));
          expect(data.UnprocessedAccountCount).toBe(String(refused.length));
          const throughOrganization = associated.length + alreadyMembers.filter((m) => m.wayIn === 'organization').length;
          expect(data.OrganizationAccountCount).toBe(String(throughOrganization));
          expect(Number(data.OrganizationAccountCount) + Number(data.InvitationAccountCount)).toBe(invited.length + associated.length + alreadyMembers.length);
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('outcomeFromState (a run that went on over several invocations)', () => {
  const since = Date.parse('2026-11-29T03:00:00Z');
  test('an organization member GuardDuty changed since the run began was associated by it; one unchanged since was a member before', () => {
    const members = [
      { accountId: '111111111111', relationshipStatus: 'Enabled', updatedAtMs: since + 60_000 },
      { accountId: '222222222222', relationshipStatus: 'Enabled', updatedAtMs: since - 86_400_000 },
      { accountId: '333333333333', relationshipStatus: 'Invited', invitedAtMs: since + 5_000, updatedAtMs: since + 5_000 },
      { accountId: '444444444444', relationshipStatus: 'Enabled', invitedAtMs: since - 86_400_000, updatedAtMs: since + 5_000 },
    ];
    const outcome = outcomeFromState('d'.repeat(32), members.map((m) => m.accountId), members, since, []);

    expect(outcome.invited).toEqual(['333333333333']);
    expect(outcome.associated).toEqual(['111111111111']);
    expect(outcome.alreadyMembers).toEqual([
      { accountId: '222222222222', relationshipStatus: 'Enabled', wayIn: 'organization' },
      { accountId: '444444444444', relationshipStatus: 'Enabled', wayIn: 'invitation' },
    ]);
    expect(responseData(outcome)).toMatchObject({ AssociatedAccountCount: '1', OrganizationAccountIds: '111111111111,222222222222', InvitationAccountCount: '2' });
  });
});

describe('failureMessage', () => {
  test('groups accounts by reason, largest group first', () => {
    expect(
      groupByReason([
        { accountId: '1', result: 'A' },
        { accountId: '2', result: 'B' },
        { accountId: '3', result: 'B' },
      ]),
    ).toEqual([
      { reason: 'B', accountIds: ['2', '3'] },
      { reason: 'A', accountIds: ['1'] },
    ]);
  });

  test('names at least one unprocessed account and stays bounded', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ accountId, result: fc.string({ minLength: 1, maxLength: 500 }) }), { minLength: 1, maxLength: 2_000 }),
        (unprocessed) => {
          const message = failureMessage({ detectorId: 'd'.repeat(32), invited: [], alreadyMembers: [], unprocessed, removed: [] }, 5_000, []);
          expect(bytes(message)).toBeLessThan(2_500);
          expect(unprocessed.some((u) => message.includes(u.accountId))).toBe(true);
        },
      ),
      { numRuns: 50 },
    );
  });
});
