import { KNOWN_RELATIONSHIP_STATUSES, NOT_A_MEMBER } from '../../lib/private/monitor-contract';

/** A member of the administrator's detector, as ListMembers shows it (its email dropped on arrival). */
export interface ListedMember {
  readonly accountId: string;
  readonly relationshipStatus: string;
  readonly invitedAtMs?: number;
  /** When GuardDuty last changed the member's record, its status included. */
  readonly updatedAtMs?: number;
}

export type DriftKind = 'not-enabled' | 'missing' | 'undeclared';

/** An account whose membership differs from the declaration; account ID and status only. */
export interface DriftedAccount {
  readonly accountId: string;
  readonly drift: DriftKind;
  readonly relationshipStatus: string;
  /** Since when the member has had this status, as far as GuardDuty's timestamps say. */
  readonly sinceMs?: number;
  /** Counted by the alarm: a declared account not Enabled for longer than the grace period. */
  readonly pastGracePeriod: boolean;
}

export interface MembershipReport {
  readonly declaredAccounts: number;
  /** Declared accounts per relationship status (NotAMember for missing ones): they add up to declaredAccounts. */
  readonly declaredByStatus: Readonly<Record<string, number>>;
  readonly undeclaredMembers: number;
  readonly missingMembers: number;
  readonly notEnabledPastGracePeriod: number;
  /** Every account that differs, declared ones first, each once. */
  readonly drifted: readonly DriftedAccount[];
}

const ENABLED = 'Enabled';

/**
 * Statuses that wait for the member account to act on an invitation. They get the grace
 * period, counted from the invitation (InvitedAt), so an invitation sent yesterday is no
 * alarm yet. Every other status that is not Enabled says the membership broke (the member
 * resigned or suspended GuardDuty, the administrator removed it, the email was wrong) and
 * counts at once, so a member that leaves is in the alarm at the next check.
 */
const AWAITING_MEMBER: readonly string[] = ['Created', 'Invited', 'EmailVerificationInProgress'];

/**
 * Compares the declared accounts with the detector's member list. A declared account is
 * in drift when it is not Enabled; it counts for the alarm at once, or, while an
 * invitation waits for the member, once the grace period has passed. A declared account
 * with no member record at all counts at once: nothing brings it back but a deployment.
 * Members nobody declared are reported, never counted for the alarm: they are someone
 * else's decision.
 */
export function compareMembership(declared: readonly string[], listed: readonly ListedMember[], nowMs: number, gracePeriodMs: number): MembershipReport {
  const declaredIds = new Set(declared);
  const listedById = new Map(listed.map((member) => [member.accountId, member]));
  const declaredByStatus: Record<string, number> = Object.fromEntries([...KNOWN_RELATIONSHIP_STATUSES, NOT_A_MEMBER].map((status) => [status, 0]));
  const drifted: DriftedAccount[] = [];

  for (const accountId of declaredIds) {
    const member = listedById.get(accountId);
    const status = member?.relationshipStatus ?? NOT_A_MEMBER;
    declaredByStatus[status] = (declaredByStatus[status] ?? 0) + 1;
    if (!member) {
      drifted.push({ accountId, drift: 'missing', relationshipStatus: NOT_A_MEMBER, pastGracePeriod: true });
    } else if (status !== ENABLED) {
      const awaitingMember = AWAITING_MEMBER.includes(status);
      const sinceMs = awaitingMember ? (member.invitedAtMs ?? member.updatedAtMs) : (member.updatedAtMs ?? member.invitedAtMs);
      // No timestamp at all: nothing says the grace period is still running.
      const pastGracePeriod = !awaitingMember || sinceMs === undefined || nowMs - sinceMs > gracePeriodMs;
      drifted.push({ accountId, drift: 'not-enabled', relationshipStatus: status, sinceMs, pastGracePeriod });
    }
  }
  const undeclared = listed.filter((member) => !declaredIds.has(member.accountId));
  for (const member of undeclared) {
    drifted.push({ accountId: member.accountId, drift: 'undeclared', relationshipStatus: member.relationshipStatus, sinceMs: member.updatedAtMs ?? member.invitedAtMs, pastGracePeriod: false });
  }

  return {
    declaredAccounts: declaredIds.size,
    declaredByStatus,
    undeclaredMembers: undeclared.length,
    missingMembers: declaredByStatus[NOT_A_MEMBER],
    notEnabledPastGracePeriod: drifted.filter((account) => account.pastGracePeriod).length,
    drifted,
  };
}
