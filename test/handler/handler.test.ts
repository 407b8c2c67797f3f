import 'aws-sdk-client-mock-jest';
import {
  CreateMembersCommand,
  DeleteMembersCommand,
  DescribeOrganizationConfigurationCommand,
  DisassociateMembersCommand,
  GetMembersCommand,
  InviteMembersCommand,
  ListDetectorsCommand,
} from '@aws-sdk/client-guardduty';
import { handler, isComplete } from '../../lambda/member-invitations';
import apiModel from '../support/aws-models/guardduty-2017-11-28.json';
import { HandlerError } from '../../lambda/shared/handler-error';
import { MAX_ACCOUNTS_PER_CALL } from '../../lib/private/member-account-rules';
import { createEvent, declaredMembers, deleteEvent, lambdaContext, updateEvent } from '../support/cloudformation-events';
import { FakeCloudFormation } from '../support/fake-cloudformation';
import { FakeGuardDuty, RESULT } from '../support/fake-guardduty';
import {
  CLOUDFORMATION_RESPONSE_LIMIT_BYTES,
  byteLength,
  failureResponseBody,
  successResponseBody,
} from '../support/provider-framework-response';

const DETECTOR = 'd0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5';
const PHYSICAL_ID = `guardduty-members:${DETECTOR}`;

let gd: FakeGuardDuty;
let cfn: FakeCloudFormation;
let logs: string[];
beforeEach(() => {
  gd = new FakeGuardDuty();
  // Not a rollback: rollback.test.ts covers what changes in one.
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

async function expectFailure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: Error) => e,
  );
  expect(error).toBeInstanceOf(HandlerError);
  return error as Error;
}

describe('Create', () => {
  test('creates and invites every declared account and reports them as invited', async () => {
    const members = declaredMembers(3);
    const result = await handler(createEvent(props(members, { Message: 'Welcome', DisableEmailNotification: 'true' })), lambdaContext());

    expect(result.PhysicalResourceId).toBe(PHYSICAL_ID);
    expect(result.Data).toMatchObject({
      DetectorId: DETECTOR,
      InvitedAccountIds: members.map((m) => m.AccountId).join(','),
      InvitedAccountCount: '3',
      UnprocessedAccountIds: '',
      UnprocessedAccountCount: '0',
      AlreadyMemberAccountCount: '0',
    });
    expect(gd.mock).toHaveReceivedCommandWith(InviteMembersCommand, { Message: 'Welcome', DisableEmailNotification: true });
    expect(members.map((m) => gd.status(m.AccountId))).toEqual(['Invited', 'Invited', 'Invited']);
  });

  test('batches every call at the API limit of 50 accounts, read from the GuardDuty model', async () => {
    expect(apiModel.shapes.AccountIds.max).toBe(MAX_ACCOUNTS_PER_CALL);
    expect(apiModel.shapes.AccountDetails.max).toBe(MAX_ACCOUNTS_PER_CALL);
    await handler(createEvent(props(declaredMembers(151))), lambdaContext());

    for (const command of [CreateMembersCommand, InviteMembersCommand]) {
      expect(gd.batches(command).map((b) => b.length)).toEqual([50, 50, 50, 1]);
    }
    // The state before the run, and no second read: this administrator is not the
    // delegated one, so GuardDuty cannot have associated any account (organization-reach.ts).
    expect(gd.batches(GetMembersCommand).map((b) => b.length)).toEqual([50, 50, 50, 1]);
    expect(gd.mock).toHaveReceivedCommandTimes(DescribeOrganizationConfigurationCommand, 1);
    expect(gd.batches(InviteMembersCommand).flat()).toHaveLength(151);
  });

  test('a repeated Create (CloudFormation retry) sends no new invitation', async () => {
    const event = createEvent(props(declaredMembers(120)));
    await handler(event, lambdaContext());
    gd.mock.resetHistory();

    const second = await handler(event, lambdaContext());

    expect(gd.mock).toHaveReceivedCommandTimes(CreateMembersCommand, 0);
    expect(gd.mock).toHaveReceivedCommandTimes(InviteMembersCommand, 0);
    expect(gd.totalInvitations()).toBe(120);
    expect(second.Data).toMatchObject({ InvitedAccountCount: '0', AlreadyMemberAccountCount: '120', UnprocessedAccountCount: '0' });
  });

  test.each([
    ['Invited', false],
    ['Enabled', false],
    ['EmailVerificationInProgress', false],
    ['Disabled', false],
    ['Created', true],
    ['Removed', true],
    ['Resigned', true],
    ['EmailVerificationFailed', true],
  ])('a member in status %s is invited again: %s', async (status, invited) => {
    const [member] = declaredMembers(1);
    gd.seed(member.AccountId, status);

    const result = await handler(createEvent(props([member])), lambdaContext());

    // A Removed member would be offered CreateMembers first if an organization could have
    // added it (it comes back only that way); this administrator is not the delegated one.
    expect(gd.mock).toHaveReceivedCommandTimes(CreateMembersCommand, 0);
    expect(gd.mock).toHaveReceivedCommandTimes(InviteMembersCommand, invited ? 1 : 0);
    expect(result.Data!.InvitedAccountCount).toBe(invited ? '1' : '0');
    expect(result.Data!.AlreadyMemberAccountCount).toBe(invited ? '0' : '1');
  });

  test('an account whose email was corrected after a failed verification is deleted, re-created with the new email and invited', async () => {
    const [member] = declaredMembers(1);
    gd.seed(member.AccountId, 'EmailVerificationFailed', 'wrong-address@example.com');

    const result = await handler(createEvent(props([member])), lambdaContext());

    expect(gd.batches(DeleteMembersCommand)).toEqual([[member.AccountId]]);
    expect(gd.mock).toHaveReceivedCommandWith(CreateMembersCommand, { AccountDetails: [{ AccountId: member.AccountId, Email: member.Email }] });
    expect(gd.members.get(member.AccountId)).toMatchObject({ email: member.Email, status: 'Invited' });
    expect(result.Data).toMatchObject({ InvitedAccountIds: member.AccountId, UnprocessedAccountCount: '0' });
  });

  test('"already a member" and "already invited" results are not failures', async () => {
    const [raced, invitedElsewhere] = declaredMembers(2);
    // Someone else creates `raced` between our GetMembers and CreateMembers.
    gd.seed(raced.AccountId, 'Created');
    gd.mock.on(GetMembersCommand).resolvesOnce({ Members: [], UnprocessedAccounts: [] }).callsFake(gd.getMembers);
    gd.seed(invitedElsewhere.AccountId, 'Created');
    gd.refuseInvite.set(invitedElsewhere.AccountId, RESULT.ALREADY_INVITED);

    const result = await handler(createEvent(props([raced, invitedElsewhere])), lambdaContext());

    expect(result.Data).toMatchObject({ UnprocessedAccountCount: '0', AlreadyMemberAccountCount: '1', InvitedAccountIds: raced.AccountId });
  });

  test('a member whose CreateMembers answer was "already a member" (a retried call whose response was lost) counts as created by the run: a failed Create removes it', async () => {
    const [retried, refused] = declaredMembers(2);
    gd.seed(retried.AccountId, 'Created');
    gd.mock.on(GetMembersCommand).resolvesOnce({ Members: [], UnprocessedAccounts: [] }).callsFake(gd.getMembers);
    gd.refuseInvite.set(refused.AccountId, RESULT.OTHER_ADMINISTRATOR);

    await expectFailure(handler(createEvent(props([retried, refused])), lambdaContext()));

    expect([...gd.members.keys()]).toEqual([]);
  });

  test('with REPORT, refused accounts are reported and the deployment succeeds', async () => {
    const members = declaredMembers(4);
    gd.refuseInvite.set(members[1].AccountId, RESULT.OTHER_ADMINISTRATOR);
    gd.refuseCreate.set(members[3].AccountId, 'The request is rejected because the email address is invalid.');

    const result = await handler(createEvent(props(members, { OnUnprocessed: 'REPORT' })), lambdaContext());

    expect(result.Data).toMatchObject({
      InvitedAccountIds: [members[0].AccountId, members[2].AccountId].join(','),
      UnprocessedAccountIds: [members[3].AccountId, members[1].AccountId].join(','),
      UnprocessedAccountCount: '2',
    });
    // The account refused at CreateMembers is not invited.
    expect(gd.batches(InviteMembersCommand).flat()).not.toContain(members[3].AccountId);
  });

  test('with FAIL, the failure names the refused accounts and GuardDuty\'s reasons', async () => {
    const members = declaredMembers(3);
    gd.refuseInvite.set(members[2].AccountId, RESULT.OTHER_ADMINISTRATOR);

    const error = await expectFailure(handler(createEvent(props(members, { RemovalPolicy: 'RETAIN' })), lambdaContext()));

    expect(error.message).toContain(`did not process 1 of 3 declared accounts on detector ${DETECTOR}`);
    expect(error.message).toContain(`${RESULT.OTHER_ADMINISTRATOR} [${members[2].AccountId}]`);
    expect(error.message).toContain('onUnprocessed to REPORT');
  });

  test('a failed Create with DESTROY deletes the members it created, and only those', async () => {
    const members = declaredMembers(60);
    const preexisting = members[0].AccountId;
    gd.seed(preexisting, 'Created');
    gd.refuseInvite.set(members[59].AccountId, RESULT.OTHER_ADMINISTRATOR);

    const error = await expectFailure(handler(createEvent(props(members)), lambdaContext()));

    expect(error.message).toContain('The 59 members this run created were deleted again');
    expect([...gd.members.keys()]).toEqual([preexisting]);
  });

  test('a Create that fails on an API error also cleans up with DESTROY', async () => {
    const members = declaredMembers(70);
    let inviteCalls = 0;
    gd.mock.on(InviteMembersCommand).callsFake(() => {
      inviteCalls += 1;
      throw Object.assign(new Error('Internal server error'), { name: 'InternalServerErrorException', $metadata: { attempts: 10 } });
    });

    const error = await expectFailure(handler(createEvent(props(members)), lambdaContext()));

    expect(inviteCalls).toBe(1);
    expect(error.message).toBe('GuardDuty call failed after 10 attempts: InternalServerErrorException: Internal server error');
    expect(gd.members.size).toBe(0);
  });

  test('a failed Create with RETAIN leaves the members it created', async () => {
    const members = declaredMembers(2);
    gd.refuseInvite.set(members[1].AccountId, RESULT.OTHER_ADMINISTRATOR);

    await expectFailure(handler(createEvent(props(members, { RemovalPolicy: 'RETAIN' })), lambdaContext()));

    expect(gd.members.size).toBe(2);
  });

  test('looks up the detector when none is declared', async () => {
    const result = await handler(createEvent(props(declaredMembers(1), { DetectorId: undefined })), lambdaContext());

    expect(gd.mock).toHaveReceivedCommandTimes(ListDetectorsCommand, 1);
    expect(result.PhysicalResourceId).toBe(PHYSICAL_ID);
  });

  test('fails with instructions when the account has no detector', async () => {
    gd.detectorIds = [];

    const error = await expectFailure(handler(createEvent(props(declaredMembers(1), { DetectorId: undefined })), lambdaContext()));

    expect(error.message).toMatch(/GuardDuty has no detector .* Enable GuardDuty there first .* or pass the ID of an existing detector as detectorId/);
    expect(gd.mock).toHaveReceivedCommandTimes(GetMembersCommand, 0);
  });

  test('when the deadline leaves no time, hands the work to isComplete before calling GuardDuty', async () => {
    const result = await handler(createEvent(props(declaredMembers(1))), lambdaContext(30_000));

    expect(result).toMatchObject({ PhysicalResourceId: PHYSICAL_ID, GuardDutyMembersRun: { work: { sinceMs: expect.any(Number) } } });
    expect(gd.mock).toHaveReceivedCommandTimes(GetMembersCommand, 0);
  });

  test('never logs member email addresses', async () => {
    const members = declaredMembers(5);
    gd.refuseInvite.set(members[0].AccountId, RESULT.OTHER_ADMINISTRATOR);
    await expectFailure(handler(createEvent(props(members)), lambdaContext()));

    expect(logs.length).toBeGreaterThan(0);
    expect(logs.join('\n')).not.toMatch(/@example\.com/);
    // Structured: every line is a JSON object with a level and a message.
    for (const line of logs) {
      expect(JSON.parse(line)).toEqual(expect.objectContaining({ level: expect.any(String), message: expect.any(String) }));
    }
  });
});

describe('Update', () => {
  const members = declaredMembers(5);

  beforeEach(async () => {
    await handler(createEvent(props(members)), lambdaContext());
    gd.mock.resetHistory();
  });

  test('a changed message alone re-invites nobody', async () => {
    const result = await handler(updateEvent(PHYSICAL_ID, props(members, { Message: 'New text' }), props(members)), lambdaContext());

    expect(gd.mock).toHaveReceivedCommandTimes(InviteMembersCommand, 0);
    expect(gd.mock).toHaveReceivedCommandTimes(DisassociateMembersCommand, 0);
    expect(result.PhysicalResourceId).toBe(PHYSICAL_ID);
  });

  test('invites only the added accounts and, with DESTROY, removes the dropped ones', async () => {
    const [added] = declaredMembers(1, 300000000000);
    const next = [...members.slice(1), added];

    const result = await handler(updateEvent(PHYSICAL_ID, props(next), props(members)), lambdaContext());

    expect(gd.batches(InviteMembersCommand)).toEqual([[added.AccountId]]);
    expect(gd.batches(DisassociateMembersCommand)).toEqual([[members[0].AccountId]]);
    expect(gd.batches(DeleteMembersCommand)).toEqual([[members[0].AccountId]]);
    expect(gd.members.has(members[0].AccountId)).toBe(false);
    expect(result.Data).toMatchObject({ InvitedAccountIds: added.AccountId, AlreadyMemberAccountCount: '4' });
  });

  test('with RETAIN, dropped accounts are left alone', async () => {
    await handler(updateEvent(PHYSICAL_ID, props(members.slice(1), { RemovalPolicy: 'RETAIN' }), props(members)), lambdaContext());

    expect(gd.mock).toHaveReceivedCommandTimes(DisassociateMembersCommand, 0);
    expect(gd.members.has(members[0].AccountId)).toBe(true);
  });

  test('a new detector gives a new physical ID and leaves the old detector to the Delete that follows', async () => {
    const result = await handler(
      updateEvent(PHYSICAL_ID, props(members.slice(1), { DetectorId: 'a'.repeat(32) }), props(members)),
      lambdaContext(),
    );

    expect(result.PhysicalResourceId).toBe(`guardduty-members:${'a'.repeat(32)}`);
    expect(gd.mock).toHaveReceivedCommandTimes(DisassociateMembersCommand, 0);
  });
});

describe('Delete', () => {
  const members = declaredMembers(75);

  test('with DESTROY, disassociates then deletes the declared members in batches of 50', async () => {
    await handler(createEvent(props(members)), lambdaContext());
    gd.mock.resetHistory();

    await handler(deleteEvent(PHYSICAL_ID, props(members)), lambdaContext());

    expect(gd.batches(DisassociateMembersCommand).map((b) => b.length)).toEqual([50, 25]);
    expect(gd.batches(DeleteMembersCommand).map((b) => b.length)).toEqual([50, 25]);
    expect(gd.members.size).toBe(0);
  });

  test('tolerates members that are already gone, and a repeated Delete', async () => {
    await handler(createEvent(props(members)), lambdaContext());
    gd.members.delete(members[3].AccountId);

    await expect(handler(deleteEvent(PHYSICAL_ID, props(members)), lambdaContext())).resolves.toEqual({ PhysicalResourceId: PHYSICAL_ID });
    await expect(handler(deleteEvent(PHYSICAL_ID, props(members)), lambdaContext())).resolves.toEqual({ PhysicalResourceId: PHYSICAL_ID });
    expect(gd.members.size).toBe(0);
  });

  test('with RETAIN, makes no GuardDuty call', async () => {
    await handler(deleteEvent(PHYSICAL_ID, props(members, { RemovalPolicy: 'RETAIN' })), lambdaContext());

    expect(gd.mock.calls()).toHaveLength(0);
  });

  test('uses the detector named by the physical ID, not a lookup', async () => {
    await handler(deleteEvent(`guardduty-members:${'b'.repeat(32)}`, props(members, { DetectorId: undefined })), lambdaContext());

    expect(gd.mock).toHaveReceivedCommandTimes(ListDetectorsCommand, 0);
    expect(gd.mock).toHaveReceivedCommandWith(DisassociateMembersCommand, { DetectorId: 'b'.repeat(32) });
  });

  test('succeeds when the detector no longer exists', async () => {
    gd.mock.on(DisassociateMembersCommand).rejects(
      Object.assign(new Error('The request is rejected because the input detectorId is not owned by the current account.'), { name: 'BadRequestException' }),
    );

    await expect(handler(deleteEvent(PHYSICAL_ID, props(members)), lambdaContext())).resolves.toEqual({ PhysicalResourceId: PHYSICAL_ID });
  });

  test('reports, without failing, members GuardDuty refuses to remove', async () => {
    gd.mock.on(DisassociateMembersCommand).resolves({ UnprocessedAccounts: [{ AccountId: members[0].AccountId, Result: 'Access denied for this member.' }] });

    await expect(handler(deleteEvent(PHYSICAL_ID, props(members)), lambdaContext())).resolves.toEqual({ PhysicalResourceId: PHYSICAL_ID });
    expect(logs.some((l) => JSON.parse(l).level === 'WARN' && l.includes(members[0].AccountId))).toBe(true);
  });

  test('with unreadable properties, succeeds without calling GuardDuty', async () => {
    await handler(deleteEvent(PHYSICAL_ID, { Members: 'not a list', RemovalPolicy: 'DESTROY' }), lambdaContext());

    expect(gd.mock.calls()).toHaveLength(0);
  });
});

describe('the response stays under CloudFormation\'s 4,096-byte limit', () => {
  test('on success with 1,200 invited and 1,200 unprocessed accounts', async () => {
    const members = declaredMembers(2_400);
    members.slice(1_200).forEach((m) => gd.refuseInvite.set(m.AccountId, RESULT.OTHER_ADMINISTRATOR));
    const event = createEvent(props(members, { OnUnprocessed: 'REPORT' }));

    const result = await handler(event, lambdaContext());

    expect(result.Data!.InvitedAccountCount).toBe('1200');
    expect(result.Data!.UnprocessedAccountCount).toBe('1200');
    expect(result.Data!.UnprocessedAccountIds).toMatch(/,… and \d+ more$/);
    expect(byteLength(successResponseBody(event, result))).toBeLessThan(CLOUDFORMATION_RESPONSE_LIMIT_BYTES);
    // The full list is in the log, batch by batch (start-pass.ts).
    const applied = logs.map((l) => JSON.parse(l)).filter((l) => l.message === 'applied');
    expect(applied.flatMap((l) => l.unprocessed)).toHaveLength(1_200);
  });

  test('on failure with 1,500 accounts refused for many different reasons', async () => {
    const members = declaredMembers(1_500);
    members.forEach((m, i) => gd.refuseInvite.set(m.AccountId, `Reason number ${i % 37}: ${'x'.repeat(300)}`));
    const event = createEvent(props(members));

    const error = await expectFailure(handler(event, lambdaContext()));

    expect(error.message).toContain('did not process 1500 of 1500');
    const body = failureResponseBody(event, error);
    expect(byteLength(body)).toBeLessThan(CLOUDFORMATION_RESPONSE_LIMIT_BYTES);
    // No stack frames are appended to the reason: only the message and the log group.
    expect(JSON.parse(body).Reason).not.toMatch(/\n\s+at /);
  });

  test('on failure from an SDK error with a very long message', async () => {
    gd.mock.on(GetMembersCommand).rejects(Object.assign(new Error('y'.repeat(10_000)), { name: 'BadRequestException' }));
    const event = createEvent(props(declaredMembers(1)));

    const error = await expectFailure(handler(event, lambdaContext()));

    expect(byteLength(failureResponseBody(event, error))).toBeLessThan(CLOUDFORMATION_RESPONSE_LIMIT_BYTES);
  });
});

test('an unknown request type fails with a clear error and no GuardDuty call', async () => {
  const event = { ...createEvent(props(declaredMembers(1))), RequestType: 'Upsert' } as never;

  const error = await expectFailure(handler(event, lambdaContext()));

  expect(error.message).toBe('Unknown RequestType "Upsert": expected Create, Update or Delete.');
  expect(gd.mock.calls()).toHaveLength(0);
});

describe('isComplete (waiting for email verification)', () => {
  const members = declaredMembers(3);
  const waiting = () => props(members, { VerificationTimeoutSeconds: '600', OnUnprocessed: 'REPORT' });

  async function created(properties: Record<string, unknown>) {
    gd.verificationStatus = 'EmailVerificationInProgress';
    const event = createEvent(properties);
    const result = await handler(event, lambdaContext());
    return { ...event, PhysicalResourceId: result.PhysicalResourceId, Data: result.Data };
  }

  test('without a verification timeout, onEvent asks for no wait', async () => {
    const result = await handler(createEvent(props(members)), lambdaContext());
    expect(result.Data).not.toHaveProperty('VerificationDeadline');
    await expect(isComplete({ ...createEvent(props(members)), PhysicalResourceId: PHYSICAL_ID, Data: result.Data }, lambdaContext())).resolves.toEqual({ IsComplete: true });
  });

  test('stays in progress while verification runs, then completes', async () => {
    const event = await created(waiting());
    expect(event.Data).toHaveProperty('VerificationDeadline');

    await expect(isComplete(event, lambdaContext())).resolves.toEqual({ IsComplete: false });
    members.forEach((m) => (gd.members.get(m.AccountId)!.status = 'Invited'));
    await expect(isComplete(event, lambdaContext())).resolves.toMatchObject({ IsComplete: true, Data: { InvitedAccountCount: '3', UnprocessedAccountCount: '0' } });
  });

  test('with REPORT, a failed verification moves the account to the unprocessed attributes', async () => {
    const event = await created(waiting());
    members.forEach((m) => (gd.members.get(m.AccountId)!.status = 'Invited'));
    gd.members.get(members[1].AccountId)!.status = 'EmailVerificationFailed';

    const result = await isComplete(event, lambdaContext());

    expect(result.Data).toMatchObject({ UnprocessedAccountIds: members[1].AccountId, UnprocessedAccountCount: '1', InvitedAccountCount: '2' });
  });

  test('with FAIL, a failed verification fails the deployment naming the account', async () => {
    const event = await created({ ...waiting(), OnUnprocessed: 'FAIL' });
    members.forEach((m) => (gd.members.get(m.AccountId)!.status = 'Invited'));
    gd.members.get(members[2].AccountId)!.status = 'EmailVerificationFailed';

    const error = await expectFailure(isComplete(event, lambdaContext()));

    expect(error.message).toMatch(new RegExp(`Email verification failed.*root user email.*\\[${members[2].AccountId}\\]`));
  });

  test('Delete completes at once', async () => {
    await expect(isComplete({ ...deleteEvent(PHYSICAL_ID, waiting()), Data: {} }, lambdaContext())).resolves.toEqual({ IsComplete: true });
    expect(gd.mock.calls()).toHaveLength(0);
  });
});
