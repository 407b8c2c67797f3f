import 'aws-sdk-client-mock-jest';
import { CreateMembersCommand, GetMembersCommand, InviteMembersCommand } from '@aws-sdk/client-guardduty';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { handler, isComplete } from '../../lambda/member-invitations';
import { CLEANUP_RESERVE_MS } from '../../lambda/member-invitations/run-context';
import { takeSnapshot } from '../../lambda/member-invitations/run-snapshot';
import { HandlerError } from '../../lambda/shared/handler-error';
import { createEvent, declaredMembers, lambdaContext } from '../support/cloudformation-events';
import { FakeCloudFormation } from '../support/fake-cloudformation';
import { FakeGuardDuty, RESULT } from '../support/fake-guardduty';

/**
 * Work that does not fit one invocation goes on in the provider framework's isComplete
 * polls, its progress read from GuardDuty's state, so a repeated poll repeats no write.
 */
const DETECTOR = 'd0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5';
/** What onEvent keeps back from its timeout; a context with this much left has no time for work. */
const RESERVED_MS = CLEANUP_RESERVE_MS + 5_000;

let gd: FakeGuardDuty;
let cfn: FakeCloudFormation;
beforeEach(() => {
  gd = new FakeGuardDuty();
  cfn = new FakeCloudFormation();
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => {
  gd.restore();
  cfn.restore();
  jest.restoreAllMocks();
});

function props(members: Array<{ AccountId: string; Email: string }>, extra: Record<string, unknown> = {}) {
  return { DetectorId: DETECTOR, Members: members, DisableEmailNotification: 'false', OnUnprocessed: 'FAIL', RemovalPolicy: 'DESTROY', VerificationTimeoutSeconds: '0', ...extra };
}

/** GuardDuty throttled: every CreateMembers call takes this long, so onEvent runs out of time after the first. */
function slowCreateMembers(ms: number): void {
  gd.mock.on(CreateMembersCommand).callsFake(async (input) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return createdByFake(input);
  });
}

let createdByFake: (input: { AccountDetails?: Array<{ AccountId?: string; Email?: string }> }) => unknown;

async function startedOutOfTime(event: CloudFormationCustomResourceEvent) {
  const result = await handler(event, lambdaContext(RESERVED_MS + 30));
  return { ...event, ...result } as CloudFormationCustomResourceEvent & { PhysicalResourceId: string; Data: Record<string, string> };
}

const writes = () => gd.mock.commandCalls(CreateMembersCommand).length + gd.mock.commandCalls(InviteMembersCommand).length;

beforeEach(() => {
  // The fake's own CreateMembers, kept so a slowed one can still apply the write.
  createdByFake = (input) => {
    const unprocessed: Array<{ AccountId: string; Result: string }> = [];
    for (const d of input.AccountDetails ?? []) {
      if (gd.members.has(d.AccountId!)) {
        unprocessed.push({ AccountId: d.AccountId!, Result: RESULT.ALREADY_MEMBER });
      } else {
        gd.members.set(d.AccountId!, { email: d.Email!, status: 'Created' });
      }
    }
    return { UnprocessedAccounts: unprocessed };
  };
});

test('onEvent out of time hands over; one isComplete poll finishes the work, inviting every account exactly once, and reports the whole run', async () => {
  const members = declaredMembers(120);
  slowCreateMembers(40);

  const request = await startedOutOfTime(createEvent(props(members)));
  expect(request).toHaveProperty('GuardDutyMembersRun.work');
  expect(gd.totalInvitations()).toBe(0);
  gd.mock.on(CreateMembersCommand).callsFake(createdByFake);

  const completed = await isComplete(request, lambdaContext());

  expect(completed).toEqual({
    IsComplete: true,
    Data: expect.objectContaining({ InvitedAccountCount: '120', AlreadyMemberAccountCount: '0', UnprocessedAccountCount: '0' }),
  });
  expect(members.every((m) => gd.invitationsSent.get(m.AccountId) === 1)).toBe(true);
});

test('a poll repeated after the work is done makes no write call', async () => {
  slowCreateMembers(40);
  const request = await startedOutOfTime(createEvent(props(declaredMembers(60))));
  gd.mock.on(CreateMembersCommand).callsFake(createdByFake);
  await isComplete(request, lambdaContext());
  const before = writes();

  await expect(isComplete(request, lambdaContext())).resolves.toMatchObject({ IsComplete: true, Data: { InvitedAccountCount: '60' } });

  expect(writes()).toBe(before);
  expect(gd.mock).toHaveReceivedCommand(GetMembersCommand);
});

test('a poll that runs out of time itself asks to be polled again, and the next one goes on', async () => {
  slowCreateMembers(40);
  const request = await startedOutOfTime(createEvent(props(declaredMembers(150))));

  await expect(isComplete(request, lambdaContext(RESERVED_MS + 60))).resolves.toEqual({ IsComplete: false });
  gd.mock.on(CreateMembersCommand).callsFake(createdByFake);
  await expect(isComplete(request, lambdaContext())).resolves.toMatchObject({ IsComplete: true, Data: { InvitedAccountCount: '150' } });
  expect(gd.totalInvitations()).toBe(150);
});

test('with the wait, the run goes on to verification once the work is done', async () => {
  slowCreateMembers(40);
  gd.verificationStatus = 'EmailVerificationInProgress';
  const members = declaredMembers(60);
  const request = await startedOutOfTime(createEvent(props(members, { VerificationTimeoutSeconds: '900' })));
  gd.mock.on(CreateMembersCommand).callsFake(createdByFake);

  await expect(isComplete(request, lambdaContext())).resolves.toEqual({ IsComplete: false });
  members.forEach((m) => (gd.members.get(m.AccountId)!.status = 'Invited'));
  await expect(isComplete(request, lambdaContext())).resolves.toMatchObject({ IsComplete: true, Data: { InvitedAccountCount: '60' } });
  expect(gd.totalInvitations()).toBe(60);
});

test('past the run\'s limit, the run fails, removing the members it created and keeping those from before', async () => {
  const adopted = declaredMembers(10, 300000000000);
  const fresh = declaredMembers(60);
  adopted.forEach((m) => gd.seed(m.AccountId, 'Enabled'));
  // What onEvent saw when the run began: the adopted accounts were members already. The
  // run has since created and invited the fresh ones, and its time is up.
  const declared = [...adopted, ...fresh];
  const snapshot = takeSnapshot(declared.map((m) => m.AccountId), new Set(adopted.map((m) => m.AccountId)));
  fresh.forEach((m) => gd.seed(m.AccountId, 'Invited'));
  const request = {
    ...createEvent(props(declared)),
    PhysicalResourceId: `guardduty-members:${DETECTOR}`,
    Data: {},
    GuardDutyMembersRun: { snapshot, work: { sinceMs: Date.now() - 3_600_000, deadlineMs: Date.now() - 1 } },
  };

  const error = await isComplete(request, lambdaContext(RESERVED_MS)).then(() => undefined, (e: Error) => e);

  expect(error).toBeInstanceOf(HandlerError);
  expect(error!.message).toMatch(/did not let the run reach all 70 declared accounts .* within 50 minutes.* The 60 members this run created were deleted again/);
  expect(adopted.every((m) => gd.status(m.AccountId) === 'Enabled')).toBe(true);
  expect(fresh.some((m) => gd.members.has(m.AccountId))).toBe(false);
});

test('a verification poll that runs out of time reading a large fleet asks to be polled again, not fails', async () => {
  gd.verificationStatus = 'EmailVerificationInProgress';
  const event = createEvent(props(declaredMembers(60), { VerificationTimeoutSeconds: '900' }));
  const request = { ...event, ...(await handler(event, lambdaContext())) };
  // GuardDuty throttles: every GetMembers call now takes longer than the poll has.
  gd.mock.on(GetMembersCommand).callsFake(async (input: { AccountIds?: string[] }) => {
    await new Promise((resolve) => setTimeout(resolve, 40));
    return { Members: (input.AccountIds ?? []).map((id) => ({ AccountId: id, RelationshipStatus: 'EmailVerificationInProgress', Email: 'x@example.com' })) };
  });

  await expect(isComplete(request, lambdaContext(RESERVED_MS + 20))).resolves.toEqual({ IsComplete: false });
});
