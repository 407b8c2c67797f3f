import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  EXCLUDED_ACCOUNT,
  MANAGEMENT_ACCOUNT,
  ORGANIZATION_REGIONS,
  OUTSIDE_ACCOUNTS,
  SECURITY_ACCOUNT,
  WORKLOAD_UNITS,
  buildOrganizationApp,
} from '../../bin/organization-app';

function stacks(): Stack[] {
  return buildOrganizationApp().node.children.filter((child): child is Stack => child instanceof Stack);
}

test('a management stack and an organization configuration stack per region, in their accounts', () => {
  const byId = Object.fromEntries(stacks().map((stack) => [stack.node.id, stack]));

  expect(Object.keys(byId).sort()).toEqual(ORGANIZATION_REGIONS.flatMap((region) => [`GuardDutyManagement-${region}`, `GuardDutyOrganization-${region}`]).sort());
  for (const region of ORGANIZATION_REGIONS) {
    const management = byId[`GuardDutyManagement-${region}`];
    const organization = byId[`GuardDutyOrganization-${region}`];
    expect([management.account, management.region]).toEqual([MANAGEMENT_ACCOUNT, region]);
    expect([organization.account, organization.region]).toEqual([SECURITY_ACCOUNT, region]);
    Template.fromStack(management).hasResourceProperties('Custom::GuardDutyDelegatedAdministrator', { AdminAccountId: SECURITY_ACCOUNT, RemovalPolicy: 'RETAIN' });
    Template.fromStack(organization).hasResourceProperties('Custom::GuardDutyOrganizationConfiguration', { AutoEnableOrganizationMembers: 'NEW' });
    // One fleet: the workload OUs' accounts, read from Organizations at deploy time, and three outside accounts.
    Template.fromStack(organization).hasResourceProperties('Custom::GuardDutyMemberInvitations', {
      MemberList: Match.objectLike({ AccountCount: String(OUTSIDE_ACCOUNTS.length), FirstAccountIds: OUTSIDE_ACCOUNTS.map((m) => m.accountId).sort().join(',') }),
      OrganizationMembers: { Scope: 'ORGANIZATIONAL_UNITS', ParentIds: WORKLOAD_UNITS, ExcludeAccountIds: [EXCLUDED_ACCOUNT] },
      OnUnprocessed: 'REPORT',
    });
    expect(OUTSIDE_ACCOUNTS).toHaveLength(3);
    // The delegated administrator's detector exists once it is designated: no CfnDetector here.
    Template.fromStack(organization).resourceCountIs('AWS::GuardDuty::Detector', 0);
  }
});

test('every stack is cdk-nag clean', () => {
  for (const stack of stacks()) {
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  }
});
