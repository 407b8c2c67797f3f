import { RemovalPolicy } from 'aws-cdk-lib';
import { OTHER_ADMINISTRATOR, account, lifecycleHarness } from '../support/lifecycle/lifecycle-harness';

/**
 * Defects this suite found in the handler, fixed since: each test keeps them fixed.
 */
const h = lifecycleHarness('regressions');
const { report, check, deployment, statuses } = h;

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
    'a run stopped by its deadline in the middle of a GuardDuty call says it ran out of time, as one stopped between calls does',
    async () => {
      h.emulator.setFaults({ slowResponses: { delayMs: 3_000, nextCalls: 1, operations: ['InviteMembers'] } });
      const resource = deployment([{ detectorId: h.detectorId, members: [a, b], waitForVerification: false }]);

      const failed = await resource.send(resource.events.create(resource.properties[0]), { onEventBudgetMs: 65_000 + 800 });

      check.failsCleanlyInTime(failed, { workBudgetMs: 800, marginMs: 3_000 });
      expect(failed.response.Status).toBe('FAILED');
      expect(failed.response.Reason).toMatch(/Ran out of time/);
    },
  );
});
