import { RemovalPolicy, Stack, App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import { ADMIN, REGION, account, ids, lifecycleHarness } from '../support/lifecycle/lifecycle-harness';

/**
 * Migrating from `AWS::GuardDuty::Member` (CfnMember) without disassociating anyone, as
 * docs/adoption.md describes: retain the CfnMembers, remove them from the stack, then
 * declare the same accounts in GuardDutyMemberInvitations, which finds them members already.
 */
const h = lifecycleHarness('adoption');
const { report, deployment, statuses } = h;

const [enabled, invited] = [account(61), account(62)];

test('step 1: a CfnMember with RemovalPolicy.RETAIN synthesizes with DeletionPolicy Retain, so removing it from the stack leaves the member', () => {
  const stack = new Stack(new App(), 'Security');
  const member = new guardduty.CfnMember(stack, 'Workloads', { detectorId: 'abcdef0123456789abcdef0123456789', memberId: enabled.accountId, email: enabled.email, status: 'Invited' });
  member.applyRemovalPolicy(RemovalPolicy.RETAIN);

  Template.fromStack(stack).hasResource('AWS::GuardDuty::Member', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
});

describe('step 3: GuardDutyMemberInvitations adopts the members CfnMember left', () => {
  report.scenario('the members stay as they were: no invitation sent again, none disassociated or deleted', async () => {
    // What the retained CfnMembers left behind: one member that accepted, one still invited.
    h.emulator.seedMember(ADMIN, REGION, { accountId: enabled.accountId, email: enabled.email, relationshipStatus: 'Enabled' });
    h.emulator.seedMember(ADMIN, REGION, { accountId: invited.accountId, email: invited.email, relationshipStatus: 'Invited' });
    const before = statuses();
    const resource = deployment([{ detectorId: h.detectorId, members: [enabled, invited], waitForVerification: false }]);

    const created = await resource.send(resource.events.create(resource.properties[0]));

    expect(created.response).toMatchObject({ Status: 'SUCCESS', Data: { InvitedAccountCount: '0', AlreadyMemberAccountCount: '2', UnprocessedAccountCount: '0' } });
    expect(statuses()).toEqual(before);
    expect(['InviteMembers', 'DisassociateMembers', 'DeleteMembers'].map((operation) => h.emulator.callCount(operation))).toEqual([0, 0, 0]);
    expect(Object.keys(statuses()).sort()).toEqual(ids([enabled, invited]).sort());
  });
});
