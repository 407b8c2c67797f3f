import {
  AcceptAdministratorInvitationCommand,
  CreateDetectorCommand,
  CreateMembersCommand,
  DeleteMembersCommand,
  DisassociateFromAdministratorAccountCommand,
  DisassociateMembersCommand,
  GetAdministratorAccountCommand,
  GetMembersCommand,
  GuardDutyClient,
  GuardDutyClientConfig,
  InviteMembersCommand,
  ListDetectorsCommand,
  ListFindingsCommand,
  ListInvitationsCommand,
  ListMembersCommand,
} from '@aws-sdk/client-guardduty';
import { GuardDutyEmulator, RelationshipStatus, ServiceModel, UNPROCESSED_RESULT } from './support/guardduty-emulator';

const ADMIN = '111111111111';
const MEMBER = '222222222222';
const OTHER_ADMIN = '333333333333';
const REGION = 'us-east-1';
const model = ServiceModel.load();

let emulator: GuardDutyEmulator;
const clients: GuardDutyClient[] = [];

beforeAll(async () => {
  emulator = await GuardDutyEmulator.start();
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());
afterEach(() => clients.splice(0).forEach((client) => client.destroy()));

/** A real SDK client signed as `account`; no retries unless the test asks for them. */
function guardDuty(account = ADMIN, config: Partial<GuardDutyClientConfig> = {}, target = emulator): GuardDutyClient {
  const client = new GuardDutyClient({ ...target.clientConfig(account, REGION), maxAttempts: 1, ...config });
  clients.push(client);
  return client;
}

/** What a failed send threw, for assertions on name, message and metadata. */
async function failure(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number; attempts?: number }; code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

/**
 * Node's "socket hang up" (code ECONNRESET). Under jest the SDK's retry middleware sees
 * Node's error from another realm (`instanceof Error` is false) and wraps it in a plain
 * Error whose message keeps the text but not `code`, so the message is what to match.
 */
const NETWORK_ERROR = /socket hang up/;

function accountId(n: number): string {
  return String(100000000000 + n);
}

/** The administrator's detector with `member` created (and optionally in a given status). */
function adminWithMember(status?: RelationshipStatus, member = MEMBER): string {
  const detectorId = emulator.seedDetector(ADMIN, REGION);
  emulator.seedMember(ADMIN, REGION, { accountId: member, relationshipStatus: status });
  return detectorId;
}

function statusOf(member: string, admin = ADMIN): string | undefined {
  return emulator.members(admin, REGION).find((record) => record.accountId === member)?.relationshipStatus;
}

describe('detectors', () => {
  test('CreateDetector creates the one detector ListDetectors returns', async () => {
    const gd = guardDuty();
    expect((await gd.send(new ListDetectorsCommand({}))).DetectorIds).toEqual([]);

    const { DetectorId } = await gd.send(new CreateDetectorCommand({ Enable: true }));

    expect(DetectorId).toMatch(/^[0-9a-f]{32}$/);
    expect((await gd.send(new ListDetectorsCommand({}))).DetectorIds).toEqual([DetectorId]);
  });

  test('a second CreateDetector is a BadRequestException', async () => {
    emulator.seedDetector(ADMIN, REGION);
    const error = await failure(guardDuty().send(new CreateDetectorCommand({ Enable: true })));
    expect(error.name).toBe('BadRequestException');
    expect(error.message).toBe('The request is rejected because a detector already exists for the current account.');
  });

  test('detectors belong to one account and region', async () => {
    emulator.seedDetector(ADMIN, REGION);
    expect((await guardDuty(MEMBER).send(new ListDetectorsCommand({}))).DetectorIds).toEqual([]);
    expect((await guardDuty(ADMIN, { region: 'eu-west-1' }).send(new ListDetectorsCommand({}))).DetectorIds).toEqual([]);
  });

  test("another account's detector ID is rejected", async () => {
    const memberDetector = emulator.seedDetector(MEMBER, REGION);
    emulator.seedDetector(ADMIN, REGION);
    const error = await failure(guardDuty().send(new ListMembersCommand({ DetectorId: memberDetector })));
    expect(error.name).toBe('BadRequestException');
    expect(error.message).toBe('The request is rejected because the input detectorId is not owned by the current account.');
  });
});

describe('members, administrator side', () => {
  test('CreateMembers records a Created member that GetMembers returns with every field', async () => {
    const DetectorId = emulator.seedDetector(ADMIN, REGION);
    const gd = guardDuty();

    const created = await gd.send(new CreateMembersCommand({ DetectorId, AccountDetails: [{ AccountId: MEMBER, Email: 'member@example.com' }] }));
    const got = await gd.send(new GetMembersCommand({ DetectorId, AccountIds: [MEMBER] }));

    expect(created.UnprocessedAccounts).toEqual([]);
    expect(got.UnprocessedAccounts).toEqual([]);
    expect(got.Members).toEqual([
      {
        AccountId: MEMBER,
        Email: 'member@example.com',
        RelationshipStatus: 'Created',
        MasterId: ADMIN,
        AdministratorId: ADMIN,
        UpdatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    ]);
  });

  test('InviteMembers makes a Created member Invited and sends one invitation', async () => {
    const DetectorId = adminWithMember('Created');

    const result = await guardDuty().send(new InviteMembersCommand({ DetectorId, AccountIds: [MEMBER] }));

    expect(result.UnprocessedAccounts).toEqual([]);
    expect(statusOf(MEMBER)).toBe('Invited');
    expect(emulator.invitationsSentTo(MEMBER)).toBe(1);
  });

  test.each<RelationshipStatus>(['Removed', 'Resigned', 'EmailVerificationFailed'])('InviteMembers invites a %s member again', async (status) => {
    const DetectorId = adminWithMember(status);
    const result = await guardDuty().send(new InviteMembersCommand({ DetectorId, AccountIds: [MEMBER] }));
    expect(result.UnprocessedAccounts).toEqual([]);
    expect(statusOf(MEMBER)).toBe('Invited');
  });

  test('ListMembers lists associated members by default and all with onlyAssociated false', async () => {
    const DetectorId = emulator.seedDetector(ADMIN, REGION);
    const statuses: RelationshipStatus[] = ['Created', 'Invited', 'Enabled', 'Disabled', 'Removed'];
    statuses.forEach((relationshipStatus, i) => emulator.seedMember(ADMIN, REGION, { accountId: accountId(i), relationshipStatus }));
    const gd = guardDuty();

    const associated = await gd.send(new ListMembersCommand({ DetectorId }));
    const all = await gd.send(new ListMembersCommand({ DetectorId, OnlyAssociated: 'false' }));

    expect(associated.Members?.map((m) => m.RelationshipStatus)).toEqual(['Enabled', 'Disabled']);
    expect(all.Members?.map((m) => m.RelationshipStatus)).toEqual(statuses);
  });

  test('ListMembers pages with maxResults and nextToken', async () => {
    const DetectorId = emulator.seedDetector(ADMIN, REGION);
    [0, 1, 2].forEach((i) => emulator.seedMember(ADMIN, REGION, { accountId: accountId(i) }));
    const gd = guardDuty();

    const first = await gd.send(new ListMembersCommand({ DetectorId, OnlyAssociated: 'false', MaxResults: 2 }));
    const second = await gd.send(new ListMembersCommand({ DetectorId, OnlyAssociated: 'false', MaxResults: 2, NextToken: first.NextToken }));

    expect(first.Members?.map((m) => m.AccountId)).toEqual([accountId(0), accountId(1)]);
    expect(second.Members?.map((m) => m.AccountId)).toEqual([accountId(2)]);
    expect(second.NextToken).toBeUndefined();
  });

  test('DisassociateMembers makes a member Removed, and DeleteMembers then deletes it', async () => {
    const DetectorId = adminWithMember('Enabled');
    const gd = guardDuty();

    const disassociated = await gd.send(new DisassociateMembersCommand({ DetectorId, AccountIds: [MEMBER] }));
    expect(disassociated.UnprocessedAccounts).toEqual([]);
    expect(statusOf(MEMBER)).toBe('Removed');

    const deleted = await gd.send(new DeleteMembersCommand({ DetectorId, AccountIds: [MEMBER] }));
    expect(deleted.UnprocessedAccounts).toEqual([]);
    expect(emulator.members(ADMIN, REGION)).toEqual([]);
  });
});

describe('input validation, with the limits read from the API model', () => {
  const accountIds = model.shapeAt('InviteMembers', 'AccountIds');
  const accountIdLength = model.shapeAt('InviteMembers', 'AccountIds', 'member');
  const email = model.shapeAt('CreateMembers', 'AccountDetails', 'member', 'Email');

  test('the model gives the limits GuardDuty documents', () => {
    expect([accountIds.min, accountIds.max, accountIdLength.min, accountIdLength.max, email.max]).toEqual([1, 50, 12, 12, 64]);
  });

  test('one account ID more than the list maximum is a BadRequestException, and nothing is applied', async () => {
    const DetectorId = emulator.seedDetector(ADMIN, REGION);
    const tooMany = Array.from({ length: accountIds.max! + 1 }, (_, i) => ({ AccountId: accountId(i), Email: 'a@example.com' }));

    const error = await failure(guardDuty().send(new CreateMembersCommand({ DetectorId, AccountDetails: tooMany })));

    expect(error.name).toBe('BadRequestException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toBe(`1 validation error detected: Value at 'accountDetails' failed to satisfy constraint: Member must have length less than or equal to ${accountIds.max}`);
    expect(emulator.members(ADMIN, REGION)).toEqual([]);
  });

  test('an empty account ID list is a BadRequestException', async () => {
    const DetectorId = emulator.seedDetector(ADMIN, REGION);
    const error = await failure(guardDuty().send(new GetMembersCommand({ DetectorId, AccountIds: [] })));
    expect(error.name).toBe('BadRequestException');
    expect(error.message).toContain(`Member must have length greater than or equal to ${accountIds.min}`);
  });

  test('an account ID one character short is a BadRequestException naming the element', async () => {
    const DetectorId = emulator.seedDetector(ADMIN, REGION);
    const short = MEMBER.slice(0, accountIdLength.min! - 1);
    const error = await failure(guardDuty().send(new InviteMembersCommand({ DetectorId, AccountIds: [MEMBER, short] })));
    expect(error.name).toBe('BadRequestException');
    expect(error.message).toContain(`Value at 'accountIds.2.member' failed to satisfy constraint: Member must have length greater than or equal to ${accountIdLength.min}`);
  });

  test('an email one character over the maximum is a BadRequestException', async () => {
    const DetectorId = emulator.seedDetector(ADMIN, REGION);
    const domain = '@example.com';
    const long = 'a'.repeat(email.max! + 1 - domain.length) + domain;
    const error = await failure(guardDuty().send(new CreateMembersCommand({ DetectorId, AccountDetails: [{ AccountId: MEMBER, Email: long }] })));
    expect(error.name).toBe('BadRequestException');
    expect(error.message).toContain(`Value at 'accountDetails.1.member.email' failed to satisfy constraint: Member must have length less than or equal to ${email.max}`);
  });

  test('a query-string parameter out of range is a BadRequestException', async () => {
    const DetectorId = emulator.seedDetector(ADMIN, REGION);
    const maxResults = model.shapeAt('ListMembers', 'MaxResults');
    const error = await failure(guardDuty().send(new ListMembersCommand({ DetectorId, MaxResults: maxResults.max! + 1 })));
    expect(error.name).toBe('BadRequestException');
    expect(error.message).toContain(`Value at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to ${maxResults.max}`);
  });

  test('a missing required member is a BadRequestException', async () => {
    const DetectorId = emulator.seedDetector(ADMIN, REGION);
    const error = await failure(guardDuty().send(new CreateMembersCommand({ DetectorId, AccountDetails: [{ AccountId: MEMBER }] as never })));
    expect(error.message).toContain("Value at 'accountDetails.1.member.email' failed to satisfy constraint: Member must not be null");
  });
});

describe('unprocessed accounts', () => {
  async function unprocessed(command: 'Create' | 'Invite' | 'Get' | 'Disassociate' | 'Delete', detectorId: string, account: string): Promise<unknown> {
    const gd = guardDuty();
    const AccountIds = [account];
    const output =
      command === 'Create'
        ? await gd.send(new CreateMembersCommand({ DetectorId: detectorId, AccountDetails: [{ AccountId: account, Email: 'a@example.com' }] }))
        : command === 'Invite'
          ? await gd.send(new InviteMembersCommand({ DetectorId: detectorId, AccountIds }))
          : command === 'Get'
            ? await gd.send(new GetMembersCommand({ DetectorId: detectorId, AccountIds }))
            : command === 'Disassociate'
              ? await gd.send(new DisassociateMembersCommand({ DetectorId: detectorId, AccountIds }))
              : await gd.send(new DeleteMembersCommand({ DetectorId: detectorId, AccountIds }));
    return output.UnprocessedAccounts;
  }

  test('CreateMembers for an existing member: already a member', async () => {
    const detectorId = adminWithMember('Created');
    expect(await unprocessed('Create', detectorId, MEMBER)).toEqual([{ AccountId: MEMBER, Result: UNPROCESSED_RESULT.ALREADY_MEMBER }]);
    expect(UNPROCESSED_RESULT.ALREADY_MEMBER).toBe('The request is rejected because the given account ID is already a member or associated member of the current account.');
  });

  test.each(['Create', 'Invite'] as const)('%sMembers for the administrator itself: cannot add itself', async (command) => {
    const detectorId = emulator.seedDetector(ADMIN, REGION);
    expect(await unprocessed(command, detectorId, ADMIN)).toEqual([{ AccountId: ADMIN, Result: UNPROCESSED_RESULT.SELF }]);
    expect(emulator.members(ADMIN, REGION)).toEqual([]);
  });

  test.each<RelationshipStatus>(['Invited', 'Enabled'])('InviteMembers for a member %s: already invited', async (status) => {
    const detectorId = adminWithMember(status);
    expect(await unprocessed('Invite', detectorId, MEMBER)).toEqual([{ AccountId: MEMBER, Result: UNPROCESSED_RESULT.ALREADY_INVITED }]);
    expect(UNPROCESSED_RESULT.ALREADY_INVITED).toBe('The request is rejected because the current account has already invited or is already the GuardDuty master of the given member account ID.');
    expect(emulator.invitationsSentTo(MEMBER)).toBe(0);
  });

  test.each(['Invite', 'Get', 'Disassociate', 'Delete'] as const)('%sMembers for an account that is not a member: not a member', async (command) => {
    const detectorId = emulator.seedDetector(ADMIN, REGION);
    expect(await unprocessed(command, detectorId, MEMBER)).toEqual([{ AccountId: MEMBER, Result: UNPROCESSED_RESULT.NOT_A_MEMBER }]);
    expect(UNPROCESSED_RESULT.NOT_A_MEMBER).toBe('The request is rejected because the given account ID is not an associated member of account the current account.');
  });

  test('InviteMembers for a member of an administrator outside the emulator: different administrator', async () => {
    const detectorId = adminWithMember('Created');
    emulator.setExternalAdministrator(MEMBER, OTHER_ADMIN);
    expect(await unprocessed('Invite', detectorId, MEMBER)).toEqual([{ AccountId: MEMBER, Result: UNPROCESSED_RESULT.OTHER_ADMINISTRATOR }]);
    expect(statusOf(MEMBER)).toBe('Created');
  });

  test('InviteMembers for an account that accepted another hosted administrator: different administrator', async () => {
    const detectorId = adminWithMember('Created');
    emulator.seedDetector(OTHER_ADMIN, REGION);
    emulator.seedMember(OTHER_ADMIN, REGION, { accountId: MEMBER, relationshipStatus: 'Enabled' });
    expect(await unprocessed('Invite', detectorId, MEMBER)).toEqual([{ AccountId: MEMBER, Result: UNPROCESSED_RESULT.OTHER_ADMINISTRATOR }]);
  });

  test.each<RelationshipStatus>(['Enabled', 'Invited'])('DeleteMembers for a member still %s: disassociate first', async (status) => {
    const detectorId = adminWithMember(status);
    expect(await unprocessed('Delete', detectorId, MEMBER)).toEqual([{ AccountId: MEMBER, Result: UNPROCESSED_RESULT.STILL_ASSOCIATED }]);
    expect(statusOf(MEMBER)).toBe(status);
  });

  test('a batch reports only the refused accounts and applies the rest', async () => {
    const DetectorId = adminWithMember('Enabled');
    const fresh = accountId(7);
    emulator.seedMember(ADMIN, REGION, { accountId: fresh });

    const result = await guardDuty().send(new InviteMembersCommand({ DetectorId, AccountIds: [MEMBER, fresh] }));

    expect(result.UnprocessedAccounts).toEqual([{ AccountId: MEMBER, Result: UNPROCESSED_RESULT.ALREADY_INVITED }]);
    expect(statusOf(fresh)).toBe('Invited');
  });
});

describe('email verification', () => {
  test('a member whose email verification fails ends EmailVerificationFailed', async () => {
    const DetectorId = adminWithMember('Created');
    emulator.failEmailVerification(MEMBER);
    await guardDuty().send(new InviteMembersCommand({ DetectorId, AccountIds: [MEMBER] }));
    expect(statusOf(MEMBER)).toBe('EmailVerificationFailed');
  });

  test('with a delay, an invited member is EmailVerificationInProgress until the delay has passed', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const delayed = await GuardDutyEmulator.start({ emailVerificationDelayMs: 60_000, clock: () => now });
    try {
      const DetectorId = delayed.seedDetector(ADMIN, REGION);
      delayed.seedMember(ADMIN, REGION, { accountId: MEMBER });
      const gd = guardDuty(ADMIN, {}, delayed);
      await gd.send(new InviteMembersCommand({ DetectorId, AccountIds: [MEMBER] }));
      const before = await gd.send(new GetMembersCommand({ DetectorId, AccountIds: [MEMBER] }));

      now += 60_000;
      const after = await gd.send(new GetMembersCommand({ DetectorId, AccountIds: [MEMBER] }));

      expect(before.Members?.[0].RelationshipStatus).toBe('EmailVerificationInProgress');
      expect(after.Members?.[0]).toMatchObject({ RelationshipStatus: 'Invited', InvitedAt: '2026-01-01T00:00:00.000Z', UpdatedAt: '2026-01-01T00:01:00.000Z' });
    } finally {
      await delayed.stop();
    }
  });

  test('InviteMembers for a member still EmailVerificationInProgress: already invited', async () => {
    const manual = await GuardDutyEmulator.start({ emailVerificationDelayMs: Infinity });
    try {
      const DetectorId = manual.seedDetector(ADMIN, REGION);
      manual.seedMember(ADMIN, REGION, { accountId: MEMBER, relationshipStatus: 'EmailVerificationInProgress' });
      const { UnprocessedAccounts } = await guardDuty(ADMIN, {}, manual).send(new InviteMembersCommand({ DetectorId, AccountIds: [MEMBER] }));
      expect(UnprocessedAccounts).toEqual([{ AccountId: MEMBER, Result: UNPROCESSED_RESULT.ALREADY_INVITED }]);
    } finally {
      await manual.stop();
    }
  });

  test('with an infinite delay, completeEmailVerification settles members', async () => {
    const manual = await GuardDutyEmulator.start({ emailVerificationDelayMs: Infinity });
    try {
      const DetectorId = manual.seedDetector(ADMIN, REGION);
      const failing = accountId(9);
      [MEMBER, failing].forEach((account) => manual.seedMember(ADMIN, REGION, { accountId: account }));
      manual.failEmailVerification(failing);
      await guardDuty(ADMIN, {}, manual).send(new InviteMembersCommand({ DetectorId, AccountIds: [MEMBER, failing] }));
      expect(manual.members(ADMIN, REGION).map((m) => m.relationshipStatus)).toEqual(['EmailVerificationInProgress', 'EmailVerificationInProgress']);

      manual.completeEmailVerification();

      expect(manual.members(ADMIN, REGION).map((m) => m.relationshipStatus)).toEqual(['Invited', 'EmailVerificationFailed']);
    } finally {
      await manual.stop();
    }
  });
});

describe('the member account', () => {
  test('sees the invitation, accepts it, and the administrator sees it Enabled', async () => {
    const DetectorId = emulator.seedDetector(ADMIN, REGION);
    const admin = guardDuty(ADMIN);
    const member = guardDuty(MEMBER);
    await admin.send(new CreateMembersCommand({ DetectorId, AccountDetails: [{ AccountId: MEMBER, Email: 'member@example.com' }] }));
    await admin.send(new InviteMembersCommand({ DetectorId, AccountIds: [MEMBER] }));

    const { Invitations } = await member.send(new ListInvitationsCommand({}));
    const memberDetector = (await member.send(new CreateDetectorCommand({ Enable: true }))).DetectorId!;
    await member.send(new AcceptAdministratorInvitationCommand({ DetectorId: memberDetector, AdministratorId: ADMIN, InvitationId: Invitations![0].InvitationId }));

    expect(Invitations).toEqual([{ AccountId: ADMIN, InvitationId: expect.any(String), InvitedAt: expect.any(String), RelationshipStatus: 'Invited' }]);
    const { Members } = await admin.send(new GetMembersCommand({ DetectorId, AccountIds: [MEMBER] }));
    expect(Members?.[0]).toMatchObject({ RelationshipStatus: 'Enabled', DetectorId: memberDetector });
    const { Administrator } = await member.send(new GetAdministratorAccountCommand({ DetectorId: memberDetector }));
    expect(Administrator).toMatchObject({ AccountId: ADMIN, RelationshipStatus: 'Enabled' });
    expect((await member.send(new ListInvitationsCommand({}))).Invitations).toEqual([]);
  });

  test('leaving the administrator makes the member Resigned on the administrator side', async () => {
    adminWithMember('Enabled');
    const DetectorId = emulator.seedDetector(MEMBER, REGION);
    const member = guardDuty(MEMBER);

    await member.send(new DisassociateFromAdministratorAccountCommand({ DetectorId }));

    expect(statusOf(MEMBER)).toBe('Resigned');
    expect((await member.send(new GetAdministratorAccountCommand({ DetectorId }))).Administrator).toBeUndefined();
  });

  test('accepting with an invitation ID that is not pending is a BadRequestException', async () => {
    adminWithMember('Invited');
    const DetectorId = emulator.seedDetector(MEMBER, REGION);
    const error = await failure(guardDuty(MEMBER).send(new AcceptAdministratorInvitationCommand({ DetectorId, AdministratorId: ADMIN, InvitationId: 'not-the-invitation' })));
    expect(error.name).toBe('BadRequestException');
    expect(statusOf(MEMBER)).toBe('Invited');
  });
});

describe('protocol edges', () => {
  test('credentials that name no account are an UnrecognizedClientException', async () => {
    const gd = guardDuty(ADMIN, { credentials: { accessKeyId: 'NOT-AN-ACCOUNT-KEY', secretAccessKey: 'x' } });
    const error = await failure(gd.send(new ListDetectorsCommand({})));
    expect(error.name).toBe('UnrecognizedClientException');
    expect(error.$metadata?.httpStatusCode).toBe(403);
  });

  test('errors carry x-amzn-ErrorType and a { message, __type } body; responses use wire names', async () => {
    const detectorId = adminWithMember('Created');
    const headers = { authorization: `AWS4-HMAC-SHA256 Credential=AKIA${ADMIN}X/20260101/${REGION}/guardduty/aws4_request, SignedHeaders=host, Signature=0` };
    const post = (body: unknown) => fetch(`${emulator.endpoint}/detector/${detectorId}/member/get`, { method: 'POST', headers, body: JSON.stringify(body) });

    const rejected = await post({ accountIds: [] });
    const accepted = await post({ accountIds: [MEMBER, OTHER_ADMIN] });

    expect(rejected.status).toBe(400);
    expect(rejected.headers.get('x-amzn-errortype')).toBe('BadRequestException');
    expect(await rejected.json()).toEqual({ message: expect.stringContaining("Value at 'accountIds'"), __type: 'BadRequestException' });
    expect(await accepted.json()).toEqual({
      members: [expect.objectContaining({ accountId: MEMBER, masterId: ADMIN, administratorId: ADMIN, relationshipStatus: 'Created', email: expect.any(String), updatedAt: expect.any(String) })],
      unprocessedAccounts: [{ accountId: OTHER_ADMIN, result: UNPROCESSED_RESULT.NOT_A_MEMBER }],
    });
  });

  test('a value of the wrong type is a BadRequestException', async () => {
    const detectorId = emulator.seedDetector(ADMIN, REGION);
    const headers = { authorization: `AWS4-HMAC-SHA256 Credential=AKIA${ADMIN}X/20260101/${REGION}/guardduty/aws4_request, SignedHeaders=host, Signature=0` };
    const response = await fetch(`${emulator.endpoint}/detector/${detectorId}/member/invite`, { method: 'POST', headers, body: JSON.stringify({ accountIds: MEMBER }) });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toContain("Value at 'accountIds' failed to satisfy constraint: Member must be of type list");
  });

  test('an operation the emulator does not implement is answered 501 by name', async () => {
    const error = await failure(guardDuty().send(new ListFindingsCommand({ DetectorId: 'abc' })));
    expect(error.name).toBe('NotImplementedException');
    expect(error.message).toBe('The GuardDuty emulator does not implement ListFindings.');
  });
});

describe('faults', () => {
  test('latencyMs delays every call', async () => {
    emulator.setFaults({ latencyMs: 150 });
    const started = performance.now();
    await guardDuty().send(new ListDetectorsCommand({}));
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    expect(emulator.calls()[0].durationMs).toBeGreaterThanOrEqual(145);
  });

  test('a call over the rate limit is a TooManyRequestsException (429) that changes nothing', async () => {
    const DetectorId = emulator.seedDetector(ADMIN, REGION);
    emulator.setFaults({ rateLimit: { ratePerSecond: 0.5, burst: 1 } });
    const gd = guardDuty();
    await gd.send(new ListDetectorsCommand({}));

    const error = await failure(gd.send(new CreateMembersCommand({ DetectorId, AccountDetails: [{ AccountId: MEMBER, Email: 'a@example.com' }] })));

    expect(error.name).toBe('TooManyRequestsException');
    expect(error.$metadata?.httpStatusCode).toBe(429);
    expect(emulator.members(ADMIN, REGION)).toEqual([]);
    expect(emulator.calls().map((call) => call.fault)).toEqual([undefined, 'throttled']);
  });

  test('the SDK retries a throttled call until the bucket refills', async () => {
    emulator.setFaults({ rateLimit: { ratePerSecond: 20, burst: 1 } });
    const gd = guardDuty(ADMIN, { maxAttempts: 4 });
    await gd.send(new ListDetectorsCommand({}));

    const output = await gd.send(new ListDetectorsCommand({}));

    expect(output.$metadata.attempts).toBeGreaterThan(1);
    expect(emulator.calls().filter((call) => call.fault === 'throttled').length).toBe(output.$metadata.attempts! - 1);
  });

  test('serverErrors.nextCalls answers that many calls with InternalServerErrorException and no change', async () => {
    const DetectorId = adminWithMember('Created');
    emulator.setFaults({ serverErrors: { nextCalls: 2 } });
    const gd = guardDuty();
    const invite = () => gd.send(new InviteMembersCommand({ DetectorId, AccountIds: [MEMBER] }));

    const errors = [await failure(invite()), await failure(invite())];
    expect(errors.map((e) => [e.name, e.$metadata?.httpStatusCode])).toEqual([
      ['InternalServerErrorException', 500],
      ['InternalServerErrorException', 500],
    ]);
    expect(statusOf(MEMBER)).toBe('Created');

    expect((await invite()).UnprocessedAccounts).toEqual([]);
    expect(statusOf(MEMBER)).toBe('Invited');
  });

  test('the SDK retries a 500 burst', async () => {
    emulator.setFaults({ serverErrors: { nextCalls: 2 } });
    const output = await guardDuty(ADMIN, { maxAttempts: 3 }).send(new ListDetectorsCommand({}));
    expect(output.$metadata.attempts).toBe(3);
  });

  test('faults can be limited to operations', async () => {
    const DetectorId = adminWithMember('Created');
    emulator.setFaults({ serverErrors: { nextCalls: 1, operations: ['InviteMembers'] } });
    const gd = guardDuty();
    await gd.send(new ListDetectorsCommand({}));
    expect((await failure(gd.send(new InviteMembersCommand({ DetectorId, AccountIds: [MEMBER] })))).name).toBe('InternalServerErrorException');
  });

  test('a probability of faults fails the same calls for the same seed', async () => {
    const pattern = async (): Promise<boolean[]> => {
      emulator.setFaults({ serverErrors: { probability: 0.5 }, seed: 42 });
      const gd = guardDuty();
      const outcomes: boolean[] = [];
      for (let i = 0; i < 20; i++) {
        outcomes.push(
          await gd.send(new ListDetectorsCommand({})).then(
            () => true,
            () => false,
          ),
        );
      }
      return outcomes;
    };
    const first = await pattern();
    expect(await pattern()).toEqual(first);
    expect(first).toContain(true);
    expect(first).toContain(false);
  });

  test('a dropped connection is a network error and changes nothing', async () => {
    const DetectorId = emulator.seedDetector(ADMIN, REGION);
    emulator.setFaults({ dropConnections: { nextCalls: 1 } });

    const error = await failure(guardDuty().send(new CreateMembersCommand({ DetectorId, AccountDetails: [{ AccountId: MEMBER, Email: 'a@example.com' }] })));

    expect(error.message).toMatch(NETWORK_ERROR);
    expect(error.$metadata?.httpStatusCode).toBeUndefined();
    expect(emulator.members(ADMIN, REGION)).toEqual([]);
    expect(emulator.calls()[0]).toMatchObject({ operation: 'CreateMembers', statusCode: 0, fault: 'dropped' });
  });

  test('a connection dropped after apply loses the response of a write that happened', async () => {
    const DetectorId = emulator.seedDetector(ADMIN, REGION);
    emulator.setFaults({ dropConnections: { nextCalls: 1, afterApply: true } });
    const gd = guardDuty();
    const create = () => gd.send(new CreateMembersCommand({ DetectorId, AccountDetails: [{ AccountId: MEMBER, Email: 'a@example.com' }] }));

    expect((await failure(create())).message).toMatch(NETWORK_ERROR);
    expect(statusOf(MEMBER)).toBe('Created');
    expect((await create()).UnprocessedAccounts).toEqual([{ AccountId: MEMBER, Result: UNPROCESSED_RESULT.ALREADY_MEMBER }]);
  });

  test('a slow response outlasts the client timeout after the change is applied', async () => {
    const DetectorId = emulator.seedDetector(ADMIN, REGION);
    emulator.setFaults({ slowResponses: { nextCalls: 1, delayMs: 300 } });
    // This SDK only warns when requestTimeout passes unless told to throw.
    const gd = guardDuty(ADMIN, { requestHandler: { requestTimeout: 50, throwOnRequestTimeout: true } });

    const error = await failure(gd.send(new CreateMembersCommand({ DetectorId, AccountDetails: [{ AccountId: MEMBER, Email: 'a@example.com' }] })));

    expect(error.name).toBe('TimeoutError');
    expect(statusOf(MEMBER)).toBe('Created');
  });
});

describe('call log', () => {
  test('records operation, caller, region, status and batch size of every call', async () => {
    const DetectorId = emulator.seedDetector(ADMIN, REGION);
    const gd = guardDuty();
    const details = [MEMBER, accountId(1), accountId(2)].map((AccountId) => ({ AccountId, Email: 'a@example.com' }));
    await gd.send(new CreateMembersCommand({ DetectorId, AccountDetails: details }));
    await gd.send(new GetMembersCommand({ DetectorId, AccountIds: [MEMBER] }));
    await failure(gd.send(new InviteMembersCommand({ DetectorId, AccountIds: [] })));

    expect(emulator.calls()).toEqual([
      expect.objectContaining({ sequence: 0, operation: 'CreateMembers', accountId: ADMIN, region: REGION, statusCode: 200, accountCount: 3, startedAt: expect.any(Number) }),
      expect.objectContaining({ sequence: 1, operation: 'GetMembers', statusCode: 200, accountCount: 1 }),
      expect.objectContaining({ sequence: 2, operation: 'InviteMembers', statusCode: 400, accountCount: 0 }),
    ]);
    expect([emulator.callCount(), emulator.callCount('GetMembers'), emulator.writeCallCount()]).toEqual([3, 1, 2]);
  });

  test('a call still in flight at reset is cut off and never logged', async () => {
    emulator.setFaults({ latencyMs: 5_000 });
    const pending = failure(guardDuty().send(new ListDetectorsCommand({})));
    await new Promise((resolve) => setTimeout(resolve, 50));

    emulator.reset();

    expect((await pending).message).toMatch(NETWORK_ERROR);
    expect([emulator.callCount(), emulator.peakConcurrency()]).toEqual([0, 0]);
  });

  test('counts the peak of concurrent calls', async () => {
    emulator.setFaults({ latencyMs: 100 });
    const gd = guardDuty();
    await Promise.all(Array.from({ length: 5 }, () => gd.send(new ListDetectorsCommand({}))));
    expect(emulator.peakConcurrency()).toBe(5);
  });
});
