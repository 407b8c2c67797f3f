import { OutOfTimeError } from '../shared/deadline';
import { Logger } from '../shared/logger';
import { RollbackCheck } from '../shared/stack-rollback';
import { GuardDutyMembersApi } from './guardduty-members-api';
import { planRemovals } from './member-plan';
import { DeclaredMember, InvitationSettings } from './resource-properties';
import { UnprocessedAccount, partitionUnprocessed } from '../shared/unprocessed-results';

/**
 * Every way this handler takes accounts out of the member list, and the rule they share:
 * a removal either undoes what the failing run itself created, or, outside a
 * CloudFormation rollback, follows the declaration (an Update dropping accounts, a
 * Delete, with DESTROY). A rollback removes nothing: see lambda/shared/stack-rollback.ts.
 */
export interface RemovalResult {
  readonly removed: string[];
  /** Accounts GuardDuty refused to remove, with a reason that says so. */
  readonly refused: UnprocessedAccount[];
}

const NOTHING_REMOVED: RemovalResult = { removed: [], refused: [] };

/**
 * The time ran out before the stack status was read, so before any removal: nothing is
 * half-done, and the run can go on in a later invocation that asks again. (Running out
 * in the middle of the removals is a plain OutOfTimeError: the run fails and undoes
 * what it created, as before.)
 */
export class StackStatusUnreadError extends OutOfTimeError {}

/**
 * After an Update succeeded (onEvent without the wait, isComplete with it): with
 * DESTROY, removes the accounts the previous properties declared and the new ones do not,
 * unless CloudFormation is rolling back. `checkRollback` is called only when there is
 * something to remove. Throws StackStatusUnreadError when the time ran out before the
 * stack status was read, and OutOfTimeError when it ran out during the removals.
 */
export async function removeDroppedMembers(
  api: GuardDutyMembersApi,
  detectorId: string,
  settings: InvitationSettings,
  previous: { readonly members?: readonly DeclaredMember[]; readonly sameDetector: boolean },
  checkRollback: () => Promise<RollbackCheck>,
  log: Logger,
): Promise<RemovalResult> {
  const dropped = planRemovals(previous.members ?? [], settings.members, {
    removalPolicy: settings.removalPolicy,
    sameDetector: previous.sameDetector,
  });
  if (dropped.length === 0) {
    return NOTHING_REMOVED;
  }
  const rollback = await checkRollback();
  if (rollback.outOfTime) {
    // Out of time is no answer: keeping the dropped accounts would be for good and silent.
    // The caller goes on in the next invocation, which asks again.
    throw new StackStatusUnreadError(rollback.outOfTime.message);
  }
  if (rollback.rollingBack) {
    log.warn('Update during a rollback: accounts the failed properties declared are kept as members', {
      detectorId,
      because: rollback.because,
      kept: dropped,
    });
    return NOTHING_REMOVED;
  }
  const result = await removeMembers(api, detectorId, dropped);
  return {
    removed: result.removed,
    refused: result.refused.map((u) => ({ accountId: u.accountId, result: `could not be removed: ${u.result}` })),
  };
}

/**
 * A Create or Update that fails undoes its own work (with DESTROY): it removes the
 * members it created, never an account that was a member before it. The framework
 * answers the Delete after a failed onEvent itself, and the handler keeps every member
 * in the rollback after a failed isComplete, so this is the only place that work is
 * undone. Never throws: the run's own failure is the one to report.
 */
export async function undoFailedRun(
  api: GuardDutyMembersApi | undefined,
  detectorId: string,
  settings: InvitationSettings,
  created: readonly string[],
  log: Logger,
): Promise<string[]> {
  if (!api || settings.removalPolicy !== 'DESTROY' || created.length === 0) {
    return [];
  }
  try {
    const result = await removeMembers(api, detectorId, created);
    log.warn('failed run: removed the members it created', { detectorId, removed: result.removed, refused: result.refused.map((u) => `${u.accountId}: ${u.result}`) });
    return result.removed;
  } catch (error) {
    log.error('failed run: could not remove the members it created; remove them by hand', { detectorId, created, error: String(error) });
    return [];
  }
}

/**
 * Disassociates, then deletes, the given members (GuardDuty deletes only disassociated
 * members). An account that is not a member (any more) counts as removed: deleting must
 * never fail because the work was already done.
 */
export async function removeMembers(api: GuardDutyMembersApi, detectorId: string, accountIds: readonly string[]): Promise<RemovalResult> {
  if (accountIds.length === 0) {
    return NOTHING_REMOVED;
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
