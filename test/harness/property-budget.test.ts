import { FULL_PROPERTIES_VARIABLE, propertyBudget } from '../support/lifecycle/property-budget';
import { RECORD_DIRECTORY_VARIABLE } from '../support/lifecycle/reliability-report';

describe('the budget of a lifecycle property', () => {
  const full = { numRuns: 40, timeLimitMs: 45_000 };

  test('npm test runs a quarter of its cases, with its whole time limit', () => {
    expect(propertyBudget(full, {})).toEqual({ numRuns: 10, timeLimitMs: 45_000, full: false });
    expect(propertyBudget({ numRuns: 24, timeLimitMs: 24_000 }, {})).toEqual({ numRuns: 6, timeLimitMs: 24_000, full: false });
  });

  test('npm test runs at least five cases, or every case when a property has fewer', () => {
    expect(propertyBudget({ numRuns: 8, timeLimitMs: 24_000 }, {}).numRuns).toBe(5);
    expect(propertyBudget({ numRuns: 12, timeLimitMs: 20_000 }, {}).numRuns).toBe(5);
    expect(propertyBudget({ numRuns: 3, timeLimitMs: 5_000 }, {}).numRuns).toBe(3);
  });

  test('a property that names its quickRuns runs that many in npm test, and its full budget otherwise', () => {
    const sweep = { numRuns: 300, timeLimitMs: 120_000, quickRuns: 4 };
    expect(propertyBudget(sweep, {}).numRuns).toBe(4);
    expect(propertyBudget({ ...sweep, numRuns: 3 }, {}).numRuns).toBe(3);
    expect(propertyBudget(sweep, { [RECORD_DIRECTORY_VARIABLE]: '/tmp/records' }).numRuns).toBe(300);
  });

  test('npm run test:slow (GUARDDUTY_MEMBERS_FULL_PROPERTIES=1) runs the full budget', () => {
    expect(propertyBudget(full, { [FULL_PROPERTIES_VARIABLE]: '1' })).toEqual({ ...full, full: true });
    expect(propertyBudget(full, { [FULL_PROPERTIES_VARIABLE]: '0' }).numRuns).toBe(10);
  });

  test('npm run reliability (a record directory) runs the full budget, which RELIABILITY.md reports', () => {
    expect(propertyBudget(full, { [RECORD_DIRECTORY_VARIABLE]: '/tmp/records' })).toEqual({ ...full, full: true });
  });
});
