import 'aws-sdk-client-mock-jest';
import { CreateMembersCommand, DeleteMembersCommand, GetMembersCommand, InviteMembersCommand } from '@aws-sdk/client-guardduty';
import { handler, isComplete } from '../../lambda/member-invitations';
import { CurrentMember } from '../../lambda/member-invitations/member-plan';
import {
  associatedAfterCreate,
  membersToReadd,
  refusedReadd,
  wayIn,
} from '../../lambda/member-invitations/organization-association';
import { HandlerError } from '../../lambda/shared/handler-error';
import { createEvent, declaredMembers, lambdaContext } from '../support/cloudformation-events';
import { FakeCloudFormation } from '../support/fake-cloudformation';
import { FakeGuardDuty, ORGANIZATION_ACCOUNT_NOT_INVITABLE, RESULT } from '../support/fake-guardduty';
import {
  CLOUDFORMATION_RESPONSE_LIMIT_BYTES,
  byteLength,
  successResponseBody,
} from '../support/provider-framework-response';

/**
 * Mixed fleets: organization accounts (associated by CreateMembers alone when the
 * administrator is the delegated one) and outside accounts (invited) in one declaration.
 */
const DETECTOR = 'd0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5';
const NOT_ACTIVE = 'The request is rejected because the given account ID is not an active account of the organization.';

let gd: FakeGuardDuty;
let cfn: FakeCloudFormation;
let logs: string[];
beforeEach(() => {
  gd = new FakeGuardDuty();
  cfn = new FakeCloudFormation();
  logs = [];
  jest.spyOn(console, 'log').mockImplementation((line: string) => void logs.push(String(line)));
});
afterEach(() => {
  gd.restore();
  cfn.restore();
  jest.restoreAllMocks();
});

function props(members: Array<{ AccountId: string; Email: string }>, extra: Record<string, unknown> = {}) {
  return { DetectorId: DETECTOR, Members: members, DisableEmailNotification: 'false', OnUnprocessed: 'FAIL', RemovalPolicy: 'DESTROY', ...extra };
}

const idsOf = (members: ReadonlyArray<{ AccountId: string }>) => members.map((m) => m.AccountId);
const invitedIds = () => gd.batches(InviteMembersCommand).flat();

describe('a delegated administrator with a mixed fleet', () => {
  test('associates organization accounts with CreateMembers alone and invites only the others', async () => {
    const members = declaredMembers(6);
    const [organization, outside] = [members.slice(0, 4), members.slice(4)];
    idsOf(organization).forEach((id) => gd.organizationAccounts.add(id));

    const result = await handler(createEvent(props(members)), lambdaContext());

    expect(invitedIds()).toEqual(idsOf(outside));
    expect(idsOf(organization).map((id) => gd.status(id))).toEqual(['Enabled', 'Enabled', 'Enabled', 'Enabled']);
    expect(result.Data).toMatchObject({
      InvitedAccountIds: idsOf(outside).join(','),
      InvitedAccountCount: '2',
      AssociatedAccountCount: '4',
      OrganizationAccountIds: idsOf(organization).join(','),
      OrganizationAccountCount: '4',
      InvitationAccountCount: '2',
      AlreadyMemberAccountCount: '0',
      UnprocessedAccountCount: '0',
    });
  });

  test('reads the new members again with one GetMembers per 50 accounts, right after CreateMembers', async () => {
    const members = declaredMembers(120);
    idsOf(members.slice(0, 70)).forEach((id) => gd.organizationAccounts.add(id));

    await handler(createEvent(props(members)), lambdaContext());

    const calls = gd.mock.calls().map((call) => (call.args[0] as object).constructor.name);
    expect(calls).toEqual([
      ...Array(3).fill('GetMembersCommand'),
      ...Array(3).fill('CreateMembersCommand'),
      ...Array(3).fill('GetMembersCommand'),
      // Only the 50 outside accounts are invited.
      'InviteMembersCommand',
    ]);
    expect(invitedIds()).toEqual(idsOf(members.slice(70)));
  });

  test('an organization account disassociated before (Removed) is added back with CreateMembers, never invited', async () => {
    const [removed, outside] = declaredMembers(2);
    gd.organizationAccounts.add(removed.AccountId);
    gd.seed(removed.AccountId, 'Removed');

    const result = await handler(createEvent(props([removed, outside])), lambdaContext());

    expect(gd.batches(CreateMembersCommand)).toEqual([[outside.AccountId], [removed.AccountId]]);
    expect(invitedIds()).toEqual([outside.AccountId]);
    expect(gd.status(removed.AccountId)).toBe('Enabled');
    expect(result.Data).toMatchObject({ AssociatedAccountCount: '1', OrganizationAccountIds: removed.AccountId, UnprocessedAccountCount: '0' });
  });

  test('an outside account disassociated before is offered CreateMembers, answered "already a member", and invited again', async () => {
    const [organization, removedOutside] = declaredMembers(2);
    gd.organizationAccounts.add(organization.AccountId);
    gd.seed(removedOutside.AccountId, 'Removed');

    const result = await handler(createEvent(props([organization, removedOutside])), lambdaContext());

    expect(invitedIds()).toEqual([removedOutside.AccountId]);
    expect(result.Data).toMatchObject({ InvitedAccountIds: removedOutside.AccountId, OrganizationAccountIds: organization.AccountId, UnprocessedAccountCount: '0' });
  });

  test('a Removed organization account that can be neither re-added nor invited is unprocessed, with both of GuardDuty\'s answers', async () => {
    const [suspended, outside] = declaredMembers(2);
    gd.organizationAccounts.add(suspended.AccountId);
    gd.seed(suspended.AccountId, 'Removed');
    gd.refuseCreate.set(suspended.AccountId, NOT_ACTIVE);

    const result = await handler(createEvent(props([suspended, outside], { OnUnprocessed: 'REPORT' })), lambdaContext());

    expect(result.Data).toMatchObject({ UnprocessedAccountIds: suspended.AccountId, UnprocessedAccountCount: '1', InvitedAccountIds: outside.AccountId });
    const applied = logs.map((l) => JSON.parse(l)).find((l) => l.message === 'applied');
    expect(applied.unprocessed).toEqual([`${suspended.AccountId}: re-adding it with CreateMembers: ${NOT_ACTIVE}; inviting it: ${ORGANIZATION_ACCOUNT_NOT_INVITABLE}`]);
  });

  test('a failed run (DESTROY) deletes only the members it created: a re-added organization member was a member before', async () => {
    const [removed, refused] = declaredMembers(2);
    gd.organizationAccounts.add(removed.AccountId);
    gd.seed(removed.AccountId, 'Removed');
    gd.refuseInvite.set(refused.AccountId, RESULT.OTHER_ADMINISTRATOR);

    await expect(handler(createEvent(props([removed, refused])), lambdaContext())).rejects.toBeInstanceOf(HandlerError);

    expect(gd.batches(DeleteMembersCommand).flat()).toEqual([refused.AccountId]);
    expect(gd.status(removed.AccountId)).toBe('Enabled');
  });

  test('members from before count by how they came in: Enabled and never invited is the organization\'s', async () => {
    const [organization, invited, pending] = declaredMembers(3);
    gd.organizationAccounts.add(organization.AccountId);
    gd.seed(organization.AccountId, 'Enabled');
    gd.seed(invited.AccountId, 'Enabled');
    gd.seed(pending.AccountId, 'Invited');

    const result = await handler(createEvent(props([organization, invited, pending])), lambdaContext());

    expect(gd.mock).toHaveReceivedCommandTimes(CreateMembersCommand, 0);
    expect(gd.mock).toHaveReceivedCommandTimes(InviteMembersCommand, 0);
    expect(result.Data).toMatchObject({
      AlreadyMemberAccountCount: '3',
      AssociatedAccountCount: '0',
      OrganizationAccountIds: organization.AccountId,
      OrganizationAccountCount: '1',
      InvitationAccountCount: '2',
    });
  });

  test('the email verification wait does not wait on organization members', async () => {
    const [organization, outside] = declaredMembers(2);
    gd.organizationAccounts.add(organization.AccountId);
    gd.verificationStatus = 'EmailVerificationInProgress';
    const event = createEvent(props([organization, outside], { VerificationTimeoutSeconds: '600', OnUnprocessed: 'REPORT' }));
    const started = await handler(event, lambdaContext());
    const poll = { ...event, PhysicalResourceId: started.PhysicalResourceId, Data: started.Data };

    await expect(isComplete(poll, lambdaContext())).resolves.toEqual({ IsComplete: false });
    gd.members.get(outside.AccountId)!.status = 'Invited';

    await expect(isComplete(poll, lambdaContext())).resolves.toMatchObject({
      IsComplete: true,
      Data: { InvitedAccountCount: '1', AssociatedAccountCount: '1', OrganizationAccountCount: '1', InvitationAccountCount: '1' },
    });
  });

  test('a failed verification leaves the organization count and takes the account out of the invitation count', async () => {
    const [organization, outside] = declaredMembers(2);
    gd.organizationAccounts.add(organization.AccountId);
    gd.verificationStatus = 'EmailVerificationFailed';
    const event = createEvent(props([organization, outside], { VerificationTimeoutSeconds: '600', OnUnprocessed: 'REPORT' }));
    const started = await handler(event, lambdaContext());

    const done = await isComplete({ ...event, PhysicalResourceId: started.PhysicalResourceId, Data: started.Data }, lambdaContext());

    expect(done).toMatchObject({ IsComplete: true, Data: { InvitedAccountCount: '0', UnprocessedAccountCount: '1', OrganizationAccountCount: '1', InvitationAccountCount: '0' } });
  });

  test('the response stays under 4,096 bytes with 1,200 organization, 1,200 invited and 1,200 unprocessed accounts', async () => {
    const members = declaredMembers(3_600);
    idsOf(members.slice(0, 1_200)).forEach((id) => gd.organizationAccounts.add(id));
    idsOf(members.slice(2_400)).forEach((id) => gd.refuseInvite.set(id, RESULT.OTHER_ADMINISTRATOR));
    const event = createEvent(props(members, { OnUnprocessed: 'REPORT' }));

    const result = await handler(event, lambdaContext());

    expect(result.Data).toMatchObject({ OrganizationAccountCount: '1200', InvitedAccountCount: '1200', UnprocessedAccountCount: '1200' });
    expect(result.Data!.OrganizationAccountIds).toMatch(/,… and \d+ more$/);
    expect(byteLength(successResponseBody(event, result))).toBeLessThan(CLOUDFORMATION_RESPONSE_LIMIT_BYTES);
  });
});

describe('an administrator that is not the delegated administrator', () => {
  test('invites every account, as before mixed fleets, and needs no Organizations call', async () => {
    const members = declaredMembers(3);

    const result = await handler(createEvent(props(members)), lambdaContext());

    expect(invitedIds()).toEqual(idsOf(members));
    expect(result.Data).toMatchObject({ AssociatedAccountCount: '0', OrganizationAccountIds: '', OrganizationAccountCount: '0', InvitationAccountCount: '3' });
    // The only client the handler used is GuardDuty's (the mock would have no answer for another).
    expect(gd.mock).toHaveReceivedCommandTimes(GetMembersCommand, 2);
  });
});

describe('the pure parts', () => {
  const member = (accountId: string, relationshipStatus: string, invitedAtMs?: number): CurrentMember => ({ accountId, relationshipStatus, invitedAtMs });

  test.each([
    ['Enabled', undefined, 'organization'],
    ['Disabled', undefined, 'organization'],
    ['Enabled', 1_700_000_000_000, 'invitation'],
    ['Invited', 1_700_000_000_000, 'invitation'],
    ['Created', undefined, 'invitation'],
    ['Removed', undefined, 'invitation'],
  ] as const)('wayIn: %s with InvitedAt %s came in by %s', (status, invitedAtMs, expected) => {
    expect(wayIn(member('111111111111', status, invitedAtMs))).toBe(expected);
  });

  test('associatedAfterCreate keeps the accounts asked about that GuardDuty shows Enabled', () => {
    const now = [member('111111111111', 'Enabled'), member('222222222222', 'Created'), member('333333333333', 'Enabled')];
    expect([...associatedAfterCreate(['111111111111', '222222222222', '444444444444'], now)]).toEqual(['111111111111']);
  });

  test('membersToReadd takes the Removed members the plan invites, except those re-created for a corrected email', () => {
    const declared = ['111111111111', '222222222222', '333333333333'].map((accountId) => ({ accountId, email: `a+${accountId}@example.com` }));
    const current = new Map([
      ['111111111111', member('111111111111', 'Removed')],
      ['222222222222', member('222222222222', 'Removed')],
      ['333333333333', member('333333333333', 'Resigned')],
    ]);
    const plan = { create: [declared[1]], recreate: [declared[1]], invite: ['111111111111', '222222222222', '333333333333'], unchanged: [] };
    expect(membersToReadd(plan, declared, current)).toEqual([declared[0]]);
  });

  test('refusedReadd names both answers only for an account CreateMembers refused too', () => {
    const refusals = new Map([['111111111111', 'not active']]);
    expect(refusedReadd({ accountId: '111111111111', result: 'not invitable' }, refusals).result).toBe('re-adding it with CreateMembers: not active; inviting it: not invitable');
    expect(refusedReadd({ accountId: '222222222222', result: 'other administrator' }, refusals).result).toBe('other administrator');
  });
});
