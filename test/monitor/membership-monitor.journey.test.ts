import { DisassociateFromAdministratorAccountCommand, GuardDutyClient } from '@aws-sdk/client-guardduty';
import { Stack } from 'aws-cdk-lib';
import { GuardDutyMemberInvitations, GuardDutyMembershipMonitorOptions } from '../../lib';
import { GuardDutyEmulator } from '../support/guardduty-emulator';
import { LambdaContainer } from '../support/lifecycle/lambda-container';
import { EmittedMetrics, Invoker, emittedMetrics, logRecords, removeMonitorAssemblies, startMonitor, synthesizeMonitor } from './shipped-monitor';

/**
 * The administrator's monitor end to end: the function and declaration the cloud
 * assembly ships, run as Lambda runs it against the GuardDuty emulator, judged by the
 * embedded-metric-format lines it writes, the way CloudWatch and the alarm read them.
 */
const ADMIN = '111111111111';
const [STAYS, LEAVES, BROKEN] = ['222222222222', '333333333333', '444444444444'];
const UNDECLARED = '555555555555';
const REGION = 'eu-west-1';
const DAY_MS = 24 * 3_600_000;

let emulatorNow = Date.now();
let emulator: GuardDutyEmulator;
const clients: GuardDutyClient[] = [];

beforeAll(async () => {
  // The emulator's clock is the test's, so GuardDuty's InvitedAt and UpdatedAt move with
  // the days a test lets pass; the function's clock is set to the same time.
  emulator = await GuardDutyEmulator.start({ clock: () => emulatorNow });
});
afterAll(async () => {
  LambdaContainer.stopAll();
  clients.splice(0).forEach((client) => client.destroy());
  removeMonitorAssemblies();
  await emulator.stop();
});
beforeEach(() => {
  emulatorNow = Date.now();
  emulator.reset();
  emulator.seedDetector(ADMIN, REGION);
});

/** Deploys (synthesizes) an administrator stack declaring the three accounts, with a monitor. */
async function deployMonitor(options: GuardDutyMembershipMonitorOptions = {}) {
  const detectorId = emulator.seedDetector(ADMIN, REGION);
  const monitor = synthesizeMonitor(
    { account: ADMIN, region: REGION },
    (stack: Stack) =>
      new GuardDutyMemberInvitations(stack, 'Members', {
        members: [STAYS, LEAVES, BROKEN].map((accountId) => ({ accountId, email: `aws-root+${accountId}@example.com` })),
      }).addMonitor(options),
    { 'Custom::GuardDutyMemberInvitations': { DetectorId: detectorId } },
  );
  const invoke = await startMonitor(monitor, emulator, ADMIN, REGION);
  const alarm = Object.values(monitor.resources).find((r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.MetricName === 'NotEnabledPastGracePeriod');
  return { invoke, monitor, alarmThreshold: Number(alarm?.Properties.Threshold), alarmOperator: alarm?.Properties.ComparisonOperator };
}

/** Runs a check as many days ahead as the test has let pass. */
async function check(invoke: Invoker) {
  const { logs } = await invoke(emulatorNow - Date.now());
  return { logs, metrics: emittedMetrics(logs) };
}

function totals(metrics: EmittedMetrics[]): Record<string, number> {
  const line = metrics.filter((m) => m.dimensions.RelationshipStatus === undefined);
  expect(line).toHaveLength(1);
  expect(line[0].namespace).toBe('GuardDutyMembers');
  return line[0].values;
}

function byStatus(metrics: EmittedMetrics[]): Record<string, number> {
  return Object.fromEntries(metrics.filter((m) => m.dimensions.RelationshipStatus !== undefined).map((m) => [m.dimensions.RelationshipStatus, m.values.DeclaredAccounts]));
}

function memberClient(accountId: string): GuardDutyClient {
  const client = new GuardDutyClient({ ...emulator.clientConfig(accountId, REGION), maxAttempts: 1 });
  clients.push(client);
  return client;
}

/** The member account leaves its administrator, as its console or CLI would. */
async function resign(accountId: string): Promise<void> {
  const detectorId = emulator.seedDetector(accountId, REGION);
  await memberClient(accountId).send(new DisassociateFromAdministratorAccountCommand({ DetectorId: detectorId }));
}

function seedFleet(): void {
  for (const accountId of [STAYS, LEAVES, BROKEN]) {
    emulator.seedMember(ADMIN, REGION, { accountId, relationshipStatus: 'Enabled' });
  }
}

test('a fleet as declared: every account Enabled, nothing in drift, no write call', async () => {
  seedFleet();
  const { invoke } = await deployMonitor();

  const { metrics, logs } = await check(invoke);

  expect(totals(metrics)).toEqual({ DeclaredAccounts: 3, UndeclaredMembers: 0, MissingMembers: 0, NotEnabledPastGracePeriod: 0, ReinvitedAccounts: 0 });
  expect(byStatus(metrics)).toMatchObject({ Enabled: 3, Resigned: 0, NotAMember: 0 });
  expect(logRecords(logs, 'drifted account')).toEqual([]);
  expect(emulator.writeCallCount()).toBe(0);
});

test('a member that resigns is in the next check: the alarm metric reaches the alarm threshold, the dashboard log names it', async () => {
  seedFleet();
  const { invoke, alarmThreshold, alarmOperator } = await deployMonitor();
  const before = totals((await check(invoke)).metrics);

  await resign(LEAVES);
  emulatorNow += 3_600_000;
  const { metrics, logs } = await check(invoke);

  expect(alarmOperator).toBe('GreaterThanOrEqualToThreshold');
  expect(before.NotEnabledPastGracePeriod).toBeLessThan(alarmThreshold);
  expect(totals(metrics).NotEnabledPastGracePeriod).toBeGreaterThanOrEqual(alarmThreshold);
  expect(byStatus(metrics)).toMatchObject({ Enabled: 2, Resigned: 1 });
  expect(logRecords(logs, 'drifted account')).toEqual([
    expect.objectContaining({ accountId: LEAVES, drift: 'not-enabled', relationshipStatus: 'Resigned', pastGracePeriod: true }),
  ]);
  // Read-only without healing: the resigned member is reported, not invited.
  expect(emulator.callCount('InviteMembers')).toBe(0);
});

test('no email address reaches the log, whatever drifts', async () => {
  seedFleet();
  emulator.seedMember(ADMIN, REGION, { accountId: UNDECLARED, relationshipStatus: 'Enabled' });
  const { invoke } = await deployMonitor({ healing: true });
  await resign(LEAVES);

  const { logs } = await check(invoke);

  expect(logs.length).toBeGreaterThan(0);
  expect(logs.join('\n')).not.toMatch(/@example\.com/);
});

test('an invitation waiting for the member is in drift at once but in the alarm only past the grace period', async () => {
  emulator.seedMember(ADMIN, REGION, { accountId: STAYS, relationshipStatus: 'Enabled' });
  emulator.seedMember(ADMIN, REGION, { accountId: LEAVES, relationshipStatus: 'Enabled' });
  emulator.seedMember(ADMIN, REGION, { accountId: BROKEN, relationshipStatus: 'Invited' });
  const { invoke } = await deployMonitor({ gracePeriod: undefined });

  const fresh = await check(invoke);
  emulatorNow += 7 * DAY_MS + 60_000;
  const late = await check(invoke);

  expect(totals(fresh.metrics).NotEnabledPastGracePeriod).toBe(0);
  expect(logRecords(fresh.logs, 'drifted account')).toEqual([expect.objectContaining({ accountId: BROKEN, relationshipStatus: 'Invited', pastGracePeriod: false })]);
  expect(totals(late.metrics).NotEnabledPastGracePeriod).toBe(1);
});

test('an undeclared member is reported and left alone, healing on or not; a declared account that is not a member is missing', async () => {
  emulator.seedMember(ADMIN, REGION, { accountId: STAYS, relationshipStatus: 'Enabled' });
  emulator.seedMember(ADMIN, REGION, { accountId: LEAVES, relationshipStatus: 'Enabled' });
  emulator.seedMember(ADMIN, REGION, { accountId: UNDECLARED, relationshipStatus: 'Resigned' });
  const { invoke } = await deployMonitor({ healing: true, alarmOnUndeclaredMembers: true });
  const undeclaredBefore = emulator.members(ADMIN, REGION).find((m) => m.accountId === UNDECLARED);

  const { metrics, logs } = await check(invoke);

  expect(totals(metrics)).toMatchObject({ DeclaredAccounts: 3, UndeclaredMembers: 1, MissingMembers: 1, NotEnabledPastGracePeriod: 1, ReinvitedAccounts: 0 });
  expect(byStatus(metrics)).toMatchObject({ Enabled: 2, NotAMember: 1 });
  expect(logRecords(logs, 'drifted account')).toEqual([
    expect.objectContaining({ accountId: BROKEN, drift: 'missing', relationshipStatus: 'NotAMember' }),
    expect.objectContaining({ accountId: UNDECLARED, drift: 'undeclared', relationshipStatus: 'Resigned', pastGracePeriod: false }),
  ]);
  expect(emulator.writeCallCount()).toBe(0);
  expect(emulator.members(ADMIN, REGION).find((m) => m.accountId === UNDECLARED)).toEqual(undeclaredBefore);
});

describe('healing', () => {
  test('a member that resigns gets exactly one new invitation; later checks send none', async () => {
    seedFleet();
    const { invoke } = await deployMonitor({ healing: true });
    emulatorNow += 30 * DAY_MS; // a month after the invitations
    await resign(LEAVES);

    const healed = await check(invoke);
    emulatorNow += 6 * 3_600_000;
    const next = await check(invoke);

    expect(totals(healed.metrics)).toMatchObject({ NotEnabledPastGracePeriod: 1, ReinvitedAccounts: 1 });
    expect(emulator.invitationsSentTo(LEAVES)).toBe(1);
    expect(emulator.members(ADMIN, REGION).find((m) => m.accountId === LEAVES)?.relationshipStatus).toBe('Invited');
    expect(totals(next.metrics)).toMatchObject({ ReinvitedAccounts: 0 });
    expect(emulator.callCount('InviteMembers')).toBe(1);
  });

  test('an invitation whose response was lost (the SDK retries, GuardDuty answers "already invited") counts as re-invited, with no warning', async () => {
    seedFleet();
    const { invoke } = await deployMonitor({ healing: true });
    emulatorNow += 30 * DAY_MS;
    await resign(LEAVES);
    emulator.setFaults({ script: [{ operation: 'InviteMembers', occurrence: 1, fault: 'dropped-after-apply' }] });

    const healed = await check(invoke);

    expect(emulator.calls().filter((call) => call.operation === 'InviteMembers').map((call) => call.fault)).toEqual(['dropped-after-apply', undefined]);
    expect(emulator.invitationsSentTo(LEAVES)).toBe(1);
    expect(totals(healed.metrics)).toMatchObject({ ReinvitedAccounts: 1 });
    expect(healed.logs.join('\n')).not.toMatch(/did not re-invite/);
  });

  test('an account whose email keeps failing is re-invited once per interval, not at every check', async () => {
    seedFleet();
    emulator.failEmailVerification(BROKEN);
    emulator.seedMember(ADMIN, REGION, { accountId: BROKEN, relationshipStatus: 'EmailVerificationFailed' });
    const { invoke } = await deployMonitor({ healing: true });

    const invitedToday = await check(invoke); // InvitedAt is now: held back
    emulatorNow += 7 * DAY_MS;
    const afterInterval = await check(invoke); // re-invited; verification fails again
    emulatorNow += 6 * DAY_MS;
    const withinInterval = await check(invoke);
    emulatorNow += 1 * DAY_MS;
    const nextInterval = await check(invoke);

    expect([invitedToday, afterInterval, withinInterval, nextInterval].map((c) => totals(c.metrics).ReinvitedAccounts)).toEqual([0, 1, 0, 1]);
    expect(emulator.invitationsSentTo(BROKEN)).toBe(2);
    expect(emulator.members(ADMIN, REGION).find((m) => m.accountId === BROKEN)?.relationshipStatus).toBe('EmailVerificationFailed');
  });
});

test('the member list is read in pages of 50, undeclared and unassociated members included', async () => {
  seedFleet();
  for (let i = 0; i < 120; i++) {
    emulator.seedMember(ADMIN, REGION, { accountId: String(600_000_000_000 + i), relationshipStatus: i % 2 ? 'Created' : 'Enabled' });
  }
  const { invoke } = await deployMonitor();

  const { metrics } = await check(invoke);

  expect(emulator.callCount('ListMembers')).toBe(3);
  expect(totals(metrics)).toMatchObject({ DeclaredAccounts: 3, UndeclaredMembers: 120 });
});
