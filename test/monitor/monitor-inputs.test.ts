import { assessMembership } from '../../lambda/administrator-monitor/membership-assessment';
import { parseMonitorSettings } from '../../lambda/membership-monitor/monitor-settings';
import { embeddedMetricLine } from '../../lambda/shared/embedded-metrics';

const DECLARATION = JSON.stringify({ accountIds: ['222222222222'] });
const ENV = { DETECTOR_ID: 'abc', GRACE_PERIOD_SECONDS: '604800' };

describe('the membership monitor\'s settings', () => {
  test('healing is off unless REINVITE_INTERVAL_SECONDS is set', () => {
    expect(parseMonitorSettings(ENV, DECLARATION)).toEqual({ detectorId: 'abc', declaredAccountIds: ['222222222222'], gracePeriodMs: 604_800_000, reinviteIntervalMs: undefined });
    expect(parseMonitorSettings({ ...ENV, REINVITE_INTERVAL_SECONDS: '86400' }, DECLARATION).reinviteIntervalMs).toBe(86_400_000);
  });

  test.each([
    [{ ...ENV, DETECTOR_ID: '' }, DECLARATION, /DETECTOR_ID is missing or empty/],
    [{ ...ENV, GRACE_PERIOD_SECONDS: '7d' }, DECLARATION, /GRACE_PERIOD_SECONDS must be a whole number of seconds above 0, got "7d"/],
    [{ ...ENV, REINVITE_INTERVAL_SECONDS: '0' }, DECLARATION, /REINVITE_INTERVAL_SECONDS must be a whole number of seconds above 0, got "0"/],
    [ENV, '{"accountIds": ["2222"]}', /declaration.json accountIds\[0\]: account ID "2222" must be exactly 12 digits/],
    [ENV, '[]', /declaration.json must be \{ "accountIds": \[...\] \}/],
    [ENV, 'not json', /declaration.json is not JSON/],
  ])('a bad value is an error naming it and where it came from (%#)', (env, declaration, message) => {
    expect(() => parseMonitorSettings(env, declaration)).toThrow(message);
  });
});

describe('the member side\'s assessment', () => {
  const ADMIN = '111111111111';

  test('an Enabled member of the declared administrator with an enabled detector is healthy', () => {
    expect(assessMembership({ administrator: { accountId: ADMIN, relationshipStatus: 'Enabled' }, detectorStatus: 'ENABLED' }, ADMIN)).toEqual({
      administratorAssociated: true,
      detectorEnabled: true,
      problems: [],
    });
  });

  test.each([
    [{ detectorStatus: 'ENABLED' }, false, true, 'has no GuardDuty administrator; 111111111111 was declared'],
    [{ administrator: { accountId: '999999999999', relationshipStatus: 'Enabled' }, detectorStatus: 'ENABLED' }, false, true, 'administrator is 999999999999, not the declared 111111111111'],
    [{ administrator: { accountId: ADMIN, relationshipStatus: 'Resigned' }, detectorStatus: 'ENABLED' }, false, true, 'is Resigned, not Enabled'],
    [{ administrator: { accountId: ADMIN, relationshipStatus: 'Enabled' }, detectorStatus: 'DISABLED' }, true, false, 'detector is DISABLED, not ENABLED'],
  ])('drift is named: %j', (state, associated, detectorEnabled, problem) => {
    const assessment = assessMembership(state, ADMIN);

    expect(assessment).toMatchObject({ administratorAssociated: associated, detectorEnabled });
    expect(assessment.problems).toEqual([expect.stringContaining(problem)]);
  });
});

test('an EMF line names its namespace, dimensions and metrics, and carries the values at its root', () => {
  const line = JSON.parse(embeddedMetricLine({ namespace: 'N', timestampMs: 5, dimensions: { Monitor: 'fn' }, counts: { A: 1, B: 0 } }));

  expect(line).toEqual({
    _aws: { Timestamp: 5, CloudWatchMetrics: [{ Namespace: 'N', Dimensions: [['Monitor']], Metrics: [{ Name: 'A', Unit: 'Count' }, { Name: 'B', Unit: 'Count' }] }] },
    Monitor: 'fn',
    A: 1,
    B: 0,
  });
});
