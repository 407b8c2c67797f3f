import { DisassociateFromAdministratorAccountCommand, GuardDutyClient } from '@aws-sdk/client-guardduty';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { GuardDutyMemberInvitations, GuardDutyTamperProtection } from '../../lib';
import { GuardDutyEmulator } from '../support/guardduty-emulator';
import { LambdaContainer } from '../support/lifecycle/lambda-container';
import { emittedMetrics, removeMonitorAssemblies, startMonitor, synthesizeMonitor } from './shipped-monitor';

/**
 * The shipped membership monitor when GuardDutyTamperProtection's policy is attached to
 * the organization's root, so it binds the members and the administrator alike: members
 * can no longer resign (the drift the monitor used to find), and the monitor's own calls
 * (ListMembers, and InviteMembers when healing) are not among the denied ones.
 */
const MANAGEMENT = '999999999999';
const ADMIN = '111111111111';
const [STAYS, TRIES_TO_LEAVE] = ['222222222222', '333333333333'];
const REGION = 'eu-west-1';
const BREAK_GLASS = 'security/BreakGlass';

let emulatorNow = Date.now();
let emulator: GuardDutyEmulator;
const clients: GuardDutyClient[] = [];

beforeAll(async () => {
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
  const organization = emulator.organization;
  const root = organization.create(MANAGEMENT);
  [ADMIN, STAYS, TRIES_TO_LEAVE].forEach((accountId) => organization.addAccount({ accountId }));
  organization.enablePolicyType('SERVICE_CONTROL_POLICY');
  const stack = new Stack(new App(), 'Management');
  new GuardDutyTamperProtection(stack, 'TamperProtection', { targetIds: [root], exemptRoleNames: [BREAK_GLASS] });
  const [policy] = Object.values(Template.fromStack(stack).findResources('AWS::Organizations::Policy'));
  organization.attachPolicy('SERVICE_CONTROL_POLICY', policy.Properties.Content, [root]);
  emulator.seedDetector(ADMIN, REGION);
  for (const accountId of [STAYS, TRIES_TO_LEAVE]) {
    emulator.seedMember(ADMIN, REGION, { accountId, relationshipStatus: 'Enabled' });
  }
});

async function deployMonitor(healing: boolean) {
  const detectorId = emulator.seedDetector(ADMIN, REGION);
  const monitor = synthesizeMonitor(
    { account: ADMIN, region: REGION },
    (stack: Stack) =>
      new GuardDutyMemberInvitations(stack, 'Members', {
        members: [STAYS, TRIES_TO_LEAVE].map((accountId) => ({ accountId, email: `aws-root+${accountId}@example.com` })),
      }).addMonitor({ healing }),
    { 'Custom::GuardDutyMemberInvitations': { DetectorId: detectorId } },
  );
  const invoke = await startMonitor(monitor, emulator, ADMIN, REGION);
  return async () => {
    const { logs } = await invoke(emulatorNow - Date.now());
    return emittedMetrics(logs).find((m) => m.dimensions.RelationshipStatus === undefined)!.values;
  };
}

function resign(accountId: string): Promise<unknown> {
  const client = new GuardDutyClient({ ...emulator.clientConfig(accountId, REGION), maxAttempts: 1 });
  clients.push(client);
  return client.send(new DisassociateFromAdministratorAccountCommand({ DetectorId: emulator.seedDetector(accountId, REGION) }));
}

test('a member\'s attempt to resign is refused, so the next check finds no drift and writes nothing', async () => {
  const check = await deployMonitor(true);

  await expect(resign(TRIES_TO_LEAVE)).rejects.toMatchObject({ name: 'AccessDeniedException' });
  const writes = emulator.writeCallCount();
  emulatorNow += 3_600_000;

  expect(await check()).toMatchObject({ DeclaredAccounts: 2, NotEnabledPastGracePeriod: 0, ReinvitedAccounts: 0 });
  expect(emulator.members(ADMIN, REGION).map((m) => m.relationshipStatus)).toEqual(['Enabled', 'Enabled']);
  expect(emulator.writeCallCount()).toBe(writes);
});

test('an exempt role still can resign a member; the check finds it, and healing re-invites it although the policy binds the administrator', async () => {
  const check = await deployMonitor(true);
  emulatorNow += 30 * 24 * 3_600_000;
  emulator.organization.setCallerPrincipal(TRIES_TO_LEAVE, `arn:aws:iam::${TRIES_TO_LEAVE}:role/${BREAK_GLASS}`);

  await resign(TRIES_TO_LEAVE);

  expect(await check()).toMatchObject({ NotEnabledPastGracePeriod: 1, ReinvitedAccounts: 1 });
  expect(emulator.members(ADMIN, REGION).find((m) => m.accountId === TRIES_TO_LEAVE)?.relationshipStatus).toBe('Invited');
});
