import { chunk } from '../../lib/private/member-account-rules';
import { Logger } from '../shared/logger';
import { GuardDutyMembersApi } from './guardduty-members-api';
import { OrganizationReach } from './organization-reach';
import { InvitationOutcome } from './outcome-report';
import { RunProgress, applyDeclaredMembers } from './reconcile-members';
import { InvitationSettings } from './resource-properties';

/** onEvent's progress: what RunProgress records, and how many leading batches are finished (run-cursor.ts). */
export interface StartProgress extends RunProgress {
  readonly readIds: string[];
  /** Leading batches read, planned and written with nothing unprocessed. */
  batchesDone: number;
}

/**
 * onEvent's pass: the declaration batch by batch in order, each batch read, planned and
 * written before the next is read (reconcile-members.ts on 50 accounts at a time). A
 * run GuardDuty's rate stretches past onEvent's time so keeps every write it made and
 * hands the isComplete polls a cursor past the batches it finished, rather than having
 * read the whole fleet first and written little of it. The outcome is every batch's
 * together. Throws the OutOfTimeError that ends the invocation; `progress` then says how
 * far it got.
 */
export async function applyInOrder(
  api: GuardDutyMembersApi,
  detectorId: string,
  settings: InvitationSettings,
  progress: StartProgress,
  reach: OrganizationReach,
  log: Logger,
): Promise<InvitationOutcome> {
  const outcomes: InvitationOutcome[] = [];
  for (const batch of chunk(settings.members)) {
    const applied = await applyDeclaredMembers(api, detectorId, { ...settings, members: batch }, progress, reach, log);
    outcomes.push(applied.outcome);
    if (progress.batchesDone === outcomes.length - 1 && applied.outcome.unprocessed.length === 0) {
      progress.batchesDone += 1;
    }
  }
  return mergeOutcomes(detectorId, outcomes);
}

/** The outcomes of the batches of one pass as one: each account is in one batch. */
export function mergeOutcomes(detectorId: string, outcomes: readonly InvitationOutcome[]): InvitationOutcome {
  return {
    detectorId,
    invited: outcomes.flatMap((o) => o.invited),
    associated: outcomes.flatMap((o) => o.associated ?? []),
    alreadyMembers: outcomes.flatMap((o) => o.alreadyMembers),
    unprocessed: outcomes.flatMap((o) => o.unprocessed),
    removed: outcomes.flatMap((o) => o.removed),
  };
}
