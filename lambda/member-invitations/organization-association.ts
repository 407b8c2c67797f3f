import { GuardDutyMembersApi } from './guardduty-members-api';
import { CurrentMember, InvitationPlan } from './member-plan';
import { DeclaredMember } from './resource-properties';
import { UnprocessedAccount, classifyUnprocessed } from '../shared/unprocessed-results';

/**
 * Mixed fleets: accounts of the administrator's AWS Organization and accounts outside it,
 * declared in one list.
 *
 * When the administrator is the organization's GuardDuty delegated administrator,
 * CreateMembers of an organization account associates it at once (relationship
 * `Enabled`, no invitation, no email verification), and InviteMembers on such a member is
 * refused. Any other account, and every account of an administrator that is not the
 * delegated one, is `Created` and needs an invitation. So the handler does not ask
 * Organizations (it needs no Organizations permission, and a list of the organization's
 * accounts would not say whether this administrator is the delegated one): it reads
 * GuardDuty's own answer, the relationship status right after CreateMembers, and invites
 * only the accounts that are not associated yet. That read is skipped where GuardDuty
 * cannot have associated anyone (organization-reach.ts).
 */
export type WayIn = 'organization' | 'invitation';

/**
 * Members offered CreateMembers again before any invitation: a member disassociated
 * (`Removed`) may be an organization account, which GuardDuty lets back only through
 * CreateMembers, never InviteMembers.
 *
 * Known (GuardDuty API reference): an organization member that was disassociated is added
 * back with CreateMembers; CreateMembers on an account already in the member list answers
 * "…already a member or associated member of the current account." (wording public
 * projects match on). Assumed, not known from public sources: what CreateMembers answers
 * for a `Removed` member that came by invitation (the emulator gives the "already a
 * member" answer), and InviteMembers' exact wording for an organization member. The
 * handler depends on neither wording: whatever CreateMembers answered, it reads the
 * relationship status again and invites the account unless it is `Enabled`.
 */
export const READD_WHEN_STATUS: ReadonlySet<string> = new Set(['Removed']);

/** Statuses of a member associated with the administrator. */
const ASSOCIATED: ReadonlySet<string> = new Set(['Enabled', 'Disabled']);

/** What re-reading the accounts after CreateMembers found. */
export interface OrganizationAssociation {
  /** Accounts GuardDuty associated without an invitation: they came in through the organization. */
  readonly associated: ReadonlySet<string>;
  /** Why CreateMembers did not re-add a `Removed` member, to explain it should the invitation be refused too. */
  readonly readdRefusals: ReadonlyMap<string, string>;
  /** The accounts read again after CreateMembers. */
  readonly reread: ReadonlySet<string>;
}

/** The planned invitations that go to a `Removed` member, which is offered CreateMembers first. */
export function membersToReadd(plan: InvitationPlan, declared: readonly DeclaredMember[], current: ReadonlyMap<string, CurrentMember>): DeclaredMember[] {
  const invited = new Set(plan.invite);
  // A member whose email was corrected is deleted and created anew already (plan.recreate).
  const recreated = new Set(plan.recreate.map((m) => m.accountId));
  return declared.filter((m) => invited.has(m.accountId) && !recreated.has(m.accountId) && READD_WHEN_STATUS.has(current.get(m.accountId)?.relationshipStatus ?? ''));
}

/** The accounts among `accountIds` that GuardDuty shows associated right after CreateMembers. */
export function associatedAfterCreate(accountIds: readonly string[], membersNow: readonly CurrentMember[]): Set<string> {
  const enabled = new Set(membersNow.filter((m) => m.relationshipStatus === 'Enabled').map((m) => m.accountId));
  return new Set(accountIds.filter((id) => enabled.has(id)));
}

/**
 * How a member that was in the list before the run came in. GuardDuty keeps no "added
 * through the organization" flag in GetMembers, so it is inferred: a member associated
 * (`Enabled` or `Disabled`) that was never sent an invitation (no `InvitedAt`) came in
 * through the organization; every other member came by invitation. An organization
 * account that was invited before its administrator became the delegated one keeps its
 * `InvitedAt`, and so counts as invited, which is how it came in.
 */
export function wayIn(member: CurrentMember): WayIn {
  return member.invitedAtMs === undefined && ASSOCIATED.has(member.relationshipStatus) ? 'organization' : 'invitation';
}

/**
 * The reason given for a `Removed` member that could neither be re-added nor invited:
 * both of GuardDuty's answers, so that the user sees why the organization path failed too.
 */
export function refusedReadd(invitation: UnprocessedAccount, readdRefusals: ReadonlyMap<string, string>): UnprocessedAccount {
  const readd = readdRefusals.get(invitation.accountId);
  return readd === undefined ? invitation : { accountId: invitation.accountId, result: `re-adding it with CreateMembers: ${readd}; inviting it: ${invitation.result}` };
}

/**
 * Offers CreateMembers to the `Removed` members, then reads again (GetMembers, 50 a call)
 * those members and the accounts CreateMembers took in this run that the organization can
 * have associated (organization-reach.ts chooses them): `Enabled` ones came in through the
 * organization; the rest are to be invited.
 */
export async function associateThroughOrganization(
  api: GuardDutyMembersApi,
  detectorId: string,
  accounts: { readonly createdIds: readonly string[]; readonly readd: readonly DeclaredMember[] },
): Promise<OrganizationAssociation> {
  const readdRefusals = new Map<string, string>();
  if (accounts.readd.length > 0) {
    for (const u of await api.createMembers(detectorId, accounts.readd)) {
      // "Already a member" is the expected answer for a Removed member that came by invitation.
      if (classifyUnprocessed(u.result) !== 'already-member') {
        readdRefusals.set(u.accountId, u.result);
      }
    }
  }
  const reread = [...accounts.createdIds, ...accounts.readd.map((m) => m.accountId)];
  if (reread.length === 0) {
    return { associated: new Set(), readdRefusals, reread: new Set() };
  }
  return { associated: associatedAfterCreate(reread, await api.getMembers(detectorId, reread)), readdRefusals, reread: new Set(reread) };
}
