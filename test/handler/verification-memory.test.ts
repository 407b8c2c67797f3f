import 'aws-sdk-client-mock-jest';
import { GetMembersCommand } from '@aws-sdk/client-guardduty';
import { handler, isComplete } from '../../lambda/member-invitations';
import { forgetRead } from '../../lambda/member-invitations/verification-memory';
import { createEvent, declaredMembers, lambdaContext } from '../support/cloudformation-events';
import { FakeGuardDuty } from '../support/fake-guardduty';

/**
 * The verification wait: a poll in the container of an earlier one that found accounts
 * still being verified reads only those again (verification-memory.ts).
 */
const DETECTOR = 'd0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5';
const MEMBERS = declaredMembers(120);
const ids = (members: ReadonlyArray<{ AccountId: string }>) => members.map((m) => m.AccountId);

let gd: FakeGuardDuty;
beforeEach(() => {
  gd = new FakeGuardDuty();
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  ids(MEMBERS.slice(0, 100)).forEach((id) => gd.seed(id, 'Enabled'));
  gd.verificationStatus = 'EmailVerificationInProgress';
});
afterEach(() => {
  gd.restore();
  jest.restoreAllMocks();
});

async function firstPoll() {
  const event = createEvent({ DetectorId: DETECTOR, Members: MEMBERS, DisableEmailNotification: 'false', OnUnprocessed: 'REPORT', RemovalPolicy: 'RETAIN', VerificationTimeoutSeconds: '600' });
  const started = await handler(event, lambdaContext());
  const poll = { ...event, PhysicalResourceId: started.PhysicalResourceId, Data: started.Data };
  gd.mock.resetHistory();
  await expect(isComplete(poll, lambdaContext())).resolves.toEqual({ IsComplete: false });
  expect(gd.batches(GetMembersCommand)).toHaveLength(3);
  gd.mock.resetHistory();
  return poll;
}

test('the next poll in the container reads only the 20 accounts still being verified, and reports the whole run', async () => {
  const poll = await firstPoll();
  ids(MEMBERS.slice(100)).forEach((id) => (gd.members.get(id)!.status = 'Invited'));

  const done = await isComplete(poll, lambdaContext());

  expect(gd.batches(GetMembersCommand)).toEqual([ids(MEMBERS.slice(100))]);
  expect(done).toMatchObject({ IsComplete: true, Data: { InvitedAccountCount: '20', AlreadyMemberAccountCount: '100', UnprocessedAccountCount: '0' } });
});

test('a poll in a new container reads every declared account again', async () => {
  const poll = await firstPoll();
  forgetRead();
  ids(MEMBERS.slice(100)).forEach((id) => (gd.members.get(id)!.status = 'Invited'));

  await expect(isComplete(poll, lambdaContext())).resolves.toMatchObject({ IsComplete: true });

  expect(gd.batches(GetMembersCommand)).toHaveLength(3);
});

test('a verification that fails while remembered is still reported', async () => {
  const poll = await firstPoll();
  gd.members.get(MEMBERS[119].AccountId)!.status = 'EmailVerificationFailed';
  ids(MEMBERS.slice(100, 119)).forEach((id) => (gd.members.get(id)!.status = 'Invited'));

  await expect(isComplete(poll, lambdaContext())).resolves.toMatchObject({ IsComplete: true, Data: { UnprocessedAccountIds: MEMBERS[119].AccountId, InvitedAccountCount: '19' } });
});
