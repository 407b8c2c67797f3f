import { ATTRIBUTE } from '../../lib/private/invitation-contract';
import { CurrentMember } from './member-plan';
import { MAX_ID_LIST_BYTES, boundedList } from './outcome-report';
import { UnprocessedAccount } from './unprocessed-results';

/**
 * After InviteMembers, GuardDuty verifies each member's email asynchronously
 * (EmailVerificationInProgress, then Invited or EmailVerificationFailed). An account
 * reported "invited" when the call returns may still fail minutes later, so the
 * resource can stay in progress until this run's invitations have settled.
 */
export interface VerificationVerdict {
  /** True when nothing invited by this run is still being verified, or time is up. */
  readonly settled: boolean;
  readonly pending: readonly string[];
  /** Accounts whose verification failed, or did not finish by the deadline. */
  readonly unprocessed: readonly UnprocessedAccount[];
}

export const VERIFICATION_FAILED_REASON =
  'Email verification failed: GuardDuty could not verify the email as the root user email of this account. Correct the email in members and deploy again.';

/**
 * GuardDuty's clock and Lambda's may differ a little; invitations sent up to this long
 * before the run started still count as this run's.
 */
export const CLOCK_SKEW_MS = 60_000;

/**
 * Judges the members this run invited: those whose InvitedAt is not older than the run.
 * Older invitations were reported as "already a member" by the run and are not counted
 * twice.
 */
export function judgeVerification(
  members: readonly CurrentMember[],
  options: { readonly sinceMs: number; readonly deadlineMs: number; readonly nowMs: number },
): VerificationVerdict {
  const ours = members.filter((m) => m.invitedAtMs !== undefined && m.invitedAtMs >= options.sinceMs - CLOCK_SKEW_MS);
  const pending = ours.filter((m) => m.relationshipStatus === 'EmailVerificationInProgress').map((m) => m.accountId);
  const failed = ours.filter((m) => m.relationshipStatus === 'EmailVerificationFailed').map((m) => ({ accountId: m.accountId, result: VERIFICATION_FAILED_REASON }));
  const timedOut = options.nowMs >= options.deadlineMs;
  if (pending.length > 0 && !timedOut) {
    return { settled: false, pending, unprocessed: failed };
  }
  const minutes = Math.round((options.deadlineMs - options.sinceMs) / 60_000);
  const late = pending.map((accountId) => ({
    accountId,
    result: `Email verification did not finish within ${minutes} minutes; GuardDuty may still complete it. Deploy again to check.`,
  }));
  return { settled: true, pending: [], unprocessed: [...failed, ...late] };
}

/**
 * Moves accounts whose verification failed from the invited attributes to the
 * unprocessed ones. The attributes hold bounded lists ("… and N more"), so the IDs
 * listed are edited and the counts recomputed.
 */
export function withVerificationResults(data: Readonly<Record<string, string>>, failures: readonly UnprocessedAccount[]): Record<string, string> {
  if (failures.length === 0) {
    return { ...data };
  }
  const failed = new Set(failures.map((f) => f.accountId));
  const invited = listedIds(data[ATTRIBUTE.INVITED_ACCOUNT_IDS]).filter((id) => !failed.has(id));
  const invitedCount = Math.max(0, Number(data[ATTRIBUTE.INVITED_ACCOUNT_COUNT] ?? 0) - failures.length);
  const unprocessed = [...listedIds(data[ATTRIBUTE.UNPROCESSED_ACCOUNT_IDS]), ...failed];
  const unprocessedCount = Number(data[ATTRIBUTE.UNPROCESSED_ACCOUNT_COUNT] ?? 0) + failures.length;
  return {
    ...data,
    [ATTRIBUTE.INVITED_ACCOUNT_IDS]: listWithCount(invited, invitedCount),
    [ATTRIBUTE.INVITED_ACCOUNT_COUNT]: String(invitedCount),
    [ATTRIBUTE.UNPROCESSED_ACCOUNT_IDS]: listWithCount(unprocessed, unprocessedCount),
    [ATTRIBUTE.UNPROCESSED_ACCOUNT_COUNT]: String(unprocessedCount),
  };
}

function listedIds(list: string | undefined): string[] {
  return (list ?? '').split(',').filter((s) => s.length > 0 && !s.startsWith('…'));
}

function listWithCount(known: readonly string[], total: number): string {
  return boundedList(known, MAX_ID_LIST_BYTES, ',', Math.max(total, known.length));
}
