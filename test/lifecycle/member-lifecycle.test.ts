import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import fc from 'fast-check';
import { GuardDutyInvitationAccepterProps, UnprocessedAccountsAction } from '../../lib';
import {
  AccepterPriorState,
  accepterFaultSchedules,
  accepterPriorStates,
} from '../support/lifecycle/arbitraries';
import { MemberRelationship, appliedAcceptances, relationshipStatus } from '../support/lifecycle/invariants';
import { ADMIN, CONSTRUCT_ID, Deployment, OTHER_ADMINISTRATOR, REGION, STACK, account, lifecycleHarness } from '../support/lifecycle/lifecycle-harness';
import { CREATE_FAILED_MARKER, Delivery } from '../support/lifecycle/provider-framework';
import { ScenarioOptions } from '../support/lifecycle/reliability-report';
import { StackSettings, SynthesizedStack, synthesizeAccepters, synthesizeInvitations } from '../support/lifecycle/synthesized-stack';

/**
 * The member account's side: a GuardDutyInvitationAccepter in the member's stack accepts
 * the invitation that the administrator's stack (the administrator's handler, deployed the
 * same way) sends. The waiter's time is simulated: at each wait between isComplete polls
 * the handler's clock moves on by the waiter's 30 s, so the invitation deadline passes
 * after as many polls as in AWS.
 */
const h = lifecycleHarness('member-lifecycle');
const { report, check, deployed, checkProperty } = h;

describe('the member account\'s side: GuardDutyInvitationAccepter through the provider framework', () => {
  const MEMBER = account(41);
  const MEMBER_STACK: StackSettings = { account: MEMBER.accountId, region: REGION, stackName: 'security-tooling-guardduty-member-account-production' };
  /** A long construct ID, as on the administrator side: it counts against the 4,096 bytes. */
  const ACCEPTER_ID = 'SecurityToolingGuardDutyAdministratorInvitationProduction';
  const MEMBER_SIDE: ScenarioOptions = { side: 'member' };
  const where: MemberRelationship = { administratorId: ADMIN, memberId: MEMBER.accountId, region: REGION };
  let memberDetectorId: string;
  /** The administrator's stack: a GuardDutyMemberInvitations declaring the member (REPORT, so a refused account does not fail it). */
  let administratorStack: SynthesizedStack;

  beforeAll(() => {
    administratorStack = synthesizeInvitations({ [CONSTRUCT_ID]: { members: [MEMBER], onUnprocessed: UnprocessedAccountsAction.REPORT } }, STACK);
  });
  beforeEach(() => {
    memberDetectorId = h.emulator.seedDetector(MEMBER.accountId, REGION);
  });

  const accepterPhysicalId = (detector: string) => `guardduty-administrator:${detector}:${ADMIN}`;
  const isAssociated = () => ['Enabled', 'Disabled'].includes(relationshipStatus(h.emulator, where) ?? '');

  /** One GuardDutyInvitationAccepter across versions of the member's app, accepting ADMIN's invitation. */
  function accepterDeployment(versions: ReadonlyArray<Partial<GuardDutyInvitationAccepterProps>>): Deployment {
    const synthesized = versions.map((props) => synthesizeAccepters({ [ACCEPTER_ID]: { administratorAccountId: ADMIN, ...props } }, MEMBER_STACK));
    return deployed(synthesized, MEMBER_STACK, h.emulator, [MEMBER.email], { simulateWaiterTime: true });
  }

  /** The administrator's stack, in a provider framework (Lambda containers) of its own. */
  const administratorDeployment = () => deployed([administratorStack], STACK, h.emulator, [MEMBER.email], {});

  /** The administrator's stack deploys (again): its GuardDutyMemberInvitations invites the member unless it is one already. */
  async function administratorInvites(administrator: Deployment = administratorDeployment()): Promise<void> {
    const created = await administrator.send(administrator.events.create(administrator.properties[0]));
    expect(created.response.Status).toBe('SUCCESS');
  }

  report.scenario(
    'Create when the invitation is there (detector looked up): onEvent accepts it at once, and the administrator sees the member Enabled',
    async () => {
      await administratorInvites();
      expect(relationshipStatus(h.emulator, where)).toBe('Invited');
      const resource = accepterDeployment([{}]);

      const created = await resource.send(resource.events.create(resource.properties[0]));

      check.physicalIdStable(created, accepterPhysicalId(memberDetectorId));
      expect(created.response).toMatchObject({ Status: 'SUCCESS', Data: { DetectorId: memberDetectorId, AdministratorAccountId: ADMIN, RelationshipStatus: 'Enabled' } });
      expect(created.isCompletePolls).toBe(1);
      expect(relationshipStatus(h.emulator, where)).toBe('Enabled');
      check.acceptedAtMostOnce(h.emulator, MEMBER.accountId, 0, false);
      expect(appliedAcceptances(h.emulator, MEMBER.accountId)).toBe(1);
    },
    MEMBER_SIDE,
  );

  report.scenario(
    'Create before the invitation exists: onEvent finds none and sets a deadline, the administrator\'s stack invites, and the next isComplete poll accepts',
    async () => {
      const resource = accepterDeployment([{ detectorId: memberDetectorId }]);

      const created = await resource.send(resource.events.create(resource.properties[0]), {
        betweenPolls: async (poll) => {
          if (poll === 1) {
            expect(relationshipStatus(h.emulator, where)).toBeUndefined();
            await administratorInvites();
            expect(relationshipStatus(h.emulator, where)).toBe('Invited');
          }
        },
      });

      check.physicalIdStable(created, accepterPhysicalId(memberDetectorId));
      expect(created.isCompletePolls).toBe(2);
      expect(created.response).toMatchObject({ Status: 'SUCCESS', Data: { DetectorId: memberDetectorId, AdministratorAccountId: ADMIN, RelationshipStatus: 'Enabled' } });
      expect(created.response.Data).toHaveProperty('InvitationDeadline');
      expect(relationshipStatus(h.emulator, where)).toBe('Enabled');
      check.acceptedAtMostOnce(h.emulator, MEMBER.accountId, 0, false);
      expect(appliedAcceptances(h.emulator, MEMBER.accountId)).toBe(1);
    },
    MEMBER_SIDE,
  );

  report.scenario(
    'Create repeated (a CloudFormation retry): same physical ID, the member already Enabled, no invitation read and no second acceptance',
    async () => {
      await administratorInvites();
      const resource = accepterDeployment([{ detectorId: memberDetectorId }]);
      await resource.send(resource.events.create(resource.properties[0]));
      const [writes, listed, accepted] = [h.emulator.writeCallCount(), h.emulator.callCount('ListInvitations'), appliedAcceptances(h.emulator, MEMBER.accountId)];

      const retried = await resource.send(resource.events.create(resource.properties[0]));

      check.physicalIdStable(retried, accepterPhysicalId(memberDetectorId));
      expect(retried.response).toMatchObject({ Status: 'SUCCESS', Data: { RelationshipStatus: 'Enabled' } });
      check.acceptedAtMostOnce(h.emulator, MEMBER.accountId, accepted, true);
      expect(h.emulator.writeCallCount()).toBe(writes);
      expect(h.emulator.callCount('ListInvitations')).toBe(listed);
    },
    MEMBER_SIDE,
  );

  report.scenario(
    'the invitation never arrives (invitationTimeout 1 minute): isComplete fails at the deadline, on the third poll, saying what it waited for; the rollback Delete (DESTROY) finds nothing to leave',
    async () => {
      const resource = accepterDeployment([{ detectorId: memberDetectorId, invitationTimeout: Duration.minutes(1), removalPolicy: RemovalPolicy.DESTROY }]);
      expect(resource.properties[0].InvitationTimeoutSeconds).toBe('60');

      const create = resource.events.create(resource.properties[0]);
      const failed = await resource.send(create);

      check.invitationWaitEndsAtDeadline(failed, resource.waiter!, { timeoutSeconds: 60, administratorId: ADMIN, memberId: MEMBER.accountId });
      expect(failed.isCompletePolls).toBe(3);
      expect(failed.response.Reason).toContain(`in ${REGION} within 1 minute: the administrator has not invited this account`);
      // The waiter was polling for the physical ID onEvent returned: the failure carries it.
      check.physicalIdStable(failed, accepterPhysicalId(memberDetectorId));
      expect(h.emulator.writeCallCount()).toBe(0);

      const rolledBack = (await resource.followUp(create, failed))!;

      expect(rolledBack.stackStatus).toBe('ROLLBACK_IN_PROGRESS');
      expect(rolledBack.onEventInvoked).toBe(true);
      check.physicalIdStable(rolledBack, accepterPhysicalId(memberDetectorId));
      check.destroyLeavesAdministrator(rolledBack, h.emulator, where);
      expect(h.emulator.writeCallCount()).toBe(0);
    },
    MEMBER_SIDE,
  );

  report.scenario(
    'associated with a different administrator (an invitation from the declared one pending): the Create fails naming both and changes nothing; the framework answers the rollback Delete',
    async () => {
      h.emulator.setExternalAdministrator(MEMBER.accountId, OTHER_ADMINISTRATOR);
      h.emulator.seedMember(ADMIN, REGION, { accountId: MEMBER.accountId, email: MEMBER.email, relationshipStatus: 'Invited' });
      const resource = accepterDeployment([{ detectorId: memberDetectorId, removalPolicy: RemovalPolicy.DESTROY }]);
      const writes = h.emulator.writeCallCount();

      const create = resource.events.create(resource.properties[0]);
      const failed = await resource.send(create);

      check.conflictNamesBoth(failed, h.emulator, writes, { declared: ADMIN, current: OTHER_ADMINISTRATOR });
      check.physicalIdStable(failed, CREATE_FAILED_MARKER);
      check.acceptedAtMostOnce(h.emulator, MEMBER.accountId, 0, true);
      expect(relationshipStatus(h.emulator, where)).toBe('Invited');

      const rolledBack = (await resource.followUp(create, failed))!;

      expect(rolledBack.stackStatus).toBe('ROLLBACK_IN_PROGRESS');
      expect(rolledBack.onEventInvoked).toBe(false);
      check.physicalIdStable(rolledBack, CREATE_FAILED_MARKER);
      expect(h.emulator.writeCallCount()).toBe(writes);
    },
    MEMBER_SIDE,
  );

  report.scenario(
    'Update changing nothing GuardDuty sees (a longer invitation timeout, DESTROY instead of RETAIN): same physical ID, no call that changes anything',
    async () => {
      await administratorInvites();
      const resource = accepterDeployment([
        { detectorId: memberDetectorId },
        { detectorId: memberDetectorId, invitationTimeout: Duration.minutes(30), removalPolicy: RemovalPolicy.DESTROY },
      ]);
      const created = await resource.send(resource.events.create(resource.properties[0]));
      const [writes, accepted] = [h.emulator.writeCallCount(), appliedAcceptances(h.emulator, MEMBER.accountId)];

      const updated = await resource.send(resource.events.update(created.response.PhysicalResourceId, resource.properties[1], resource.properties[0]));

      check.physicalIdStable(updated, accepterPhysicalId(memberDetectorId));
      expect(updated.response).toMatchObject({ Status: 'SUCCESS', Data: { DetectorId: memberDetectorId, AdministratorAccountId: ADMIN, RelationshipStatus: 'Enabled' } });
      expect(updated.isCompletePolls).toBe(1);
      check.acceptedAtMostOnce(h.emulator, MEMBER.accountId, accepted, true);
      expect(h.emulator.writeCallCount()).toBe(writes);
      expect(relationshipStatus(h.emulator, where)).toBe('Enabled');
    },
    MEMBER_SIDE,
  );

  report.scenario(
    'Delete with DESTROY: the member leaves the administrator, which sees it Resigned; a repeated Delete succeeds and changes nothing',
    async () => {
      await administratorInvites();
      const resource = accepterDeployment([{ detectorId: memberDetectorId, removalPolicy: RemovalPolicy.DESTROY }]);
      const created = await resource.send(resource.events.create(resource.properties[0]));

      const deleted = await resource.send(resource.events.delete(created.response.PhysicalResourceId, resource.properties[0]));

      check.physicalIdStable(deleted, accepterPhysicalId(memberDetectorId));
      check.destroyLeavesAdministrator(deleted, h.emulator, where);
      expect(relationshipStatus(h.emulator, where)).toBe('Resigned');
      expect(h.emulator.callCount('DisassociateFromAdministratorAccount')).toBe(1);
      const writes = h.emulator.writeCallCount();

      const deletedAgain = await resource.send(resource.events.delete(created.response.PhysicalResourceId, resource.properties[0]));

      check.physicalIdStable(deletedAgain, accepterPhysicalId(memberDetectorId));
      check.destroyLeavesAdministrator(deletedAgain, h.emulator, where);
      expect(h.emulator.writeCallCount()).toBe(writes);
    },
    MEMBER_SIDE,
  );

  report.scenario(
    'Delete with RETAIN makes no GuardDuty call: the administrator still sees the member Enabled',
    async () => {
      await administratorInvites();
      const resource = accepterDeployment([{ detectorId: memberDetectorId }]);
      const created = await resource.send(resource.events.create(resource.properties[0]));
      const calls = h.emulator.callCount();

      const deleted = await resource.send(resource.events.delete(created.response.PhysicalResourceId, resource.properties[0]));

      check.retainMakesNoCall(deleted, calls, h.emulator);
      check.physicalIdStable(deleted, accepterPhysicalId(memberDetectorId));
      expect(relationshipStatus(h.emulator, where)).toBe('Enabled');
    },
    MEMBER_SIDE,
  );

  describe('in any order, under faults', () => {
    /** One accepter per removal policy, with and without a declared detector; the invitation timeout is set per case. */
    let memberStack: SynthesizedStack;
    const variantKey = (removalPolicy: string, declaresDetector: boolean) => `${removalPolicy}${declaresDetector ? 'DeclaredDetector' : 'LookedUpDetector'}`;

    beforeAll(async () => {
      // Detector IDs are derived from account and region: the one seeded for each case.
      const detector = h.emulator.seedDetector(MEMBER.accountId, REGION);
      const declarations: Record<string, GuardDutyInvitationAccepterProps> = {};
      for (const removalPolicy of [RemovalPolicy.RETAIN, RemovalPolicy.DESTROY]) {
        for (const declaresDetector of [true, false]) {
          declarations[variantKey(removalPolicy === RemovalPolicy.DESTROY ? 'DESTROY' : 'RETAIN', declaresDetector)] = {
            administratorAccountId: ADMIN,
            detectorId: declaresDetector ? detector : undefined,
            removalPolicy,
          };
        }
      }
      memberStack = synthesizeAccepters(declarations, MEMBER_STACK);
      await Promise.all([h.aws.prewarm(memberStack, REGION), h.aws.prewarm(administratorStack, REGION)]);
    });

    /** The variant's resource alone, in a provider framework of its own (new Lambda containers). */
    function generatedAccepter(removalPolicy: 'RETAIN' | 'DESTROY', declaresDetector: boolean): Deployment {
      const key = variantKey(removalPolicy, declaresDetector);
      const resource = memberStack.resources.find((r) => r.logicalId.replace(/[0-9A-F]{8}$/, '') === key)!;
      return deployed([{ ...memberStack, resources: [resource] }], MEMBER_STACK, h.emulator, [MEMBER.email], { simulateWaiterTime: true });
    }

    /** How the first Create ended, for the report's tally. */
    function outcomeLabel(prior: AccepterPriorState, invitedWhileWaiting: boolean, created: Delivery): string {
      const message = created.error?.errorMessage ?? '';
      const why =
        created.response.Status === 'SUCCESS'
          ? created.isCompletePolls > 1
            ? ' (accepted by isComplete)'
            : ''
          : message.startsWith('No GuardDuty invitation')
            ? ' (no invitation by the deadline)'
            : /already associated with GuardDuty administrator/.test(message)
              ? ' (another administrator)'
              : ' (stopped by faults)';
      const faults = h.emulator.calls().some((call) => call.fault !== undefined) ? ', faults injected' : '';
      return `${prior}${invitedWhileWaiting ? ' then invited while waiting' : ''}: Create ${created.response.Status}${why}${faults}`;
    }

    report.test(
      'the administrator\'s invitation, the member\'s Create and the waiter\'s polls in any order, under faults: the member ends Enabled or fails cleanly by its deadline, accepts at most once, and a redeployment converges',
      async () => {
        const arbitrary = fc.record({
          prior: accepterPriorStates(),
          /** With no invitation before the Create: the isComplete poll after which the administrator's stack invites, if it does. */
          invitedAfterPoll: fc.option(fc.integer({ min: 1, max: 7 }), { nil: undefined }),
          invitationTimeoutMinutes: fc.integer({ min: 1, max: 3 }),
          removalPolicy: fc.constantFrom<'RETAIN' | 'DESTROY'>('RETAIN', 'DESTROY'),
          declaresDetector: fc.boolean(),
          faults: accepterFaultSchedules(),
        });
        const administrator = administratorDeployment();
        await checkProperty(
          'Member: invitation, Create and isComplete polls in any order under faults, a redeployment after a failure, then Delete',
          arbitrary,
          async (generated) => {
            h.emulator.reset();
            h.emulator.seedDetector(ADMIN, REGION);
            const detector = h.emulator.seedDetector(MEMBER.accountId, REGION);
            const member = generatedAccepter(generated.removalPolicy, generated.declaresDetector);
            const timeoutSeconds = generated.invitationTimeoutMinutes * 60;
            const properties = { ...member.properties[0], InvitationTimeoutSeconds: String(timeoutSeconds) };
            const deadlinePoll = 1 + Math.ceil(timeoutSeconds / member.waiter!.intervalSeconds);
            const { prior, invitedAfterPoll } = generated;
            const invitedWhileWaiting = prior === 'no-invitation' && invitedAfterPoll !== undefined && invitedAfterPoll < deadlinePoll;
            const labels: string[] = [];
            try {
              if (prior === 'invited') {
                await administratorInvites(administrator);
              } else if (prior === 'enabled') {
                h.emulator.seedMember(ADMIN, REGION, { accountId: MEMBER.accountId, email: MEMBER.email, relationshipStatus: 'Enabled' });
              } else if (prior === 'other-administrator') {
                h.emulator.setExternalAdministrator(MEMBER.accountId, OTHER_ADMINISTRATOR);
              }
              const wasAssociated = isAssociated() || prior === 'other-administrator';
              const writesBefore = h.emulator.writeCallCount();

              h.emulator.setFaults(generated.faults);
              const create = member.events.create(properties);
              const created = await member.send(create, {
                // The administrator's stack deploys while the member's waits; its own calls are spared the faults.
                betweenPolls: async (poll) => {
                  if (prior === 'no-invitation' && poll === invitedAfterPoll) {
                    h.emulator.clearFaults();
                    await administratorInvites(administrator);
                    h.emulator.setFaults(generated.faults);
                  }
                },
              });
              const faultsInjected = h.emulator.calls().some((call) => call.fault !== undefined);
              h.emulator.clearFaults();

              check.failsCleanlyInTime(created);
              check.acceptsOrFailsByDeadline(created, h.emulator, where, deadlinePoll);
              check.acceptedAtMostOnce(h.emulator, MEMBER.accountId, 0, wasAssociated);
              const message = created.error?.errorMessage ?? '';
              if (message.startsWith('No GuardDuty invitation')) {
                expect(invitedWhileWaiting || prior === 'invited' || prior === 'enabled').toBe(false);
                check.invitationWaitEndsAtDeadline(created, member.waiter!, { timeoutSeconds, administratorId: ADMIN, memberId: MEMBER.accountId });
              } else if (/already associated with GuardDuty administrator/.test(message)) {
                check.conflictNamesBoth(created, h.emulator, writesBefore, { declared: ADMIN, current: OTHER_ADMINISTRATOR });
              }
              if (prior === 'other-administrator' || (prior === 'no-invitation' && !invitedWhileWaiting)) {
                expect(created.response.Status).toBe('FAILED');
              } else if (!faultsInjected) {
                expect(created.response.Status).toBe('SUCCESS');
              }
              // onEvent names the physical ID before it waits; only a failed onEvent leaves the framework's marker.
              const failedInOnEvent = created.response.Status === 'FAILED' && created.isCompletePolls === 0;
              check.physicalIdStable(created, failedInOnEvent ? CREATE_FAILED_MARKER : accepterPhysicalId(detector));
              labels.push(outcomeLabel(prior, invitedWhileWaiting, created));
              if (h.emulator.calls().some((call) => call.operation === 'AcceptAdministratorInvitation' && call.fault === 'dropped-after-apply')) {
                labels.push('an acceptance lost on the way back');
              }

              let physical = created.response.PhysicalResourceId;
              if (created.response.Status === 'FAILED') {
                // CloudFormation rolls back: the Delete of what the Create answered.
                const callsBefore = h.emulator.callCount();
                const rolledBack = (await member.followUp(create, created))!;
                check.physicalIdStable(rolledBack, physical);
                if (failedInOnEvent) {
                  expect(rolledBack.onEventInvoked).toBe(false);
                } else if (generated.removalPolicy === 'RETAIN') {
                  check.retainMakesNoCall(rolledBack, callsBefore, h.emulator);
                } else {
                  check.destroyLeavesAdministrator(rolledBack, h.emulator, where);
                }
                if (prior === 'other-administrator') {
                  return labels;
                }
                // The user redeploys both stacks once the faults are gone: the member's Create converges.
                await administratorInvites(administrator);
                const [acceptedBefore, associatedBefore] = [appliedAcceptances(h.emulator, MEMBER.accountId), isAssociated()];
                const again = await member.send(member.events.create(properties));
                expect(again.response.Status).toBe('SUCCESS');
                check.acceptsOrFailsByDeadline(again, h.emulator, where, deadlinePoll);
                check.acceptedAtMostOnce(h.emulator, MEMBER.accountId, acceptedBefore, associatedBefore);
                check.physicalIdStable(again, accepterPhysicalId(detector));
                physical = again.response.PhysicalResourceId;
                labels.push(`redeployed after the failure${associatedBefore ? ', already Enabled' : ''}`);
              }

              const callsBefore = h.emulator.callCount();
              const deleted = await member.send(member.events.delete(physical, properties));
              check.physicalIdStable(deleted, physical);
              if (generated.removalPolicy === 'RETAIN') {
                check.retainMakesNoCall(deleted, callsBefore, h.emulator);
              } else {
                check.destroyLeavesAdministrator(deleted, h.emulator, where);
              }
              return labels;
            } finally {
              h.emulator.clearFaults();
              member.stop();
            }
          },
          { seed: 41_414, numRuns: 24, timeLimitMs: 24_000, construct: 'GuardDutyInvitationAccepter', injectsFaults: true },
        );
      },
      90_000,
    );
  });

  report.scenario(
    'a Create whose AcceptAdministratorInvitation response was lost (the SDK retried, GuardDuty refused the invitation already used) succeeds: the member is Enabled',
    async () => {
      await administratorInvites();
      const resource = accepterDeployment([{ detectorId: memberDetectorId, removalPolicy: RemovalPolicy.DESTROY }]);
      h.emulator.setFaults({ dropConnections: { nextCalls: 1, afterApply: true, operations: ['AcceptAdministratorInvitation'] } });

      const created = await resource.send(resource.events.create(resource.properties[0]));

      expect(relationshipStatus(h.emulator, where)).toBe('Enabled');
      expect(created.response).toMatchObject({ Status: 'SUCCESS', Data: { RelationshipStatus: 'Enabled' } });
    },
    MEMBER_SIDE,
  );
});
