import * as path from 'path';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { createEvent, deleteEvent, updateEvent } from '../support/cloudformation-events';
import { GuardDutyEmulator } from '../support/guardduty-emulator';
import { LambdaContainer } from '../support/lifecycle/lambda-container';

/**
 * Administrator and member deployments end to end, against the GuardDuty emulator over
 * HTTP, running the BUNDLED handlers (assets/*, what ships in the package) as Lambda would:
 * one container per account, configured by the standard AWS environment variables. The
 * provider framework's part (calling isComplete with onEvent's result) is played here.
 */
const ADMIN = '111111111111';
const MEMBER = '222222222222';
const OTHER_ADMIN = '333333333333';
const REGION = 'eu-west-1';
const ASSETS = path.join(__dirname, '..', '..', 'assets');

type Event = CloudFormationCustomResourceEvent & { PhysicalResourceId?: string; Data?: Record<string, string> };
interface Response {
  PhysicalResourceId?: string;
  IsComplete?: boolean;
  Data?: Record<string, string>;
}
interface Deployed {
  onEvent(event: Event): Promise<Response>;
  isComplete(event: Event): Promise<Response>;
}

/**
 * A bundle as deployed in one account and region: its two functions (onEvent and
 * isComplete), each in a warm Lambda container of its own (a child process: the SDK in
 * the bundle loads node:http with a dynamic import(), which jest's module sandbox
 * refuses), with that account's credentials and the emulator's endpoint in the standard
 * SDK environment variables.
 */
async function deploy(bundle: 'member-invitations' | 'invitation-accepter', accountId: string, emulator: GuardDutyEmulator): Promise<Deployed> {
  const environment = { endpoint: emulator.endpoint, region: REGION, credentials: emulator.credentialsFor(accountId) };
  const start = (exportName: string) =>
    LambdaContainer.start({ logicalId: `${bundle}-${exportName}-${accountId}`, file: path.join(ASSETS, bundle, 'index.js'), exportName, timeoutMs: 120_000 }, environment);
  const [onEvent, isComplete] = await Promise.all([start('handler'), start('isComplete')]);
  const invoke = (container: LambdaContainer) => async (event: Event): Promise<Response> => {
    const outcome = await container.invoke(event, 120_000);
    if (outcome.kind !== 'result') {
      throw Object.assign(new Error(outcome.error.errorMessage), { name: outcome.error.errorType, trace: outcome.error.trace });
    }
    return outcome.result as Response;
  };
  return { onEvent: invoke(onEvent), isComplete: invoke(isComplete) };
}

afterAll(() => LambdaContainer.stopAll());

/** Events of a stack in the given account and the test's region. */
function inStackOf<T extends object>(accountId: string, event: T): T {
  return { ...event, StackId: `arn:aws:cloudformation:${REGION}:${accountId}:stack/guardduty-${accountId}/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b` };
}

const invitationProps = (extra: Record<string, unknown> = {}) => ({
  Members: [{ AccountId: MEMBER, Email: `aws-root+${MEMBER}@example.com` }],
  DisableEmailNotification: 'true',
  OnUnprocessed: 'FAIL',
  RemovalPolicy: 'DESTROY',
  VerificationTimeoutSeconds: '0',
  ...extra,
});
const accepterProps = (extra: Record<string, unknown> = {}) => ({ AdministratorAccountId: ADMIN, InvitationTimeoutSeconds: '900', RemovalPolicy: 'DESTROY', ...extra });

/** What the provider framework does after onEvent: isComplete with onEvent's result. */
function completion(event: Event, result: Response): Event {
  return { ...event, PhysicalResourceId: result.PhysicalResourceId!, Data: result.Data } as Event;
}

/** The provider framework's loop, minus its wait: isComplete until it says complete or fails. */
async function pollUntilComplete(deployed: Deployed, event: Event, polls = 5): Promise<Response> {
  for (let i = 0; i < polls; i++) {
    const result = await deployed.isComplete(event);
    if (result.IsComplete) {
      return result;
    }
  }
  throw new Error(`still in progress after ${polls} polls`);
}

function memberStatus(emulator: GuardDutyEmulator): string | undefined {
  return emulator.members(ADMIN, REGION).find((record) => record.accountId === MEMBER)?.relationshipStatus;
}

async function failure(promise: Promise<unknown>): Promise<Error & { trace?: string[] }> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: Error) => error,
  );
}

describe('with email verification settling at once', () => {
  let emulator: GuardDutyEmulator;
  let administrator: Deployed;
  let member: Deployed;
  let memberDetector: string;

  beforeAll(async () => {
    emulator = await GuardDutyEmulator.start();
  });
  afterAll(() => emulator.stop());
  beforeAll(async () => {
    administrator = await deploy('member-invitations', ADMIN, emulator);
    member = await deploy('invitation-accepter', MEMBER, emulator);
  });
  beforeEach(() => {
    emulator.reset();
    emulator.seedDetector(ADMIN, REGION);
    memberDetector = emulator.seedDetector(MEMBER, REGION);
  });

  test('the administrator invites, the member accepts: the administrator sees the member Enabled', async () => {
    const invited = await administrator.onEvent(inStackOf(ADMIN, createEvent(invitationProps())));
    expect(invited.Data).toMatchObject({ InvitedAccountIds: MEMBER });
    expect(memberStatus(emulator)).toBe('Invited');

    const accepted = await member.onEvent(inStackOf(MEMBER, createEvent(accepterProps())));

    expect(accepted).toEqual({
      PhysicalResourceId: `guardduty-administrator:${memberDetector}:${ADMIN}`,
      Data: { DetectorId: memberDetector, AdministratorAccountId: ADMIN, RelationshipStatus: 'Enabled' },
    });
    expect(memberStatus(emulator)).toBe('Enabled');
    expect(emulator.callCount('AcceptAdministratorInvitation')).toBe(1);
    expect(emulator.callCount('AcceptInvitation')).toBe(0);
  });

  test('re-runs on both sides change nothing: no second invitation, no second acceptance', async () => {
    const adminEvent = inStackOf(ADMIN, createEvent(invitationProps()));
    const memberEvent = inStackOf(MEMBER, createEvent(accepterProps()));
    await administrator.onEvent(adminEvent);
    await member.onEvent(memberEvent);

    await administrator.onEvent(adminEvent);
    const again = await member.onEvent(memberEvent);
    await administrator.onEvent(inStackOf(ADMIN, updateEvent(`guardduty-members:${emulator.detectorId(ADMIN, REGION)}`, invitationProps({ Message: 'hello' }), invitationProps())));

    expect(again.Data).toMatchObject({ RelationshipStatus: 'Enabled' });
    expect(emulator.invitationsSentTo(MEMBER)).toBe(1);
    expect(emulator.callCount('AcceptAdministratorInvitation')).toBe(1);
    expect(memberStatus(emulator)).toBe('Enabled');
  });

  test('the member deployed before the invitation exists waits, then accepts once the administrator invites', async () => {
    const memberEvent = inStackOf(MEMBER, createEvent(accepterProps()));
    const waiting = completion(memberEvent, await member.onEvent(memberEvent));
    expect(waiting.Data).toHaveProperty('InvitationDeadline');
    await expect(member.isComplete(waiting)).resolves.toEqual({ IsComplete: false });

    await administrator.onEvent(inStackOf(ADMIN, createEvent(invitationProps())));
    const done = await member.isComplete(waiting);

    expect(done).toEqual({ IsComplete: true, Data: { DetectorId: memberDetector, AdministratorAccountId: ADMIN, RelationshipStatus: 'Enabled' } });
    expect(memberStatus(emulator)).toBe('Enabled');
  });

  test('without an invitation, the wait ends in a failure that says why', async () => {
    const memberEvent = inStackOf(MEMBER, createEvent(accepterProps({ InvitationTimeoutSeconds: '60' })));
    const waiting = completion(memberEvent, await member.onEvent(memberEvent));
    await expect(member.isComplete(waiting)).resolves.toEqual({ IsComplete: false });

    // The provider framework hands isComplete the Data onEvent returned; a deadline in the
    // past is that state a minute later.
    const expired = { ...waiting, Data: { ...waiting.Data, InvitationDeadline: String(Date.now() - 1) } };
    const error = await failure(member.isComplete(expired));

    expect(error.message).toMatch(
      new RegExp(`^No GuardDuty invitation from administrator account ${ADMIN} reached account ${MEMBER} in ${REGION} within 1 minute: the administrator has not invited this account`),
    );
    // The trace Lambda reports, which the provider framework appends to the reason: one line.
    expect(error.trace).toEqual([`HandlerError: ${error.message}`]);
  });

  test('a member of another administrator fails, naming both, and stays where it is', async () => {
    emulator.setExternalAdministrator(MEMBER, OTHER_ADMIN);

    const error = await failure(member.onEvent(inStackOf(MEMBER, createEvent(accepterProps()))));

    expect(error.message).toContain(`Account ${MEMBER} is already associated with GuardDuty administrator account ${OTHER_ADMIN}`);
    expect(error.message).toContain(`not with ${ADMIN}`);
    expect(emulator.callCount('AcceptAdministratorInvitation')).toBe(0);
    expect(emulator.callCount('DisassociateFromAdministratorAccount')).toBe(0);
  });

  test('deleting the member (DESTROY) leaves the administrator, twice without harm; the administrator then deletes it', async () => {
    const adminEvent = inStackOf(ADMIN, createEvent(invitationProps()));
    const adminCreated = await administrator.onEvent(adminEvent);
    const memberCreated = await member.onEvent(inStackOf(MEMBER, createEvent(accepterProps())));
    const memberDelete = inStackOf(MEMBER, deleteEvent(memberCreated.PhysicalResourceId!, accepterProps()));

    await expect(member.onEvent(memberDelete)).resolves.toEqual({ PhysicalResourceId: memberCreated.PhysicalResourceId });
    expect(memberStatus(emulator)).toBe('Resigned');
    await expect(member.onEvent(memberDelete)).resolves.toEqual({ PhysicalResourceId: memberCreated.PhysicalResourceId });
    expect(emulator.callCount('DisassociateFromAdministratorAccount')).toBe(1);

    const adminDelete = inStackOf(ADMIN, deleteEvent(adminCreated.PhysicalResourceId!, invitationProps()));
    await administrator.onEvent(adminDelete);
    await administrator.onEvent(adminDelete);
    expect(emulator.members(ADMIN, REGION)).toEqual([]);
  });

  test('the administrator deleting first leaves the member nothing to do on its Delete', async () => {
    const adminCreated = await administrator.onEvent(inStackOf(ADMIN, createEvent(invitationProps())));
    const memberCreated = await member.onEvent(inStackOf(MEMBER, createEvent(accepterProps())));

    await administrator.onEvent(inStackOf(ADMIN, deleteEvent(adminCreated.PhysicalResourceId!, invitationProps())));
    await member.onEvent(inStackOf(MEMBER, deleteEvent(memberCreated.PhysicalResourceId!, accepterProps())));

    expect(emulator.members(ADMIN, REGION)).toEqual([]);
    expect(emulator.callCount('DisassociateFromAdministratorAccount')).toBe(0);
  });

  test('deleting the member with RETAIN keeps it the administrator\'s member', async () => {
    await administrator.onEvent(inStackOf(ADMIN, createEvent(invitationProps())));
    const created = await member.onEvent(inStackOf(MEMBER, createEvent(accepterProps({ RemovalPolicy: 'RETAIN' }))));

    await member.onEvent(inStackOf(MEMBER, deleteEvent(created.PhysicalResourceId!, accepterProps({ RemovalPolicy: 'RETAIN' }))));

    expect(memberStatus(emulator)).toBe('Enabled');
  });
});

describe('administrator and member stacks deploying together', () => {
  let emulator: GuardDutyEmulator;

  beforeAll(async () => {
    // Email verification holds each invitation until the test settles it.
    emulator = await GuardDutyEmulator.start({ emailVerificationDelayMs: Infinity });
  });
  afterAll(() => emulator.stop());

  test('both wait: the administrator for email verification, the member for the invitation; both complete once it is verified', async () => {
    emulator.seedDetector(ADMIN, REGION);
    const memberDetector = emulator.seedDetector(MEMBER, REGION);
    const administrator = await deploy('member-invitations', ADMIN, emulator);
    const member = await deploy('invitation-accepter', MEMBER, emulator);

    const memberEvent = inStackOf(MEMBER, createEvent(accepterProps({ DetectorId: memberDetector })));
    const adminEvent = inStackOf(ADMIN, createEvent(invitationProps({ VerificationTimeoutSeconds: '900' })));
    const memberWaiting = completion(memberEvent, await member.onEvent(memberEvent));
    const adminWaiting = completion(adminEvent, await administrator.onEvent(adminEvent));

    // Invited, but GuardDuty is still verifying the email: no invitation has reached the member.
    expect(memberStatus(emulator)).toBe('EmailVerificationInProgress');
    await expect(member.isComplete(memberWaiting)).resolves.toEqual({ IsComplete: false });
    await expect(administrator.isComplete(adminWaiting)).resolves.toEqual({ IsComplete: false });

    emulator.completeEmailVerification();

    await expect(pollUntilComplete(administrator, adminWaiting)).resolves.toMatchObject({ Data: { InvitedAccountIds: MEMBER, UnprocessedAccountCount: '0' } });
    await expect(pollUntilComplete(member, memberWaiting)).resolves.toMatchObject({ Data: { RelationshipStatus: 'Enabled' } });
    expect(memberStatus(emulator)).toBe('Enabled');
  });
});
