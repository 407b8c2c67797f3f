import fc from 'fast-check';
import { MAX_SNAPSHOT_BYTES, createdByRun, parseSnapshot, snapshotBudget, takeSnapshot } from '../../lambda/member-invitations/run-snapshot';
import { declaredMembers } from '../support/cloudformation-events';

const ids = (count: number, first = 200000000000) => declaredMembers(count, first).map((m) => m.AccountId);

describe('the snapshot of members before a run', () => {
  test('carries the smaller side and gives back exactly the accounts the run found absent', () => {
    const declared = ids(10);
    const present = new Set(declared.slice(0, 7));

    const snapshot = takeSnapshot(declared, present)!;

    expect(snapshot.side).toBe('absent');
    expect(createdByRun(snapshot, declared)).toEqual(declared.slice(7));
    expect(takeSnapshot(declared, new Set(declared.slice(0, 2)))!.side).toBe('present');
  });

  test('25,000 accounts on the smaller side fit the budget; a budget too small gives no snapshot', () => {
    // Account IDs spread like real ones (random, not evenly spaced, which would compress to nothing).
    const declared = [...new Set(fc.sample(fc.bigInt({ min: 0n, max: 999_999_999_999n }), { seed: 7, numRuns: 50_000 }))].map((n) => n.toString().padStart(12, '0'));
    const present = new Set(declared.filter((_, i) => i % 2 === 0));

    const snapshot = takeSnapshot(declared, present);

    expect(snapshot).toBeDefined();
    expect(snapshot!.accounts.length).toBeLessThanOrEqual(MAX_SNAPSHOT_BYTES);
    expect(createdByRun(snapshot!, declared)).toEqual(declared.filter((_, i) => i % 2 === 1));
    expect(takeSnapshot(declared, present, 100_000)).toBeUndefined();
  });

  test('the budget is what the event leaves of Step Functions\' 256 KiB input, at most 160 KiB', () => {
    expect(snapshotBudget(2_000)).toBe(MAX_SNAPSHOT_BYTES);
    expect(snapshotBudget(200 * 1024)).toBe(40 * 1024);
    expect(snapshotBudget(250 * 1024)).toBe(0);
  });

  test.each([undefined, null, 'absent', { side: 'both', accounts: '' }, { side: 'absent', accounts: 'not base64 gzip' }, { side: 'present' }])(
    'a malformed snapshot (%p) reads as none, so a failed run removes nothing',
    (raw) => {
      expect(parseSnapshot(raw)).toBeUndefined();
    },
  );

  test('property: for any declaration and prior membership, created = declared minus present, after a round trip through JSON', () => {
    const accountId = fc.bigInt({ min: 0n, max: 999_999_999_999n }).map((n) => n.toString().padStart(12, '0'));
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(accountId, fc.boolean()), { selector: ([id]) => id, maxLength: 300 }), (entries) => {
        const declared = entries.map(([id]) => id);
        const present = new Set(entries.filter(([, p]) => p).map(([id]) => id));
        const carried = parseSnapshot(JSON.parse(JSON.stringify(takeSnapshot(declared, present))))!;
        expect(createdByRun(carried, declared)).toEqual(declared.filter((id) => !present.has(id)));
      }),
      { seed: 20261129, numRuns: 200 },
    );
  });
});
