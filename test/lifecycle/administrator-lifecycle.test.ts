import { RemovalPolicy } from 'aws-cdk-lib';
import { appliedOutcome, invitationSnapshot } from '../support/lifecycle/invariants';
import { ADMIN, OTHER_ADMINISTRATOR, REGION, account, ids, lifecycleHarness, physicalId } from '../support/lifecycle/lifecycle-harness';
import { CREATE_FAILED_MARKER } from '../support/lifecycle/provider-framework';

/**
 * The administrator's handler (GuardDutyMemberInvitations) through a resource's life:
 * CloudFormation's requests through aws-cdk-lib's provider framework, against the
 * GuardDuty emulator.
 */
const h = lifecycleHarness('administrator-lifecycle');
const { report, check, deployment, statuses, invitations } = h;

describe('a resource\'s life through the provider framework', () => {
  const [a, b, c, d] = [account(1), account(2), account(3), account(4)];

  report.scenario('Create: creates and invites every declared account, then isComplete finds them verified', async () => {
    const resource = deployment([{ detectorId: h.detectorId, members: [a, b, c], message: 'Please accept the security team\'s invitation.' }]);

    const created = await resource.send(resource.events.create(resource.properties[0]));

    check.physicalIdStable(created, physicalId(h.detectorId));
    expect(created.response).toMatchObject({
      Status: 'SUCCESS',
      Data: { DetectorId: h.detectorId, InvitedAccountIds: ids([a, b, c]).join(','), InvitedAccountCount: '3', AlreadyMemberAccountCount: '0', UnprocessedAccountCount: '0' },
    });
    expect(created.isCompletePolls).toBe(1);
    check.everyAccountReportedOnce(created, ids([a, b, c]));
    expect(statuses()).toEqual({ [a.accountId]: 'Invited', [b.accountId]: 'Invited', [c.accountId]: 'Invited' });
    expect(invitations([a, b, c])).toEqual([1, 1, 1]);
  });

  report.scenario('Create repeated (a CloudFormation retry): same physical ID, every account already a member, no write call', async () => {
    const resource = deployment([{ detectorId: h.detectorId, members: [a, b, c] }]);
    await resource.send(resource.events.create(resource.properties[0]));
    const writesAfterFirst = h.emulator.writeCallCount();
    const before = invitationSnapshot(h.emulator, ADMIN, REGION, ids([a, b, c]));

    const retried = await resource.send(resource.events.create(resource.properties[0]));

    check.physicalIdStable(retried, physicalId(h.detectorId));
    expect(retried.response).toMatchObject({ Status: 'SUCCESS', Data: { InvitedAccountCount: '0', AlreadyMemberAccountCount: '3', UnprocessedAccountCount: '0' } });
    check.everyAccountReportedOnce(retried, ids([a, b, c]));
    expect(h.emulator.writeCallCount()).toBe(writesAfterFirst);
    check.noSecondInvitation(h.emulator, before);
  });

  report.scenario('Update adding, removing and changing the message (DESTROY): invites the new account, removes the dropped one, re-invites no one', async () => {
    const resource = deployment([
      { detectorId: h.detectorId, members: [a, b, c], message: 'First message', removalPolicy: RemovalPolicy.DESTROY },
      { detectorId: h.detectorId, members: [a, b, d], message: 'Second message', removalPolicy: RemovalPolicy.DESTROY },
    ]);
    const created = await resource.send(resource.events.create(resource.properties[0]));
    const before = invitationSnapshot(h.emulator, ADMIN, REGION, ids([a, b, c, d]));

    const updated = await resource.send(resource.events.update(created.response.PhysicalResourceId, resource.properties[1], resource.properties[0]));

    check.physicalIdStable(updated, physicalId(h.detectorId));
    expect(updated.response).toMatchObject({ Status: 'SUCCESS', Data: { InvitedAccountIds: d.accountId, InvitedAccountCount: '1', AlreadyMemberAccountCount: '2', UnprocessedAccountCount: '0' } });
    expect(appliedOutcome(updated).removed).toEqual([c.accountId]);
    check.everyAccountReportedOnce(updated, ids([a, b, d]));
    expect(statuses()).toEqual({ [a.accountId]: 'Invited', [b.accountId]: 'Invited', [d.accountId]: 'Invited' });
    check.noSecondInvitation(h.emulator, before);
    expect(invitations([a, b, c, d])).toEqual([1, 1, 1, 1]);
  });

  report.scenario('Update with RETAIN dropping an account: the dropped account stays a member', async () => {
    const resource = deployment([
      { detectorId: h.detectorId, members: [a, b] },
      { detectorId: h.detectorId, members: [a] },
    ]);
    const created = await resource.send(resource.events.create(resource.properties[0]));

    const updated = await resource.send(resource.events.update(created.response.PhysicalResourceId, resource.properties[1], resource.properties[0]));

    check.physicalIdStable(updated, physicalId(h.detectorId));
    check.everyAccountReportedOnce(updated, ids([a]));
    expect(statuses()).toEqual({ [a.accountId]: 'Invited', [b.accountId]: 'Invited' });
  });

  report.scenario('Update that changes the detector: a new physical ID, then the Delete of the old one leaves the new detector\'s members alone', async () => {
    // The h.emulator gives an account one detector per region, with an ID derived from both,
    // and has no DeleteDetector: the old detector is one GuardDuty deleted (the account's
    // detector was re-created), which the h.emulator shows as a detector ID it does not own.
    const retiredDetectorId = '0f0e0d0c0b0a09080706050403020100';
    const resource = deployment([
      { detectorId: retiredDetectorId, members: [a, b], removalPolicy: RemovalPolicy.DESTROY },
      { detectorId: h.detectorId, members: [a, b, c], removalPolicy: RemovalPolicy.DESTROY },
    ]);

    const update = resource.events.update(physicalId(retiredDetectorId), resource.properties[1], resource.properties[0]);
    const updated = await resource.send(update);

    check.physicalIdStable(updated, physicalId(h.detectorId));
    expect(updated.response).toMatchObject({ Status: 'SUCCESS', Data: { DetectorId: h.detectorId, InvitedAccountCount: '3' } });
    check.everyAccountReportedOnce(updated, ids([a, b, c]));

    // CloudFormation's cleanup phase: Delete of the replaced physical resource, with its old properties.
    const deleted = (await resource.followUp(update, updated))!;

    expect(deleted.stackStatus).toBe('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
    expect(deleted.response.Status).toBe('SUCCESS');
    check.physicalIdStable(deleted, physicalId(retiredDetectorId));
    expect(statuses()).toEqual({ [a.accountId]: 'Invited', [b.accountId]: 'Invited', [c.accountId]: 'Invited' });
    expect(h.emulator.callCount('DisassociateMembers')).toBe(1);
    expect(h.emulator.calls().filter((call) => call.operation === 'DisassociateMembers').map((call) => call.statusCode)).toEqual([400]);
  });

  report.scenario('A failed Update (an account GuardDuty refuses) removes the members it created; the rollback Update with the old properties removes nothing (DESTROY)', async () => {
    const [refused, added] = [account(5), account(6)];
    h.emulator.setExternalAdministrator(refused.accountId, OTHER_ADMINISTRATOR);
    const resource = deployment([
      { detectorId: h.detectorId, members: [a, b], removalPolicy: RemovalPolicy.DESTROY },
      { detectorId: h.detectorId, members: [a, b, refused, added], removalPolicy: RemovalPolicy.DESTROY },
    ]);
    const created = await resource.send(resource.events.create(resource.properties[0]));
    const before = statuses();
    const invitedBefore = invitationSnapshot(h.emulator, ADMIN, REGION, ids([a, b]));

    const update = resource.events.update(created.response.PhysicalResourceId, resource.properties[1], resource.properties[0]);
    const failed = await resource.send(update);

    check.failureBoundedAndNamed(failed, [refused.accountId]);
    check.physicalIdStable(failed, physicalId(h.detectorId));
    expect(failed.response.Reason).toMatch(/did not process 1 of 4 declared accounts.*different administrator account/);
    // The failed Update undid its own work: it removed the members it created.
    expect(failed.response.Reason).toMatch(/The 2 members this run created were deleted again/);
    expect(statuses()).toEqual(before);

    // CloudFormation rolls back: an Update from the failed properties back to the old ones,
    // which removes nothing (lambda/shared/stack-rollback.ts).
    const rolledBack = (await resource.followUp(update, failed))!;

    expect(rolledBack.stackStatus).toBe('UPDATE_ROLLBACK_IN_PROGRESS');
    check.physicalIdStable(rolledBack, physicalId(h.detectorId));
    expect(rolledBack.response).toMatchObject({ Status: 'SUCCESS', Data: { InvitedAccountCount: '0', AlreadyMemberAccountCount: '2', UnprocessedAccountCount: '0' } });
    expect(appliedOutcome(rolledBack).removed).toEqual([]);
    expect(statuses()).toEqual(before);
    check.noSecondInvitation(h.emulator, invitedBefore);
  });

  report.scenario('Delete with DESTROY removes every declared member; a repeated Delete succeeds and changes nothing', async () => {
    const resource = deployment([{ detectorId: h.detectorId, members: [a, b, c], removalPolicy: RemovalPolicy.DESTROY }]);
    const created = await resource.send(resource.events.create(resource.properties[0]));

    const deleted = await resource.send(resource.events.delete(created.response.PhysicalResourceId, resource.properties[0]));

    expect(deleted.response.Status).toBe('SUCCESS');
    check.physicalIdStable(deleted, physicalId(h.detectorId));
    check.destroyLeavesNoMember(h.emulator, ADMIN, REGION, ids([a, b, c]));

    const deletedAgain = await resource.send(resource.events.delete(created.response.PhysicalResourceId, resource.properties[0]));

    expect(deletedAgain.response.Status).toBe('SUCCESS');
    check.physicalIdStable(deletedAgain, physicalId(h.detectorId));
    check.destroyLeavesNoMember(h.emulator, ADMIN, REGION, ids([a, b, c]));
  });

  report.scenario('Delete with RETAIN makes no GuardDuty call and leaves the members', async () => {
    const resource = deployment([{ detectorId: h.detectorId, members: [a, b] }]);
    const created = await resource.send(resource.events.create(resource.properties[0]));
    const calls = h.emulator.callCount();

    const deleted = await resource.send(resource.events.delete(created.response.PhysicalResourceId, resource.properties[0]));

    check.retainMakesNoCall(deleted, calls, h.emulator);
    check.physicalIdStable(deleted, physicalId(h.detectorId));
    expect(statuses()).toEqual({ [a.accountId]: 'Invited', [b.accountId]: 'Invited' });
  });

  report.scenario('Delete after a failed Create: the Create removes what it created (DESTROY); the framework answers the Delete of its CREATE_FAILED marker without the handler', async () => {
    const refused = account(5);
    h.emulator.setExternalAdministrator(refused.accountId, OTHER_ADMINISTRATOR);
    const resource = deployment([{ detectorId: h.detectorId, members: [a, b, refused], removalPolicy: RemovalPolicy.DESTROY }]);

    const create = resource.events.create(resource.properties[0]);
    const failed = await resource.send(create);

    check.failureBoundedAndNamed(failed, [refused.accountId]);
    check.physicalIdStable(failed, CREATE_FAILED_MARKER);
    expect(failed.response.Reason).toMatch(/The 3 members this run created were deleted again/);
    check.destroyLeavesNoMember(h.emulator, ADMIN, REGION, ids([a, b, refused]));
    const calls = h.emulator.callCount();

    const deleted = (await resource.followUp(create, failed))!;

    expect(deleted.stackStatus).toBe('ROLLBACK_IN_PROGRESS');
    expect(deleted.onEventInvoked).toBe(false);
    expect(deleted.response.Status).toBe('SUCCESS');
    check.physicalIdStable(deleted, CREATE_FAILED_MARKER);
    expect(h.emulator.callCount()).toBe(calls);
  });
});
