import { CreateMembersCommand, GuardDutyClient, InviteMembersCommand } from '@aws-sdk/client-guardduty';
import { GuardDutyInvitationAccepter, GuardDutyMemberInvitations } from '../../lib';
import { ADMIN, REGION, STACK, account, lifecycleHarness } from '../support/lifecycle/lifecycle-harness';
import { RESOURCE_TYPES, StackSettings, synthesizeStack } from '../support/lifecycle/synthesized-stack';

/**
 * A brand-new account: Lambda's concurrency quota there can start at 10, and Lambda keeps
 * 100 executions unreserved, so any reserved concurrency fails the deployment. The local
 * AWS applies that rule when a stack is deployed (local-aws/lambda-concurrency.ts).
 */
const h = lifecycleHarness('new-account');
const { report, deployed } = h;

const NEW_ACCOUNT_QUOTA = 10;
const MEMBER = account(80);
const MEMBER_STACK: StackSettings = { account: MEMBER.accountId, region: REGION, stackName: 'guardduty-member-new-account' };

const memberStack = (reserveConcurrency?: boolean) =>
  synthesizeStack(MEMBER_STACK, RESOURCE_TYPES.invitationAccepter, (scope) => {
    new GuardDutyInvitationAccepter(scope, 'Accepter', { administratorAccountId: ADMIN, reserveConcurrency }).addMonitor();
  });

beforeEach(() => {
  h.aws.concurrency.setQuota(MEMBER.accountId, REGION, NEW_ACCOUNT_QUOTA);
  h.aws.concurrency.setQuota(ADMIN, REGION, NEW_ACCOUNT_QUOTA);
});

describe('a stack in an account whose Lambda concurrency quota is 10', () => {
  report.scenario('the member stack with default props deploys, and its accepter accepts the invitation', async () => {
    h.emulator.seedDetector(MEMBER.accountId, REGION);
    const admin = new GuardDutyClient({ ...h.emulator.clientConfig(ADMIN, REGION), maxAttempts: 1 });
    await admin.send(new CreateMembersCommand({ DetectorId: h.detectorId, AccountDetails: [{ AccountId: MEMBER.accountId, Email: MEMBER.email }] }));
    await admin.send(new InviteMembersCommand({ DetectorId: h.detectorId, AccountIds: [MEMBER.accountId] }));
    admin.destroy();
    const stack = memberStack();
    expect(stack.functions.filter((fn) => fn.reservedConcurrentExecutions !== undefined)).toEqual([]);
    const resource = deployed([stack], MEMBER_STACK, h.emulator, [MEMBER.email], { simulateWaiterTime: true });

    const created = await resource.send(resource.events.create(resource.properties[0]));

    expect(created.response).toMatchObject({ Status: 'SUCCESS', Data: { RelationshipStatus: 'Enabled' } });
  }, { side: 'member' });

  report.scenario('the administrator stack with default props deploys and invites', async () => {
    const stack = synthesizeStack(STACK, RESOURCE_TYPES.memberInvitations, (scope) => {
      new GuardDutyMemberInvitations(scope, 'Members', { detectorId: h.detectorId, members: [MEMBER], waitForVerification: false }).addMonitor();
    });
    const resource = deployed([stack], STACK, h.emulator, [MEMBER.email], {});

    const created = await resource.send(resource.events.create(resource.properties[0]));

    expect(created.response).toMatchObject({ Status: 'SUCCESS', Data: { InvitedAccountIds: MEMBER.accountId } });
  });

  report.scenario('with reserveConcurrency the deployment fails as Lambda refuses it there, naming the minimum of 100 unreserved', async () => {
    const stack = memberStack(true);

    expect(() => deployed([stack], MEMBER_STACK, h.emulator, [MEMBER.email], {})).toThrow(
      /Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of \[100\]/,
    );
  }, { side: 'member' });
});
