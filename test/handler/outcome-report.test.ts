import fc from 'fast-check';
import { truncateUtf8 } from '../../lambda/shared/handler-error';
import { boundedList, failureMessage, groupByReason, responseData } from '../../lambda/member-invitations/outcome-report';

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
      fc.property(fc.array(accountId, { maxLength: 5_000 }), fc.array(accountId, { maxLength: 5_000 }), (invited, refused) => {
        const data = responseData({
          detectorId: 'd'.repeat(32),
          invited,
          alreadyMembers: [],
          unprocessed: refused.map((id) => ({ accountId: id, result: 'refused' })),
          removed: [],
        });
        expect(bytes(JSON.stringify(data))).toBeLessThan(2_400);
        expect(data.InvitedAccountCount).toBe(String(invited.length));
        expect(data.UnprocessedAccountCount).toBe(String(refused.length));
      }),
      { numRuns: 50 },
    );
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
