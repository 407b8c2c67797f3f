import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { UnprocessedAccountsAction } from '../../lib';
import { GuardDutyEmulator } from '../support/guardduty-emulator';
import { ADMIN, REGION, account, ids, lifecycleHarness, physicalId } from '../support/lifecycle/lifecycle-harness';

/**
 * CloudFormation's rollbacks that reach the handler. With aws-cdk-lib's provider framework
 * a step that fails in the isComplete step (the verification wait) is answered FAILED with
 * the physical ID onEvent returned (the framework's `safeHandler` substitutes its
 * CREATE_FAILED marker only for an event without one), so the Delete that rolls back a
 * failed Create reaches the handler, as the Update back to the old properties after a
 * failed Update always does. The stack is then ROLLBACK_IN_PROGRESS or
 * UPDATE_ROLLBACK_IN_PROGRESS, which the handler can read with DescribeStacks.
 */
const h = lifecycleHarness('rollback');
const { report, check } = h;

describe('rollbacks after a failed verification wait reach the handler', () => {
  const [adoptedOne, adoptedTwo, failing, declaredBefore] = [account(51), account(52), account(53), account(54)];
  let verifying: GuardDutyEmulator;
  let detector: string;
  /** GuardDuty finishes verifying (the failing account's email fails) while the waiter waits after its first poll. */
  const verifiedAfterFirstPoll = { betweenPolls: (poll: number) => (poll === 1 ? verifying.completeEmailVerification() : undefined) };
  const destroying = (members: ReadonlyArray<{ accountId: string; email: string }>) => ({
    detectorId: detector,
    members: [...members],
    onUnprocessed: UnprocessedAccountsAction.FAIL,
    removalPolicy: RemovalPolicy.DESTROY,
    verificationTimeout: Duration.minutes(5),
  });

  beforeAll(async () => {
    verifying = await GuardDutyEmulator.start({ emailVerificationDelayMs: Infinity });
  });
  beforeEach(() => {
    verifying.reset();
    detector = verifying.seedDetector(ADMIN, REGION);
    verifying.failEmailVerification(failing.accountId);
  });
  afterAll(() => verifying.stop());

  /** Accounts that were members of the detector before the deployment, Enabled. */
  function seedMembers(...members: ReadonlyArray<{ accountId: string; email: string }>): void {
    members.forEach((m) => verifying.seedMember(ADMIN, REGION, { accountId: m.accountId, email: m.email, relationshipStatus: 'Enabled' }));
  }

  // Once a defect: the rollback Delete of a Create that failed in the verification wait
  // reaches the handler (the framework answers FAILED with onEvent's physical ID), and with
  // DESTROY the handler removed every declared account, the members adopted from before
  // included. The handler now asks CloudFormation whether the stack is rolling back.
  report.scenario(
    'a DESTROY Create adopting existing members fails in the verification wait; the rollback Delete leaves every member that was there before',
    async () => {
      seedMembers(adoptedOne, adoptedTwo);
      const resource = h.deployment([destroying([adoptedOne, adoptedTwo, failing])], verifying);
      const create = resource.events.create(resource.properties[0]);

      const failed = await resource.send(create, verifiedAfterFirstPoll);

      expect(failed.isCompletePolls).toBe(2);
      check.failureBoundedAndNamed(failed, [failing.accountId]);
      check.physicalIdStable(failed, physicalId(detector));

      const rolledBack = (await resource.followUp(create, failed))!;

      expect(rolledBack.stackStatus).toBe('ROLLBACK_IN_PROGRESS');
      expect(rolledBack.onEventInvoked).toBe(true);
      expect(rolledBack.response.Status).toBe('SUCCESS');
      check.rollbackKeepsPriorMembers(verifying, ADMIN, REGION, ids([adoptedOne, adoptedTwo]));
    },
  );

  // Once a defect: the rollback Update names the failed properties as the old ones, so with
  // DESTROY the handler removed the accounts only the failed Update declared, the members it
  // adopted from before included.
  report.scenario(
    'a DESTROY Update adopting existing members fails in the verification wait; the rollback Update leaves every member that was there before',
    async () => {
      const resource = h.deployment([destroying([declaredBefore]), destroying([declaredBefore, adoptedOne, adoptedTwo, failing])], verifying);
      const created = await resource.send(resource.events.create(resource.properties[0]), verifiedAfterFirstPoll);
      expect(created.response.Status).toBe('SUCCESS');
      seedMembers(adoptedOne, adoptedTwo);
      const update = resource.events.update(created.response.PhysicalResourceId, resource.properties[1], resource.properties[0]);

      const failed = await resource.send(update, verifiedAfterFirstPoll);

      expect(failed.isCompletePolls).toBe(2);
      check.failureBoundedAndNamed(failed, [failing.accountId]);
      check.physicalIdStable(failed, physicalId(detector));

      const rolledBack = (await resource.followUp(update, failed))!;

      expect(rolledBack.stackStatus).toBe('UPDATE_ROLLBACK_IN_PROGRESS');
      expect(rolledBack.response.Status).toBe('SUCCESS');
      check.rollbackKeepsPriorMembers(verifying, ADMIN, REGION, ids([declaredBefore, adoptedOne, adoptedTwo]));
    },
  );
});
