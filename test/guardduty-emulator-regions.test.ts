import { EnableOrganizationAdminAccountCommand, GuardDutyClient, ListDetectorsCommand, ListOrganizationAdminAccountsCommand } from '@aws-sdk/client-guardduty';
import { GuardDutyEmulator } from './support/guardduty-emulator';

/**
 * The emulator's regional endpoints (startRegion), driven with the real SDK client: one
 * endpoint per region over the emulator's per-region state, each refusing calls signed
 * for another region, each with faults of its own.
 */
const MANAGEMENT = '999999999999';
const SECURITY = '111111111111';
const [EAST, WEST] = ['us-east-1', 'eu-west-1'];

let emulator: GuardDutyEmulator;
const clients: GuardDutyClient[] = [];

beforeAll(async () => {
  emulator = await GuardDutyEmulator.start();
  await Promise.all([emulator.startRegion(EAST), emulator.startRegion(WEST)]);
});
beforeEach(() => {
  emulator.reset();
  emulator.organization.create(MANAGEMENT);
  emulator.organization.addAccount({ accountId: SECURITY });
});
afterEach(() => clients.splice(0).forEach((client) => client.destroy()));
afterAll(() => emulator.stop());

function client(accountId: string, region: string, signedFor = region): GuardDutyClient {
  const c = new GuardDutyClient({ ...emulator.region(region).clientConfig(accountId), region: signedFor, maxAttempts: 3 });
  clients.push(c);
  return c;
}

test('each region has its own endpoint, and startRegion returns the one already open', async () => {
  expect(emulator.region(EAST).endpoint).not.toBe(emulator.region(WEST).endpoint);
  expect(emulator.region(EAST).endpoint).not.toBe(emulator.endpoint);
  expect(await emulator.startRegion(EAST)).toBe(emulator.region(EAST));
  expect(() => emulator.region('ap-south-1')).toThrow(/No GuardDuty endpoint is open for ap-south-1: call startRegion\('ap-south-1'\) first/);
});

test('a call signed for another region is refused with InvalidSignatureException, nothing applied', async () => {
  await expect(client(MANAGEMENT, EAST, WEST).send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: SECURITY }))).rejects.toMatchObject({
    name: 'InvalidSignatureException',
    message: 'Credential should be scoped to a valid region, not \'eu-west-1\'.',
  });
  expect([emulator.organization.guardDutyAdministrator(EAST), emulator.organization.guardDutyAdministrator(WEST)]).toEqual([undefined, undefined]);
});

test('what one region\'s endpoint changes stays in that region: the delegated administrator and its detector', async () => {
  await client(MANAGEMENT, EAST).send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: SECURITY }));

  const east = await client(MANAGEMENT, EAST).send(new ListOrganizationAdminAccountsCommand({}));
  const west = await client(MANAGEMENT, WEST).send(new ListOrganizationAdminAccountsCommand({}));
  expect(east.AdminAccounts?.map((a) => a.AdminAccountId)).toEqual([SECURITY]);
  expect(west.AdminAccounts).toEqual([]);
  expect((await client(SECURITY, WEST).send(new ListDetectorsCommand({}))).DetectorIds).toEqual([]);
  expect((await client(SECURITY, EAST).send(new ListDetectorsCommand({}))).DetectorIds).toEqual([emulator.detectorId(SECURITY, EAST)]);
  // The call log is the emulator's; each endpoint shows the calls signed for its region.
  expect(emulator.region(EAST).writeCalls().map((call) => call.operation)).toEqual(['EnableOrganizationAdminAccount']);
  expect(emulator.region(WEST).writeCalls()).toEqual([]);
});

test('faults are the region\'s own: access denied in one region (not retried) while the other answers; reset clears them', async () => {
  emulator.region(WEST).setFaults({ accessDenied: { probability: 1 } });

  await expect(client(MANAGEMENT, WEST).send(new ListOrganizationAdminAccountsCommand({}))).rejects.toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 403, attempts: 1 } });
  await expect(client(MANAGEMENT, EAST).send(new ListOrganizationAdminAccountsCommand({}))).resolves.toMatchObject({ AdminAccounts: [] });
  expect(emulator.region(WEST).calls().map((call) => call.fault)).toEqual(['access-denied']);

  emulator.reset();
  emulator.organization.create(MANAGEMENT);

  await expect(client(MANAGEMENT, WEST).send(new ListOrganizationAdminAccountsCommand({}))).resolves.toMatchObject({ AdminAccounts: [] });
});
