import { Duration } from 'aws-cdk-lib';
import { GuardDutyMemberInvitationsProps, UnprocessedAccountsAction } from '../../lib';
import { GuardDutyEmulator } from '../support/guardduty-emulator';
import { appliedOutcome } from '../support/lifecycle/invariants';
import { ADMIN, REGION, account, ids, lifecycleHarness, physicalId } from '../support/lifecycle/lifecycle-harness';

/**
 * The verification wait: onEvent invites, the framework's waiter polls isComplete until
 * GuardDuty has verified every invited account's email (or failed to).
 */
const h = lifecycleHarness('email-verification');
const { report, check, deployment, statuses, invitations } = h;

describe('email verification through the isComplete step', () => {
  const [a, b, c] = [account(11), account(12), account(13)];
  let verifying: GuardDutyEmulator;
  let verifyingDetectorId: string;
  /** GuardDuty finishes verifying while the waiter waits after its second poll, however slow the machine. */
  const verifiedAfterSecondPoll = { betweenPolls: (poll: number) => (poll === 2 ? verifying.completeEmailVerification() : undefined) };

  beforeAll(async () => {
    verifying = await GuardDutyEmulator.start({ emailVerificationDelayMs: Infinity });
  });
  beforeEach(() => {
    verifying.reset();
    verifyingDetectorId = verifying.seedDetector(ADMIN, REGION);
    verifying.failEmailVerification(b.accountId);
  });
  afterAll(() => verifying.stop());

  const props = (onUnprocessed: UnprocessedAccountsAction): GuardDutyMemberInvitationsProps => ({
    detectorId: verifyingDetectorId,
    members: [a, b, c],
    onUnprocessed,
    verificationTimeout: Duration.minutes(5),
  });

  report.scenario('REPORT: isComplete is polled until GuardDuty settles, and the account whose verification failed is reported unprocessed', async () => {
    const resource = deployment([props(UnprocessedAccountsAction.REPORT)], verifying, 50);
    expect(resource.properties[0].VerificationTimeoutSeconds).toBe('300');

    const created = await resource.send(resource.events.create(resource.properties[0]), verifiedAfterSecondPoll);

    expect(created.isCompletePolls).toBe(3);
    expect(created.response).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: physicalId(verifyingDetectorId),
      Data: { InvitedAccountIds: ids([a, c]).join(','), InvitedAccountCount: '2', UnprocessedAccountIds: b.accountId, UnprocessedAccountCount: '1', AlreadyMemberAccountCount: '0' },
    });
    check.everyAccountReportedOnce(created, ids([a, b, c]));
    expect(statuses(verifying)).toEqual({ [a.accountId]: 'Invited', [b.accountId]: 'EmailVerificationFailed', [c.accountId]: 'Invited' });
  });

  report.scenario('FAIL: the failed verification fails the deployment, naming the account, and the response (reason and data) still fits', async () => {
    const resource = deployment([props(UnprocessedAccountsAction.FAIL)], verifying, 50);

    const created = await resource.send(resource.events.create(resource.properties[0]), verifiedAfterSecondPoll);

    expect(created.isCompletePolls).toBe(3);
    check.failureBoundedAndNamed(created, [b.accountId]);
    check.physicalIdStable(created, physicalId(verifyingDetectorId));
    expect(created.response.Reason).toMatch(/Email verification failed/);
    expect(invitations([a, b, c], verifying)).toEqual([1, 1, 1]);
  });
});

describe('regressions in the verification wait', () => {
  const [a, b] = [account(31), account(32)];


  report.scenario(
    'isComplete keeps the counts adding up when a failed verification is of an account this run reported as already a member (an earlier run\'s invitation, still being verified)',
    async () => {
      const verifying = await GuardDutyEmulator.start({ emailVerificationDelayMs: Infinity });
      try {
        const verifyingDetectorId = verifying.seedDetector(ADMIN, REGION);
        verifying.failEmailVerification(b.accountId);
        const resource = deployment(
          [
            { detectorId: verifyingDetectorId, members: [a, b], onUnprocessed: UnprocessedAccountsAction.REPORT, waitForVerification: false },
            { detectorId: verifyingDetectorId, members: [a, b], onUnprocessed: UnprocessedAccountsAction.REPORT, verificationTimeout: Duration.minutes(5) },
          ],
          verifying,
          50,
        );
        const created = await resource.send(resource.events.create(resource.properties[0]));
        expect(created.response.Data).toMatchObject({ InvitedAccountCount: '2' });

        // A deployment moments later, now waiting for verification: both accounts are still being verified.
        const updated = await resource.send(resource.events.update(created.response.PhysicalResourceId, resource.properties[1], resource.properties[0]), {
          betweenPolls: () => verifying.completeEmailVerification(),
        });

        expect(updated.response.Status).toBe('SUCCESS');
        expect(appliedOutcome(updated).alreadyMembers).toEqual(ids([a, b]));
        expect(updated.response.Data).toMatchObject({ UnprocessedAccountIds: b.accountId, UnprocessedAccountCount: '1' });
        check.everyAccountReportedOnce(updated, ids([a, b]));
      } finally {
        await verifying.stop();
      }
    },
  );
});
