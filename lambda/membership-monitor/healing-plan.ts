import { REINVITABLE_STATUSES } from '../../lib/private/monitor-contract';
import { ListedMember } from './membership-drift';

export interface HealingPlan {
  /** Declared accounts to invite again now. */
  readonly reinvite: readonly string[];
  /** Declared accounts that would be re-invited but were invited within the interval. */
  readonly heldBack: readonly { readonly accountId: string; readonly nextInvitationAtMs: number }[];
}

/**
 * Which declared members to invite again: those that left (Resigned), were removed
 * (Removed) or whose email verification failed, at most once per `reinviteIntervalMs`
 * each, so nobody is mailed at every check. The last invitation's time is GuardDuty's
 * own InvitedAt, which InviteMembers renews: no state store is needed, and an invitation
 * sent by a deployment counts too. Undeclared members are never in the plan, and members
 * that are not members at all cannot be invited (CreateMembers needs the email, which
 * only a deployment has).
 */
export function planHealing(declared: readonly string[], listed: readonly ListedMember[], nowMs: number, reinviteIntervalMs: number): HealingPlan {
  const declaredIds = new Set(declared);
  const reinvite: string[] = [];
  const heldBack: { accountId: string; nextInvitationAtMs: number }[] = [];
  for (const member of listed) {
    if (!declaredIds.has(member.accountId) || !REINVITABLE_STATUSES.includes(member.relationshipStatus)) {
      continue;
    }
    const nextInvitationAtMs = member.invitedAtMs === undefined ? nowMs : member.invitedAtMs + reinviteIntervalMs;
    if (nowMs >= nextInvitationAtMs) {
      reinvite.push(member.accountId);
    } else {
      heldBack.push({ accountId: member.accountId, nextInvitationAtMs });
    }
  }
  return { reinvite, heldBack };
}
