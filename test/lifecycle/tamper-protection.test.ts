import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { GuardDutyTamperProtection, GuardDutyTamperProtectionProps, UnprocessedAccountsAction } from '../../lib';
import { MemberRelationship, relationshipStatus } from '../support/lifecycle/invariants';
import { ADMIN, CONSTRUCT_ID, REGION, STACK, account, lifecycleHarness } from '../support/lifecycle/lifecycle-harness';
import { StackSettings, synthesizeAccepters, synthesizeInvitations } from '../support/lifecycle/synthesized-stack';

/**
 * The shipped handlers when GuardDutyTamperProtection's service control policy binds the
 * accounts they run in: the policy document the construct synthesizes is attached in the
 * emulated organization, which refuses the denied calls as IAM does, and the accepter
 * (member side) and the invitations (administrator side) run through aws-cdk-lib's
 * provider framework against it.
 *
 * The organization: root ── Security (the administrator) └─ Workloads (the member).
 */
const h = lifecycleHarness('tamper-protection');
const { report, check, deployed } = h;

const MANAGEMENT = '999999999999';
const MEMBER = account(61);
const MEMBER_STACK: StackSettings = { account: MEMBER.accountId, region: REGION, stackName: 'security-tooling-guardduty-member-account-production' };
const ACCEPTER_ID = 'SecurityToolingGuardDutyAdministratorInvitationProduction';
const where: MemberRelationship = { administratorId: ADMIN, memberId: MEMBER.accountId, region: REGION };
const DENIED = /AccessDeniedException: User: arn:aws:iam::\d{12}:role\/\S+ is not authorized to perform: guardduty:(\w+) with an explicit deny in a service control policy/;

let units: { security: string; workloads: string };

beforeEach(() => {
  const organization = h.emulator.organization;
  organization.create(MANAGEMENT);
  units = { security: organization.addOrganizationalUnit('Security'), workloads: organization.addOrganizationalUnit('Workloads') };
  organization.addAccount({ accountId: ADMIN, parentId: units.security });
  organization.addAccount({ accountId: MEMBER.accountId, parentId: units.workloads });
  organization.enablePolicyType('SERVICE_CONTROL_POLICY');
  // The handlers' Lambda roles, as aws:PrincipalArn sees them.
  organization.setCallerPrincipal(MEMBER.accountId, `arn:aws:iam::${MEMBER.accountId}:role/member-stack-GuardDutyInvitationAccepterHandler-1A2B3C`);
  organization.setCallerPrincipal(ADMIN, `arn:aws:iam::${ADMIN}:role/admin-stack-GuardDutyMemberInvitationsHandler-4D5E6F`);
});

function attachTamperProtection(targetIds: string[], props: Partial<GuardDutyTamperProtectionProps> = {}): void {
  const stack = new Stack(new App(), 'Management', { env: { account: MANAGEMENT, region: 'us-east-1' } });
  new GuardDutyTamperProtection(stack, 'TamperProtection', { targetIds, ...props });
  const [policy] = Object.values(Template.fromStack(stack).findResources('AWS::Organizations::Policy'));
  h.emulator.organization.attachPolicy(policy.Properties.Type, policy.Properties.Content, policy.Properties.TargetIds);
}

/** The administrator's stack invites the member, and the member's accepter accepts (Create). */
async function memberAccepts(removalPolicy: RemovalPolicy) {
  const administrator = deployed([synthesizeInvitations({ [CONSTRUCT_ID]: { members: [MEMBER], onUnprocessed: UnprocessedAccountsAction.REPORT } }, STACK)], STACK, h.emulator, [MEMBER.email], {});
  expect((await administrator.send(administrator.events.create(administrator.properties[0]))).response.Status).toBe('SUCCESS');
  const memberDetectorId = h.emulator.seedDetector(MEMBER.accountId, REGION);
  const accepter = deployed([synthesizeAccepters({ [ACCEPTER_ID]: { administratorAccountId: ADMIN, detectorId: memberDetectorId, removalPolicy } }, MEMBER_STACK)], MEMBER_STACK, h.emulator, [MEMBER.email], { simulateWaiterTime: true });
  const created = await accepter.send(accepter.events.create(accepter.properties[0]));
  // Accepting an invitation is not a denied call: Create works as without the policy.
  expect(created.response).toMatchObject({ Status: 'SUCCESS', Data: { RelationshipStatus: 'Enabled' } });
  return { accepter, created };
}

describe('the member side (GuardDutyInvitationAccepter) under the SCP', () => {
  report.scenario(
    'Delete with DESTROY fails, naming the denied call and the SCP, and the member stays Enabled; exempting the handler\'s role lets the repeated Delete leave',
    async () => {
      attachTamperProtection([units.workloads], { exemptRoleNames: ['*GuardDutyInvitationAccepter*'] });
      // Until the exemption is in force: the role is one the policy does not exempt.
      h.emulator.organization.setCallerPrincipal(MEMBER.accountId, `arn:aws:iam::${MEMBER.accountId}:role/member-stack-OtherRole-1A2B3C`);
      const { accepter, created } = await memberAccepts(RemovalPolicy.DESTROY);

      const refused = await accepter.send(accepter.events.delete(created.response.PhysicalResourceId, accepter.properties[0]));

      expect(refused.response.Status).toBe('FAILED');
      expect(refused.response.Reason).toMatch(DENIED);
      expect(DENIED.exec(refused.response.Reason ?? '')?.[1]).toBe('DisassociateFromAdministratorAccount');
      expect(relationshipStatus(h.emulator, where)).toBe('Enabled');

      h.emulator.organization.setCallerPrincipal(MEMBER.accountId, `arn:aws:iam::${MEMBER.accountId}:role/member-stack-GuardDutyInvitationAccepterHandler-1A2B3C`);
      const deleted = await accepter.send(accepter.events.delete(created.response.PhysicalResourceId, accepter.properties[0]));

      expect(deleted.response.Status).toBe('SUCCESS');
      check.destroyLeavesAdministrator(deleted, h.emulator, where);
      expect(relationshipStatus(h.emulator, where)).toBe('Resigned');
    },
    { side: 'member' },
  );

  report.scenario(
    'Create accepts as before; Delete with RETAIN (the default) makes no GuardDuty call, so the SCP never meets it',
    async () => {
      attachTamperProtection([units.workloads]);
      const { accepter, created } = await memberAccepts(RemovalPolicy.RETAIN);
      const calls = h.emulator.callCount();

      const deleted = await accepter.send(accepter.events.delete(created.response.PhysicalResourceId, accepter.properties[0]));

      expect(deleted.response.Status).toBe('SUCCESS');
      expect(h.emulator.callCount()).toBe(calls);
      expect(relationshipStatus(h.emulator, where)).toBe('Enabled');
    },
    { side: 'member' },
  );
});

describe('the administrator side (GuardDutyMemberInvitations) when the SCP is on the root', () => {
  report.scenario('an Update dropping a member with DESTROY is refused where the administrator is bound; exempting its role lets the removal through', async () => {
    attachTamperProtection([h.emulator.organization.rootId], { exemptRoleNames: ['*GuardDutyMemberInvitations*'] });
    h.emulator.organization.setCallerPrincipal(ADMIN, `arn:aws:iam::${ADMIN}:role/admin-stack-OtherRole-4D5E6F`);
    const other = account(62);
    const versions = [
      synthesizeInvitations({ [CONSTRUCT_ID]: { members: [MEMBER, other], removalPolicy: RemovalPolicy.DESTROY, waitForVerification: false } }, STACK),
      synthesizeInvitations({ [CONSTRUCT_ID]: { members: [MEMBER], removalPolicy: RemovalPolicy.DESTROY, waitForVerification: false } }, STACK),
    ];
    const resource = deployed(versions, STACK, h.emulator, [MEMBER.email, other.email], {});
    const created = await resource.send(resource.events.create(resource.properties[0]));
    expect(created.response.Status).toBe('SUCCESS');

    const refused = await resource.send(resource.events.update(created.response.PhysicalResourceId, resource.properties[1], resource.properties[0]));

    expect(refused.response.Status).toBe('FAILED');
    expect(refused.response.Reason).toMatch(DENIED);
    expect(h.statuses()).toEqual({ [MEMBER.accountId]: 'Invited', [other.accountId]: 'Invited' });

    h.emulator.organization.setCallerPrincipal(ADMIN, `arn:aws:iam::${ADMIN}:role/admin-stack-GuardDutyMemberInvitationsHandler-4D5E6F`);
    const updated = await resource.send(resource.events.update(created.response.PhysicalResourceId, resource.properties[1], resource.properties[0]));

    expect(updated.response.Status).toBe('SUCCESS');
    expect(h.statuses()).toEqual({ [MEMBER.accountId]: 'Invited' });
  });
});
