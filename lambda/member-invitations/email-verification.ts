import { ATTRIBUTE } from '../../lib/private/invitation-contract';
import { CurrentMember, invitedSince } from './member-plan';
import { MAX_ID_LIST_BYTES, boundedList, listedIds } from './outcome-report';
import { UnprocessedAccount } from '../shared/unprocessed-results';

/**
 * After InviteMembers, GuardDuty verifies each member's email asynchronously
 * (EmailVerificationInProgress, then Invited or EmailVerificationFailed). An account
 * reported "invited" when the call returns may still fail minutes later, so the
 * resource can stay in progress until this run's invitations have settled.
 */
export interface VerificationVerdict {
  /** True when no declared account is still being verified, or time is up. */
  readonly settled: boolean;
  readonly pending: readonly string[];
  /** Accounts whose verification failed, or did not finish by the deadline. */
  readonly unprocessed: readonly VerificationFailure[];
}

export interface VerificationFailure extends UnprocessedAccount {
  /**
   * Whether this run sent the invitation (so onEvent reported the account invited), or an
   * earlier run did (so onEvent reported it already a member).
   */
  readonly invitedByThisRun: boolean;
}

export const VERIFICATION_FAILED_REASON =
  'Email verification failed: GuardDuty could not verify the email as the root user email of this account. Correct the email in members and deploy again.';

/**
 * Judges the declared members once this run's invitations are out: the resource stays in
 * progress while any of them is still being verified, whoever invited it, so the
 * attributes describe settled accounts. An invitation is this run's when GuardDuty
 * stamped it at or after the run started (`sinceMs`, to InvitedAt's second: see
 * invitedSince); onEvent reported those invited and the others already members, and a
 * failure is taken out of the list it was in.
 */
export function judgeVerification(
  members: readonly CurrentMember[],
  options: { readonly sinceMs: number; readonly deadlineMs: number; readonly nowMs: number },
): VerificationVerdict {
  // The same test as the plan's and the outcome's (InvitedAt is to the second), so an
  // account is moved out of the list the outcome put it in, not the other one.
  const byThisRun = (m: CurrentMember) => invitedSince(m, options.sinceMs);
  const pending = members.filter((m) => m.relationshipStatus === 'EmailVerificationInProgress');
  const failed = members
    .filter((m) => m.relationshipStatus === 'EmailVerificationFailed')
    .map((m) => ({ accountId: m.accountId, result: VERIFICATION_FAILED_REASON, invitedByThisRun: byThisRun(m) }));
  const timedOut = options.nowMs >= options.deadlineMs;
  if (pending.length > 0 && !timedOut) {
    return { settled: false, pending: pending.map((m) => m.accountId), unprocessed: failed };
  }
  const minutes = Math.round((options.deadlineMs - options.sinceMs) / 60_000);
  const late = pending.map((m) => ({
    accountId: m.accountId,
    result: `Email verification did not finish within ${minutes} minutes; GuardDuty may still complete it. Deploy again to check.`,
    invitedByThisRun: byThisRun(m),
  }));
  return { settled: true, pending: [], unprocessed: [...failed, ...late] };
}

/**
 * Moves accounts whose verification failed from the invited or already-member
 * attributes (wherever onEvent reported them) to the unprocessed ones. Accounts onEvent
 * already reported unprocessed (an EmailVerificationFailed member GuardDuty refused to
 * re-invite) stay counted once. The attributes hold bounded lists ("… and N more"), so
 * the IDs listed are edited and the counts recomputed.
 */
export function withVerificationResults(data: Readonly<Record<string, string>>, failures: readonly VerificationFailure[]): Record<string, string> {
  const alreadyUnprocessed = new Set(listedIds(data[ATTRIBUTE.UNPROCESSED_ACCOUNT_IDS]));
  const moved = failures.filter((f) => !alreadyUnprocessed.has(f.accountId));
  if (moved.length === 0) {
    return { ...data };
  }
  // The list onEvent (or the continued run's outcome) reported decides where an account
  // was counted; only when that list was cut short does the invitation's time decide.
  const invitedList = data[ATTRIBUTE.INVITED_ACCOUNT_IDS] ?? '';
  const listedInvited = new Set(listedIds(invitedList));
  const invitedListComplete = !invitedList.includes('…');
  const fromInvited = new Set(moved.filter((f) => listedInvited.has(f.accountId) || (!invitedListComplete && f.invitedByThisRun)).map((f) => f.accountId));
  const fromAlreadyMembers = moved.length - fromInvited.size;
  const count = (name: string) => Number(data[name] ?? 0);
  const invited = listedIds(data[ATTRIBUTE.INVITED_ACCOUNT_IDS]).filter((id) => !fromInvited.has(id));
  const invitedCount = Math.max(0, count(ATTRIBUTE.INVITED_ACCOUNT_COUNT) - fromInvited.size);
  const unprocessed = [...alreadyUnprocessed, ...moved.map((f) => f.accountId)];
  const unprocessedCount = count(ATTRIBUTE.UNPROCESSED_ACCOUNT_COUNT) + moved.length;
  return {
    ...data,
    [ATTRIBUTE.INVITED_ACCOUNT_IDS]: listWithCount(invited, invitedCount),
    [ATTRIBUTE.INVITED_ACCOUNT_COUNT]: String(invitedCount),
    [ATTRIBUTE.UNPROCESSED_ACCOUNT_IDS]: listWithCount(unprocessed, unprocessedCount),
    [ATTRIBUTE.UNPROCESSED_ACCOUNT_COUNT]: String(unprocessedCount),
    [ATTRIBUTE.ALREADY_MEMBER_ACCOUNT_COUNT]: String(Math.max(0, count(ATTRIBUTE.ALREADY_MEMBER_ACCOUNT_COUNT) - fromAlreadyMembers)),
    // Only invited accounts are verified: organization members are never moved.
    ...(data[ATTRIBUTE.INVITATION_ACCOUNT_COUNT] === undefined ? {} : { [ATTRIBUTE.INVITATION_ACCOUNT_COUNT]: String(Math.max(0, count(ATTRIBUTE.INVITATION_ACCOUNT_COUNT) - moved.length)) }),
  };
}

function listWithCount(known: readonly string[], total: number): string {
  return boundedList(known, MAX_ID_LIST_BYTES, ',', Math.max(total, known.length));
}
