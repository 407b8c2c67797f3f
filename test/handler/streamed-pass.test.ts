import 'aws-sdk-client-mock-jest';
import { CreateMembersCommand, GetMembersCommand, GuardDutyClient, InviteMembersCommand } from '@aws-sdk/client-guardduty';
import { isComplete } from '../../lambda/member-invitations';
import { guardDutyMembersApi } from '../../lambda/member-invitations/guardduty-members-api';
import { parseInvitationSettings } from '../../lambda/member-invitations/resource-properties';
import { RunContext } from '../../lambda/member-invitations/run-context';
import { StreamedPass, streamPass } from '../../lambda/member-invitations/streamed-pass';
import { Deadline } from '../../lambda/shared/deadline';
import { createLogger } from '../../lambda/shared/logger';
import { createEvent, declaredMembers, lambdaContext } from '../support/cloudformation-events';
import { FakeGuardDuty } from '../support/fake-guardduty';

/**
 * A continued run's isComplete polls stream their pass batch by batch from a start of
 * their own, so a poll GuardDuty lets through only part of the fleet still writes, and
 * the run converges whatever the rate. GuardDuty's rate is modelled by a clock that moves
 * on with every call, so a poll's budget is a number of calls, not wall time.
 */
const DETECTOR = 'd0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5';
const SINCE = Date.parse('2026-11-29T05:00:00Z');
const MEMBERS = declaredMembers(1_000);
const BATCHES = MEMBERS.length / 50;

let gd: FakeGuardDuty;
beforeEach(() => {
  gd = new FakeGuardDuty();
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => {
  gd.restore();
  jest.restoreAllMocks();
});

function props(extra: Record<string, unknown> = {}) {
  return { DetectorId: DETECTOR, Members: MEMBERS, DisableEmailNotification: 'false', OnUnprocessed: 'FAIL', RemovalPolicy: 'RETAIN', VerificationTimeoutSeconds: '0', ...extra };
}

/**
 * One isComplete poll at `second` seconds into the run, given time for `calls` GuardDuty
 * calls; with `requestId`, in a container that keeps what earlier polls of that request finished.
 */
function poll(second: number, calls: number, requestId?: string, remainingMs?: () => number): Promise<StreamedPass> {
  // Each call reads the deadline's clock twice (before it starts, and for its timeout): one call is 2 ms.
  let now = 0;
  const deadline = Deadline.fromRemaining(calls * 2, 0, () => now++);
  const run = { api: guardDutyMembersApi(new GuardDutyClient({ region: 'ap-southeast-2' }), deadline), log: createLogger({}, () => undefined), requestId, remainingMs } as unknown as RunContext;
  return streamPass(run, DETECTOR, parseInvitationSettings(props()), SINCE, SINCE + second * 1_000);
}

const invitedCount = () => MEMBERS.filter((m) => gd.invitationsSent.has(m.AccountId)).length;
const writes = () => gd.mock.commandCalls(CreateMembersCommand).length + gd.mock.commandCalls(InviteMembersCommand).length;

test('a poll with time for fewer calls than reading the fleet takes still creates and invites the batches it gets to', async () => {
  // Reading the whole fleet first would take 20 calls: before streaming, such a poll wrote nothing.
  // A batch to write takes 3 calls: GetMembers, CreateMembers, InviteMembers; the pass
  // asks once whether the organization can associate any account (it cannot: this
  // administrator is not the delegated one, organization-reach.ts), so no batch is read again.
  const pass = await poll(1, 10);

  expect(pass.verdict).toBe('unfinished');
  expect(invitedCount()).toBe(3 * 50);
  expect(gd.batches(GetMembersCommand)).toHaveLength(3);
});

test('polls that each get through a fraction of the fleet converge from their rotating starts, inviting every account exactly once, and the pass that gets around without writing is the outcome', async () => {
  const progress: number[] = [];
  let second = 30;
  // Time for 10 calls: the probe and 3 batches to write, or 10 to read.
  for (; invitedCount() < MEMBERS.length && progress.length < 40; second += 37) {
    const pass = await poll(second, 10);
    expect(pass.verdict).toBe('unfinished');
    progress.push(invitedCount());
  }

  expect(invitedCount()).toBe(MEMBERS.length);
  expect(MEMBERS.every((m) => gd.invitationsSent.get(m.AccountId) === 1)).toBe(true);
  // Every poll but those that started in a stretch already done moved the run on.
  expect(new Set(progress).size).toBeGreaterThanOrEqual(progress.length / 2);

  const writesBefore = writes();
  const readsBefore = gd.batches(GetMembersCommand).length;
  const last = await poll(second, BATCHES);
  expect(last.verdict).toBe('done');
  expect(last.members).toHaveLength(MEMBERS.length);
  expect(new Set(last.members.map((m) => m.accountId)).size).toBe(MEMBERS.length);
  expect(writes()).toBe(writesBefore);
  expect(gd.batches(GetMembersCommand).length - readsBefore).toBe(BATCHES);
});

test('a pass that gets around and writes reads again only the batches it wrote, so its reads are the state after it', async () => {
  MEMBERS.slice(0, 950).forEach((m) => gd.seed(m.AccountId, 'Enabled'));

  // 19 batches to read, one to write (3 calls and the probe), and that one read again.
  const pass = await poll(5, BATCHES + 4);

  expect(pass.verdict).toBe('done');
  expect(invitedCount()).toBe(50);
  expect(gd.batches(GetMembersCommand)).toHaveLength(BATCHES + 1);
  const statuses = new Map(pass.members.map((m) => [m.accountId, m.relationshipStatus]));
  expect(statuses.size).toBe(MEMBERS.length);
  expect(MEMBERS.slice(950).every((m) => statuses.get(m.AccountId) === 'Invited')).toBe(true);
});

test('a pass that runs out of time reading its writes again is unfinished: the next poll goes around again', async () => {
  MEMBERS.slice(0, 950).forEach((m) => gd.seed(m.AccountId, 'Enabled'));

  await expect(poll(5, BATCHES + 3)).resolves.toMatchObject({ verdict: 'unfinished' });
  await expect(poll(6, BATCHES)).resolves.toMatchObject({ verdict: 'done' });
  expect(invitedCount()).toBe(50);
});

test('isComplete takes the outcome from a pass that wrote nothing: one read of each batch, not two', async () => {
  MEMBERS.forEach((m) => gd.seed(m.AccountId, 'Enabled'));
  const request = {
    ...createEvent(props()),
    PhysicalResourceId: `guardduty-members:${DETECTOR}`,
    Data: {},
    GuardDutyMembersRun: { work: { sinceMs: Date.now() - 60_000, deadlineMs: Date.now() + 600_000 } },
  };

  await expect(isComplete(request, lambdaContext())).resolves.toMatchObject({
    IsComplete: true,
    Data: { InvitedAccountCount: '0', AlreadyMemberAccountCount: String(MEMBERS.length), UnprocessedAccountCount: '0' },
  });

  expect(gd.batches(GetMembersCommand)).toHaveLength(BATCHES);
  expect(writes()).toBe(0);
});

test('a batch whose only write re-added a disassociated organization member is read again, so the pass reports it Enabled', async () => {
  MEMBERS.forEach((m) => gd.seed(m.AccountId, 'Enabled'));
  const readded = MEMBERS[120].AccountId;
  gd.organizationAccounts.add(readded);
  gd.seed(readded, 'Removed');

  const pass = await poll(5, 4 * BATCHES);

  expect(pass.verdict).toBe('done');
  expect(invitedCount()).toBe(0);
  expect(pass.members.find((m) => m.accountId === readded)?.relationshipStatus).toBe('Enabled');
});

test('in one container, a poll does not go again over the batches an earlier poll of the same run finished, so it writes as many as the first', async () => {
  // Both polls start at the same batch (the same second) with time for the probe and 3 batches to write.
  await poll(1, 10, 'request-1');
  expect(invitedCount()).toBe(150);

  const second = await poll(1, 10, 'request-1');

  // Without that memory the second poll would spend 3 calls reading the first one's batches (250 invited).
  expect(second.verdict).toBe('unfinished');
  expect(invitedCount()).toBe(300);
  expect(MEMBERS.every((m) => (gd.invitationsSent.get(m.AccountId) ?? 0) <= 1)).toBe(true);
  // The batches it skipped are read once, by the pass that gets around.
  gd.mock.resetHistory();
  const last = await poll(2, 1 + 14 * 3 + 14 + 6, 'request-1');
  expect(last.verdict).toBe('done');
  expect(invitedCount()).toBe(MEMBERS.length);
  expect(gd.batches(GetMembersCommand)).toHaveLength(14 + 14 + 6);
});

test('another request in the same container gets nothing from that memory', async () => {
  await poll(1, 10, 'request-1');
  gd.mock.resetHistory();

  await poll(2, 10, 'request-2');

  // It plans from GuardDuty's state: the first batch it meets is read and planned.
  expect(gd.batches(GetMembersCommand).length).toBeGreaterThan(0);
  expect(writes()).toBeGreaterThan(0);
});

test('a pass whose reads of its written batches would not fit the time left stops before them, and the next poll finishes', async () => {
  // Time for every write, but (by the pass's own pace) none for reading them again.
  const pass = await poll(3, 1 + 20 * 3 + 20, undefined, () => 0);

  expect(pass.verdict).toBe('unfinished');
  expect(invitedCount()).toBe(MEMBERS.length);
  expect(gd.batches(GetMembersCommand)).toHaveLength(20);

  const last = await poll(4, 20);
  expect(last.verdict).toBe('done');
  expect(writes()).toBe(40);
});
