import { AcceptAdministratorInvitationCommand, DisassociateFromAdministratorAccountCommand, GetDetectorCommand, GuardDutyClient, UpdateDetectorCommand } from '@aws-sdk/client-guardduty';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { GuardDutyTamperProtection, GuardDutyTamperProtectionProps } from '../lib';
import { GuardDutyEmulator } from './support/guardduty-emulator';

/**
 * The emulator's service control policies: the document GuardDutyTamperProtection
 * synthesizes, attached in the emulated organization, refuses the member-side calls it
 * names with IAM's AccessDeniedException, unless the caller's role is exempt.
 */
const MANAGEMENT = '999999999999';
const SECURITY = '111111111111';
const WORKLOAD = '222222222222';
const SANDBOX = '333333333333';
const REGION = 'eu-west-1';

let emulator: GuardDutyEmulator;
const clients: GuardDutyClient[] = [];
let workloads: string;

beforeAll(async () => {
  emulator = await GuardDutyEmulator.start();
});
afterAll(() => emulator.stop());
beforeEach(() => {
  emulator.reset();
  emulator.organization.create(MANAGEMENT);
  workloads = emulator.organization.addOrganizationalUnit('Workloads');
  const nested = emulator.organization.addOrganizationalUnit('Prod', workloads);
  emulator.organization.addAccount({ accountId: WORKLOAD, parentId: nested });
  emulator.organization.addAccount({ accountId: SANDBOX });
  emulator.organization.enablePolicyType('SERVICE_CONTROL_POLICY');
});
afterEach(() => clients.splice(0).forEach((client) => client.destroy()));

function guardDuty(account: string): GuardDutyClient {
  const client = new GuardDutyClient({ ...emulator.clientConfig(account, REGION), maxAttempts: 1 });
  clients.push(client);
  return client;
}

/** The SCP document exactly as the construct synthesizes it. */
function synthesizedDocument(props: Partial<GuardDutyTamperProtectionProps> = {}): unknown {
  const stack = new Stack(new App(), 'Management');
  new GuardDutyTamperProtection(stack, 'TamperProtection', { targetIds: ['r-ab12'], ...props });
  return Object.values(Template.fromStack(stack).findResources('AWS::Organizations::Policy'))[0].Properties.Content;
}

/** A member of SECURITY in REGION; returns its detector. */
function memberOfSecurity(account: string): string {
  emulator.seedDetector(SECURITY, REGION);
  emulator.seedMember(SECURITY, REGION, { accountId: account, relationshipStatus: 'Invited' });
  return emulator.seedDetector(account, REGION);
}

async function acceptAndLeave(account: string, detectorId: string): Promise<unknown> {
  const invitation = emulator.members(SECURITY, REGION).find((member) => member.accountId === account)!;
  await guardDuty(account).send(new AcceptAdministratorInvitationCommand({ DetectorId: detectorId, AdministratorId: SECURITY, InvitationId: invitation.invitationId! }));
  return guardDuty(account).send(new DisassociateFromAdministratorAccountCommand({ DetectorId: detectorId })).catch((error: Error) => error);
}

test('an SCP on an OU denies an account two levels below it the listed call, with IAM\'s error, and changes nothing', async () => {
  const detectorId = memberOfSecurity(WORKLOAD);
  emulator.organization.attachPolicy('SERVICE_CONTROL_POLICY', synthesizedDocument(), [workloads]);

  const error = (await acceptAndLeave(WORKLOAD, detectorId)) as Error & { $metadata: { httpStatusCode: number } };

  expect(error.name).toBe('AccessDeniedException');
  expect(error.$metadata.httpStatusCode).toBe(403);
  expect(error.message).toBe(`User: arn:aws:iam::${WORKLOAD}:root is not authorized to perform: guardduty:DisassociateFromAdministratorAccount with an explicit deny in a service control policy`);
  expect(emulator.members(SECURITY, REGION).find((member) => member.accountId === WORKLOAD)?.relationshipStatus).toBe('Enabled');
});

test('calls the policy does not name still work: reading the detector, accepting an invitation', async () => {
  const detectorId = memberOfSecurity(WORKLOAD);
  emulator.organization.attachPolicy('SERVICE_CONTROL_POLICY', synthesizedDocument(), [workloads]);

  await expect(guardDuty(WORKLOAD).send(new GetDetectorCommand({ DetectorId: detectorId }))).resolves.toMatchObject({ Status: 'ENABLED' });
  const invitation = emulator.members(SECURITY, REGION)[0];
  await expect(guardDuty(WORKLOAD).send(new AcceptAdministratorInvitationCommand({ DetectorId: detectorId, AdministratorId: SECURITY, InvitationId: invitation.invitationId! }))).resolves.toBeDefined();
  await expect(guardDuty(WORKLOAD).send(new UpdateDetectorCommand({ DetectorId: detectorId, Enable: false }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
});

test('an exempt role (by name, wildcard in the path) may make the call; another role of the same account may not', async () => {
  const detectorId = memberOfSecurity(WORKLOAD);
  emulator.organization.attachPolicy('SERVICE_CONTROL_POLICY', synthesizedDocument({ exemptRoleNames: ['security/*'] }), [workloads]);

  emulator.organization.setCallerPrincipal(WORKLOAD, `arn:aws:iam::${WORKLOAD}:role/workload/Deployer`);
  await expect(guardDuty(WORKLOAD).send(new UpdateDetectorCommand({ DetectorId: detectorId, Enable: false }))).rejects.toMatchObject({ name: 'AccessDeniedException' });

  emulator.organization.setCallerPrincipal(WORKLOAD, `arn:aws:iam::${WORKLOAD}:role/security/BreakGlass`);
  await expect(acceptAndLeave(WORKLOAD, detectorId)).resolves.not.toBeInstanceOf(Error);
  expect(emulator.members(SECURITY, REGION).find((member) => member.accountId === WORKLOAD)?.relationshipStatus).toBe('Resigned');
});

test('no effect outside the targets, on the management account, or once detached', async () => {
  const document = synthesizedDocument();
  const sandboxDetector = memberOfSecurity(SANDBOX);
  const policyId = emulator.organization.attachPolicy('SERVICE_CONTROL_POLICY', document, [workloads, MANAGEMENT]);
  await expect(guardDuty(SANDBOX).send(new UpdateDetectorCommand({ DetectorId: sandboxDetector, Enable: true }))).resolves.toBeDefined();
  const managementDetector = emulator.seedDetector(MANAGEMENT, REGION);
  await expect(guardDuty(MANAGEMENT).send(new UpdateDetectorCommand({ DetectorId: managementDetector, Enable: true }))).resolves.toBeDefined();

  const workloadDetector = emulator.seedDetector(WORKLOAD, REGION);
  await expect(guardDuty(WORKLOAD).send(new UpdateDetectorCommand({ DetectorId: workloadDetector, Enable: true }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  emulator.organization.detachPolicy(policyId, workloads);
  await expect(guardDuty(WORKLOAD).send(new UpdateDetectorCommand({ DetectorId: workloadDetector, Enable: true }))).resolves.toBeDefined();
});

test('attaching needs the policy type enabled on the root, as in Organizations', () => {
  emulator.reset();
  emulator.organization.create(MANAGEMENT);
  expect(() => emulator.organization.attachPolicy('SERVICE_CONTROL_POLICY', synthesizedDocument(), [emulator.organization.rootId])).toThrow(/not enabled on the root/);
});
