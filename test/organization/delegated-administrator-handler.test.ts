import 'aws-sdk-client-mock-jest';
import {
  BadRequestException,
  DisableOrganizationAdminAccountCommand,
  EnableOrganizationAdminAccountCommand,
  GuardDutyClient,
  ListOrganizationAdminAccountsCommand,
} from '@aws-sdk/client-guardduty';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../lambda/delegated-administrator';
import { HandlerError } from '../../lambda/shared/handler-error';
import { createEvent, deleteEvent, lambdaContext, updateEvent } from '../support/cloudformation-events';

const SECURITY = '111111111111';
const OTHER = '333333333333';
const PHYSICAL_ID = `guardduty-delegated-administrator:${SECURITY}`;
const ANOTHER_ADMIN = 'The request failed because another account is already enabled as GuardDuty delegated administrator for the organization.';
const gd = mockClient(GuardDutyClient);

beforeEach(() => {
  gd.reset();
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

const props = (extra: Record<string, unknown> = {}) => ({ AdminAccountId: SECURITY, RemovalPolicy: 'DESTROY', ...extra });

function admins(...accounts: Array<[string, string]>) {
  gd.on(ListOrganizationAdminAccountsCommand).resolves({ AdminAccounts: accounts.map(([AdminAccountId, AdminStatus]) => ({ AdminAccountId, AdminStatus: AdminStatus as never })) });
}

async function failure(promise: Promise<unknown>): Promise<HandlerError> {
  const error = await promise.then(
    () => undefined,
    (e: Error) => e,
  );
  expect(error).toBeInstanceOf(HandlerError);
  return error as HandlerError;
}

describe('Create', () => {
  test('enables the account when the organization has no delegated administrator', async () => {
    admins();

    const response = await handler(createEvent(props()), lambdaContext());

    expect(gd).toHaveReceivedCommandWith(EnableOrganizationAdminAccountCommand, { AdminAccountId: SECURITY });
    expect(response).toEqual({ PhysicalResourceId: PHYSICAL_ID, Data: { AdminAccountId: SECURITY, AdminStatus: 'ENABLED' } });
  });

  test('is idempotent: no write call when the account already is the delegated administrator', async () => {
    admins([SECURITY, 'ENABLED']);

    await handler(createEvent(props()), lambdaContext());

    expect(gd).toHaveReceivedCommandTimes(EnableOrganizationAdminAccountCommand, 0);
    expect(gd).toHaveReceivedCommandTimes(DisableOrganizationAdminAccountCommand, 0);
  });

  test('fails naming both accounts when another account holds the role, without calling Enable', async () => {
    admins([OTHER, 'ENABLED']);

    const error = await failure(handler(createEvent(props()), lambdaContext()));

    expect(error.message).toMatch(new RegExp(`Cannot make account ${SECURITY} the GuardDuty delegated administrator in ap-southeast-2: account ${OTHER} already is`));
    expect(gd).toHaveReceivedCommandTimes(EnableOrganizationAdminAccountCommand, 0);
    expect(gd).toHaveReceivedCommandTimes(DisableOrganizationAdminAccountCommand, 0);
  });

  test('when GuardDuty refuses because another account got the role meanwhile, fails naming both and quoting GuardDuty', async () => {
    gd.on(ListOrganizationAdminAccountsCommand).resolvesOnce({ AdminAccounts: [] }).resolves({ AdminAccounts: [{ AdminAccountId: OTHER, AdminStatus: 'ENABLED' }] });
    gd.on(EnableOrganizationAdminAccountCommand).rejects(new BadRequestException({ message: ANOTHER_ADMIN, $metadata: {} }));

    const error = await failure(handler(createEvent(props()), lambdaContext()));

    expect(error.message).toContain(`account ${OTHER} already is`);
    expect(error.message).toContain(`(GuardDuty: ${ANOTHER_ADMIN})`);
  });

  test('an Enable that failed after GuardDuty applied it (lost response) is success', async () => {
    gd.on(ListOrganizationAdminAccountsCommand).resolvesOnce({ AdminAccounts: [] }).resolves({ AdminAccounts: [{ AdminAccountId: SECURITY, AdminStatus: 'ENABLED' }] });
    gd.on(EnableOrganizationAdminAccountCommand).rejects(new BadRequestException({ message: 'already enabled', $metadata: {} }));

    await expect(handler(createEvent(props()), lambdaContext())).resolves.toMatchObject({ PhysicalResourceId: PHYSICAL_ID });
  });

  test('fails saying so while the account is still being disabled', async () => {
    admins([SECURITY, 'DISABLE_IN_PROGRESS']);

    const error = await failure(handler(createEvent(props()), lambdaContext()));

    expect(error.message).toMatch(/Account 111111111111 is still being removed .*DISABLE_IN_PROGRESS/);
  });
});

describe('Update', () => {
  test('to a new account hands the role over from the account this resource designated', async () => {
    admins([OTHER, 'ENABLED']);

    const response = await handler(updateEvent(`guardduty-delegated-administrator:${OTHER}`, props(), props({ AdminAccountId: OTHER })), lambdaContext());

    expect(gd).toHaveReceivedNthSpecificCommandWith(1, DisableOrganizationAdminAccountCommand, { AdminAccountId: OTHER });
    expect(gd).toHaveReceivedCommandWith(EnableOrganizationAdminAccountCommand, { AdminAccountId: SECURITY });
    expect(response.PhysicalResourceId).toBe(PHYSICAL_ID);
  });

  test('a hand-over whose Disable response was lost goes on to enable the new account', async () => {
    gd.on(ListOrganizationAdminAccountsCommand).resolvesOnce({ AdminAccounts: [{ AdminAccountId: OTHER, AdminStatus: 'ENABLED' }] }).resolves({ AdminAccounts: [] });
    gd.on(DisableOrganizationAdminAccountCommand).rejects(new BadRequestException({ message: 'not the delegated administrator', $metadata: {} }));

    const response = await handler(updateEvent(`guardduty-delegated-administrator:${OTHER}`, props(), props({ AdminAccountId: OTHER })), lambdaContext());

    expect(gd).toHaveReceivedCommandWith(EnableOrganizationAdminAccountCommand, { AdminAccountId: SECURITY });
    expect(response.PhysicalResourceId).toBe(PHYSICAL_ID);
  });

  test('never disables an account this resource did not designate', async () => {
    admins(['444444444444', 'ENABLED']);

    await failure(handler(updateEvent(`guardduty-delegated-administrator:${OTHER}`, props(), props({ AdminAccountId: OTHER })), lambdaContext()));

    expect(gd).toHaveReceivedCommandTimes(DisableOrganizationAdminAccountCommand, 0);
  });
});

describe('Delete', () => {
  test('with DESTROY disables the account the physical ID names while it holds the role', async () => {
    admins([SECURITY, 'ENABLED']);

    await handler(deleteEvent(PHYSICAL_ID, props()), lambdaContext());

    expect(gd).toHaveReceivedCommandWith(DisableOrganizationAdminAccountCommand, { AdminAccountId: SECURITY });
  });

  test('a Disable that failed after GuardDuty applied it (lost response) is success', async () => {
    gd.on(ListOrganizationAdminAccountsCommand).resolvesOnce({ AdminAccounts: [{ AdminAccountId: SECURITY, AdminStatus: 'ENABLED' }] }).resolves({ AdminAccounts: [] });
    gd.on(DisableOrganizationAdminAccountCommand).rejects(new BadRequestException({ message: 'not the delegated administrator', $metadata: {} }));

    await expect(handler(deleteEvent(PHYSICAL_ID, props()), lambdaContext())).resolves.toMatchObject({ PhysicalResourceId: PHYSICAL_ID });
  });

  test('a Disable that failed while the account still holds the role fails the Delete', async () => {
    admins([SECURITY, 'ENABLED']);
    gd.on(DisableOrganizationAdminAccountCommand).rejects(new BadRequestException({ message: 'refused', $metadata: {} }));

    await expect(handler(deleteEvent(PHYSICAL_ID, props()), lambdaContext())).rejects.toThrow(/refused/);
  });

  test('with DESTROY after a hand-over leaves the new account alone', async () => {
    admins([OTHER, 'ENABLED']);

    await handler(deleteEvent(PHYSICAL_ID, props()), lambdaContext());

    expect(gd).toHaveReceivedCommandTimes(DisableOrganizationAdminAccountCommand, 0);
  });

  test('with RETAIN calls nothing', async () => {
    await handler(deleteEvent(PHYSICAL_ID, props({ RemovalPolicy: 'RETAIN' })), lambdaContext());

    expect(gd.calls()).toHaveLength(0);
  });
});

describe('bad properties fail naming the value, before any GuardDuty call', () => {
  test.each<[string, Record<string, unknown>, RegExp]>([
    ['account of 11 digits', { AdminAccountId: '11111111111' }, /AdminAccountId: account ID "11111111111" must be exactly 12 digits/],
    ['account as a number', { AdminAccountId: 111111111111 }, /AdminAccountId: account ID must be a string of 12 digits, got number/],
    ['account missing', { AdminAccountId: undefined }, /AdminAccountId: account ID must be a string of 12 digits, got undefined/],
    ['RemovalPolicy SNAPSHOT', { RemovalPolicy: 'SNAPSHOT' }, /RemovalPolicy must be one of RETAIN, DESTROY, got "SNAPSHOT"/],
  ])('%s', async (_name, extra, expected) => {
    const error = await failure(handler(createEvent(props(extra)), lambdaContext()));

    expect(error.message).toMatch(/^Invalid GuardDutyDelegatedAdministrator properties: /);
    expect(error.message).toMatch(expected);
    expect(gd.calls()).toHaveLength(0);
  });
});
