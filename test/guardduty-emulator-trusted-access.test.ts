import { DescribeStacksCommand, CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EnableOrganizationAdminAccountCommand, GuardDutyClient } from '@aws-sdk/client-guardduty';
import { CreateServiceLinkedRoleCommand, IAMClient, InvalidInputException } from '@aws-sdk/client-iam';
import { AccessDeniedException, EnableAWSServiceAccessCommand, ListAWSServiceAccessForOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { GuardDutyEmulator } from './support/guardduty-emulator';

/**
 * The emulator's Organizations trusted access and IAM service-linked roles, driven with
 * the real SDK clients: what the delegated-administrator handler's Malware Protection
 * prerequisites call.
 */
const MANAGEMENT = '999999999999';
const SECURITY = '111111111111';
const PRINCIPAL = 'malware-protection.guardduty.amazonaws.com';

let emulator: GuardDutyEmulator;
const clients: Array<{ destroy(): void }> = [];
beforeAll(async () => {
  emulator = await GuardDutyEmulator.start();
});
afterAll(() => emulator.stop());
beforeEach(() => {
  emulator.reset();
  emulator.organization.create(MANAGEMENT);
  emulator.organization.addAccount({ accountId: SECURITY });
});
afterEach(() => clients.splice(0).forEach((client) => client.destroy()));

function track<T extends { destroy(): void }>(client: T): T {
  clients.push(client);
  return client;
}
const organizations = (account: string) => track(new OrganizationsClient({ ...emulator.organizationsClientConfig(account), maxAttempts: 1 }));
const iam = (account: string) => track(new IAMClient({ ...emulator.clientConfig(account), maxAttempts: 1 }));

describe('trusted access', () => {
  test('the management account enables it once; enabling again succeeds and changes nothing', async () => {
    await organizations(MANAGEMENT).send(new EnableAWSServiceAccessCommand({ ServicePrincipal: PRINCIPAL }));
    await organizations(MANAGEMENT).send(new EnableAWSServiceAccessCommand({ ServicePrincipal: PRINCIPAL }));

    const listed = await organizations(MANAGEMENT).send(new ListAWSServiceAccessForOrganizationCommand({}));
    expect(listed.EnabledServicePrincipals?.map((service) => service.ServicePrincipal)).toEqual([PRINCIPAL]);
    expect(listed.EnabledServicePrincipals?.[0].DateEnabled).toBeInstanceOf(Date);
  });

  test('another account may neither enable nor list it', async () => {
    await expect(organizations(SECURITY).send(new EnableAWSServiceAccessCommand({ ServicePrincipal: PRINCIPAL }))).rejects.toBeInstanceOf(AccessDeniedException);
    await expect(organizations(SECURITY).send(new ListAWSServiceAccessForOrganizationCommand({}))).rejects.toBeInstanceOf(AccessDeniedException);
  });

  test('designating a GuardDuty delegated administrator trusts GuardDuty, as GuardDuty does on the caller\'s behalf', async () => {
    await track(new GuardDutyClient({ ...emulator.clientConfig(MANAGEMENT, 'eu-west-1'), maxAttempts: 1 })).send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: SECURITY }));

    expect(emulator.organization.trustedServicePrincipals()).toEqual(['guardduty.amazonaws.com']);
  });

  test('the listing is paginated like the other Organizations listings', async () => {
    ['a.amazonaws.com', 'b.amazonaws.com', 'c.amazonaws.com'].forEach((principal) => emulator.organization.enableTrustedAccess(principal));
    emulator.organization.capPageSize(2);

    const first = await organizations(MANAGEMENT).send(new ListAWSServiceAccessForOrganizationCommand({ MaxResults: 20 }));
    const second = await organizations(MANAGEMENT).send(new ListAWSServiceAccessForOrganizationCommand({ MaxResults: 20, NextToken: first.NextToken }));

    expect(first.EnabledServicePrincipals).toHaveLength(2);
    expect(second.EnabledServicePrincipals?.map((service) => service.ServicePrincipal)).toEqual(['c.amazonaws.com']);
    expect(second.NextToken).toBeUndefined();
  });
});

describe('IAM service-linked roles', () => {
  test('CreateServiceLinkedRole creates the role in the caller\'s account; a second create is IAM\'s InvalidInput "has been taken"', async () => {
    const created = await iam(MANAGEMENT).send(new CreateServiceLinkedRoleCommand({ AWSServiceName: PRINCIPAL }));

    expect(created.Role).toMatchObject({
      RoleName: 'AWSServiceRoleForAmazonGuardDutyMalwareProtection',
      Path: `/aws-service-role/${PRINCIPAL}/`,
      Arn: `arn:aws:iam::${MANAGEMENT}:role/aws-service-role/${PRINCIPAL}/AWSServiceRoleForAmazonGuardDutyMalwareProtection`,
    });
    const again = iam(MANAGEMENT).send(new CreateServiceLinkedRoleCommand({ AWSServiceName: PRINCIPAL }));
    await expect(again).rejects.toBeInstanceOf(InvalidInputException);
    await expect(again).rejects.toThrow('Service role name AWSServiceRoleForAmazonGuardDutyMalwareProtection has been taken in this account');
    expect(emulator.iam.serviceLinkedRoles(SECURITY)).toEqual([]);
  });

  test('IAM and CloudFormation share the emulator\'s port: query requests go by the service they are signed for', async () => {
    const stacks = await track(new CloudFormationClient({ ...emulator.clientConfig(MANAGEMENT), maxAttempts: 1 })).send(new DescribeStacksCommand({ StackName: 'guardduty' }));

    expect(stacks.Stacks?.[0].StackStatus).toBe('UPDATE_IN_PROGRESS');
    expect(emulator.iam.calls).toEqual([]);
  });
});
