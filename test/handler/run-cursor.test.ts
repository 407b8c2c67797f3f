import 'aws-sdk-client-mock-jest';
import { CreateMembersCommand, GetMembersCommand, InviteMembersCommand } from '@aws-sdk/client-guardduty';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { handler, isComplete } from '../../lambda/member-invitations';
import { CLEANUP_RESERVE_MS } from '../../lambda/member-invitations/run-context';
import { batchesAlreadyDone, declarationOrder, parseCursor } from '../../lambda/member-invitations/run-cursor';
import { createdByRun, takeSnapshot } from '../../lambda/member-invitations/run-snapshot';
import { createEvent, declaredMembers, lambdaContext } from '../support/cloudformation-events';
import { FakeGuardDuty, RESULT } from '../support/fake-guardduty';

/**
 * onEvent goes over the declaration batch by batch and hands the isComplete polls a
 * cursor past the batches it finished (run-cursor.ts): a poll plans and writes only the
 * rest, and reads the finished batches once, for the outcome.
 */
const DETECTOR = 'd0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5';
const RESERVED_MS = CLEANUP_RESERVE_MS + 5_000;
const MEMBERS = declaredMembers(150);
const ids = (members: ReadonlyArray<{ AccountId: string }>) => members.map((m) => m.AccountId);

let gd: FakeGuardDuty;
let logs: Array<Record<string, unknown>>;
beforeEach(() => {
  gd = new FakeGuardDuty();
  logs = [];
  jest.spyOn(console, 'log').mockImplementation((line: string) => void logs.push(JSON.parse(String(line))));
});
afterEach(() => {
  gd.restore();
  jest.restoreAllMocks();
});

const props = { DetectorId: DETECTOR, Members: MEMBERS, DisableEmailNotification: 'false', OnUnprocessed: 'FAIL', RemovalPolicy: 'RETAIN', VerificationTimeoutSeconds: '0' };

/** onEvent with time for two batches: the third batch's CreateMembers outlasts the invocation. */
async function startedWithTwoBatchesDone(): Promise<CloudFormationCustomResourceEvent & Record<string, unknown>> {
  const members = gd.members;
  gd.mock.on(CreateMembersCommand).callsFake(async (input: { AccountDetails?: Array<{ AccountId?: string; Email?: string }> }) => {
    if (input.AccountDetails?.some((d) => d.AccountId === MEMBERS[100].AccountId)) {
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    for (const d of input.AccountDetails ?? []) {
      members.set(d.AccountId!, { email: d.Email!, status: 'Created' });
    }
    return { UnprocessedAccounts: [] };
  });
  const event = createEvent(props);
  const result = await handler(event, lambdaContext(RESERVED_MS + 100));
  return { ...event, ...result } as CloudFormationCustomResourceEvent & Record<string, unknown>;
}

test('onEvent that runs out of time in its third batch hands over a cursor past the two it finished', async () => {
  const request = await startedWithTwoBatchesDone();

  expect(request).toMatchObject({ GuardDutyMembersRun: { work: { cursor: { batchesDone: 2, order: declarationOrder(ids(MEMBERS)) } } } });
  expect(ids(MEMBERS.slice(0, 100)).every((id) => gd.invitationsSent.get(id) === 1)).toBe(true);
  expect(ids(MEMBERS.slice(100)).some((id) => gd.invitationsSent.has(id))).toBe(false);
});

test('the poll plans and writes only the batches past the cursor, reads the finished ones once, and reports the whole run', async () => {
  const request = await startedWithTwoBatchesDone();
  gd.mock.resetHistory();

  const completed = await isComplete(request as never, lambdaContext());

  expect(completed).toEqual({ IsComplete: true, Data: expect.objectContaining({ InvitedAccountCount: '150', UnprocessedAccountCount: '0' }) });
  expect(MEMBERS.every((m) => gd.invitationsSent.get(m.AccountId) === 1)).toBe(true);
  // The third batch: read, invited (its members were created), read again; then the two finished ones.
  expect(gd.batches(GetMembersCommand)).toEqual([ids(MEMBERS.slice(100)), ids(MEMBERS.slice(100)), ids(MEMBERS.slice(0, 50)), ids(MEMBERS.slice(50, 100))]);
  expect(gd.batches(InviteMembersCommand)).toEqual([ids(MEMBERS.slice(100))]);
  expect(gd.mock).toHaveReceivedCommandTimes(CreateMembersCommand, 0);
});

test('a poll whose declaration is in another order ignores the cursor and goes over every batch', async () => {
  const request = await startedWithTwoBatchesDone();
  const reordered = { ...request, ResourceProperties: { ...props, Members: [...MEMBERS].reverse() } };

  const completed = await isComplete(reordered as never, lambdaContext());

  expect(completed).toMatchObject({ IsComplete: true, Data: { InvitedAccountCount: '150' } });
  expect(logs.find((l) => l.message === 'pass')).toMatchObject({ batches: 3, batchesSkipped: 0 });
  expect(MEMBERS.every((m) => gd.invitationsSent.get(m.AccountId) === 1)).toBe(true);
});

test('a batch with an unprocessed account ends the cursor: the poll goes over it again and reports it', async () => {
  gd.refuseInvite.set(MEMBERS[10].AccountId, RESULT.OTHER_ADMINISTRATOR);
  const request = await startedWithTwoBatchesDone();
  expect(request).toMatchObject({ GuardDutyMembersRun: { work: { cursor: { batchesDone: 0 } } } });

  const completed = await isComplete({ ...request, ResourceProperties: { ...props, OnUnprocessed: 'REPORT' } } as never, lambdaContext());

  expect(completed).toMatchObject({ IsComplete: true, Data: { UnprocessedAccountIds: MEMBERS[10].AccountId, InvitedAccountCount: '149' } });
});

describe('the pure parts', () => {
  const order = declarationOrder(ids(MEMBERS));

  test('batchesAlreadyDone holds the cursor only for the same declaration order, and never past its end', () => {
    expect(batchesAlreadyDone({ batchesDone: 2, order }, ids(MEMBERS))).toBe(2);
    expect(batchesAlreadyDone({ batchesDone: 9, order }, ids(MEMBERS))).toBe(3);
    expect(batchesAlreadyDone({ batchesDone: 2, order }, ids(MEMBERS).reverse())).toBe(0);
    expect(batchesAlreadyDone(undefined, ids(MEMBERS))).toBe(0);
  });

  test.each([
    [undefined, undefined],
    [{ batchesDone: -1, order: 'x' }, undefined],
    [{ batchesDone: 1.5, order: 'x' }, undefined],
    [{ batchesDone: 2 }, undefined],
    [{ batchesDone: 2, order: 'x' }, { batchesDone: 2, order: 'x' }],
  ])('parseCursor(%j) is %j', (raw, expected) => {
    expect(parseCursor(raw)).toEqual(expected);
  });

  test('a snapshot of the accounts onEvent read lists the absent ones, so an account it never read is never taken for one the run created', () => {
    const declared = ['111111111111', '222222222222', '333333333333', '444444444444'];
    // Read: the first three; present: the first. Fewer present than absent, yet the absent side is kept.
    const snapshot = takeSnapshot(declared.slice(0, 3), new Set(declared.slice(0, 1)), undefined, true)!;

    expect(snapshot.side).toBe('absent');
    expect(createdByRun(snapshot, declared)).toEqual(['222222222222', '333333333333']);
  });
});
