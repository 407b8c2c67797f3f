import * as path from 'path';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { createEvent, deleteEvent, updateEvent } from '../support/cloudformation-events';
import { GuardDutyEmulator } from '../support/guardduty-emulator';
import { LambdaContainer } from '../support/lifecycle/lambda-container';

/**
 * "In an organization", end to end: the management account designates the delegated
 * administrator, which sets the organization configuration; GuardDuty then enrolls the
 * organization's accounts. The BUNDLED handlers (assets/*, what ships) run in Lambda-like
 * containers, one per account, against the emulator over HTTP.
 */
const MANAGEMENT = '999999999999';
const SECURITY = '111111111111';
const WORKLOAD = '222222222222';
const SANDBOX = '333333333333';
const REGION = 'eu-west-1';
const ASSETS = path.join(__dirname, '..', '..', 'assets');

type Event = CloudFormationCustomResourceEvent & { PhysicalResourceId?: string };
interface Response {
  PhysicalResourceId?: string;
  Data?: Record<string, string>;
}

let emulator: GuardDutyEmulator;
beforeAll(async () => {
  emulator = await GuardDutyEmulator.start();
});
afterAll(async () => {
  LambdaContainer.stopAll();
  await emulator.stop();
});
beforeEach(() => {
  emulator.reset();
  emulator.organization.create(MANAGEMENT);
  const workloads = emulator.organization.addOrganizationalUnit('Workloads');
  emulator.organization.addAccount({ accountId: SECURITY });
  emulator.organization.addAccount({ accountId: WORKLOAD, parentId: workloads });
});

/** The onEvent function of a bundle, deployed in a stack of `accountId`. */
async function deploy(bundle: 'delegated-administrator' | 'organization-configuration', accountId: string): Promise<(event: Event) => Promise<Response>> {
  const container = await LambdaContainer.start(
    { logicalId: `${bundle}-${accountId}`, file: path.join(ASSETS, bundle, 'index.js'), exportName: 'handler', timeoutMs: 120_000 },
    { endpoint: emulator.endpoint, region: REGION, credentials: emulator.credentialsFor(accountId), organizationsEndpoint: emulator.organizationsEndpoint },
  );
  return async (event) => {
    const outcome = await container.invoke({ ...event, StackId: `arn:aws:cloudformation:${REGION}:${accountId}:stack/guardduty/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b` }, 120_000);
    if (outcome.kind !== 'result') {
      throw new Error(outcome.error.errorMessage);
    }
    return outcome.result as Response;
  };
}

const delegation = (extra: Record<string, unknown> = {}) => ({ AdminAccountId: SECURITY, RemovalPolicy: 'DESTROY', ...extra });
const configuration = (extra: Record<string, unknown> = {}) => ({
  AutoEnableOrganizationMembers: 'ALL',
  Features: [{ Name: 'RUNTIME_MONITORING', AutoEnable: 'ALL', AdditionalConfiguration: [{ Name: 'EKS_ADDON_MANAGEMENT', AutoEnable: 'ALL' }] }],
  RemovalPolicy: 'DESTROY',
  ...extra,
});

test('management account → delegated administrator → organization configuration: every account enrolled, re-runs write nothing', async () => {
  const management = await deploy('delegated-administrator', MANAGEMENT);
  const security = await deploy('organization-configuration', SECURITY);

  const delegated = await management(createEvent(delegation()));
  const configured = await security(createEvent(configuration()));

  expect(delegated).toEqual({ PhysicalResourceId: `guardduty-delegated-administrator:${SECURITY}`, Data: { AdminAccountId: SECURITY, AdminStatus: 'ENABLED' } });
  const detectorId = emulator.detectorId(SECURITY, REGION)!;
  expect(configured).toEqual({ PhysicalResourceId: `guardduty-organization-configuration:${detectorId}`, Data: { DetectorId: detectorId, MemberAccountLimitReached: 'false', Updated: 'true' } });
  expect(Object.fromEntries(emulator.members(SECURITY, REGION).map((member) => [member.accountId, member.relationshipStatus]))).toEqual({ [MANAGEMENT]: 'Enabled', [WORKLOAD]: 'Enabled' });
  expect(emulator.organization.memberFeatures(WORKLOAD, REGION)).toEqual({ RUNTIME_MONITORING: 'ENABLED', 'RUNTIME_MONITORING.EKS_ADDON_MANAGEMENT': 'ENABLED' });

  const writesBefore = emulator.writeCallCount();
  await management(updateEvent(delegated.PhysicalResourceId!, delegation(), delegation()));
  const rerun = await security(updateEvent(configured.PhysicalResourceId!, configuration(), configuration()));
  expect(emulator.writeCallCount()).toBe(writesBefore);
  expect(rerun.Data?.Updated).toBe('false');

  emulator.organization.addAccount({ accountId: SANDBOX });
  expect(emulator.members(SECURITY, REGION).find((member) => member.accountId === SANDBOX)?.relationshipStatus).toBe('Enabled');
});

test('a second management stack naming another account fails naming both, and changes nothing', async () => {
  const management = await deploy('delegated-administrator', MANAGEMENT);
  await management(createEvent(delegation()));

  await expect(management(createEvent(delegation({ AdminAccountId: WORKLOAD })))).rejects.toThrow(
    `Cannot make account ${WORKLOAD} the GuardDuty delegated administrator in ${REGION}: account ${SECURITY} already is`,
  );
  expect(emulator.organization.guardDutyAdministrator(REGION)).toBe(SECURITY);
});

test('the organization configuration fails clearly in an account that is not the delegated administrator', async () => {
  emulator.seedDetector(WORKLOAD, REGION);
  const workload = await deploy('organization-configuration', WORKLOAD);

  await expect(workload(createEvent(configuration()))).rejects.toThrow(/BadRequestException: .*not the GuardDuty delegated administrator/);
});

test('DESTROY on delete: auto-enable back to NONE, then the delegation removed', async () => {
  const management = await deploy('delegated-administrator', MANAGEMENT);
  const security = await deploy('organization-configuration', SECURITY);
  const delegated = await management(createEvent(delegation()));
  const configured = await security(createEvent(configuration()));

  await security(deleteEvent(configured.PhysicalResourceId!, configuration()));
  emulator.organization.addAccount({ accountId: SANDBOX });
  await management(deleteEvent(delegated.PhysicalResourceId!, delegation()));

  expect(emulator.members(SECURITY, REGION).some((member) => member.accountId === SANDBOX)).toBe(false);
  expect(emulator.organization.guardDutyAdministrator(REGION)).toBeUndefined();
});
