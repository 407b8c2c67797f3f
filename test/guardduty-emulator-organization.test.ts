import {
  BadRequestException,
  CreateMembersCommand,
  DescribeOrganizationConfigurationCommand,
  DisableOrganizationAdminAccountCommand,
  DisassociateMembersCommand,
  EnableOrganizationAdminAccountCommand,
  GetMembersCommand,
  GuardDutyClient,
  InviteMembersCommand,
  ListOrganizationAdminAccountsCommand,
  UpdateOrganizationConfigurationCommand,
} from '@aws-sdk/client-guardduty';
import {
  AccessDeniedException,
  AWSOrganizationsNotInUseException,
  DescribeOrganizationCommand,
  InvalidInputException,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  OrganizationsClient,
  ParentNotFoundException,
} from '@aws-sdk/client-organizations';
import { GuardDutyEmulator, MAX_MEMBERS_PER_ADMINISTRATOR, ORGANIZATION_ERROR, ORGANIZATION_UNPROCESSED_RESULT, UNPROCESSED_RESULT } from './support/guardduty-emulator';

/**
 * The emulator's AWS Organization and GuardDuty's organization behaviours, driven with
 * the real SDK clients.
 */
const MANAGEMENT = '999999999999';
const SECURITY = '111111111111';
const WORKLOAD = '222222222222';
const SANDBOX = '333333333333';
const OUTSIDER = '444444444444';
const REGION = 'eu-west-1';

let emulator: GuardDutyEmulator;
const clients: Array<{ destroy(): void }> = [];

beforeAll(async () => {
  emulator = await GuardDutyEmulator.start();
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());
afterEach(() => clients.splice(0).forEach((client) => client.destroy()));

function guardDuty(account: string): GuardDutyClient {
  const client = new GuardDutyClient({ ...emulator.clientConfig(account, REGION), maxAttempts: 1 });
  clients.push(client);
  return client;
}

function organizations(account: string): OrganizationsClient {
  const client = new OrganizationsClient({ ...emulator.organizationsClientConfig(account), maxAttempts: 1 });
  clients.push(client);
  return client;
}

/** An organization: management, security (to be the delegated administrator), workload in an OU, sandbox in a nested OU. */
function seedOrganization(): { workloadsOu: string; sandboxOu: string } {
  emulator.organization.create(MANAGEMENT);
  const workloadsOu = emulator.organization.addOrganizationalUnit('Workloads');
  const sandboxOu = emulator.organization.addOrganizationalUnit('Sandbox', workloadsOu);
  emulator.organization.addAccount({ accountId: SECURITY });
  emulator.organization.addAccount({ accountId: WORKLOAD, parentId: workloadsOu });
  emulator.organization.addAccount({ accountId: SANDBOX, parentId: sandboxOu });
  return { workloadsOu, sandboxOu };
}

async function delegateToSecurity(): Promise<string> {
  await guardDuty(MANAGEMENT).send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: SECURITY }));
  return emulator.detectorId(SECURITY, REGION)!;
}

async function rejection(promise: Promise<unknown>): Promise<Error & { Reason?: string }> {
  return promise.then(
    () => {
      throw new Error('expected the call to be rejected');
    },
    (error: Error) => error,
  );
}

describe('the Organizations API', () => {
  test('DescribeOrganization answers any account of the organization, naming the management account', async () => {
    seedOrganization();

    const { Organization } = await organizations(WORKLOAD).send(new DescribeOrganizationCommand({}));

    expect(Organization).toMatchObject({ MasterAccountId: MANAGEMENT, FeatureSet: 'ALL', Id: expect.stringMatching(/^o-[0-9a-f]{10}$/) });
  });

  test('an account outside any organization gets AWSOrganizationsNotInUseException', async () => {
    seedOrganization();

    const error = await rejection(organizations(OUTSIDER).send(new DescribeOrganizationCommand({})));

    expect(error).toBeInstanceOf(AWSOrganizationsNotInUseException);
  });

  test('ListAccounts pages by MaxResults with a NextToken, with State and without the retired Status', async () => {
    seedOrganization();
    const client = organizations(MANAGEMENT);

    const first = await client.send(new ListAccountsCommand({ MaxResults: 3 }));
    const second = await client.send(new ListAccountsCommand({ MaxResults: 3, NextToken: first.NextToken }));

    expect(first.Accounts?.map((account) => account.Id)).toEqual([MANAGEMENT, SECURITY, WORKLOAD]);
    expect(second.Accounts?.map((account) => account.Id)).toEqual([SANDBOX]);
    expect(second.NextToken).toBeUndefined();
    expect(first.Accounts?.[1]).toMatchObject({ State: 'ACTIVE', Email: `aws+${SECURITY}@example.com`, JoinedTimestamp: expect.any(Date) });
    expect(first.Accounts?.[1].Status).toBeUndefined();
  });

  test('pages may be shorter than MaxResults with a token still to follow, as the service documents', async () => {
    seedOrganization();
    emulator.organization.capPageSize(1);

    const page = await organizations(MANAGEMENT).send(new ListAccountsCommand({ MaxResults: 20 }));

    expect(page.Accounts).toHaveLength(1);
    expect(page.NextToken).toBeDefined();
  });

  test('MaxResults above 20 and a token from another listing are InvalidInputException', async () => {
    seedOrganization();
    const client = organizations(MANAGEMENT);
    const { NextToken } = await client.send(new ListAccountsCommand({ MaxResults: 1 }));
    const rootId = emulator.organization.rootId;

    const tooMany = await rejection(client.send(new ListAccountsCommand({ MaxResults: 21 })));
    const foreignToken = await rejection(client.send(new ListAccountsForParentCommand({ ParentId: rootId, NextToken })));

    expect(tooMany).toBeInstanceOf(InvalidInputException);
    expect(tooMany.Reason).toBe('MAX_VALUE_EXCEEDED');
    expect(foreignToken).toBeInstanceOf(InvalidInputException);
    expect(foreignToken.Reason).toBe('INVALID_NEXT_TOKEN');
  });

  test('ListRoots, ListOrganizationalUnitsForParent and ListAccountsForParent walk the tree', async () => {
    const { workloadsOu, sandboxOu } = seedOrganization();
    const client = organizations(MANAGEMENT);

    const { Roots } = await client.send(new ListRootsCommand({}));
    const underRoot = await client.send(new ListOrganizationalUnitsForParentCommand({ ParentId: Roots![0].Id }));
    const underWorkloads = await client.send(new ListOrganizationalUnitsForParentCommand({ ParentId: workloadsOu }));
    const inSandbox = await client.send(new ListAccountsForParentCommand({ ParentId: sandboxOu }));

    expect(Roots?.[0].Id).toBe(emulator.organization.rootId);
    expect(underRoot.OrganizationalUnits).toEqual([{ Id: workloadsOu, Name: 'Workloads', Arn: expect.stringContaining(`:ou/o-`) }]);
    expect(underWorkloads.OrganizationalUnits?.map((unit) => unit.Id)).toEqual([sandboxOu]);
    expect(inSandbox.Accounts?.map((account) => account.Id)).toEqual([SANDBOX]);
  });

  test('an unknown parent is ParentNotFoundException', async () => {
    seedOrganization();

    const error = await rejection(organizations(MANAGEMENT).send(new ListAccountsForParentCommand({ ParentId: 'ou-abcd-00000000' })));

    expect(error).toBeInstanceOf(ParentNotFoundException);
  });

  test('a plain member account may not list; the GuardDuty delegated administrator may, once designated', async () => {
    seedOrganization();

    const denied = await rejection(organizations(SECURITY).send(new ListAccountsCommand({})));
    await delegateToSecurity();
    const allowed = await organizations(SECURITY).send(new ListAccountsCommand({}));

    expect(denied).toBeInstanceOf(AccessDeniedException);
    expect(allowed.Accounts).toHaveLength(4);
  });
});

describe('the delegated administrator, from the management account', () => {
  test('EnableOrganizationAdminAccount designates the account and enables GuardDuty there', async () => {
    seedOrganization();

    await delegateToSecurity();
    const { AdminAccounts } = await guardDuty(MANAGEMENT).send(new ListOrganizationAdminAccountsCommand({}));

    expect(AdminAccounts).toEqual([{ AdminAccountId: SECURITY, AdminStatus: 'ENABLED' }]);
    expect(emulator.detectorId(SECURITY, REGION)).toBeDefined();
    expect(emulator.organization.guardDutyAdministrator('us-east-1')).toBeUndefined();
  });

  test('a second account is refused with GuardDuty\'s wording', async () => {
    seedOrganization();
    await delegateToSecurity();

    const error = await rejection(guardDuty(MANAGEMENT).send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: WORKLOAD })));

    expect(error).toBeInstanceOf(BadRequestException);
    expect(error.message).toBe('The request failed because another account is already enabled as GuardDuty delegated administrator for the organization.');
  });

  test('only the management account may designate, and only an account of the organization', async () => {
    seedOrganization();

    const fromMember = await rejection(guardDuty(WORKLOAD).send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: SECURITY })));
    const outsider = await rejection(guardDuty(MANAGEMENT).send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: OUTSIDER })));

    expect(fromMember.message).toBe(ORGANIZATION_ERROR.NOT_MANAGEMENT_ACCOUNT);
    expect(outsider.message).toBe(ORGANIZATION_ERROR.NOT_IN_ORGANIZATION);
  });

  test('DisableOrganizationAdminAccount removes the role, and only the holder\'s', async () => {
    seedOrganization();
    await delegateToSecurity();

    const wrong = await rejection(guardDuty(MANAGEMENT).send(new DisableOrganizationAdminAccountCommand({ AdminAccountId: WORKLOAD })));
    await guardDuty(MANAGEMENT).send(new DisableOrganizationAdminAccountCommand({ AdminAccountId: SECURITY }));

    expect(wrong.message).toBe(ORGANIZATION_ERROR.NOT_THE_ADMINISTRATOR);
    expect((await guardDuty(MANAGEMENT).send(new ListOrganizationAdminAccountsCommand({}))).AdminAccounts).toEqual([]);
  });
});

describe('the organization configuration, from the delegated administrator', () => {
  test('reads back what UpdateOrganizationConfiguration set, merging features by name', async () => {
    seedOrganization();
    const detectorId = await delegateToSecurity();
    const client = guardDuty(SECURITY);

    await client.send(new UpdateOrganizationConfigurationCommand({ DetectorId: detectorId, AutoEnableOrganizationMembers: 'NEW', Features: [{ Name: 'S3_DATA_EVENTS', AutoEnable: 'NEW' }] }));
    await client.send(
      new UpdateOrganizationConfigurationCommand({
        DetectorId: detectorId,
        Features: [{ Name: 'RUNTIME_MONITORING', AutoEnable: 'ALL', AdditionalConfiguration: [{ Name: 'EKS_ADDON_MANAGEMENT', AutoEnable: 'NEW' }] }],
      }),
    );
    const configuration = await client.send(new DescribeOrganizationConfigurationCommand({ DetectorId: detectorId }));

    expect(configuration).toMatchObject({
      AutoEnableOrganizationMembers: 'NEW',
      MemberAccountLimitReached: false,
      Features: [
        { Name: 'S3_DATA_EVENTS', AutoEnable: 'NEW', AdditionalConfiguration: [] },
        { Name: 'RUNTIME_MONITORING', AutoEnable: 'ALL', AdditionalConfiguration: [{ Name: 'EKS_ADDON_MANAGEMENT', AutoEnable: 'NEW' }] },
      ],
    });
  });

  test('is refused to an account that is not the delegated administrator', async () => {
    seedOrganization();
    await delegateToSecurity();
    const workloadDetector = emulator.seedDetector(WORKLOAD, REGION);

    const error = await rejection(guardDuty(WORKLOAD).send(new DescribeOrganizationConfigurationCommand({ DetectorId: workloadDetector })));

    expect(error.message).toBe(ORGANIZATION_ERROR.NOT_DELEGATED_ADMINISTRATOR);
  });

  test('values outside the model\'s enums are refused by the model\'s validation', async () => {
    seedOrganization();
    const detectorId = await delegateToSecurity();

    const error = await rejection(guardDuty(SECURITY).send(new UpdateOrganizationConfigurationCommand({ DetectorId: detectorId, AutoEnableOrganizationMembers: 'SOME' as never })));

    expect(error).toBeInstanceOf(BadRequestException);
    expect(error.message).toMatch(/enum value set: \[NEW, ALL, NONE\]/);
  });

  test('ALL enrolls every active account now (the real service: within 24 hours), suspended ones excepted, with ALL features on', async () => {
    seedOrganization();
    emulator.organization.addAccount({ accountId: OUTSIDER, state: 'SUSPENDED' });
    const detectorId = await delegateToSecurity();

    await guardDuty(SECURITY).send(new UpdateOrganizationConfigurationCommand({ DetectorId: detectorId, AutoEnableOrganizationMembers: 'ALL', Features: [{ Name: 'EKS_AUDIT_LOGS', AutoEnable: 'ALL' }] }));

    const members = emulator.members(SECURITY, REGION);
    expect(members.map((member) => [member.accountId, member.relationshipStatus]).sort()).toEqual([
      [MANAGEMENT, 'Enabled'],
      [WORKLOAD, 'Enabled'],
      [SANDBOX, 'Enabled'],
    ].sort());
    expect(emulator.organization.memberFeatures(SANDBOX, REGION)).toEqual({ EKS_AUDIT_LOGS: 'ENABLED' });
    expect(emulator.detectorId(SANDBOX, REGION)).toBeDefined();
  });

  test('NEW enrolls accounts that join later, with NEW features on, and leaves existing ones', async () => {
    seedOrganization();
    const detectorId = await delegateToSecurity();
    await guardDuty(SECURITY).send(new UpdateOrganizationConfigurationCommand({ DetectorId: detectorId, AutoEnableOrganizationMembers: 'NEW', Features: [{ Name: 'S3_DATA_EVENTS', AutoEnable: 'NEW' }] }));

    emulator.organization.addAccount({ accountId: OUTSIDER });

    expect(emulator.members(SECURITY, REGION).map((member) => [member.accountId, member.relationshipStatus])).toEqual([[OUTSIDER, 'Enabled']]);
    expect(emulator.organization.memberFeatures(OUTSIDER, REGION)).toEqual({ S3_DATA_EVENTS: 'ENABLED' });
    expect(emulator.invitationsSentTo(OUTSIDER)).toBe(0);
  });
});

describe('members of the organization', () => {
  test('CreateMembers of an organization account associates it at once: Enabled, no invitation, auto-enable applied', async () => {
    seedOrganization();
    const detectorId = await delegateToSecurity();
    await guardDuty(SECURITY).send(
      new UpdateOrganizationConfigurationCommand({
        DetectorId: detectorId,
        AutoEnableOrganizationMembers: 'NONE',
        Features: [{ Name: 'RUNTIME_MONITORING', AutoEnable: 'NEW', AdditionalConfiguration: [{ Name: 'ECS_FARGATE_AGENT_MANAGEMENT', AutoEnable: 'NEW' }] }],
      }),
    );

    const { UnprocessedAccounts } = await guardDuty(SECURITY).send(new CreateMembersCommand({ DetectorId: detectorId, AccountDetails: [{ AccountId: WORKLOAD, Email: `aws+${WORKLOAD}@example.com` }] }));
    const { Members } = await guardDuty(SECURITY).send(new GetMembersCommand({ DetectorId: detectorId, AccountIds: [WORKLOAD] }));

    expect(UnprocessedAccounts).toEqual([]);
    expect(Members?.[0]).toMatchObject({ AccountId: WORKLOAD, RelationshipStatus: 'Enabled', AdministratorId: SECURITY });
    expect(emulator.invitationsSentTo(WORKLOAD)).toBe(0);
    expect(emulator.organization.memberFeatures(WORKLOAD, REGION)).toEqual({ RUNTIME_MONITORING: 'ENABLED', 'RUNTIME_MONITORING.ECS_FARGATE_AGENT_MANAGEMENT': 'ENABLED' });
  });

  test('in one batch, an account outside the organization takes the invitation path and a suspended one is unprocessed', async () => {
    seedOrganization();
    emulator.organization.setAccountState(SANDBOX, 'SUSPENDED');
    const detectorId = await delegateToSecurity();

    const { UnprocessedAccounts } = await guardDuty(SECURITY).send(
      new CreateMembersCommand({
        DetectorId: detectorId,
        AccountDetails: [WORKLOAD, OUTSIDER, SANDBOX].map((AccountId) => ({ AccountId, Email: `aws+${AccountId}@example.com` })),
      }),
    );

    expect(UnprocessedAccounts).toEqual([{ AccountId: SANDBOX, Result: ORGANIZATION_UNPROCESSED_RESULT.ACCOUNT_NOT_ACTIVE }]);
    const status = Object.fromEntries(emulator.members(SECURITY, REGION).map((member) => [member.accountId, member.relationshipStatus]));
    expect(status).toEqual({ [WORKLOAD]: 'Enabled', [OUTSIDER]: 'Created' });
  });

  test('a second CreateMembers reports the account as already a member, in GuardDuty\'s words', async () => {
    seedOrganization();
    const detectorId = await delegateToSecurity();
    const create = new CreateMembersCommand({ DetectorId: detectorId, AccountDetails: [{ AccountId: WORKLOAD, Email: `aws+${WORKLOAD}@example.com` }] });
    await guardDuty(SECURITY).send(create);

    const { UnprocessedAccounts } = await guardDuty(SECURITY).send(create);

    expect(UnprocessedAccounts).toEqual([{ AccountId: WORKLOAD, Result: UNPROCESSED_RESULT.ALREADY_MEMBER }]);
  });

  test('once disassociated, InviteMembers refuses the organization account and CreateMembers adds it back', async () => {
    seedOrganization();
    const detectorId = await delegateToSecurity();
    const client = guardDuty(SECURITY);
    const create = new CreateMembersCommand({ DetectorId: detectorId, AccountDetails: [{ AccountId: WORKLOAD, Email: `aws+${WORKLOAD}@example.com` }] });
    await client.send(create);
    await client.send(new DisassociateMembersCommand({ DetectorId: detectorId, AccountIds: [WORKLOAD] }));

    const invited = await client.send(new InviteMembersCommand({ DetectorId: detectorId, AccountIds: [WORKLOAD] }));
    const statusAfterInvite = emulator.members(SECURITY, REGION)[0].relationshipStatus;
    const recreated = await client.send(create);

    expect(invited.UnprocessedAccounts).toEqual([{ AccountId: WORKLOAD, Result: ORGANIZATION_UNPROCESSED_RESULT.ORGANIZATION_ACCOUNT_NOT_INVITABLE }]);
    expect(statusAfterInvite).toBe('Removed');
    expect(recreated.UnprocessedAccounts).toEqual([]);
    expect(emulator.members(SECURITY, REGION)[0].relationshipStatus).toBe('Enabled');
    expect(emulator.invitationsSentTo(WORKLOAD)).toBe(0);
  });

  test('an administrator that is not the delegated one still goes by invitation for organization accounts', async () => {
    seedOrganization();
    await delegateToSecurity();
    const otherDetector = emulator.seedDetector(OUTSIDER, REGION);

    await guardDuty(OUTSIDER).send(new CreateMembersCommand({ DetectorId: otherDetector, AccountDetails: [{ AccountId: WORKLOAD, Email: `aws+${WORKLOAD}@example.com` }] }));

    expect(emulator.members(OUTSIDER, REGION)[0].relationshipStatus).toBe('Created');
  });

  test('an administrator has at most 50,000 members, invited ones included: the account past the limit is unprocessed', async () => {
    seedOrganization();
    const detectorId = await delegateToSecurity();
    for (let i = 0; i < MAX_MEMBERS_PER_ADMINISTRATOR - 1; i++) {
      emulator.seedMember(SECURITY, REGION, { accountId: String(500000000000 + i), relationshipStatus: 'Enabled' });
    }

    const { UnprocessedAccounts } = await guardDuty(SECURITY).send(
      new CreateMembersCommand({ DetectorId: detectorId, AccountDetails: [WORKLOAD, SANDBOX].map((AccountId) => ({ AccountId, Email: `aws+${AccountId}@example.com` })) }),
    );
    const { MemberAccountLimitReached } = await guardDuty(SECURITY).send(new DescribeOrganizationConfigurationCommand({ DetectorId: detectorId }));

    expect(UnprocessedAccounts).toEqual([{ AccountId: SANDBOX, Result: ORGANIZATION_UNPROCESSED_RESULT.MEMBER_LIMIT_REACHED }]);
    expect(MemberAccountLimitReached).toBe(true);
  });
});
