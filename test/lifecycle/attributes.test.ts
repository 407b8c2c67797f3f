import { EnableOrganizationAdminAccountCommand, GuardDutyClient } from '@aws-sdk/client-guardduty';
import { CfnOutput, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  GuardDutyInvitationAccepter,
  GuardDutyInvitationAccepterProps,
  GuardDutyMemberInvitations,
  GuardDutyMemberInvitationsProps,
  OrganizationMembers,
  UnprocessedAccountsAction,
} from '../../lib';
import { attributeError } from '../support/lifecycle/attribute-check';
import { ADMIN, CONSTRUCT_ID, REGION, STACK, account, lifecycleHarness } from '../support/lifecycle/lifecycle-harness';
import { CloudFormationResponse } from '../support/lifecycle/provider-framework';
import { RESOURCE_TYPES, StackSettings, SynthesizedStack, synthesizeStack } from '../support/lifecycle/synthesized-stack';

/**
 * Every public attribute of a construct, read in the stack (an output per attribute, as a
 * user would), in every mode, must be in every successful response: CloudFormation fails
 * the resource otherwise, although the handler succeeded. The harness applies
 * CloudFormation's check (attribute-check.ts) to each response it delivers; here the
 * templates read every attribute, so the check covers all of them.
 */
const h = lifecycleHarness('attributes');
const { report, deployed } = h;

const MANAGEMENT = '999999999999';
const [outside, selected] = [account(70), account(71)];

/**
 * The construct's attributes, found the way a reader of its API meets them: its public
 * properties whose value is a token that resolves to `Fn::GetAtt` of its resource.
 */
function publicAttributes(construct: Construct): Record<string, string> {
  const stack = Stack.of(construct);
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(construct)) {
    if ((typeof value === 'string' || typeof value === 'number') && Token.isUnresolved(value)) {
      const resolved = stack.resolve(value) as { 'Fn::GetAtt'?: [string, string] };
      if (resolved?.['Fn::GetAtt']) {
        attributes[name] = Token.asString(value);
      }
    }
  }
  return attributes;
}

/** Adds an output for every public attribute of `construct`; returns their names. */
function readEveryAttribute(construct: Construct): string[] {
  const attributes = publicAttributes(construct);
  for (const [name, value] of Object.entries(attributes)) {
    new CfnOutput(Stack.of(construct), `Read${name}`, { value });
  }
  return Object.keys(attributes).sort();
}

function synthesizeReading(settings: StackSettings, resourceType: string, create: (stack: Construct) => Construct): { stack: SynthesizedStack; attributes: string[] } {
  let attributes: string[] = [];
  const stack = synthesizeStack(settings, resourceType, (scope) => {
    attributes = readEveryAttribute(create(scope));
  });
  return { stack, attributes };
}

test('the check is CloudFormation\'s: a successful Create or Update lacking an attribute the stack reads fails; a Delete or a failure is not checked', () => {
  const response = (Status: 'SUCCESS' | 'FAILED', Data?: Record<string, string>): CloudFormationResponse => ({
    Status, Reason: '', StackId: '', RequestId: '', PhysicalResourceId: 'id', LogicalResourceId: 'Members', Data,
  });
  expect(attributeError('Create', response('SUCCESS', { A: '1' }), ['A', 'B', 'C'])).toBe('CustomResource attribute error: Vendor response doesn\'t contain B, C key(s)');
  expect(attributeError('Update', response('SUCCESS'), ['A'])).toBe('CustomResource attribute error: Vendor response doesn\'t contain A key(s)');
  expect(attributeError('Create', response('SUCCESS', { A: '' }), ['A'])).toBeUndefined();
  expect(attributeError('Delete', response('SUCCESS'), ['A'])).toBeUndefined();
  expect(attributeError('Create', response('FAILED'), ['A'])).toBeUndefined();
});

describe('GuardDutyMemberInvitations: every attribute in every successful response', () => {
  async function makeDelegatedAdministrator(): Promise<string> {
    const organization = h.emulator.organization;
    organization.create(MANAGEMENT);
    const workloads = organization.addOrganizationalUnit('Workloads');
    organization.addAccount({ accountId: ADMIN, parentId: workloads });
    organization.addAccount({ accountId: selected.accountId, parentId: workloads });
    const management = new GuardDutyClient({ ...h.emulator.clientConfig(MANAGEMENT, REGION), maxAttempts: 1 });
    await management.send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: ADMIN }));
    management.destroy();
    return workloads;
  }

  const modes = [false, true].flatMap((selection) =>
    [false, true].flatMap((waits) => [UnprocessedAccountsAction.REPORT, UnprocessedAccountsAction.FAIL].map((onUnprocessed) => ({ selection, waits, onUnprocessed }))),
  );

  for (const { selection, waits, onUnprocessed } of modes) {
    report.scenario(`selection ${selection}, verification wait ${waits}, ${onUnprocessed}: a Create and an Update answer every public attribute`, async () => {
    const unit = selection ? await makeDelegatedAdministrator() : undefined;
    const props = (members: typeof outside[]): GuardDutyMemberInvitationsProps => ({
      detectorId: h.detectorId,
      members,
      organizationMembers: unit ? OrganizationMembers.underOrganizationalUnits([unit]) : undefined,
      onUnprocessed,
      waitForVerification: waits,
    });
    const versions = [props([outside]), props([outside, account(72)])].map((declaration) =>
      synthesizeReading(STACK, RESOURCE_TYPES.memberInvitations, (scope) => new GuardDutyMemberInvitations(scope, CONSTRUCT_ID, declaration)),
    );
    expect(versions[0].attributes).toEqual([
      'detectorId', 'invitationAccountCount', 'invitedAccountIds', 'organizationAccountCount', 'organizationAccountIds',
      'selectedAccountCount', 'suspendedAccountCount', 'suspendedAccountIds', 'unprocessedAccountCount', 'unprocessedAccountIds',
    ]);
    const resource = deployed(versions.map((v) => v.stack), STACK, h.emulator, [outside.email, account(72).email], {});

    // The harness fails a response that lacks an attribute the template reads.
    const created = await resource.send(resource.events.create(resource.properties[0]));
    const updated = await resource.send(resource.events.update(created.response.PhysicalResourceId, resource.properties[1], resource.properties[0]));

    expect([created.response.Status, updated.response.Status]).toEqual(['SUCCESS', 'SUCCESS']);
    expect(versions[0].stack.attributesRead[versions[0].stack.resources[0].logicalId]).toHaveLength(10);
    expect(updated.response.Data).toMatchObject({ SelectedAccountCount: selection ? '1' : '0', SuspendedAccountIds: '', SuspendedAccountCount: '0' });
    });
  }
});

describe('GuardDutyInvitationAccepter: every attribute in every successful response', () => {
  const MEMBER = account(73);
  const MEMBER_STACK: StackSettings = { account: MEMBER.accountId, region: REGION, stackName: 'guardduty-member' };

  async function invite(): Promise<void> {
    const admin = new GuardDutyClient({ ...h.emulator.clientConfig(ADMIN, REGION), maxAttempts: 1 });
    const { CreateMembersCommand, InviteMembersCommand } = await import('@aws-sdk/client-guardduty');
    await admin.send(new CreateMembersCommand({ DetectorId: h.detectorId, AccountDetails: [{ AccountId: MEMBER.accountId, Email: MEMBER.email }] }));
    await admin.send(new InviteMembersCommand({ DetectorId: h.detectorId, AccountIds: [MEMBER.accountId] }));
    admin.destroy();
  }

  for (const [name, invitedBefore, detectorGiven] of [
    ['the invitation is there at Create, detector looked up', true, false],
    ['the invitation arrives while the waiter waits, detector given', false, true],
  ] as const) {
    report.scenario(`accepter, ${name}: every public attribute answered`, async () => {
    const memberDetector = h.emulator.seedDetector(MEMBER.accountId, REGION);
    const props: GuardDutyInvitationAccepterProps = { administratorAccountId: ADMIN, detectorId: detectorGiven ? memberDetector : undefined };
    const { stack, attributes } = synthesizeReading(MEMBER_STACK, RESOURCE_TYPES.invitationAccepter, (scope) => new GuardDutyInvitationAccepter(scope, 'Accepter', props));
    expect(attributes).toEqual(['administratorAccountId', 'detectorId', 'relationshipStatus']);
    if (invitedBefore) {
      await invite();
    }
    const resource = deployed([stack], MEMBER_STACK, h.emulator, [MEMBER.email], { simulateWaiterTime: true });

    const created = await resource.send(resource.events.create(resource.properties[0]), { betweenPolls: (poll) => (poll === 1 && !invitedBefore ? invite() : undefined) });

    expect(created.response).toMatchObject({ Status: 'SUCCESS', Data: { RelationshipStatus: 'Enabled', AdministratorAccountId: ADMIN, DetectorId: memberDetector } });
    }, { side: 'member' });
  }
});
