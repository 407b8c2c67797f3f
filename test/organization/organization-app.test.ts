import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MANAGEMENT_ACCOUNT, ORGANIZATION_REGIONS, SECURITY_ACCOUNT, buildOrganizationApp } from '../../bin/organization-app';

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
    Template.fromStack(organization).hasResourceProperties('Custom::GuardDutyOrganizationConfiguration', { AutoEnableOrganizationMembers: 'ALL' });
    // The delegated administrator's detector exists once it is designated: no CfnDetector here.
    Template.fromStack(organization).resourceCountIs('AWS::GuardDuty::Detector', 0);
  }
});

test('every stack is cdk-nag clean', () => {
  for (const stack of stacks()) {
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  }
});
