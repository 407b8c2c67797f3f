import { GuardDutyMembersApi } from './guardduty-members-api';
import { Logger } from '../shared/logger';
import { CurrentMember, planInvitations } from './member-plan';
import { associateThroughOrganization, associatedAfterCreate, membersToReadd, refusedReadd, wayIn } from './organization-association';
import { Delegation, OrganizationReach, accountsToReread } from './organization-reach';
import { InvitationOutcome } from './outcome-report';
import { DeclaredMember, InvitationSettings } from './resource-properties';
import { UnprocessedAccount, partitionUnprocessed } from '../shared/unprocessed-results';

/** What this run has done so far, kept up to date as batches succeed. */
export interface RunProgress {
  /** Accounts this run added to the member list. */
  readonly created: string[];
  /** Declared accounts that were members when the run began, among those read (`readIds`). */
  presentAtStart?: Set<string>;
  /** Declared accounts whose state the run has read, in the order read. */
  readonly readIds?: string[];
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
  reach: OrganizationReach,
  log: Logger,
  options: { readonly sinceMs?: number } = {},
): Promise<AppliedMembers> {
  const declaredIds = settings.members.map((m) => m.accountId);
  const read = await api.getMembers(detectorId, declaredIds);
  const current = new Map(read.map((m) => [m.accountId, m]));
  // Each call of a run's pass reads its accounts for the first time in that pass.
  progress.readIds?.push(...declaredIds);
  progress.presentAtStart ??= new Set();
  for (const id of current.keys()) {
    progress.presentAtStart.add(id);
  }
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

  // The probe goes out beside the writes: its answer is needed only after CreateMembers.
  // With nothing to create or re-add, nothing can have been associated, and no one asks.
  const readdCandidates = membersToReadd(plan, settings.members, current);
  const delegationAsked: Promise<Delegation> = plan.create.length + readdCandidates.length > 0 ? reach.delegation() : Promise.resolve('not-delegated');
  // Awaited below; until then a rejection (only OutOfTimeError) must not count as unhandled.
  delegationAsked.catch(() => undefined);
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
  // came in through the organization and get no invitation. Only those that can have been
  // associated are read again (organization-reach.ts).
  const delegation = await delegationAsked;
  const association = await associateThroughOrganization(api, detectorId, {
    createdIds: accountsToReread(toCreate.map((m) => m.accountId).filter((id) => !createRefused.has(id)), delegation, reach.organizationAccountIds),
    readd: delegation === 'not-delegated' ? [] : readdCandidates.filter((m) => !reach.organizationAccountIds || reach.organizationAccountIds.has(m.accountId)),
  });
  const toInvite = plan.invite.filter((id) => !createRefused.has(id) && !association.associated.has(id));

  const invitation = { message: settings.message, disableEmailNotification: settings.disableEmailNotification };
  const invited = partitionUnprocessed(await api.inviteMembers(detectorId, toInvite, invitation), ['already-invited']);
  // A refused invitation of an account that was not read again may be a wrong guess about
  // the organization: read it, and count it associated if GuardDuty shows it so.
  const unchecked = invited.refused.map((u) => u.accountId).filter((id) => !association.reread.has(id));
  const lateAssociated = unchecked.length > 0 ? associatedAfterCreate(unchecked, await api.getMembers(detectorId, unchecked)) : new Set<string>();
  if (lateAssociated.size > 0) {
    log.warn('GuardDuty refused to invite accounts it shows associated through the organization: counted as associated', { detectorId, accounts: [...lateAssociated], delegation });
  }
  const associated = new Set([...association.associated, ...lateAssociated]);
  const refusedInvitations = invited.refused.filter((u) => !lateAssociated.has(u.accountId));
  const notInvited = new Set([...invited.benign, ...invited.refused].map((u) => u.accountId));

  const outcome: InvitationOutcome = {
    detectorId,
    invited: toInvite.filter((id) => !notInvited.has(id)),
    associated: declaredIds.filter((id) => associated.has(id)),
    alreadyMembers: [
      ...plan.unchanged.map((m) => ({ ...m, wayIn: wayIn(current.get(m.accountId)!) })),
      ...invited.benign.map((u) => ({ accountId: u.accountId, relationshipStatus: 'Invited' })),
    ],
    unprocessed: [...replaced.refused, ...created.refused, ...refusedInvitations.map((u) => refusedReadd(u, association.readdRefusals))],
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
  const changed = plan.recreate.length > replaced.refused.length || toCreate.length > created.refused.length || outcome.invited.length > 0 || associated.size > 0;
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
