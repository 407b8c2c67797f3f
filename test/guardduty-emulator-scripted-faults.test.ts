import { CreateMembersCommand, GuardDutyClient, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { DescribeOrganizationCommand, EnableAWSServiceAccessCommand, ListAWSServiceAccessForOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { GuardDutyEmulator } from './support/guardduty-emulator';

/**
 * Faults at fixed places (FaultOptions.script) on the GuardDuty endpoint, and the
 * Organizations endpoint's faults, answered as Organizations answers them: what the
 * lifecycle suite's fault sweeps over the organization-side constructs rely on.
 */
const ADMIN = '111111111111';
const MANAGEMENT = '999999999999';
const REGION = 'us-east-1';
const NETWORK_ERROR = /socket hang up/;

let emulator: GuardDutyEmulator;
const clients: Array<{ destroy(): void }> = [];

beforeAll(async () => {
  emulator = await GuardDutyEmulator.start();
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());
afterEach(() => clients.splice(0).forEach((client) => client.destroy()));

function guardDuty(maxAttempts = 1): GuardDutyClient {
  const client = new GuardDutyClient({ ...emulator.clientConfig(ADMIN, REGION), maxAttempts });
  clients.push(client);
  return client;
}

function organizations(maxAttempts = 1): OrganizationsClient {
  const client = new OrganizationsClient({ ...emulator.organizationsClientConfig(MANAGEMENT), maxAttempts });
  clients.push(client);
  return client;
}

async function failure(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('scripted faults on the GuardDuty endpoint', () => {
  test('the named occurrence of an operation gets its fault, and the calls around it none', async () => {
    emulator.setFaults({ script: [{ operation: 'ListDetectors', occurrence: 2, fault: 'server-error' }, { operation: 'ListDetectors', occurrence: 3, fault: 'throttled' }] });
    const gd = guardDuty();

    await gd.send(new ListDetectorsCommand({}));
    const errors = [await failure(gd.send(new ListDetectorsCommand({}))), await failure(gd.send(new ListDetectorsCommand({})))];
    await gd.send(new ListDetectorsCommand({}));

    expect(errors.map((e) => [e.name, e.$metadata?.httpStatusCode])).toEqual([['InternalServerErrorException', 500], ['TooManyRequestsException', 429]]);
    expect(emulator.calls().map((call) => call.fault)).toEqual([undefined, 'server-error', 'throttled', undefined]);
  });

  test('a call dropped after apply has changed the state; one dropped before has not', async () => {
    const DetectorId = emulator.seedDetector(ADMIN, REGION);
    emulator.setFaults({ script: [{ operation: 'CreateMembers', occurrence: 1, fault: 'dropped' }, { operation: 'CreateMembers', occurrence: 2, fault: 'dropped-after-apply' }] });
    const create = (accountId: string) => guardDuty().send(new CreateMembersCommand({ DetectorId, AccountDetails: [{ AccountId: accountId, Email: `a+${accountId}@example.com` }] }));

    expect((await failure(create('222222222222'))).message).toMatch(NETWORK_ERROR);
    expect((await failure(create('333333333333'))).message).toMatch(NETWORK_ERROR);

    expect(emulator.members(ADMIN, REGION).map((m) => m.accountId)).toEqual(['333333333333']);
    expect(emulator.calls().map((call) => call.fault)).toEqual(['dropped', 'dropped-after-apply']);
  });

  test('without an operation, the occurrence counts every call', async () => {
    const DetectorId = emulator.seedDetector(ADMIN, REGION);
    emulator.setFaults({ script: [{ occurrence: 2, fault: 'server-error' }] });
    await guardDuty().send(new ListDetectorsCommand({}));

    const error = await failure(guardDuty().send(new CreateMembersCommand({ DetectorId, AccountDetails: [{ AccountId: '222222222222', Email: 'a@example.com' }] })));

    expect(error.name).toBe('InternalServerErrorException');
    expect(emulator.calls().map((call) => [call.operation, call.fault])).toEqual([['ListDetectors', undefined], ['CreateMembers', 'server-error']]);
  });

  test('occurrences are counted per operation, so another operation does not move the script', async () => {
    emulator.setFaults({ script: [{ operation: 'ListDetectors', occurrence: 1, fault: 'server-error' }] });
    const DetectorId = emulator.seedDetector(ADMIN, REGION);
    await guardDuty().send(new CreateMembersCommand({ DetectorId, AccountDetails: [{ AccountId: '222222222222', Email: 'a@example.com' }] }));

    expect((await failure(guardDuty().send(new ListDetectorsCommand({})))).name).toBe('InternalServerErrorException');
  });
});

describe('faults on the Organizations endpoint', () => {
  beforeEach(() => emulator.organization.create(MANAGEMENT));

  test('a throttle is HTTP 400 TooManyRequestsException, which the SDK retries', async () => {
    emulator.setOrganizationsFaults({ script: [{ operation: 'DescribeOrganization', occurrence: 1, fault: 'throttled' }] });

    const error = await failure(organizations().send(new DescribeOrganizationCommand({})));
    expect([error.name, error.$metadata?.httpStatusCode]).toEqual(['TooManyRequestsException', 400]);

    emulator.setOrganizationsFaults({ script: [{ operation: 'DescribeOrganization', occurrence: 1, fault: 'throttled' }] });
    const output = await organizations(3).send(new DescribeOrganizationCommand({}));
    expect(output.$metadata.attempts).toBe(2);
    expect(emulator.organizationsCalls().map((call) => [call.operation, call.fault])).toEqual([
      ['DescribeOrganization', 'throttled'],
      ['DescribeOrganization', 'throttled'],
      ['DescribeOrganization', undefined],
    ]);
  });

  test('a server error is HTTP 500 ServiceException and changes nothing; a drop after apply has changed it', async () => {
    const enable = () => organizations().send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'malware-protection.guardduty.amazonaws.com' }));
    const enabled = async () => (await organizations().send(new ListAWSServiceAccessForOrganizationCommand({}))).EnabledServicePrincipals?.map((p) => p.ServicePrincipal);
    emulator.setOrganizationsFaults({ serverErrors: { nextCalls: 1, operations: ['EnableAWSServiceAccess'] } });

    const error = await failure(enable());
    expect([error.name, error.$metadata?.httpStatusCode]).toEqual(['ServiceException', 500]);
    expect(await enabled()).toEqual([]);

    emulator.setOrganizationsFaults({ script: [{ operation: 'EnableAWSServiceAccess', occurrence: 1, fault: 'dropped-after-apply' }] });
    expect((await failure(enable())).message).toMatch(NETWORK_ERROR);
    expect(await enabled()).toEqual(['malware-protection.guardduty.amazonaws.com']);
  });

  test('reset clears the Organizations faults', async () => {
    emulator.setOrganizationsFaults({ serverErrors: { probability: 1 } });
    emulator.reset();
    emulator.organization.create(MANAGEMENT);

    await organizations().send(new DescribeOrganizationCommand({}));
    expect(emulator.organizationsCalls().map((call) => call.fault)).toEqual([undefined]);
  });
});
