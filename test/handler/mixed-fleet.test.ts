import 'aws-sdk-client-mock-jest';
import { CreateMembersCommand, DeleteMembersCommand, DescribeOrganizationConfigurationCommand, GetMembersCommand, InviteMembersCommand } from '@aws-sdk/client-guardduty';
import { handler, isComplete } from '../../lambda/member-invitations';
import { CurrentMember } from '../../lambda/member-invitations/member-plan';
import {
  associatedAfterCreate,
  membersToReadd,
  refusedReadd,
  wayIn,
} from '../../lambda/member-invitations/organization-association';
import { runContext } from '../../lambda/member-invitations/run-context';
import { startRun } from '../../lambda/member-invitations/run-start';
import { accountsToReread, delegationFrom } from '../../lambda/member-invitations/organization-reach';
import { HandlerError } from '../../lambda/shared/handler-error';
import { createLogger } from '../../lambda/shared/logger';
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
    // Batch by batch (start-pass.ts): 50 organization accounts; 20 of them and 30 outside; 20 outside.
    expect(calls).toEqual([
      'GetMembersCommand',
      // Asked once, beside the first CreateMembers: GuardDuty answers, this is the delegated administrator.
      'DescribeOrganizationConfigurationCommand',
      'CreateMembersCommand',
      'GetMembersCommand',
      'GetMembersCommand', 'CreateMembersCommand', 'GetMembersCommand', 'InviteMembersCommand',
      'GetMembersCommand', 'CreateMembersCommand', 'GetMembersCommand', 'InviteMembersCommand',
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
  test('invites every account after one probe, reads nothing again: 3 calls per 50 accounts, and no Organizations call', async () => {
    const members = declaredMembers(120);

    const result = await handler(createEvent(props(members)), lambdaContext());

    expect(invitedIds()).toEqual(idsOf(members));
    expect(result.Data).toMatchObject({ AssociatedAccountCount: '0', OrganizationAccountIds: '', OrganizationAccountCount: '0', InvitationAccountCount: '120' });
    // The only client the handler used is GuardDuty's (the mock would have no answer for another).
    const calls = gd.mock.calls().map((call) => (call.args[0] as object).constructor.name);
    expect(calls).toEqual([
      'GetMembersCommand', 'DescribeOrganizationConfigurationCommand', 'CreateMembersCommand', 'InviteMembersCommand',
      'GetMembersCommand', 'CreateMembersCommand', 'InviteMembersCommand',
      'GetMembersCommand', 'CreateMembersCommand', 'InviteMembersCommand',
    ]);
  });

  test('a re-run with nothing to create does not ask', async () => {
    const members = declaredMembers(3);
    idsOf(members).forEach((id) => gd.seed(id, 'Invited'));

    await handler(createEvent(props(members)), lambdaContext());

    expect(gd.mock).toHaveReceivedCommandTimes(DescribeOrganizationConfigurationCommand, 0);
  });
});

describe('a wrong guess about the organization', () => {
  test('a probe that says "not delegated" while GuardDuty associates organization accounts: they are reported associated, never unprocessed, and the outside ones invited', async () => {
    const members = declaredMembers(4);
    const [organization, outside] = [members.slice(0, 2), members.slice(2)];
    idsOf(organization).forEach((id) => gd.organizationAccounts.add(id));
    gd.delegatedAdministrator = false;

    const result = await handler(createEvent(props(members)), lambdaContext());

    // The guess sends the organization accounts an InviteMembers; GuardDuty refuses it, and the
    // refusal sends them to a read, which shows them Enabled.
    expect(gd.invitationsSent.size).toBe(2);
    expect(idsOf(outside).every((id) => gd.invitationsSent.get(id) === 1)).toBe(true);
    expect(idsOf(organization).map((id) => gd.status(id))).toEqual(['Enabled', 'Enabled']);
    expect(result.Data).toMatchObject({ InvitedAccountIds: idsOf(outside).join(','), OrganizationAccountIds: idsOf(organization).join(','), UnprocessedAccountCount: '0' });
    expect(gd.batches(GetMembersCommand)).toEqual([idsOf(members), idsOf(organization)]);
  });

  test('a probe that cannot be answered (AccessDenied) reads every new member again, so no outside account is skipped', async () => {
    const members = declaredMembers(4);
    gd.organizationAccounts.add(members[0].AccountId);
    gd.mock.on(DescribeOrganizationConfigurationCommand).rejects(Object.assign(new Error('not authorized to perform guardduty:DescribeOrganizationConfiguration'), { name: 'AccessDeniedException' }));

    const result = await handler(createEvent(props(members)), lambdaContext());

    expect(gd.batches(GetMembersCommand)).toEqual([idsOf(members), idsOf(members)]);
    expect(invitedIds()).toEqual(idsOf(members.slice(1)));
    expect(result.Data).toMatchObject({ OrganizationAccountIds: members[0].AccountId, InvitationAccountCount: '3', UnprocessedAccountCount: '0' });
  });

  test('a delegated administrator whose organization listing (Scope ORGANIZATION) misses an account that then joined: the refused invitation is read and the account counted associated', async () => {
    const [listed, joined, outside] = declaredMembers(3);
    [listed, joined].forEach((m) => gd.organizationAccounts.add(m.AccountId));
    const event = createEvent(props([listed, joined, outside]));

    const started = await startWith(event, new Set([listed.AccountId, MANAGEMENT]));

    expect(gd.batches(GetMembersCommand)).toEqual([idsOf([listed, joined, outside]), [listed.AccountId], [joined.AccountId]]);
    expect(invitedIds()).toEqual([joined.AccountId, outside.AccountId]);
    expect(started.Data).toMatchObject({ InvitedAccountIds: outside.AccountId, OrganizationAccountIds: `${listed.AccountId},${joined.AccountId}`, UnprocessedAccountCount: '0' });
  });
});

describe('a delegated administrator that lists the whole organization', () => {
  test('reads again only the new members the listing names: the outside ones are invited without a second read', async () => {
    const members = declaredMembers(150);
    const [organization, outside] = [members.slice(0, 50), members.slice(50)];
    idsOf(organization).forEach((id) => gd.organizationAccounts.add(id));

    const started = await startWith(createEvent(props(members)), new Set([...idsOf(organization), MANAGEMENT]));

    expect(gd.batches(GetMembersCommand)).toEqual([idsOf(organization), idsOf(organization), idsOf(members.slice(50, 100)), idsOf(members.slice(100))]);
    expect(invitedIds()).toEqual(idsOf(outside));
    expect(started.Data).toMatchObject({ AssociatedAccountCount: '50', InvitedAccountCount: '100', UnprocessedAccountCount: '0' });
  });
});

const MANAGEMENT = '999999999990';

/** onEvent's run with what an ORGANIZATION selection would have listed (organization-members.ts). */
function startWith(event: ReturnType<typeof createEvent>, organizationAccountIds: ReadonlySet<string>) {
  const run = runContext(event, lambdaContext().getRemainingTimeInMillis(), createLogger({}));
  return startRun(run, { properties: event.ResourceProperties, organizationAccountIds }, undefined);
}

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

  test.each([
    [{ answered: true } as const, 'delegated'],
    [{ error: Object.assign(new Error('not the delegated administrator'), { name: 'BadRequestException' }) }, 'not-delegated'],
    [{ error: Object.assign(new Error('denied'), { name: 'AccessDeniedException' }) }, 'unknown'],
    [{ error: Object.assign(new Error('rate'), { name: 'TooManyRequestsException' }) }, 'unknown'],
    [{ error: new Error('socket hang up') }, 'unknown'],
  ])('delegationFrom(%j) is %s', (outcome, expected) => {
    expect(delegationFrom(outcome)).toBe(expected);
  });

  test('accountsToReread: none when not delegated, those the organization listing names when there is one, else all', () => {
    const ids = ['111111111111', '222222222222'];
    expect(accountsToReread(ids, 'not-delegated', undefined)).toEqual([]);
    expect(accountsToReread(ids, 'delegated', new Set(['222222222222']))).toEqual(['222222222222']);
    expect(accountsToReread(ids, 'unknown', new Set(['222222222222']))).toEqual(['222222222222']);
    expect(accountsToReread(ids, 'delegated', undefined)).toEqual(ids);
    expect(accountsToReread(ids, 'unknown', undefined)).toEqual(ids);
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
