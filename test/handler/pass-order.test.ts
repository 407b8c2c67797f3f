import fc from 'fast-check';
import { batchOrder, judgePass, readsFit, rotatingStart } from '../../lambda/member-invitations/pass-order';

const SINCE = Date.parse('2026-11-29T05:00:00Z');

describe('batchOrder', () => {
  test('goes over every batch exactly once, from the start to the end, then from the first batch', () => {
    expect(batchOrder(5, 3)).toEqual([3, 4, 0, 1, 2]);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n - 1 }))), ([n, start]) => {
        const order = batchOrder(n, start);
        expect(order[0]).toBe(start);
        expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      }),
    );
  });

  test('an empty declaration has no batches', () => {
    expect(batchOrder(0, 0)).toEqual([]);
  });
});

describe('rotatingStart', () => {
  test('is a batch of the declaration, and the same for the same poll time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000 }), fc.integer({ min: -1_000, max: 3_600_000 }), (n, elapsedMs) => {
        const start = rotatingStart(n, SINCE, SINCE + elapsedMs);
        expect(start).toBe(rotatingStart(n, SINCE, SINCE + elapsedMs));
        expect(start).toBeGreaterThanOrEqual(0);
        expect(start).toBeLessThan(Math.max(1, n));
        expect(Number.isInteger(start)).toBe(true);
      }),
    );
  });

  test('successive polls start at different places: any n polls in consecutive seconds (n up to a third of the batches) start at n different batches', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 1_000 }), fc.integer({ min: 0, max: 3_000 }), fc.integer({ min: 1, max: 333 }), (batches, firstSecond, polls) => {
        const n = Math.min(polls, Math.floor(batches / 3));
        const starts = Array.from({ length: n }, (_, k) => rotatingStart(batches, SINCE, SINCE + (firstSecond + k) * 1_000));
        expect(new Set(starts).size).toBe(n);
      }),
    );
  });

  test('the starts of polls in consecutive seconds spread over the declaration: no stretch of more than 2/n of it is left without one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 1_000 }), fc.integer({ min: 0, max: 3_000 }), fc.integer({ min: 2, max: 50 }), (batches, firstSecond, n) => {
        const starts = Array.from({ length: n }, (_, k) => rotatingStart(batches, SINCE, SINCE + (firstSecond + k) * 1_000)).sort((a, b) => a - b);
        const gaps = starts.map((s, i) => (i + 1 < starts.length ? starts[i + 1] : starts[0] + batches) - s);
        expect(Math.max(...gaps)).toBeLessThanOrEqual(Math.ceil((2 * batches) / n) + 1);
      }),
    );
  });

  test('a poll in the run\'s first second starts at the first batch; one a second later does not', () => {
    expect(rotatingStart(1_000, SINCE, SINCE + 999)).toBe(0);
    expect(rotatingStart(1_000, SINCE, SINCE + 1_000)).toBe(618);
  });
});

describe('judgePass', () => {
  test('a pass that did not get around the declaration is unfinished, whatever it wrote', () => {
    expect(judgePass({ batchCount: 1_000, batchesDone: 999, batchesChanged: 0, batchesReread: 0 })).toBe('unfinished');
    expect(judgePass({ batchCount: 1_000, batchesDone: 10, batchesChanged: 10, batchesReread: 0 })).toBe('unfinished');
  });

  test('a pass that got around is done once it has read again every batch it wrote', () => {
    expect(judgePass({ batchCount: 1_000, batchesDone: 1_000, batchesChanged: 0, batchesReread: 0 })).toBe('done');
    expect(judgePass({ batchCount: 1_000, batchesDone: 1_000, batchesChanged: 12, batchesReread: 12 })).toBe('done');
    expect(judgePass({ batchCount: 1_000, batchesDone: 1_000, batchesChanged: 12, batchesReread: 11 })).toBe('unfinished');
    expect(judgePass({ batchCount: 0, batchesDone: 0, batchesChanged: 0, batchesReread: 0 })).toBe('done');
  });
});

describe('readsFit', () => {
  test.each([
    [10, { elapsedMs: 1_000, calls: 10 }, 1_000, true],
    [11, { elapsedMs: 1_000, calls: 10 }, 1_000, false],
    [1_000, { elapsedMs: 0, calls: 0 }, 0, true],
  ])('%i reads at the pace %j with %i ms left fit: %s', (readsLeft, pace, remainingMs, expected) => {
    expect(readsFit(readsLeft, pace, remainingMs)).toBe(expected);
  });
});
