import { RemovalPolicy } from 'aws-cdk-lib';
import { UnprocessedAccountsAction } from '../../lib';
import { invitationSnapshot } from '../support/lifecycle/invariants';
import { ADMIN, OTHER_ADMINISTRATOR, REGION, account, ids, lifecycleHarness } from '../support/lifecycle/lifecycle-harness';

/**
 * Defects this suite found in the handler, fixed since: each test keeps them fixed.
 */
const h = lifecycleHarness('regressions');
const { report, check, deployment, statuses, invitations } = h;
/** The Update's working time: past its member list read (a second), into its DisassociateMembers (the next second). */
const DISASSOCIATE_DEADLINE_MS = 1_500;

describe('regressions: defects this suite found in the handler', () => {
  const [a, b, refused] = [account(31), account(32), account(33)];

  report.scenario(
    'a failed Create with DESTROY also removes the members whose CreateMembers response was lost (the SDK retried, GuardDuty answered "already a member")',
    async () => {
      h.emulator.setExternalAdministrator(refused.accountId, OTHER_ADMINISTRATOR);
      h.emulator.setFaults({ dropConnections: { nextCalls: 1, afterApply: true, operations: ['CreateMembers'] } });
      const resource = deployment([{ detectorId: h.detectorId, members: [a, b, refused], removalPolicy: RemovalPolicy.DESTROY }]);

      const failed = await resource.send(resource.events.create(resource.properties[0]));

      check.failureBoundedAndNamed(failed, [refused.accountId]);
      expect(h.emulator.calls().filter((call) => call.operation === 'CreateMembers').map((call) => call.fault)).toEqual(['dropped-after-apply', undefined]);
      // The framework answers the rollback Delete itself: whatever the Create left stays for good.
      expect(statuses()).toEqual({});
    },
  );

  report.scenario(
    'a run stopped by its deadline in the middle of a GuardDuty call hands the rest to isComplete, which finishes it without a second invitation',
    async () => {
      h.emulator.setFaults({ slowResponses: { delayMs: 3_000, nextCalls: 1, operations: ['InviteMembers'] } });
      const resource = deployment([{ detectorId: h.detectorId, members: [a, b], waitForVerification: false }]);

      const delivered = await resource.send(resource.events.create(resource.properties[0]), { onEventBudgetMs: 65_000 + 800 });

      check.failsCleanlyInTime(delivered, { workBudgetMs: 800, marginMs: 3_000 });
      expect(delivered.isCompletePolls).toBeGreaterThanOrEqual(1);
      expect(delivered.response).toMatchObject({ Status: 'SUCCESS', Data: { InvitedAccountCount: '2', UnprocessedAccountCount: '0' } });
      // The slow InviteMembers the deadline abandoned still reached GuardDuty; the next pass
      // read that from GuardDuty's state and sent no second invitation.
      expect([a, b].map((m) => h.emulator.invitationsSentTo(m.accountId))).toEqual([1, 1]);
    },
  );
});

/**
 * Defects of this suite's own: how it judged the handler, fixed since.
 */
describe('regressions in the harness', () => {
  const [kept, droppedOne, droppedTwo] = [account(36), account(37), account(38)];
  const props = (members: ReadonlyArray<{ accountId: string; email: string }>) => ({
    detectorId: h.detectorId,
    members: [...members],
    onUnprocessed: UnprocessedAccountsAction.REPORT,
    removalPolicy: RemovalPolicy.DESTROY,
    waitForVerification: false,
  });

  // "Update between generated member lists under faults" (seed 31337, case 12) once failed
  // under load: the handler's deadline abandoned a DisassociateMembers that GuardDuty still
  // applied after the handler returned; the harness read its "before the rollback" snapshot
  // in between (accounts still Invited), then the rollback rightly re-invited the accounts
  // that call had disassociated, and noSecondInvitation counted that as a second invitation.
  // Every response is now judged once GuardDuty has no call in flight (emulator.settled()).
  report.scenario(
    'a call the handler abandoned at its deadline lands before CloudFormation\'s next request: the rollback re-invites only the members the failed Update disassociated',
    async () => {
      const resource = deployment([props([kept, droppedOne, droppedTwo]), props([kept])]);
      const created = await resource.send(resource.events.create(resource.properties[0]));
      // Every call waits a second before GuardDuty applies it: the Update's deadline falls while its DisassociateMembers waits.
      h.emulator.setFaults({ latencyMs: 1_000 });
      const update = resource.events.update(created.response.PhysicalResourceId, resource.properties[1], resource.properties[0]);

      const failed = await resource.send(update, { onEventBudgetMs: 65_000 + DISASSOCIATE_DEADLINE_MS });

      h.emulator.clearFaults();
      expect(failed.response.Reason).toMatch(/Ran out of time while disassociating members/);
      const abandoned = h.emulator.calls().filter((call) => call.operation === 'DisassociateMembers' && call.statusCode === 0 && call.fault === undefined);
      expect(abandoned).toHaveLength(1);
      expect(statuses()).toEqual({ [kept.accountId]: 'Invited', [droppedOne.accountId]: 'Removed', [droppedTwo.accountId]: 'Removed' });
      const before = invitationSnapshot(h.emulator, ADMIN, REGION, ids([kept, droppedOne, droppedTwo]));

      const rolledBack = (await resource.followUp(update, failed))!;

      expect(rolledBack.response.Status).toBe('SUCCESS');
      check.noSecondInvitation(h.emulator, before);
      expect(invitations([kept, droppedOne, droppedTwo])).toEqual([1, 2, 2]);
      expect(statuses()).toEqual({ [kept.accountId]: 'Invited', [droppedOne.accountId]: 'Invited', [droppedTwo.accountId]: 'Invited' });
    },
  );
});
