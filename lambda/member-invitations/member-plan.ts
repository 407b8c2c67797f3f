import { DeclaredMember } from './resource-properties';

/** A member as GetMembers reports it (only the fields the plan reads). */
export interface CurrentMember {
  readonly accountId: string;
  readonly relationshipStatus: string;
  readonly email?: string;
  /** When the last invitation was sent, in epoch milliseconds. */
  readonly invitedAtMs?: number;
  /** When GuardDuty last changed the member, in epoch milliseconds. */
  readonly updatedAtMs?: number;
}

/** What to do about each declared account, decided before any write call. */
export interface InvitationPlan {
  /** Not in the administrator's member list (or to be re-created): CreateMembers, then InviteMembers. */
  readonly create: readonly DeclaredMember[];
  /**
   * Members whose email was corrected in the declaration: GuardDuty keeps the email a
   * member was created with, so they are deleted, then created again (they are in
   * `create` too) and invited with the corrected address.
   */
  readonly recreate: readonly DeclaredMember[];
  /** Members that have no live invitation or association: InviteMembers. */
  readonly invite: readonly string[];
  /** Members left as they are, with the relationship status that decided it. */
  readonly unchanged: ReadonlyArray<{ readonly accountId: string; readonly relationshipStatus: string }>;
}

/**
 * What to do with a member in each GuardDuty relationship status. An invitation is sent
 * only where none is pending or accepted, so re-running a deployment never re-sends one:
 * - Created: in the list but never invited.
 * - Removed: the administrator disassociated it; it needs a new invitation.
 * - Resigned: the member left; a new invitation asks it back.
 * - EmailVerificationFailed: GuardDuty could not verify the email; a deployment is the
 *   user's request to try again (after correcting the email if that was the cause).
 * - Invited / EmailVerificationInProgress: an invitation is pending; sending another
 *   would mail the account again.
 * - Enabled: associated; nothing to do.
 * - Disabled: associated, but the member suspended its detector; an invitation cannot
 *   change that, only the member account can.
 * A status GuardDuty adds later is left alone rather than guessed at.
 */
export const INVITE_WHEN_STATUS: ReadonlySet<string> = new Set([
  'Created',
  'Removed',
  'Resigned',
  'EmailVerificationFailed',
]);

/**
 * GuardDuty stamps `InvitedAt` to the second while a run's start is in milliseconds: an
 * invitation sent within this margin before the run started counts as the run's own, so
 * a continuing run never sends its own invitation twice.
 */
const INVITED_AT_PRECISION_MS = 1_000;

/** Whether the member's last invitation was sent by the run that began at `sinceMs`. */
export function invitedSince(member: CurrentMember, sinceMs: number): boolean {
  return member.invitedAtMs !== undefined && member.invitedAtMs >= sinceMs - INVITED_AT_PRECISION_MS;
}

export function planInvitations(
  declared: readonly DeclaredMember[],
  current: ReadonlyMap<string, CurrentMember>,
  options: {
    /**
     * When the run began, for a run that continues over several invocations: a member this
     * run already invited is left as it is, whatever its status (an email verification
     * that failed is reported, not retried, within the run).
     */
    readonly sinceMs?: number;
  } = {},
): InvitationPlan {
  const invitedByThisRun = (m: CurrentMember) => options.sinceMs !== undefined && invitedSince(m, options.sinceMs);
  const create: DeclaredMember[] = [];
  const recreate: DeclaredMember[] = [];
  const invite: string[] = [];
  const unchanged: Array<{ accountId: string; relationshipStatus: string }> = [];
  for (const member of declared) {
    const existing = current.get(member.accountId);
    if (!existing) {
      create.push(member);
      invite.push(member.accountId);
    } else if (INVITE_WHEN_STATUS.has(existing.relationshipStatus) && !invitedByThisRun(existing)) {
      if (emailCorrected(existing, member)) {
        recreate.push(member);
        create.push(member);
      }
      invite.push(member.accountId);
    } else {
      unchanged.push({ accountId: member.accountId, relationshipStatus: existing.relationshipStatus });
    }
  }
  return { create, recreate, invite, unchanged };
}

/**
 * Email addresses compare without regard to case (GuardDuty may store them as given).
 * Only members about to be invited are compared: an accepted or pending invitation is
 * not undone for an email change, since the address matters only to the invitation.
 */
function emailCorrected(existing: CurrentMember, declared: DeclaredMember): boolean {
  return existing.email !== undefined && existing.email.toLowerCase() !== declared.email.toLowerCase();
}

/**
 * Accounts to take out of the member list on an Update: those the previous properties
 * declared and the new ones do not. Only with DESTROY, and only on the same detector: a
 * new detector means a new physical resource, and CloudFormation then sends a Delete
 * with the old properties, which cleans up the old detector.
 */
export function planRemovals(
  previous: readonly DeclaredMember[],
  next: readonly DeclaredMember[],
  options: { readonly removalPolicy: 'RETAIN' | 'DESTROY'; readonly sameDetector: boolean },
): string[] {
  if (options.removalPolicy !== 'DESTROY' || !options.sameDetector) {
    return [];
  }
  const kept = new Set(next.map((m) => m.accountId));
  return previous.map((m) => m.accountId).filter((id) => !kept.has(id));
}
