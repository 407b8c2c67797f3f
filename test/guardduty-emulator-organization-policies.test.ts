import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  DeletePolicyCommand,
  DescribeEffectivePolicyCommand,
  EnablePolicyTypeCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { GuardDutyEmulator } from './support/guardduty-emulator';

/**
 * The emulator's AWS Organizations policies, driven with the real SDK client: policy
 * type enablement on the root (with its PENDING state), create and attach, who may call,
 * and the effective policy of an account through the root, its OUs and itself.
 */
const MANAGEMENT = '999999999999';
const SECURITY = '111111111111';
const WORKLOAD = '222222222222';
const TYPE = 'GUARDDUTY_POLICY';
const block = (features: Record<string, string>) => Object.fromEntries(Object.entries(features).map(([key, status]) => [key, { status: { '@@assign': status } }]));

let emulator: GuardDutyEmulator;
const clients: OrganizationsClient[] = [];
let rootId: string;
let workloads: string;

beforeAll(async () => {
  emulator = await GuardDutyEmulator.start();
});
afterAll(() => emulator.stop());
beforeEach(() => {
  emulator.reset();
  rootId = emulator.organization.create(MANAGEMENT);
  workloads = emulator.organization.addOrganizationalUnit('Workloads');
  emulator.organization.addAccount({ accountId: SECURITY });
  emulator.organization.addAccount({ accountId: WORKLOAD, parentId: workloads });
});
afterEach(() => clients.splice(0).forEach((client) => client.destroy()));

function organizations(account: string): OrganizationsClient {
  const client = new OrganizationsClient({ ...emulator.organizationsClientConfig(account), maxAttempts: 1 });
  clients.push(client);
  return client;
}

async function createAndAttach(content: unknown, name: string, targetId: string): Promise<string> {
  const created = await organizations(MANAGEMENT).send(new CreatePolicyCommand({ Type: TYPE, Name: name, Description: '', Content: JSON.stringify(content) }));
  const policyId = created.Policy!.PolicySummary!.Id!;
  await organizations(MANAGEMENT).send(new AttachPolicyCommand({ PolicyId: policyId, TargetId: targetId }));
  return policyId;
}

test('EnablePolicyType leaves the type PENDING_ENABLE for one read of the root, then ENABLED; a second enable is refused', async () => {
  await organizations(MANAGEMENT).send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: TYPE }));
  const types = async () => (await organizations(MANAGEMENT).send(new ListRootsCommand({}))).Roots![0].PolicyTypes;

  expect(await types()).toEqual([{ Type: TYPE, Status: 'PENDING_ENABLE' }]);
  expect(await types()).toEqual([{ Type: TYPE, Status: 'ENABLED' }]);
  await expect(organizations(MANAGEMENT).send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: TYPE }))).rejects.toMatchObject({ name: 'PolicyTypeAlreadyEnabledException' });
});

test('only the management account and accounts delegated policy management may enable the type', async () => {
  await expect(organizations(SECURITY).send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: TYPE }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  emulator.organization.delegatePolicyManagement(SECURITY);
  await expect(organizations(SECURITY).send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: TYPE }))).resolves.toBeDefined();
});

test('a policy is attached only while its type is enabled, its document is checked, and an attached policy cannot be deleted', async () => {
  const content = { guardduty: { default: block({ foundational: 'ENABLED' }) } };
  await expect(createAndAttach(content, 'early', workloads)).rejects.toMatchObject({ name: 'PolicyTypeNotEnabledException' });
  emulator.organization.enablePolicyType(TYPE);
  await expect(organizations(MANAGEMENT).send(new CreatePolicyCommand({ Type: TYPE, Name: 'bad', Description: '', Content: JSON.stringify({ guardduty: { default: block({ s3_logs: 'ENABLED' }) } }) }))).rejects.toMatchObject({
    name: 'MalformedPolicyDocumentException',
    message: expect.stringContaining('"s3_logs" is not a GuardDuty policy feature'),
  });
  const policyId = await createAndAttach(content, 'late', workloads);
  await expect(organizations(MANAGEMENT).send(new DeletePolicyCommand({ PolicyId: policyId }))).rejects.toMatchObject({ name: 'PolicyInUseException' });
});

test('the effective policy merges the root\'s and the OU\'s policies, the nearer block replacing the farther one, Region by Region', async () => {
  emulator.organization.enablePolicyType(TYPE);
  await createAndAttach({ guardduty: { default: block({ foundational: 'ENABLED', s3_data_events: 'ENABLED' }), 'eu-west-1': block({ foundational: 'ENABLED' }) } }, 'root', rootId);
  await createAndAttach({ guardduty: { 'eu-west-1': block({ foundational: 'ENABLED', rds_login_events: 'ENABLED' }) } }, 'workloads', workloads);

  expect(emulator.organization.effectiveGuardDutyFeatures(WORKLOAD, 'us-east-1')).toEqual({ foundational: 'ENABLED', s3_data_events: 'ENABLED' });
  expect(emulator.organization.effectiveGuardDutyFeatures(WORKLOAD, 'eu-west-1')).toEqual({ foundational: 'ENABLED', rds_login_events: 'ENABLED' });
  expect(emulator.organization.effectiveGuardDutyFeatures(SECURITY, 'eu-west-1')).toEqual({ foundational: 'ENABLED' });
  const effective = await organizations(WORKLOAD).send(new DescribeEffectivePolicyCommand({ PolicyType: TYPE as never }));
  expect(JSON.parse(effective.EffectivePolicy!.PolicyContent!)).toMatchObject({ guardduty: { 'eu-west-1': { rds_login_events: { status: { '@@assign': 'ENABLED' } } } } });
});
