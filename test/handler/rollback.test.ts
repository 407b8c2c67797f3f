import 'aws-sdk-client-mock-jest';
import { DeleteMembersCommand, DisassociateMembersCommand, GetMembersCommand } from '@aws-sdk/client-guardduty';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { handler, isComplete } from '../../lambda/member-invitations';
import { HandlerError } from '../../lambda/shared/handler-error';
import { STACK_ID, createEvent, declaredMembers, deleteEvent, lambdaContext, updateEvent } from '../support/cloudformation-events';
import { FakeCloudFormation } from '../support/fake-cloudformation';
import { FakeGuardDuty } from '../support/fake-guardduty';

/**
 * A rollback never removes a member the failed step did not create. The scenarios are
 * the ones that lost GuardDuty coverage before: a fleet adopted into a new stack with one
 * wrong email, and an Update that adds already-enrolled accounts and fails in the wait.
 */
const DETECTOR = 'd0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5';
const PHYSICAL_ID = `guardduty-members:${DETECTOR}`;

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
  return { DetectorId: DETECTOR, Members: members, DisableEmailNotification: 'false', OnUnprocessed: 'FAIL', RemovalPolicy: 'DESTROY', VerificationTimeoutSeconds: '900', ...extra };
}

/** onEvent, then the isComplete request as the provider framework builds it: onEvent's result merged over the event. */
async function throughOnEvent(event: CloudFormationCustomResourceEvent) {
  const result = await handler(event, lambdaContext());
  return { ...event, ...result } as CloudFormationCustomResourceEvent & { PhysicalResourceId: string; Data: Record<string, string> };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(() => undefined, (e: Error) => e);
  expect(error).toBeInstanceOf(HandlerError);
  return error as Error;
}

const writes = () => [...gd.batches(DisassociateMembersCommand), ...gd.batches(DeleteMembersCommand)].flat();

describe('a Create that fails in the verification wait (DESTROY, FAIL)', () => {
  const adopted = declaredMembers(60, 200000000000);
  const fresh = declaredMembers(3, 300000000000);
  const [wrongEmail] = declaredMembers(1, 400000000000);
  const declared = [...adopted, ...fresh, wrongEmail];

  beforeEach(() => {
    adopted.forEach((m) => gd.seed(m.AccountId, 'Enabled'));
    gd.verificationStatus = 'EmailVerificationInProgress';
  });

  test('removes the members it created, keeps every member adopted from before, and the rollback Delete removes nothing', async () => {
    const event = await throughOnEvent(createEvent(props(declared)));
    [...fresh].forEach((m) => (gd.members.get(m.AccountId)!.status = 'Invited'));
    gd.members.get(wrongEmail.AccountId)!.status = 'EmailVerificationFailed';

    const error = await failure(isComplete(event, lambdaContext()));
    expect(error.message).toMatch(new RegExp(`Email verification failed.*\\[${wrongEmail.AccountId}\\]`));
    expect(error.message).toMatch(/The 4 members this run created were deleted again/);
    expect(adopted.every((m) => gd.status(m.AccountId) === 'Enabled')).toBe(true);
    expect([...fresh, wrongEmail].some((m) => gd.members.has(m.AccountId))).toBe(false);

    // CloudFormation received FAILED with onEvent's physical ID, so it rolls back by
    // sending a Delete that reaches the handler.
    cfn.status = 'ROLLBACK_IN_PROGRESS';
    gd.mock.resetHistory();
    await expect(handler(deleteEvent(event.PhysicalResourceId, props(declared)), lambdaContext())).resolves.toEqual({ PhysicalResourceId: PHYSICAL_ID });

    expect(writes()).toEqual([]);
    expect(adopted.every((m) => gd.status(m.AccountId) === 'Enabled')).toBe(true);
    expect(cfn.stacksAsked).toEqual([STACK_ID]);
  });

  test('a member re-created to correct its email was a member before: the failed Create keeps it', async () => {
    const [corrected] = adopted;
    gd.seed(corrected.AccountId, 'EmailVerificationFailed', 'old-address@example.com');
    const event = await throughOnEvent(createEvent(props(declared)));
    gd.members.get(wrongEmail.AccountId)!.status = 'EmailVerificationFailed';
    fresh.forEach((m) => (gd.members.get(m.AccountId)!.status = 'Invited'));
    gd.members.get(corrected.AccountId)!.status = 'Invited';

    await failure(isComplete(event, lambdaContext()));

    expect(gd.members.has(corrected.AccountId)).toBe(true);
  });

  test('with RETAIN, nothing is removed at all', async () => {
    const event = await throughOnEvent(createEvent(props(declared, { RemovalPolicy: 'RETAIN' })));
    gd.members.get(wrongEmail.AccountId)!.status = 'EmailVerificationFailed';
    fresh.forEach((m) => (gd.members.get(m.AccountId)!.status = 'Invited'));

    await failure(isComplete(event, lambdaContext()));

    expect(writes()).toEqual([]);
  });
});

describe('an Update that runs out of time before it can read the stack status', () => {
  const kept = declaredMembers(3);
  const [dropped] = declaredMembers(1, 300000000000);

  test('does not keep the dropped account for good: the isComplete polls read the status and remove it', async () => {
    [...kept, dropped].forEach((m) => gd.seed(m.AccountId, 'Enabled'));
    const withoutWait = (members: typeof kept) => props(members, { OnUnprocessed: 'REPORT', VerificationTimeoutSeconds: '0' });
    const event = updateEvent(PHYSICAL_ID, withoutWait(kept), withoutWait([...kept, dropped]));
    // The handler keeps 65 s back for cleanup and the response, so 200 ms of work time;
    // the clock jumps a second once the members are read: no time left for DescribeStacks.
    const realNow = Date.now.bind(Date);
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + (gd.batches(GetMembersCommand).length > 0 ? 1_000 : 0));
    const started = await handler(event, lambdaContext(65_200));
    clock.mockRestore();
    expect(cfn.stacksAsked).toEqual([]);
    expect(gd.members.has(dropped.AccountId)).toBe(true);

    const completed = await isComplete({ ...event, ...started } as Parameters<typeof isComplete>[0], lambdaContext());

    expect(completed.IsComplete).toBe(true);
    expect(cfn.stacksAsked).toEqual([STACK_ID]);
    expect(gd.members.has(dropped.AccountId)).toBe(false);
    expect(kept.every((m) => gd.status(m.AccountId) === 'Enabled')).toBe(true);
  });
});

describe('the Delete after a failed Create, and any Delete during a rollback', () => {
  const members = declaredMembers(5);
  beforeEach(() => members.forEach((m) => gd.seed(m.AccountId, 'Enabled')));

  test.each(['ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 'IMPORT_ROLLBACK_IN_PROGRESS'])(
    'in %s, DESTROY keeps every member and says why in the log',
    async (status) => {
      cfn.status = status;
      await handler(deleteEvent(PHYSICAL_ID, props(members)), lambdaContext());

      expect(writes()).toEqual([]);
      expect(gd.members.size).toBe(5);
      expect(logs.join('\n')).toMatch(new RegExp(`Delete during a rollback.*stack status ${status}`));
    },
  );

  test('when the stack status cannot be read, DESTROY keeps every member rather than guess', async () => {
    cfn.denied = true;
    await handler(deleteEvent(PHYSICAL_ID, props(members)), lambdaContext());

    expect(writes()).toEqual([]);
    expect(logs.join('\n')).toMatch(/could not be read \(AccessDenied/);
  });

  test('a stack deletion (DELETE_IN_PROGRESS) removes the declared members as DESTROY promises', async () => {
    cfn.status = 'DELETE_IN_PROGRESS';
    await handler(deleteEvent(PHYSICAL_ID, props(members)), lambdaContext());

    expect(gd.members.size).toBe(0);
  });

  test('a RETAIN Delete does not even ask CloudFormation', async () => {
    await handler(deleteEvent(PHYSICAL_ID, props(members, { RemovalPolicy: 'RETAIN' })), lambdaContext());

    expect(cfn.stacksAsked).toEqual([]);
  });
});

describe('an Update that adds enrolled accounts and fails in the wait, then is rolled back (DESTROY, FAIL)', () => {
  const kept = declaredMembers(4, 200000000000);
  const dropped = declaredMembers(2, 210000000000);
  const adopted = declaredMembers(3, 220000000000);
  const [wrongEmail] = declaredMembers(1, 400000000000);
  const before = [...kept, ...dropped];
  const failed = [...kept, ...adopted, wrongEmail];

  beforeEach(() => {
    [...kept, ...dropped, ...adopted].forEach((m) => gd.seed(m.AccountId, 'Enabled'));
    gd.verificationStatus = 'EmailVerificationInProgress';
  });

  test('the failed Update removes nothing it did not create, and the rollback Update keeps every account', async () => {
    const event = await throughOnEvent(updateEvent(PHYSICAL_ID, props(failed), props(before)));
    expect(dropped.every((m) => gd.status(m.AccountId) === 'Enabled')).toBe(true);
    gd.members.get(wrongEmail.AccountId)!.status = 'EmailVerificationFailed';

    const error = await failure(isComplete(event, lambdaContext()));
    expect(error.message).toMatch(/The 1 members this run created were deleted again/);
    expect(gd.members.has(wrongEmail.AccountId)).toBe(false);

    cfn.status = 'UPDATE_ROLLBACK_IN_PROGRESS';
    gd.verificationStatus = 'Invited';
    const rollback = await throughOnEvent(updateEvent(PHYSICAL_ID, props(before), props(failed)));
    await expect(isComplete(rollback, lambdaContext())).resolves.toMatchObject({ IsComplete: true });

    expect([...kept, ...dropped, ...adopted].every((m) => gd.status(m.AccountId) === 'Enabled')).toBe(true);
    expect(writes()).toEqual([wrongEmail.AccountId, wrongEmail.AccountId]);
    expect(logs.join('\n')).toMatch(/Update during a rollback.*stack status UPDATE_ROLLBACK_IN_PROGRESS/);
  });

  test('an Update that succeeds removes the dropped accounts only once verification settled, in isComplete', async () => {
    const next = [...kept, ...adopted];
    const event = await throughOnEvent(updateEvent(PHYSICAL_ID, props(next), props(before)));
    expect(writes()).toEqual([]);

    await expect(isComplete(event, lambdaContext())).resolves.toMatchObject({ IsComplete: true, Data: { UnprocessedAccountCount: '0' } });

    expect(dropped.some((m) => gd.members.has(m.AccountId))).toBe(false);
    expect(kept.every((m) => gd.status(m.AccountId) === 'Enabled')).toBe(true);
  });

  test('without the wait, onEvent removes the dropped accounts, outside a rollback only', async () => {
    const noWait = (members: typeof before) => props(members, { VerificationTimeoutSeconds: '0' });
    cfn.status = 'UPDATE_ROLLBACK_IN_PROGRESS';
    await handler(updateEvent(PHYSICAL_ID, noWait(kept), noWait(before)), lambdaContext());
    expect(dropped.every((m) => gd.status(m.AccountId) === 'Enabled')).toBe(true);

    cfn.status = 'UPDATE_IN_PROGRESS';
    await handler(updateEvent(PHYSICAL_ID, noWait(kept), noWait(before)), lambdaContext());
    expect(dropped.some((m) => gd.members.has(m.AccountId))).toBe(false);
  });
});
