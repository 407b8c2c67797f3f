import { DisassociateFromAdministratorAccountCommand, GuardDutyClient, UpdateDetectorCommand } from '@aws-sdk/client-guardduty';
import { GuardDutyInvitationAccepter } from '../../lib';
import { GuardDutyEmulator } from '../support/guardduty-emulator';
import { LambdaContainer } from '../support/lifecycle/lambda-container';
import { Invoker, emittedMetrics, logRecords, removeMonitorAssemblies, startMonitor, synthesizeMonitor } from './shipped-monitor';

/** The member account's monitor as shipped, against the emulator. */
const ADMIN = '111111111111';
const MEMBER = '222222222222';
const REGION = 'eu-west-1';

let emulator: GuardDutyEmulator;
let client: GuardDutyClient;
let detectorId: string;
let invoke: Invoker;

beforeAll(async () => {
  emulator = await GuardDutyEmulator.start();
  detectorId = emulator.seedDetector(MEMBER, REGION);
  const monitor = synthesizeMonitor(
    { account: MEMBER, region: REGION },
    (stack) => new GuardDutyInvitationAccepter(stack, 'Administrator', { administratorAccountId: ADMIN }).addMonitor(),
    { 'Custom::GuardDutyInvitationAccepter': { DetectorId: detectorId, AdministratorAccountId: ADMIN } },
    'AdministratorMonitorFunction',
  );
  invoke = await startMonitor(monitor, emulator, MEMBER, REGION);
  client = new GuardDutyClient({ ...emulator.clientConfig(MEMBER, REGION), maxAttempts: 1 });
});
afterAll(async () => {
  LambdaContainer.stopAll();
  client.destroy();
  removeMonitorAssemblies();
  await emulator.stop();
});
beforeEach(() => {
  emulator.reset();
  emulator.seedDetector(ADMIN, REGION);
  emulator.seedDetector(MEMBER, REGION);
  emulator.seedMember(ADMIN, REGION, { accountId: MEMBER, relationshipStatus: 'Enabled' });
});

async function check() {
  const { logs } = await invoke();
  const metrics = emittedMetrics(logs);
  expect(metrics).toHaveLength(1);
  return { values: metrics[0].values, logs };
}

test('an Enabled member with its detector enabled: no drift, and only the two reads', async () => {
  const { values } = await check();

  expect(values).toEqual({ AdministratorAssociated: 1, DetectorEnabled: 1, MembershipDrift: 0 });
  expect(emulator.calls().map((call) => call.operation).sort()).toEqual(['GetAdministratorAccount', 'GetDetector']);
});

test('a member that suspends its detector is in drift at the next check', async () => {
  await client.send(new UpdateDetectorCommand({ DetectorId: detectorId, Enable: false }));

  const { values, logs } = await check();

  expect(values).toEqual({ AdministratorAssociated: 0, DetectorEnabled: 0, MembershipDrift: 1 });
  expect(logRecords(logs, 'membership drift')[0]?.problems).toEqual([
    'the relationship with administrator 111111111111 is Disabled, not Enabled',
    'the account\'s detector is DISABLED, not ENABLED',
  ]);
});

test('a member that resigns is in drift at the next check', async () => {
  await client.send(new DisassociateFromAdministratorAccountCommand({ DetectorId: detectorId }));

  const { values, logs } = await check();

  expect(values).toEqual({ AdministratorAssociated: 0, DetectorEnabled: 1, MembershipDrift: 1 });
  expect(logRecords(logs, 'membership drift')[0]?.problems).toEqual(['the account has no GuardDuty administrator; 111111111111 was declared']);
});
