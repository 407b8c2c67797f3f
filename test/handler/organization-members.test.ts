import { ListAccountsCommand, ListAccountsForParentCommand, ListOrganizationalUnitsForParentCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../lambda/member-invitations';
import {
  MAX_SUSPENDED_LIST_BYTES,
  OrganizationSelection,
  clearOrganizationListings,
  selectMembers,
  selectionData,
  withOrganizationMembers,
} from '../../lambda/member-invitations/organization-members';
import { HandlerError } from '../../lambda/shared/handler-error';
import { createLogger } from '../../lambda/shared/logger';
import { OrganizationAccount, OrganizationsReader } from '../../lambda/shared/organizations-api';
import { ATTRIBUTE } from '../../lib/private/invitation-contract';
import { responseData } from '../../lambda/member-invitations/outcome-report';
import { createEvent, lambdaContext } from '../support/cloudformation-events';
import { CLOUDFORMATION_RESPONSE_LIMIT_BYTES, byteLength, successResponseBody } from '../support/provider-framework-response';
import { FakeGuardDuty } from '../support/fake-guardduty';

/**
 * The handler's side of OrganizationMembers: which accounts a selection adds (pure), how
 * it is resolved (one listing per request and container, failures named), and what the
 * response reports.
 */
const ADMIN = '111111111111';
const active = (accountId: string): OrganizationAccount => ({ accountId, email: `aws+${accountId}@example.com`, state: 'ACTIVE' });
const inState = (accountId: string, state: string): OrganizationAccount => ({ ...active(accountId), state });
const units = (...parentIds: string[]): OrganizationSelection => ({ scope: 'ORGANIZATIONAL_UNITS', parentIds, excludeAccountIds: [] });

describe('selectMembers', () => {
  test('active accounts, each once, in Organizations\' order', () => {
    const selected = selectMembers([active('200000000001'), active('200000000002'), active('200000000001')], units('ou-ab12-11111111'), new Set(), ADMIN);

    expect(selected.members.map((m) => m.accountId)).toEqual(['200000000001', '200000000002']);
    expect(selected.members[0].email).toBe('aws+200000000001@example.com');
    expect(selected.selectedCount).toBe(2);
  });

  test.each(['SUSPENDED', 'PENDING_CLOSURE', 'CLOSED'])('an account %s is skipped and reported', (state) => {
    const selected = selectMembers([active('200000000001'), inState('200000000002', state)], units('ou-ab12-11111111'), new Set(), ADMIN);

    expect(selected.members.map((m) => m.accountId)).toEqual(['200000000001']);
    expect(selected.suspended).toEqual(['200000000002']);
  });

  test('excluded accounts are left out and counted, suspended or not', () => {
    const selected = selectMembers([active('200000000001'), inState('200000000002', 'SUSPENDED')], { ...units('ou-ab12-11111111'), excludeAccountIds: ['200000000001', '200000000002'] }, new Set(), ADMIN);

    expect(selected).toEqual({ members: [], suspended: [], selectedCount: 0, excludedCount: 2 });
  });

  test('the administrator\'s own account is skipped', () => {
    expect(selectMembers([active(ADMIN), active('200000000001')], units('r-ab12'), new Set(), ADMIN).members.map((m) => m.accountId)).toEqual(['200000000001']);
  });

  test('an account also declared in Members is counted but not added: the explicit email wins', () => {
    const selected = selectMembers([active('200000000001'), active('200000000002')], units('r-ab12'), new Set(['200000000001']), ADMIN);

    expect(selected.members.map((m) => m.accountId)).toEqual(['200000000002']);
    expect(selected.selectedCount).toBe(2);
  });

  test('an account Organizations lists without a usable email fails naming the account, not an address', () => {
    expect(() => selectMembers([{ accountId: '200000000001', email: '', state: 'ACTIVE' }], units('r-ab12'), new Set(), ADMIN)).toThrow(
      new HandlerError('AWS Organizations listed account "200000000001", which OrganizationMembers selects, with an unusable value: email must be 1 to 64 characters long (GuardDuty\'s limit), it has 0.'),
    );
  });
});

describe('withOrganizationMembers', () => {
  const log = createLogger({}, () => undefined);
  const fakeReader = (accounts: Record<string, OrganizationAccount[]>, everyone: OrganizationAccount[] = []) => {
    const calls: string[] = [];
    const reader: OrganizationsReader = {
      listAccounts: async () => {
        calls.push('listAccounts');
        return everyone;
      },
      listAccountsUnder: async (parentId) => {
        calls.push(parentId);
        if (!accounts[parentId]) {
          throw Object.assign(new Error('You specified a root or OU that doesn\'t exist.'), { name: 'ParentNotFoundException' });
        }
        return accounts[parentId];
      },
    };
    return { calls, reader };
  };
  const properties = (extra: Record<string, unknown> = {}) => ({
    Members: [{ AccountId: '222222222222', Email: 'outside@example.com' }],
    OrganizationMembers: { Scope: 'ORGANIZATIONAL_UNITS', ParentIds: ['ou-ab12-11111111', 'ou-ab12-22222222'], ExcludeAccountIds: ['200000000003'] },
    ...extra,
  });
  beforeEach(() => clearOrganizationListings());

  test('adds the selected accounts after the declared ones, each once across overlapping OUs', async () => {
    const { reader } = fakeReader({ 'ou-ab12-11111111': [active('200000000001'), active('200000000003')], 'ou-ab12-22222222': [active('200000000001'), inState('200000000004', 'SUSPENDED')] });

    const resolved = await withOrganizationMembers(properties(), { reader: () => reader, administratorAccountId: ADMIN, requestId: 'r1', log });

    expect((resolved.properties as Record<string, unknown>).Members).toEqual([
      { AccountId: '222222222222', Email: 'outside@example.com' },
      { AccountId: '200000000001', Email: 'aws+200000000001@example.com' },
    ]);
    expect(resolved.selection).toEqual({ selectedCount: 1, suspended: ['200000000004'] });
  });

  test('lists the organization once per request in a container, again for the next request', async () => {
    const { calls, reader } = fakeReader({ 'ou-ab12-11111111': [active('200000000001')], 'ou-ab12-22222222': [] });
    const source = (requestId: string) => ({ reader: () => reader, administratorAccountId: ADMIN, requestId, log });

    await withOrganizationMembers(properties(), source('r1'));
    await withOrganizationMembers(properties({ Members: [] }), source('r1'));
    expect(calls).toEqual(['ou-ab12-11111111', 'ou-ab12-22222222']);

    await withOrganizationMembers(properties(), source('r2'));
    expect(calls).toHaveLength(4);
  });

  test('a failed listing names the selection and what Organizations said, and is not kept', async () => {
    const { calls, reader } = fakeReader({ 'ou-ab12-11111111': [] });
    const source = { reader: () => reader, administratorAccountId: ADMIN, requestId: 'r1', log };

    await expect(withOrganizationMembers(properties(), source)).rejects.toThrow(
      'Could not list the accounts under ou-ab12-11111111, ou-ab12-22222222 for OrganizationMembers (ParentNotFoundException: You specified a root or OU that doesn\'t exist.)',
    );
    await expect(withOrganizationMembers(properties(), source)).rejects.toThrow(HandlerError);
    expect(calls.filter((c) => c === 'ou-ab12-22222222')).toHaveLength(2);
  });

  test('more than GuardDuty\'s 50,000 members in all fails, counting both parts', async () => {
    const everyone = Array.from({ length: 50_000 }, (_, i) => active(String(300_000_000_000 + i)));
    const { reader } = fakeReader({}, everyone);

    await expect(withOrganizationMembers(properties({ OrganizationMembers: { Scope: 'ORGANIZATION' } }), { reader: () => reader, administratorAccountId: ADMIN, requestId: 'r1', log })).rejects.toThrow(
      'OrganizationMembers selects 50000 accounts besides the 1 of Members: 50001 in all, more than the 50000 members GuardDuty allows an administrator.',
    );
  });

  test('properties without a selection are returned as they are', async () => {
    const raw = { Members: [] };
    expect(await withOrganizationMembers(raw, { reader: () => fakeReader({}).reader, administratorAccountId: ADMIN, requestId: 'r1', log })).toEqual({ properties: raw });
  });
});

test('selectionData bounds the suspended IDs and keeps the count', () => {
  const suspended = Array.from({ length: 500 }, (_, i) => String(400_000_000_000 + i));

  const data = selectionData({ selectedCount: 7, suspended });

  expect(Buffer.byteLength(data.SuspendedAccountIds)).toBeLessThanOrEqual(MAX_SUSPENDED_LIST_BYTES);
  expect(data.SuspendedAccountIds).toMatch(/,… and \d+ more$/);
  expect(data.SuspendedAccountCount).toBe('500');
  expect(data.SelectedAccountCount).toBe('7');
});

test('the suspended list fits the 4,096-byte response next to the other attributes (invited, organization and unprocessed lists), at their worst', () => {
  const ids = (first: number) => Array.from({ length: 5_000 }, (_, i) => String(first + i));
  const detectorId = 'd'.repeat(264);
  const data = {
    ...responseData({ detectorId, invited: ids(200_000_000_000), associated: ids(500_000_000_000), alreadyMembers: [], unprocessed: ids(300_000_000_000).map((accountId) => ({ accountId, result: 'refused' })), removed: [] }),
    [ATTRIBUTE.VERIFICATION_SINCE]: String(Date.now()),
    [ATTRIBUTE.VERIFICATION_DEADLINE]: String(Date.now()),
    ...selectionData({ selectedCount: 50_000, suspended: ids(400_000_000_000) }),
  };
  // The longest envelope CloudFormation can give: a 128-character stack name, a 255-character logical ID.
  const event = { ...createEvent({}), StackId: `arn:aws:cloudformation:ap-southeast-2:111111111111:stack/${'s'.repeat(128)}/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`, LogicalResourceId: 'L'.repeat(255) };

  expect(byteLength(successResponseBody(event, { PhysicalResourceId: `guardduty-members:${detectorId}`, Data: data }))).toBeLessThanOrEqual(CLOUDFORMATION_RESPONSE_LIMIT_BYTES);
});

describe('the handler', () => {
  let gd: FakeGuardDuty;
  const organizations = mockClient(OrganizationsClient);
  beforeEach(() => {
    gd = new FakeGuardDuty();
    organizations.reset();
    clearOrganizationListings();
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => {
    gd.restore();
    jest.restoreAllMocks();
  });
  afterAll(() => organizations.restore());

  test('Create: brings in the selected accounts with Organizations\' emails, reports the suspended one, never logs an email', async () => {
    organizations.on(ListAccountsCommand).resolves({
      Accounts: [
        { Id: '200000000001', Email: 'aws+200000000001@example.com', State: 'ACTIVE' },
        { Id: '200000000002', Email: 'aws+200000000002@example.com', State: 'SUSPENDED' },
        { Id: '200000000003', Email: 'aws+200000000003@example.com', State: 'ACTIVE' },
      ],
    });
    const logged = jest.spyOn(console, 'log').mockImplementation(() => undefined);

    const response = await handler(
      createEvent({
        DetectorId: gd.detectorIds[0],
        Members: [],
        OrganizationMembers: { Scope: 'ORGANIZATION', ExcludeAccountIds: ['200000000003'] },
        DisableEmailNotification: 'false',
        OnUnprocessed: 'FAIL',
        RemovalPolicy: 'RETAIN',
      }),
      lambdaContext(),
    );

    expect(response.Data).toMatchObject({ InvitedAccountIds: '200000000001', SuspendedAccountIds: '200000000002', SuspendedAccountCount: '1', SelectedAccountCount: '1' });
    expect(gd.members.get('200000000001')?.email).toBe('aws+200000000001@example.com');
    expect([...gd.members.keys()]).toEqual(['200000000001']);
    expect(organizations.commandCalls(ListAccountsForParentCommand)).toHaveLength(0);
    expect(organizations.commandCalls(ListOrganizationalUnitsForParentCommand)).toHaveLength(0);
    expect(logged.mock.calls.flat().join('\n')).not.toMatch(/@example\.com/);
  });
});
