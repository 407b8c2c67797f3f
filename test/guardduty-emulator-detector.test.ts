import { GetDetectorCommand, GuardDutyClient, UpdateDetectorCommand } from '@aws-sdk/client-guardduty';
import { GuardDutyEmulator } from './support/guardduty-emulator';

const ADMIN = '111111111111';
const MEMBER = '222222222222';
const REGION = 'us-east-1';

let emulator: GuardDutyEmulator;
const clients: GuardDutyClient[] = [];

beforeAll(async () => {
  emulator = await GuardDutyEmulator.start();
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());
afterEach(() => clients.splice(0).forEach((client) => client.destroy()));

function guardDuty(account: string): GuardDutyClient {
  const client = new GuardDutyClient({ ...emulator.clientConfig(account, REGION), maxAttempts: 1 });
  clients.push(client);
  return client;
}

function memberStatus(): string | undefined {
  return emulator.members(ADMIN, REGION).find((member) => member.accountId === MEMBER)?.relationshipStatus;
}

describe('the detector', () => {
  test('GetDetector shows a new detector ENABLED, with its service role and timestamps', async () => {
    const detectorId = emulator.seedDetector(MEMBER, REGION);

    const detector = await guardDuty(MEMBER).send(new GetDetectorCommand({ DetectorId: detectorId }));

    expect(detector).toMatchObject({
      Status: 'ENABLED',
      ServiceRole: `arn:aws:iam::${MEMBER}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty`,
      CreatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  test('GetDetector of another account\'s detector is a BadRequestException', async () => {
    const detectorId = emulator.seedDetector(MEMBER, REGION);
    emulator.seedDetector(ADMIN, REGION);

    await expect(guardDuty(ADMIN).send(new GetDetectorCommand({ DetectorId: detectorId }))).rejects.toMatchObject({ name: 'BadRequestException' });
  });

  test('a member that suspends its detector is Disabled on the administrator\'s side, and Enabled again when it re-enables it', async () => {
    emulator.seedDetector(ADMIN, REGION);
    emulator.seedMember(ADMIN, REGION, { accountId: MEMBER, relationshipStatus: 'Enabled' });
    const detectorId = emulator.seedDetector(MEMBER, REGION);

    await guardDuty(MEMBER).send(new UpdateDetectorCommand({ DetectorId: detectorId, Enable: false }));
    const suspended = await guardDuty(MEMBER).send(new GetDetectorCommand({ DetectorId: detectorId }));
    const statusWhileSuspended = memberStatus();
    await guardDuty(MEMBER).send(new UpdateDetectorCommand({ DetectorId: detectorId, Enable: true }));

    expect(suspended.Status).toBe('DISABLED');
    expect(statusWhileSuspended).toBe('Disabled');
    expect(memberStatus()).toBe('Enabled');
  });

  test('suspending the detector of an account that only has a pending invitation leaves the invitation as it is', async () => {
    emulator.seedDetector(ADMIN, REGION);
    emulator.seedMember(ADMIN, REGION, { accountId: MEMBER, relationshipStatus: 'Invited' });
    const detectorId = emulator.seedDetector(MEMBER, REGION);

    await guardDuty(MEMBER).send(new UpdateDetectorCommand({ DetectorId: detectorId, Enable: false }));

    expect(memberStatus()).toBe('Invited');
  });
});

describe('the finding publishing frequency', () => {
  test('a detector starts at SIX_HOURS; UpdateDetector sets it and GetDetector reports it, leaving the status', async () => {
    const detectorId = emulator.seedDetector(ADMIN, REGION);
    const admin = guardDuty(ADMIN);

    expect((await admin.send(new GetDetectorCommand({ DetectorId: detectorId }))).FindingPublishingFrequency).toBe('SIX_HOURS');
    await admin.send(new UpdateDetectorCommand({ DetectorId: detectorId, FindingPublishingFrequency: 'FIFTEEN_MINUTES' }));

    expect(await admin.send(new GetDetectorCommand({ DetectorId: detectorId }))).toMatchObject({ FindingPublishingFrequency: 'FIFTEEN_MINUTES', Status: 'ENABLED' });
    expect(emulator.findingPublishingFrequency(ADMIN, REGION)).toBe('FIFTEEN_MINUTES');
  });

  test('a frequency that is not GuardDuty\'s is refused at the wire, as GuardDuty refuses it', async () => {
    const detectorId = emulator.seedDetector(ADMIN, REGION);
    await expect(guardDuty(ADMIN).send(new UpdateDetectorCommand({ DetectorId: detectorId, FindingPublishingFrequency: 'DAILY' as never }))).rejects.toMatchObject({ name: 'BadRequestException' });
    expect(emulator.findingPublishingFrequency(ADMIN, REGION)).toBe('SIX_HOURS');
  });
});
