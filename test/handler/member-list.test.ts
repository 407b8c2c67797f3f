import 'aws-sdk-client-mock-jest';
import { createHash } from 'crypto';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { handler, isComplete } from '../../lambda/member-invitations';
import { decodeMemberList, parseLocation } from '../../lambda/member-invitations/member-list';
import { HandlerError } from '../../lambda/shared/handler-error';
import { createEvent, declaredMembers, deleteEvent, lambdaContext, updateEvent } from '../support/cloudformation-events';
import { FakeCloudFormation } from '../support/fake-cloudformation';
import { FakeGuardDuty } from '../support/fake-guardduty';

/**
 * The handler reads a large member list from the asset the construct made
 * (lib/private/member-list-asset.ts) and treats it exactly as an inline one.
 */
const DETECTOR = 'd0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5';
const PHYSICAL_ID = `guardduty-members:${DETECTOR}`;
const BUCKET = 'cdk-hnb659fds-assets-123456789012-ap-southeast-2';

let gd: FakeGuardDuty;
let cfn: FakeCloudFormation;
const s3 = mockClient(S3Client);
const objects = new Map<string, Buffer>();
let logs: string[];

beforeEach(() => {
  gd = new FakeGuardDuty();
  cfn = new FakeCloudFormation();
  objects.clear();
  s3.reset();
  s3.on(GetObjectCommand).callsFake((input: { Bucket: string; Key: string }) => {
    const body = objects.get(`${input.Bucket}/${input.Key}`);
    if (!body) {
      throw Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' });
    }
    return { Body: { transformToByteArray: async () => new Uint8Array(body) } };
  });
  logs = [];
  jest.spyOn(console, 'log').mockImplementation((line: string) => void logs.push(String(line)));
});
afterEach(() => {
  gd.restore();
  cfn.restore();
  jest.restoreAllMocks();
});
afterAll(() => s3.restore());

/** Uploads the list as `cdk deploy` would and returns the MemberList property pointing at it. */
function upload(members: Array<{ AccountId: string; Email: string }>, key = `${Math.random().toString(16).slice(2)}.json`) {
  const body = Buffer.from(JSON.stringify(members));
  objects.set(`${BUCKET}/${key}`, body);
  const sha256 = createHash('sha256').update(body).digest('hex');
  return { Bucket: BUCKET, Key: key, Sha256: sha256, AccountCount: String(members.length), FirstAccountIds: members[0]?.AccountId ?? '' };
}

function props(memberList: unknown, extra: Record<string, unknown> = {}) {
  return { DetectorId: DETECTOR, MemberList: memberList, DisableEmailNotification: 'false', OnUnprocessed: 'FAIL', RemovalPolicy: 'DESTROY', ...extra };
}

test('Create reads the list from the asset and invites every account in it', async () => {
  const members = declaredMembers(120);

  const result = await handler(createEvent(props(upload(members))), lambdaContext());

  expect(result.Data).toMatchObject({ InvitedAccountCount: '120', UnprocessedAccountCount: '0' });
  expect(s3).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: BUCKET });
  expect(logs.join('\n')).not.toContain('@example.com');
});

test('an Update removes, with DESTROY, the accounts the old list declared and the new one does not (both lists read)', async () => {
  const before = declaredMembers(60);
  const after = before.slice(0, 50);
  await handler(createEvent(props(upload(before), { VerificationTimeoutSeconds: '0' })), lambdaContext());

  await handler(updateEvent(PHYSICAL_ID, props(upload(after), { VerificationTimeoutSeconds: '0' }), props(upload(before), { VerificationTimeoutSeconds: '0' })), lambdaContext());

  expect(gd.members.size).toBe(50);
});

test('isComplete reads the list too, once per container for the same object', async () => {
  const members = declaredMembers(5);
  gd.verificationStatus = 'EmailVerificationInProgress';
  const event = createEvent(props(upload(members), { VerificationTimeoutSeconds: '600' }));
  const request = { ...event, ...(await handler(event, lambdaContext())) };
  const reads = s3.commandCalls(GetObjectCommand).length;

  await expect(isComplete(request, lambdaContext())).resolves.toEqual({ IsComplete: false });
  members.forEach((m) => (gd.members.get(m.AccountId)!.status = 'Invited'));
  await expect(isComplete(request, lambdaContext())).resolves.toMatchObject({ IsComplete: true });

  expect(s3.commandCalls(GetObjectCommand).length).toBe(reads);
});

test('a list that does not match its SHA-256 fails the Create, naming the object, before any GuardDuty call', async () => {
  const location = upload(declaredMembers(3));
  objects.set(`${BUCKET}/${location.Key}`, Buffer.from(JSON.stringify(declaredMembers(4))));

  await expect(handler(createEvent(props(location)), lambdaContext())).rejects.toThrow(
    new RegExp(`s3://${BUCKET}/${location.Key} does not match the SHA-256 in the template`),
  );
  expect(gd.mock.calls()).toHaveLength(0);
});

test('a missing object fails the Create, naming it and what to check', async () => {
  const location = { ...upload(declaredMembers(3)), Key: 'gone.json' };

  await expect(handler(createEvent(props(location)), lambdaContext())).rejects.toThrow(/Could not read the member list s3:\/\/.*\/gone\.json \(NoSuchKey/);
});

test('a Delete whose list can no longer be read removes nothing and says why', async () => {
  const members = declaredMembers(3);
  members.forEach((m) => gd.seed(m.AccountId, 'Enabled'));
  cfn.status = 'DELETE_IN_PROGRESS';

  await expect(handler(deleteEvent(PHYSICAL_ID, props({ ...upload(members), Key: 'gone.json' })), lambdaContext())).resolves.toEqual({ PhysicalResourceId: PHYSICAL_ID });

  expect(gd.members.size).toBe(3);
  expect(logs.join('\n')).toMatch(/could not read the member list of these properties; nothing they declare is removed/);
});

test('a Delete with DESTROY removes the members of the list', async () => {
  const members = declaredMembers(3);
  members.forEach((m) => gd.seed(m.AccountId, 'Invited'));
  cfn.status = 'DELETE_IN_PROGRESS';

  await handler(deleteEvent(PHYSICAL_ID, props(upload(members))), lambdaContext());

  expect(gd.members.size).toBe(0);
});

test.each([
  ['no Bucket', { Key: 'k', Sha256: 'a'.repeat(64) }, /missing Bucket/],
  ['a Sha256 that is not 64 hex digits', { Bucket: 'b', Key: 'k', Sha256: 'xyz' }, /Sha256 is "xyz"/],
  ['a string instead of an object', 'somewhere', /missing Bucket, Key, Sha256/],
])('a MemberList with %s is refused with a HandlerError saying what is wrong', (_what, raw, message) => {
  expect(() => parseLocation(raw)).toThrow(HandlerError);
  expect(() => parseLocation(raw)).toThrow(message);
});

test('Members and MemberList together are refused', async () => {
  await expect(handler(createEvent({ ...props(upload(declaredMembers(1))), Members: declaredMembers(1) }), lambdaContext())).rejects.toThrow(/both set/);
});

test('bytes that match their hash but are not JSON are refused, naming the object', () => {
  const body = Buffer.from('not json');
  const location = { Bucket: 'b', Key: 'k.json', Sha256: createHash('sha256').update(body).digest('hex'), AccountCount: '', FirstAccountIds: '' };
  expect(() => decodeMemberList(location, body)).toThrow(/s3:\/\/b\/k\.json is not JSON/);
});
