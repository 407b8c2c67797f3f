import { GuardDutyMembersApi } from './guardduty-members-api';
import { Logger } from '../shared/logger';
import { CurrentMember, planInvitations } from './member-plan';
import { associateThroughOrganization, membersToReadd, refusedReadd, wayIn } from './organization-association';
import { InvitationOutcome } from './outcome-report';
import { DeclaredMember, InvitationSettings } from './resource-properties';
import { UnprocessedAccount, partitionUnprocessed } from './unprocessed-results';

/** What this run has done so far, kept up to date as batches succeed. */
export interface RunProgress {
  /** Accounts this run added to the member list. */
  readonly created: string[];
  /** Declared accounts that were members when the run began, once read. */
  presentAtStart?: ReadonlySet<string>;
  /** Whether the run has changed anything in GuardDuty yet. */
  wrote?: boolean;
}

/** What one pass over the declaration did, and what it found when it began. */
export interface AppliedMembers {
  readonly outcome: InvitationOutcome;
  /** Declared accounts that were in the member list when the run began. */
  readonly presentAtStart: ReadonlySet<string>;
  /** The declared members as GetMembers reported them before this call's writes. */
  readonly members: readonly CurrentMember[];
  /** Whether GuardDuty accepted a write (a member deleted, created or invited): `members` is then stale. */
  readonly changed: boolean;
}

/**
 * Brings the detector's member list up to the declaration: reads the declared accounts'
 * current state, creates the missing members and invites those without a live
 * invitation, except organization accounts GuardDuty associated on CreateMembers alone
 * (organization-association.ts). Every declared account ends in exactly one list of the
 * outcome. Removing
 * the accounts an Update dropped is a separate step (member-removal.ts), taken only once
 * the run can no longer fail, so a failed run never removes a member it did not create.
 */
export async function applyDeclaredMembers(
  api: GuardDutyMembersApi,
  detectorId: string,
  settings: InvitationSettings,
  progress: RunProgress,
  log: Logger,
  options: { readonly sinceMs?: number } = {},
): Promise<AppliedMembers> {
  const declaredIds = settings.members.map((m) => m.accountId);
  const read = await api.getMembers(detectorId, declaredIds);
  const current = new Map(read.map((m) => [m.accountId, m]));
  progress.presentAtStart ??= new Set(current.keys());
  const plan = planInvitations(settings.members, current, options);
  progress.wrote ||= plan.create.length + plan.invite.length > 0;
  log.info('planned', {
    detectorId,
    declared: declaredIds.length,
    toCreate: plan.create.length,
    toRecreate: plan.recreate.map((m) => m.accountId),
    toInvite: plan.invite.length,
    unchanged: plan.unchanged.length,
  });

  const replaced = await replaceCorrectedMembers(api, detectorId, plan.recreate);
  const toCreate = plan.create.filter((m) => !replaced.refusedIds.has(m.accountId));
  const created = partitionUnprocessed(await api.createMembers(detectorId, toCreate), ['already-member']);
  const createRefused = new Set([...replaced.refusedIds, ...created.refused.map((u) => u.accountId)]);
  // "Already a member" for an account GetMembers did not list means a CreateMembers call
  // went through but its response was lost, and the SDK's retry met our own write: the
  // member is this run's, and a failed Create must remove it. (Someone else creating it
  // in the milliseconds between the two calls looks the same; that is far rarer than a
  // lost response.) Either way it is a member now and still gets its invitation. A
  // re-created member was a member before this run, so a failed Create leaves it.
  const recreatedIds = new Set(plan.recreate.map((m) => m.accountId));
  progress.created.push(...toCreate.map((m) => m.accountId).filter((id) => !createRefused.has(id) && !recreatedIds.has(id)));
  // Mixed fleets (organization-association.ts): accounts GuardDuty associated at once
  // came in through the organization and get no invitation.
  const association = await associateThroughOrganization(api, detectorId, {
    createdIds: toCreate.map((m) => m.accountId).filter((id) => !createRefused.has(id)),
    readd: membersToReadd(plan, settings.members, current),
  });
  const toInvite = plan.invite.filter((id) => !createRefused.has(id) && !association.associated.has(id));

  const invitation = { message: settings.message, disableEmailNotification: settings.disableEmailNotification };
  const invited = partitionUnprocessed(await api.inviteMembers(detectorId, toInvite, invitation), ['already-invited']);
  const notInvited = new Set([...invited.benign, ...invited.refused].map((u) => u.accountId));

  const outcome: InvitationOutcome = {
    detectorId,
    invited: toInvite.filter((id) => !notInvited.has(id)),
    associated: declaredIds.filter((id) => association.associated.has(id)),
    alreadyMembers: [
      ...plan.unchanged.map((m) => ({ ...m, wayIn: wayIn(current.get(m.accountId)!) })),
      ...invited.benign.map((u) => ({ accountId: u.accountId, relationshipStatus: 'Invited' })),
    ],
    unprocessed: [...replaced.refused, ...created.refused, ...invited.refused.map((u) => refusedReadd(u, association.readdRefusals))],
    removed: [],
  };
  log.info('applied', {
    detectorId,
    invited: outcome.invited,
    associated: outcome.associated,
    alreadyMembers: outcome.alreadyMembers.map((m) => `${m.accountId}:${m.relationshipStatus}`),
    unprocessed: outcome.unprocessed.map((u) => `${u.accountId}: ${u.result}`),
  });
  // A create GuardDuty answered "already a member" counts as a change: the read missed it.
  // So does a `Removed` organization member CreateMembers associated again.
  const changed = plan.recreate.length > replaced.refused.length || toCreate.length > created.refused.length || outcome.invited.length > 0 || association.associated.size > 0;
  return { outcome, presentAtStart: new Set(current.keys()), members: read, changed };
}

/** Deletes the members whose email was corrected, so CreateMembers can take the new address. */
async function replaceCorrectedMembers(
  api: GuardDutyMembersApi,
  detectorId: string,
  members: readonly DeclaredMember[],
): Promise<{ refused: UnprocessedAccount[]; refusedIds: Set<string> }> {
  if (members.length === 0) {
    return { refused: [], refusedIds: new Set() };
  }
  const deleted = partitionUnprocessed(await api.deleteMembers(detectorId, members.map((m) => m.accountId)), ['not-a-member']);
  const refused = deleted.refused.map((u) => ({ accountId: u.accountId, result: `could not replace the member to correct its email: ${u.result}` }));
  return { refused, refusedIds: new Set(refused.map((u) => u.accountId)) };
}
