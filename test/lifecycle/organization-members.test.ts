import { EnableOrganizationAdminAccountCommand, GuardDutyClient } from '@aws-sdk/client-guardduty';
import { RemovalPolicy } from 'aws-cdk-lib';
import { GuardDutyMemberInvitationsProps, OrganizationMembers } from '../../lib';
import { Delivery } from '../support/lifecycle/provider-framework';
import { ADMIN, REGION, account, lifecycleHarness } from '../support/lifecycle/lifecycle-harness';

/**
 * Members chosen from AWS Organizations at deploy time (OrganizationMembers), through
 * aws-cdk-lib's provider framework and the shipped handler bundle, against the emulator's
 * GuardDuty and Organizations. The administrator is the organization's GuardDuty
 * delegated administrator, with auto-enable left at NONE: every organization account
 * that becomes a member here does so because the selection named it.
 *
 * The organization:
 *   root ── management account, Sandbox (one account)
 *        └─ Workloads ── workload, excluded, the administrator itself
 *                     └─ Prod ── prod, suspended
 *                             └─ Eu ── eu            (two levels below Workloads)
 * plus one account outside the organization, declared in `members`.
 */
const h = lifecycleHarness('organization-members');
const { report, check, deployment, statuses } = h;

const MANAGEMENT = '999999999999';
const [workload, excluded, prod, suspended, eu, joiner, sandbox] = [1, 2, 3, 4, 5, 6, 7].map((n) => account(40 + n).accountId);
const outside = account(90);
const orgEmail = (accountId: string) => `aws+${accountId}@example.com`;

let units: { workloads: string; prod: string; eu: string; sandbox: string };

beforeEach(async () => {
  const organization = h.emulator.organization;
  organization.create(MANAGEMENT);
  const workloads = organization.addOrganizationalUnit('Workloads');
  const prodUnit = organization.addOrganizationalUnit('Prod', workloads);
  units = { workloads, prod: prodUnit, eu: organization.addOrganizationalUnit('Eu', prodUnit), sandbox: organization.addOrganizationalUnit('Sandbox') };
  organization.addAccount({ accountId: ADMIN, parentId: workloads });
  organization.addAccount({ accountId: workload, parentId: workloads });
  organization.addAccount({ accountId: excluded, parentId: workloads });
  organization.addAccount({ accountId: prod, parentId: units.prod });
  organization.addAccount({ accountId: suspended, parentId: units.prod, state: 'SUSPENDED' });
  organization.addAccount({ accountId: eu, parentId: units.eu });
  organization.addAccount({ accountId: sandbox, parentId: units.sandbox });
  // The management account makes the administrator GuardDuty's delegated administrator,
  // which also lets it read the organization.
  const management = new GuardDutyClient({ ...h.emulator.clientConfig(MANAGEMENT, REGION), maxAttempts: 1 });
  await management.send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: ADMIN }));
  management.destroy();
});

function declaration(extra: Partial<GuardDutyMemberInvitationsProps> = {}, excludeAccountIds = [excluded]): GuardDutyMemberInvitationsProps {
  return {
    detectorId: h.detectorId,
    members: [outside],
    organizationMembers: OrganizationMembers.underOrganizationalUnits([units.workloads], { excludeAccountIds }),
    removalPolicy: RemovalPolicy.DESTROY,
    waitForVerification: false,
    ...extra,
  };
}

/** Organization emails never reach the response or the logs (the harness checks `members`' own). */
function checkNoOrganizationEmail(delivery: Delivery): void {
  check.noEmailDisclosed(delivery, [ADMIN, workload, excluded, prod, suspended, eu, joiner, sandbox, MANAGEMENT].map(orgEmail));
}

describe('members chosen from the organization at deploy time', () => {
  report.scenario('Create: every active account under the OU, two levels deep, plus the outside account; suspended, excluded, the administrator and other OUs left out', async () => {
    const resource = deployment([declaration()]);

    const created = await resource.send(resource.events.create(resource.properties[0]));

    expect(created.response).toMatchObject({
      Status: 'SUCCESS',
      Data: { SuspendedAccountIds: suspended, SuspendedAccountCount: '1', SelectedAccountCount: '3', UnprocessedAccountCount: '0' },
    });
    expect(statuses()).toEqual({ [workload]: 'Enabled', [prod]: 'Enabled', [eu]: 'Enabled', [outside.accountId]: 'Invited' });
    // Which way each came in: the selected accounts through the organization (CreateMembers
    // alone, never an invitation), the outside account by invitation.
    expect(created.response.Data).toMatchObject({ OrganizationAccountCount: '3', InvitationAccountCount: '1', InvitedAccountIds: outside.accountId });
    expect(created.response.Data?.OrganizationAccountIds.split(',').sort()).toEqual([workload, prod, eu].sort());
    expect([workload, prod, eu].map((id) => h.emulator.invitationsSentTo(id))).toEqual([0, 0, 0]);
    // The emails came from Organizations.
    expect(h.emulator.members(ADMIN, REGION).find((m) => m.accountId === eu)?.email).toBe(orgEmail(eu));
    checkNoOrganizationEmail(created);
    // The template holds the selection, not the accounts.
    expect(resource.properties[0].MemberList).toMatchObject({ AccountCount: '1', FirstAccountIds: outside.accountId });
    expect(resource.properties[0].OrganizationMembers).toMatchObject({ Scope: 'ORGANIZATIONAL_UNITS', ParentIds: [units.workloads], ExcludeAccountIds: [excluded] });
  });

  report.scenario('A new account in a nested OU joins on the next deployment of the same app: every synthesis is an Update, nothing else changes', async () => {
    const resource = deployment([declaration(), declaration()]);
    const created = await resource.send(resource.events.create(resource.properties[0]));
    h.emulator.organization.addAccount({ accountId: joiner, parentId: units.eu });
    expect(statuses()[joiner]).toBeUndefined();
    expect(resource.properties[1]).not.toEqual(resource.properties[0]);
    const writesBefore = h.emulator.writeCallCount();

    const updated = await resource.send(resource.events.update(created.response.PhysicalResourceId, resource.properties[1], resource.properties[0]));

    expect(updated.response).toMatchObject({ Status: 'SUCCESS', Data: { SelectedAccountCount: '4', SuspendedAccountCount: '1', UnprocessedAccountCount: '0' } });
    expect(statuses()).toEqual({ [workload]: 'Enabled', [prod]: 'Enabled', [eu]: 'Enabled', [joiner]: 'Enabled', [outside.accountId]: 'Invited' });
    // One CreateMembers for the joiner (an organization account: no invitation), and no
    // invitation to anyone already a member.
    expect(h.emulator.writeCallCount() - writesBefore).toBe(1);
    expect(h.emulator.invitationsSentTo(joiner)).toBe(0);
    expect(h.emulator.invitationsSentTo(outside.accountId)).toBe(1);
    checkNoOrganizationEmail(updated);
  });

  report.scenario('An account that left the OU stays a member on the next Update (DESTROY); one the new declaration excludes is removed; Delete removes what is still declared', async () => {
    const resource = deployment([declaration(), declaration(), declaration({}, [excluded, prod])]);
    const created = await resource.send(resource.events.create(resource.properties[0]));
    h.emulator.organization.moveAccount(workload, units.sandbox);

    const afterMove = await resource.send(resource.events.update(created.response.PhysicalResourceId, resource.properties[1], resource.properties[0]));

    expect(afterMove.response).toMatchObject({ Status: 'SUCCESS', Data: { SelectedAccountCount: '2' } });
    expect(statuses()[workload]).toBe('Enabled');

    const afterExclusion = await resource.send(resource.events.update(created.response.PhysicalResourceId, resource.properties[2], resource.properties[1]));

    expect(afterExclusion.response).toMatchObject({ Status: 'SUCCESS', Data: { SelectedAccountCount: '1' } });
    expect(statuses()).toEqual({ [workload]: 'Enabled', [eu]: 'Enabled', [outside.accountId]: 'Invited' });

    const deleted = await resource.send(resource.events.delete(created.response.PhysicalResourceId, resource.properties[2]));

    expect(deleted.response.Status).toBe('SUCCESS');
    expect(statuses()).toEqual({ [workload]: 'Enabled' });
  });

  report.scenario('The whole organization: the management account included, the administrator skipped', async () => {
    const resource = deployment([declaration({ members: undefined, organizationMembers: OrganizationMembers.wholeOrganization({ excludeAccountIds: [excluded] }) })]);

    const created = await resource.send(resource.events.create(resource.properties[0]));

    expect(created.response).toMatchObject({ Status: 'SUCCESS', Data: { SelectedAccountCount: '5', SuspendedAccountIds: suspended } });
    expect(statuses()).toEqual({ [MANAGEMENT]: 'Enabled', [workload]: 'Enabled', [prod]: 'Enabled', [eu]: 'Enabled', [sandbox]: 'Enabled' });
    checkNoOrganizationEmail(created);
  });

  report.scenario('An OU the organization does not have fails the Create naming it and what Organizations said, before any GuardDuty write', async () => {
    const resource = deployment([declaration({ organizationMembers: OrganizationMembers.underOrganizationalUnits(['ou-zzzz-zzzzzzzz']) })]);
    const writesBefore = h.emulator.writeCallCount();

    const failed = await resource.send(resource.events.create(resource.properties[0]));

    expect(failed.response.Status).toBe('FAILED');
    expect(failed.response.Reason).toMatch(/Could not list the accounts under ou-zzzz-zzzzzzzz for OrganizationMembers \(ParentNotFoundException/);
    expect(h.emulator.writeCallCount()).toBe(writesBefore);
  });
});
