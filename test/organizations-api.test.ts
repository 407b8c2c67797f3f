import { EnableOrganizationAdminAccountCommand, GuardDutyClient } from '@aws-sdk/client-guardduty';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { Deadline } from '../lambda/shared/deadline';
import { HandlerError } from '../lambda/shared/handler-error';
import { createOrganizationsClient, organizationsReader, parentIdProblem } from '../lambda/shared/organizations-api';
import { GuardDutyEmulator } from './support/guardduty-emulator';

/** The Organizations reader handlers share, against the emulator's Organizations endpoint. */
const MANAGEMENT = '999999999999';
const DELEGATED = '111111111111';

let emulator: GuardDutyEmulator;
const clients: OrganizationsClient[] = [];
beforeAll(async () => {
  emulator = await GuardDutyEmulator.start();
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());
afterEach(() => clients.splice(0).forEach((client) => client.destroy()));

function reader(account = MANAGEMENT, remainingMs = 60_000) {
  const client = new OrganizationsClient({ ...emulator.organizationsClientConfig(account), maxAttempts: 1 });
  clients.push(client);
  return organizationsReader(client, Deadline.fromRemaining(remainingMs, 0));
}

const accountId = (n: number) => String(200000000000 + n);

/** 45 accounts: the management account and 4 more at the root, 10 in Workloads, 10 in Workloads/Prod, 10 in Workloads/Prod/Eu, 10 in Sandbox (one suspended). */
function seed(): { workloads: string; prod: string; sandbox: string } {
  emulator.organization.create(MANAGEMENT);
  const workloads = emulator.organization.addOrganizationalUnit('Workloads');
  const prod = emulator.organization.addOrganizationalUnit('Prod', workloads);
  const eu = emulator.organization.addOrganizationalUnit('Eu', prod);
  const sandbox = emulator.organization.addOrganizationalUnit('Sandbox');
  let n = 0;
  const add = (parentId: string | undefined, count: number) => {
    for (let i = 0; i < count; i++) {
      emulator.organization.addAccount({ accountId: accountId(n++), parentId });
    }
  };
  add(undefined, 4);
  add(workloads, 10);
  add(prod, 10);
  add(eu, 10);
  add(sandbox, 10);
  emulator.organization.setAccountState(accountId(40), 'SUSPENDED');
  return { workloads, prod, sandbox };
}

test('listAccounts reads every page: 45 accounts in 20-account pages', async () => {
  seed();

  const accounts = await reader().listAccounts();

  expect(accounts).toHaveLength(45);
  expect(new Set(accounts.map((account) => account.accountId)).size).toBe(45);
  expect(emulator.organizationsCalls().filter((call) => call.operation === 'ListAccounts')).toHaveLength(3);
  expect(accounts.find((account) => account.accountId === accountId(40))).toEqual({ accountId: accountId(40), email: `aws+${accountId(40)}@example.com`, state: 'SUSPENDED' });
});

test('a short page is not taken for the last one', async () => {
  seed();
  emulator.organization.capPageSize(7);

  expect(await reader().listAccounts()).toHaveLength(45);
});

test('listAccountsUnder resolves nested OUs, three levels down, and nothing outside', async () => {
  const { workloads, prod } = seed();

  const underWorkloads = await reader().listAccountsUnder(workloads);
  const underProd = await reader().listAccountsUnder(prod);

  expect(underWorkloads.map((account) => account.accountId).sort()).toEqual(Array.from({ length: 30 }, (_, i) => accountId(4 + i)).sort());
  expect(underProd).toHaveLength(20);
});

test('listAccountsUnder the root is every account', async () => {
  seed();

  expect(await reader().listAccountsUnder(emulator.organization.rootId)).toHaveLength(45);
});

test('works from the GuardDuty delegated administrator once designated', async () => {
  seed();
  emulator.organization.addAccount({ accountId: DELEGATED });
  await expect(reader(DELEGATED).listAccounts()).rejects.toThrow(/permissions/);

  const guardDuty = new GuardDutyClient({ ...emulator.clientConfig(MANAGEMENT, 'us-east-1'), maxAttempts: 1 });
  await guardDuty.send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: DELEGATED }));
  guardDuty.destroy();

  expect(await reader(DELEGATED).listAccounts()).toHaveLength(46);
});

test('a malformed OU ID fails naming it, before any call', async () => {
  seed();

  await expect(reader().listAccountsUnder('Workloads')).rejects.toThrow(new HandlerError('Cannot list the accounts of an organizational unit: "Workloads" is not a root ID (r-xxxx) or an organizational unit ID (ou-xxxx-xxxxxxxx).'));
  expect(emulator.organizationsCalls()).toHaveLength(0);
});

test.each([
  ['r-ab12', undefined],
  ['ou-ab12-cdef3456', undefined],
  ['ou-ab12', /not a root ID/],
  ['R-AB12', /not a root ID/],
  [42, /^42 is not/],
])('parentIdProblem(%p)', (value, expected) => {
  const problem = parentIdProblem(value);
  if (expected === undefined) {
    expect(problem).toBeUndefined();
  } else {
    expect(problem).toMatch(expected);
  }
});

test('an unknown OU is the service\'s ParentNotFoundException', async () => {
  seed();

  await expect(reader().listAccountsUnder('ou-abcd-00000000')).rejects.toMatchObject({ name: 'ParentNotFoundException' });
});

test('stops at the deadline with a reason rather than running on', async () => {
  seed();

  await expect(reader(MANAGEMENT, 0).listAccounts()).rejects.toThrow(/Ran out of time before listing the accounts of the organization/);
});

test('createOrganizationsClient reaches the endpoint in AWS_ENDPOINT_URL_ORGANIZATIONS', async () => {
  seed();
  const saved = { ...process.env };
  const credentials = emulator.organizationsClientConfig(MANAGEMENT).credentials;
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_ORGANIZATIONS: emulator.organizationsEndpoint,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  });
  try {
    const client = createOrganizationsClient();
    clients.push(client);

    expect(await organizationsReader(client, Deadline.fromRemaining(60_000, 0)).listAccounts()).toHaveLength(45);
  } finally {
    process.env = saved;
  }
});
