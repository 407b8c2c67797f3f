import 'aws-sdk-client-mock-jest';
import {
  AcceptAdministratorInvitationCommand,
  DisassociateFromAdministratorAccountCommand,
  GetAdministratorAccountCommand,
  ListDetectorsCommand,
  ListInvitationsCommand,
} from '@aws-sdk/client-guardduty';
import { handler, isComplete } from '../../lambda/invitation-accepter';
import { CompletionResponse, HandlerResponse } from '../../lambda/shared/provider-responses';
import { HandlerError } from '../../lambda/shared/handler-error';
import { AnyEvent, createEvent, deleteEvent, lambdaContext, updateEvent } from '../support/cloudformation-events';
import {
  CLOUDFORMATION_RESPONSE_LIMIT_BYTES,
  byteLength,
  failureResponseBody,
  successResponseBody,
} from '../support/provider-framework-response';
import { FakeCloudFormation } from '../support/fake-cloudformation';
import { FakeMemberGuardDuty, MEMBER_DETECTOR, detectorNotOwned } from './fake-member-guardduty';

/** The stack ID of the events names account 123456789012 in ap-southeast-2: the member. */
const MEMBER = '123456789012';
const ADMIN = '111111111111';
const OTHER_ADMIN = '333333333333';
const PHYSICAL_ID = `guardduty-administrator:${MEMBER_DETECTOR}:${ADMIN}`;

let gd: FakeMemberGuardDuty;
let cfn: FakeCloudFormation;
let logs: string[];
beforeEach(() => {
  gd = new FakeMemberGuardDuty();
  cfn = new FakeCloudFormation();
  logs = [];
  jest.spyOn(console, 'log').mockImplementation((line: string) => void logs.push(String(line)));
});
afterEach(() => {
  gd.restore();
  cfn.restore();
  jest.restoreAllMocks();
});

function props(extra: Record<string, unknown> = {}) {
  return { AdministratorAccountId: ADMIN, DetectorId: MEMBER_DETECTOR, InvitationTimeoutSeconds: '900', RemovalPolicy: 'DESTROY', ...extra };
}

async function expectFailure(promise: Promise<unknown>): Promise<HandlerError> {
  const error = await promise.then(
    () => undefined,
    (e: Error) => e,
  );
  expect(error).toBeInstanceOf(HandlerError);
  return error as HandlerError;
}

/** The event the provider framework hands isComplete: the request with onEvent's result. */
function completionEvent(event: AnyEvent, result: HandlerResponse): AnyEvent & { PhysicalResourceId: string; Data?: Record<string, string> } {
  return { ...event, PhysicalResourceId: result.PhysicalResourceId, Data: result.Data };
}

/** The same event, as the provider framework would pass it once the deadline has gone by. */
function afterDeadline<T extends { Data?: Record<string, string> }>(event: T): T {
  return { ...event, Data: { ...event.Data, InvitationDeadline: String(Date.now() - 1) } };
}

describe('Create', () => {
  test('an account already associated with the administrator is done: no invitation read, none accepted', async () => {
    gd.associate(ADMIN);

    const result = await handler(createEvent(props()), lambdaContext());

    expect(result).toEqual({
      PhysicalResourceId: PHYSICAL_ID,
      Data: { DetectorId: MEMBER_DETECTOR, AdministratorAccountId: ADMIN, RelationshipStatus: 'Enabled' },
    });
    expect(gd.mock).toHaveReceivedCommandTimes(ListInvitationsCommand, 0);
    expect(gd.mock).toHaveReceivedCommandTimes(AcceptAdministratorInvitationCommand, 0);
  });

  test('an invitation from the administrator is accepted with its ID, on the member\'s detector', async () => {
    gd.invite(OTHER_ADMIN);
    const invitationId = gd.invite(ADMIN);

    const result = await handler(createEvent(props()), lambdaContext());

    expect(gd.mock).toHaveReceivedCommandWith(AcceptAdministratorInvitationCommand, { DetectorId: MEMBER_DETECTOR, AdministratorId: ADMIN, InvitationId: invitationId });
    expect(gd.mock).toHaveReceivedCommandTimes(AcceptAdministratorInvitationCommand, 1);
    expect(gd.administrator).toEqual({ accountId: ADMIN, relationshipStatus: 'Enabled' });
    expect(result.Data).toEqual({ DetectorId: MEMBER_DETECTOR, AdministratorAccountId: ADMIN, RelationshipStatus: 'Enabled' });
  });

  test('an invitation only from another administrator is never accepted: onEvent waits, and so does every isComplete poll', async () => {
    gd.invite(OTHER_ADMIN);
    const event = createEvent(props());

    const result = await handler(event, lambdaContext());
    const polled = await isComplete({ ...event, ...result }, lambdaContext());

    expect(gd.mock).toHaveReceivedCommandTimes(AcceptAdministratorInvitationCommand, 0);
    expect(gd.administrator).toBeUndefined();
    expect(result.Data).toHaveProperty('InvitationDeadline');
    expect(polled).toEqual({ IsComplete: false });
  });

  test('an accept call that fails after GuardDuty applied it (a lost response, retried) is success', async () => {
    const invitationId = gd.invite(ADMIN);
    gd.mock.on(AcceptAdministratorInvitationCommand).callsFake(() => {
      gd.associate(ADMIN);
      throw Object.assign(new Error('The request is rejected because the input invitationId is not valid for the given administrator account.'), {
        name: 'BadRequestException',
        $metadata: { attempts: 2 },
      });
    });

    const result = await handler(createEvent(props()), lambdaContext());

    expect(gd.mock).toHaveReceivedCommandWith(AcceptAdministratorInvitationCommand, { InvitationId: invitationId });
    expect(result.Data).toEqual({ DetectorId: MEMBER_DETECTOR, AdministratorAccountId: ADMIN, RelationshipStatus: 'Enabled' });
  });

  test('an accept call that fails and leaves the account unassociated fails the deployment', async () => {
    gd.invite(ADMIN);
    gd.mock.on(AcceptAdministratorInvitationCommand).rejects(Object.assign(new Error('Internal error'), { name: 'InternalServerErrorException', $metadata: { attempts: 10 } }));

    await expect(handler(createEvent(props()), lambdaContext())).rejects.toThrow('GuardDuty call failed after 10 attempts: InternalServerErrorException: Internal error');
  });

  test('reads every page of invitations', async () => {
    Array.from({ length: 120 }, () => gd.invite(OTHER_ADMIN));
    const invitationId = gd.invite(ADMIN);

    await handler(createEvent(props()), lambdaContext());

    expect(gd.mock).toHaveReceivedCommandTimes(ListInvitationsCommand, 3);
    expect(gd.mock).toHaveReceivedCommandWith(AcceptAdministratorInvitationCommand, { InvitationId: invitationId });
  });

  test('a repeated Create (CloudFormation retry) accepts nothing twice', async () => {
    gd.invite(ADMIN);
    const event = createEvent(props());
    await handler(event, lambdaContext());

    const second = await handler(event, lambdaContext());

    expect(gd.mock).toHaveReceivedCommandTimes(AcceptAdministratorInvitationCommand, 1);
    expect(second.Data).toMatchObject({ RelationshipStatus: 'Enabled' });
  });

  test('an account associated with a different administrator fails, naming both, and accepts nothing', async () => {
    gd.associate(OTHER_ADMIN);
    gd.invite(ADMIN);

    const error = await expectFailure(handler(createEvent(props()), lambdaContext()));

    expect(error.message).toContain(`Account ${MEMBER} is already associated with GuardDuty administrator account ${OTHER_ADMIN}`);
    expect(error.message).toContain(`not with ${ADMIN}`);
    expect(error.message).toContain(`--detector-id ${MEMBER_DETECTOR}`);
    expect(gd.mock).toHaveReceivedCommandTimes(AcceptAdministratorInvitationCommand, 0);
    expect(gd.mock).toHaveReceivedCommandTimes(DisassociateFromAdministratorAccountCommand, 0);
  });

  test('looks up the detector when none is declared', async () => {
    gd.invite(ADMIN);

    const result = await handler(createEvent(props({ DetectorId: undefined })), lambdaContext());

    expect(gd.mock).toHaveReceivedCommandTimes(ListDetectorsCommand, 1);
    expect(result.PhysicalResourceId).toBe(PHYSICAL_ID);
  });

  test('fails with instructions when the account has no detector', async () => {
    gd.detectorIds = [];

    const error = await expectFailure(handler(createEvent(props({ DetectorId: undefined })), lambdaContext()));

    expect(error.message).toMatch(/GuardDuty has no detector in account 123456789012 and region ap-southeast-2.*Enable GuardDuty there first.*pass the ID of an existing detector as detectorId/);
    expect(gd.mock).toHaveReceivedCommandTimes(GetAdministratorAccountCommand, 0);
  });

  test('fails cleanly, before calling GuardDuty, when the Lambda has no time left', async () => {
    const error = await expectFailure(handler(createEvent(props()), lambdaContext(3_000)));

    expect(error.message).toBe(
      'Ran out of time before reading the administrator account. GuardDuty was throttling or slow; accepting is idempotent, so a re-run continues from where this one stopped. Retry the deployment.',
    );
    expect(gd.mock.calls()).toHaveLength(0);
  });

  test('an SDK error after the SDK\'s retries fails with its name and the attempts', async () => {
    gd.mock.on(GetAdministratorAccountCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException', $metadata: { attempts: 10 } }));

    const error = await expectFailure(handler(createEvent(props()), lambdaContext()));

    expect(error.message).toBe('GuardDuty call failed after 10 attempts: TooManyRequestsException: Rate exceeded');
  });

  test('logs structured JSON lines', async () => {
    gd.invite(ADMIN);
    await handler(createEvent(props()), lambdaContext());

    expect(logs.length).toBeGreaterThan(0);
    for (const line of logs) {
      expect(JSON.parse(line)).toEqual(expect.objectContaining({ level: expect.any(String), message: expect.any(String) }));
    }
    expect(logs.map((l) => JSON.parse(l).message)).toContain('accepted the invitation');
  });
});

describe('waiting for the invitation', () => {
  test('without an invitation, onEvent records a deadline and accepts nothing', async () => {
    const before = Date.now();

    const result = await handler(createEvent(props({ InvitationTimeoutSeconds: '600' })), lambdaContext());

    expect(result.PhysicalResourceId).toBe(PHYSICAL_ID);
    const deadline = Number(result.Data!.InvitationDeadline);
    expect(deadline).toBeGreaterThanOrEqual(before + 600_000);
    expect(deadline).toBeLessThanOrEqual(Date.now() + 600_000);
    expect(result.Data).not.toHaveProperty('RelationshipStatus');
    expect(gd.mock).toHaveReceivedCommandTimes(AcceptAdministratorInvitationCommand, 0);
  });

  test('isComplete stays in progress until the invitation arrives, then accepts it', async () => {
    const event = createEvent(props());
    const waiting = completionEvent(event, await handler(event, lambdaContext()));

    await expect(isComplete(waiting, lambdaContext())).resolves.toEqual({ IsComplete: false });
    const invitationId = gd.invite(ADMIN);
    const done = await isComplete(waiting, lambdaContext());

    expect(done).toEqual({ IsComplete: true, Data: { DetectorId: MEMBER_DETECTOR, AdministratorAccountId: ADMIN, RelationshipStatus: 'Enabled' } });
    expect(gd.mock).toHaveReceivedCommandWith(AcceptAdministratorInvitationCommand, { AdministratorId: ADMIN, InvitationId: invitationId });
  });

  test('once the deadline has passed, isComplete fails saying the administrator has not invited this account', async () => {
    const event = createEvent(props());
    const waiting = completionEvent(event, await handler(event, lambdaContext()));

    const error = await expectFailure(isComplete(afterDeadline(waiting), lambdaContext()));

    expect(error.message).toContain(`No GuardDuty invitation from administrator account ${ADMIN} reached account ${MEMBER} in ap-southeast-2 within 15 minutes`);
    expect(error.message).toMatch(/has not invited this account/);
    expect(byteLength(failureResponseBody(waiting, error))).toBeLessThan(CLOUDFORMATION_RESPONSE_LIMIT_BYTES);
  });

  test('an invitation that arrives at the last look is still accepted', async () => {
    const event = createEvent(props());
    const waiting = completionEvent(event, await handler(event, lambdaContext()));
    gd.invite(ADMIN);

    await expect(isComplete(afterDeadline(waiting), lambdaContext())).resolves.toMatchObject({ IsComplete: true });
  });

  test('isComplete after an onEvent that finished asks GuardDuty nothing', async () => {
    gd.associate(ADMIN);
    const event = createEvent(props());
    const done = completionEvent(event, await handler(event, lambdaContext()));
    gd.mock.resetHistory();

    await expect(isComplete(done, lambdaContext())).resolves.toEqual<CompletionResponse>({ IsComplete: true });
    expect(gd.mock.calls()).toHaveLength(0);
  });

  test('isComplete of a Delete completes at once', async () => {
    await expect(isComplete({ ...deleteEvent(PHYSICAL_ID, props()), Data: { InvitationDeadline: String(Date.now() + 60_000) } }, lambdaContext())).resolves.toEqual({
      IsComplete: true,
    });
    expect(gd.mock.calls()).toHaveLength(0);
  });
});

describe('Update', () => {
  test('a changed removal policy keeps the physical ID and accepts nothing again', async () => {
    gd.associate(ADMIN);

    const result = await handler(updateEvent(PHYSICAL_ID, props({ RemovalPolicy: 'RETAIN' }), props()), lambdaContext());

    expect(result.PhysicalResourceId).toBe(PHYSICAL_ID);
    expect(gd.mock).toHaveReceivedCommandTimes(AcceptAdministratorInvitationCommand, 0);
  });

  test('a new detector gives a new physical ID', async () => {
    gd.detectorIds.push('a'.repeat(32));
    gd.associate(ADMIN);

    const result = await handler(updateEvent(PHYSICAL_ID, props({ DetectorId: 'a'.repeat(32) }), props()), lambdaContext());

    expect(result.PhysicalResourceId).toBe(`guardduty-administrator:${'a'.repeat(32)}:${ADMIN}`);
  });

  test('a new administrator: stays with the previous one until invited, then leaves it and accepts', async () => {
    gd.associate(OTHER_ADMIN);
    const event = updateEvent(`guardduty-administrator:${MEMBER_DETECTOR}:${OTHER_ADMIN}`, props(), props({ AdministratorAccountId: OTHER_ADMIN }));

    const result = await handler(event, lambdaContext());
    expect(result.PhysicalResourceId).toBe(PHYSICAL_ID);
    expect(gd.administrator?.accountId).toBe(OTHER_ADMIN);
    expect(gd.mock).toHaveReceivedCommandTimes(DisassociateFromAdministratorAccountCommand, 0);

    gd.invite(ADMIN);
    await expect(isComplete(completionEvent(event, result), lambdaContext())).resolves.toMatchObject({ IsComplete: true, Data: { RelationshipStatus: 'Enabled' } });
    expect(gd.administrator).toEqual({ accountId: ADMIN, relationshipStatus: 'Enabled' });
    const calls = gd.mock.calls().map((call) => call.args[0].constructor.name);
    expect(calls.filter((name) => name !== 'GetAdministratorAccountCommand' && name !== 'ListInvitationsCommand')).toEqual([
      'DisassociateFromAdministratorAccountCommand',
      'AcceptAdministratorInvitationCommand',
    ]);
  });
});

describe('Delete', () => {
  test('with RETAIN, makes no GuardDuty call', async () => {
    gd.associate(ADMIN);

    await expect(handler(deleteEvent(PHYSICAL_ID, props({ RemovalPolicy: 'RETAIN' })), lambdaContext())).resolves.toEqual({ PhysicalResourceId: PHYSICAL_ID });
    expect(gd.mock.calls()).toHaveLength(0);
  });

  test('with DESTROY, disassociates from the administrator, on the detector the physical ID names', async () => {
    gd.detectorIds.push('b'.repeat(32));
    gd.associate(ADMIN);

    await handler(deleteEvent(`guardduty-administrator:${'b'.repeat(32)}:${ADMIN}`, props({ DetectorId: undefined })), lambdaContext());

    expect(gd.mock).toHaveReceivedCommandWith(DisassociateFromAdministratorAccountCommand, { DetectorId: 'b'.repeat(32) });
    expect(gd.mock).toHaveReceivedCommandTimes(ListDetectorsCommand, 0);
    expect(gd.administrator).toBeUndefined();
  });

  test('a repeated Delete succeeds without a second disassociation', async () => {
    gd.associate(ADMIN);
    const event = deleteEvent(PHYSICAL_ID, props());

    await expect(handler(event, lambdaContext())).resolves.toEqual({ PhysicalResourceId: PHYSICAL_ID });
    await expect(handler(event, lambdaContext())).resolves.toEqual({ PhysicalResourceId: PHYSICAL_ID });
    expect(gd.mock).toHaveReceivedCommandTimes(DisassociateFromAdministratorAccountCommand, 1);
  });

  test.each(['ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS'])(
    'in a rollback (%s), keeps the relationship: the account may have been a member before the failed step',
    async (status) => {
      cfn.status = status;
      gd.associate(ADMIN);

      await expect(handler(deleteEvent(PHYSICAL_ID, props()), lambdaContext())).resolves.toEqual({ PhysicalResourceId: PHYSICAL_ID });

      expect(gd.mock).toHaveReceivedCommandTimes(DisassociateFromAdministratorAccountCommand, 0);
      expect(gd.administrator?.accountId).toBe(ADMIN);
      expect(logs.join('\n')).toMatch(new RegExp(`Delete during a rollback.*stack status ${status}`));
    },
  );

  test('keeps the relationship when the stack status cannot be read', async () => {
    cfn.denied = true;
    gd.associate(ADMIN);

    await handler(deleteEvent(PHYSICAL_ID, props()), lambdaContext());

    expect(gd.mock).toHaveReceivedCommandTimes(DisassociateFromAdministratorAccountCommand, 0);
  });

  test('leaves a different administrator alone (the Delete of a replaced resource)', async () => {
    gd.associate(OTHER_ADMIN);

    await handler(deleteEvent(PHYSICAL_ID, props()), lambdaContext());

    expect(gd.mock).toHaveReceivedCommandTimes(DisassociateFromAdministratorAccountCommand, 0);
    expect(gd.administrator?.accountId).toBe(OTHER_ADMIN);
  });

  test('succeeds when the detector no longer exists', async () => {
    gd.detectorIds = [];

    await expect(handler(deleteEvent(PHYSICAL_ID, props()), lambdaContext())).resolves.toEqual({ PhysicalResourceId: PHYSICAL_ID });
  });

  test('succeeds when GuardDuty says there is no administrator to leave', async () => {
    gd.associate(ADMIN);
    gd.mock.on(DisassociateFromAdministratorAccountCommand).rejects(
      Object.assign(new Error('The request is rejected because the current account is not associated with an administrator account.'), { name: 'BadRequestException' }),
    );

    await expect(handler(deleteEvent(PHYSICAL_ID, props()), lambdaContext())).resolves.toEqual({ PhysicalResourceId: PHYSICAL_ID });
  });

  test('fails when the work is not done (access denied)', async () => {
    gd.associate(ADMIN);
    gd.mock.on(DisassociateFromAdministratorAccountCommand).rejects(Object.assign(new Error('not authorized to perform guardduty:DisassociateFromAdministratorAccount'), { name: 'AccessDeniedException' }));

    const error = await expectFailure(handler(deleteEvent(PHYSICAL_ID, props()), lambdaContext()));

    expect(error.message).toContain('AccessDeniedException');
  });

  test('with unreadable properties, succeeds without calling GuardDuty', async () => {
    await handler(deleteEvent(PHYSICAL_ID, { AdministratorAccountId: 'nope', RemovalPolicy: 'DESTROY' }), lambdaContext());

    expect(gd.mock.calls()).toHaveLength(0);
  });

  test('a detector gone while reading the administrator is success too', async () => {
    gd.mock.on(GetAdministratorAccountCommand).rejects(detectorNotOwned());

    await expect(handler(deleteEvent(PHYSICAL_ID, props()), lambdaContext())).resolves.toEqual({ PhysicalResourceId: PHYSICAL_ID });
  });
});

test('an unknown request type fails with a clear error and no GuardDuty call', async () => {
  const error = await expectFailure(handler({ ...createEvent(props()), RequestType: 'Upsert' } as never, lambdaContext()));

  expect(error.message).toBe('Unknown RequestType "Upsert": expected Create, Update or Delete.');
  expect(gd.mock.calls()).toHaveLength(0);
});

describe('responses stay under CloudFormation\'s 4,096-byte limit', () => {
  const longDetector = 'd'.repeat(264);

  test('on success with the longest detector ID', async () => {
    gd.detectorIds = [longDetector];
    gd.associate(ADMIN);
    const event = createEvent(props({ DetectorId: longDetector }));

    const result = await handler(event, lambdaContext());

    expect(byteLength(successResponseBody(event, result))).toBeLessThan(CLOUDFORMATION_RESPONSE_LIMIT_BYTES);
  });

  test('on a conflict with the longest detector ID', async () => {
    gd.detectorIds = [longDetector];
    gd.associate(OTHER_ADMIN);
    const event = createEvent(props({ DetectorId: longDetector }));

    const error = await expectFailure(handler(event, lambdaContext()));

    const body = failureResponseBody(event, error);
    expect(byteLength(body)).toBeLessThan(CLOUDFORMATION_RESPONSE_LIMIT_BYTES);
    expect(JSON.parse(body).Reason).not.toMatch(/\n\s+at /);
  });

  test('on an SDK error with a very long message', async () => {
    gd.mock.on(GetAdministratorAccountCommand).rejects(Object.assign(new Error('y'.repeat(10_000)), { name: 'BadRequestException' }));
    const event = createEvent(props());

    const error = await expectFailure(handler(event, lambdaContext()));

    expect(byteLength(failureResponseBody(event, error))).toBeLessThan(CLOUDFORMATION_RESPONSE_LIMIT_BYTES);
  });
});
