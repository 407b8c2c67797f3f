import { GuardDutyMembersApi } from './guardduty-members-api';
import { Logger } from '../shared/logger';
import { planInvitations, planRemovals } from './member-plan';
import { InvitationOutcome } from './outcome-report';
import { DeclaredMember, InvitationSettings } from './resource-properties';
import { UnprocessedAccount, partitionUnprocessed } from './unprocessed-results';

/** Accounts this run added to the member list, kept up to date as batches succeed. */
export interface RunProgress {
  readonly created: string[];
}

/**
 * Brings the detector's member list in line with the declaration: reads the declared
 * accounts' current state, creates the missing members, invites those without a live
 * invitation, and (on an Update with DESTROY) removes the accounts the declaration
 * dropped. Every declared account ends in exactly one list of the outcome.
 */
export async function applyDeclaredMembers(
  api: GuardDutyMembersApi,
  detectorId: string,
  settings: InvitationSettings,
  options: { readonly previousMembers?: readonly DeclaredMember[]; readonly sameDetector: boolean },
  progress: RunProgress,
  log: Logger,
): Promise<InvitationOutcome> {
  const declaredIds = settings.members.map((m) => m.accountId);
  const current = new Map((await api.getMembers(detectorId, declaredIds)).map((m) => [m.accountId, m]));
  const plan = planInvitations(settings.members, current);
  log.info('planned', {
    detectorId,
    declared: declaredIds.length,
    toCreate: plan.create.length,
    toInvite: plan.invite.length,
    unchanged: plan.unchanged.length,
  });

  const created = partitionUnprocessed(await api.createMembers(detectorId, plan.create), ['already-member']);
  const createRefused = new Set(created.refused.map((u) => u.accountId));
  // "Already a member" for an account GetMembers did not list means a CreateMembers call
  // went through but its response was lost, and the SDK's retry met our own write: the
  // member is this run's, and a failed Create must remove it. (Someone else creating it
  // in the milliseconds between the two calls looks the same; that is far rarer than a
  // lost response.) Either way it is a member now and still gets its invitation.
  progress.created.push(...plan.create.map((m) => m.accountId).filter((id) => !createRefused.has(id)));
  const toInvite = plan.invite.filter((id) => !createRefused.has(id));

  const invitation = { message: settings.message, disableEmailNotification: settings.disableEmailNotification };
  const invited = partitionUnprocessed(await api.inviteMembers(detectorId, toInvite, invitation), ['already-invited']);
  const notInvited = new Set([...invited.benign, ...invited.refused].map((u) => u.accountId));

  const removal = await removeDroppedMembers(api, detectorId, settings, options);

  const outcome: InvitationOutcome = {
    detectorId,
    invited: toInvite.filter((id) => !notInvited.has(id)),
    alreadyMembers: [
      ...plan.unchanged,
      ...invited.benign.map((u) => ({ accountId: u.accountId, relationshipStatus: 'Invited' })),
    ],
    unprocessed: [...created.refused, ...invited.refused, ...removal.refused],
    removed: removal.removed,
  };
  log.info('applied', {
    detectorId,
    invited: outcome.invited,
    alreadyMembers: outcome.alreadyMembers.map((m) => `${m.accountId}:${m.relationshipStatus}`),
    unprocessed: outcome.unprocessed.map((u) => `${u.accountId}: ${u.result}`),
    removed: outcome.removed,
  });
  return outcome;
}

async function removeDroppedMembers(
  api: GuardDutyMembersApi,
  detectorId: string,
  settings: InvitationSettings,
  options: { readonly previousMembers?: readonly DeclaredMember[]; readonly sameDetector: boolean },
): Promise<{ removed: string[]; refused: UnprocessedAccount[] }> {
  const dropped = planRemovals(options.previousMembers ?? [], settings.members, {
    removalPolicy: settings.removalPolicy,
    sameDetector: options.sameDetector,
  });
  const result = await removeMembers(api, detectorId, dropped);
  return {
    removed: result.removed,
    refused: result.refused.map((u) => ({ accountId: u.accountId, result: `could not be removed: ${u.result}` })),
  };
}

/**
 * Disassociates, then deletes, the given members (GuardDuty deletes only disassociated
 * members). An account that is not a member (any more) counts as removed: deleting must
 * never fail because the work was already done.
 */
export async function removeMembers(
  api: GuardDutyMembersApi,
  detectorId: string,
  accountIds: readonly string[],
): Promise<{ removed: string[]; refused: UnprocessedAccount[] }> {
  if (accountIds.length === 0) {
    return { removed: [], refused: [] };
  }
  const disassociated = partitionUnprocessed(await api.disassociateMembers(detectorId, accountIds), ['not-a-member']);
  const stillAssociated = new Set(disassociated.refused.map((u) => u.accountId));
  const deletable = accountIds.filter((id) => !stillAssociated.has(id));
  const deleted = partitionUnprocessed(await api.deleteMembers(detectorId, deletable), ['not-a-member']);
  const notDeleted = new Set(deleted.refused.map((u) => u.accountId));
  return {
    removed: deletable.filter((id) => !notDeleted.has(id)),
    refused: [...disassociated.refused, ...deleted.refused],
  };
}
