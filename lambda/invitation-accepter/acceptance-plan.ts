/**
 * What the member account does about its administrator, decided from what GuardDuty
 * reports before any write call. Pure functions: no SDK, no clock.
 */

/** The member's relationship as GetAdministratorAccount reports it. */
export interface AdministratorRelationship {
  readonly administratorAccountId: string;
  readonly relationshipStatus: string;
}

/** An invitation as ListInvitations reports it. */
export interface ReceivedInvitation {
  readonly administratorAccountId: string;
  readonly invitationId: string;
  /** Epoch milliseconds; undefined when GuardDuty gave no (readable) time. */
  readonly invitedAtMs?: number;
}

/** The administrator the resource declares, and the one it declared before an Update. */
export interface DeclaredAdministrator {
  readonly administratorAccountId: string;
  /** On an Update that changes the administrator: the one the old properties named. */
  readonly previousAdministratorAccountId?: string;
}

export type AcceptanceStep =
  /** Already associated with the declared administrator: nothing to call. */
  | { readonly kind: 'done'; readonly relationshipStatus: string }
  /** An invitation from the declared administrator is waiting: accept it. */
  | { readonly kind: 'accept'; readonly invitationId: string }
  /** Associated with the administrator this resource declared before: leave it, then accept. */
  | { readonly kind: 'switch'; readonly invitationId: string; readonly fromAdministratorAccountId: string }
  /** No invitation yet: look again later. */
  | { readonly kind: 'wait' }
  /** Associated with an administrator this resource never declared: only a person can decide. */
  | { readonly kind: 'conflict'; readonly currentAdministratorAccountId: string; readonly relationshipStatus: string };

/**
 * The statuses in which the member is tied to its administrator: Enabled once it
 * accepted, Disabled when monitoring of the member was stopped (still associated). A
 * pending invitation (Invited) ties nothing, nor do Removed and Resigned.
 */
export const ASSOCIATED_STATUSES: ReadonlySet<string> = new Set(['Enabled', 'Disabled']);

/** Whether the member is associated with the given administrator. */
export function isAssociatedWith(current: AdministratorRelationship | undefined, administratorAccountId: string): boolean {
  return current !== undefined && current.administratorAccountId === administratorAccountId && ASSOCIATED_STATUSES.has(current.relationshipStatus);
}

/**
 * Whether the plan depends on the invitations at all: not when the member is already
 * associated with the declared administrator, nor when it is associated with another
 * one it cannot leave. Saves the ListInvitations call on every re-run.
 */
export function needsInvitations(current: AdministratorRelationship | undefined, declared: DeclaredAdministrator): boolean {
  if (current === undefined || !ASSOCIATED_STATUSES.has(current.relationshipStatus)) {
    return true;
  }
  return current.administratorAccountId !== declared.administratorAccountId && current.administratorAccountId === declared.previousAdministratorAccountId;
}

/**
 * Decides the next step. An account has one administrator per region: associated with
 * the declared one is success whatever the invitations say (accepting is idempotent);
 * associated with another is a conflict, unless this resource declared that one before
 * an Update, in which case the member moves once the new invitation has arrived (not
 * before, so that it is never left without an administrator while it waits).
 */
export function planAcceptance(
  current: AdministratorRelationship | undefined,
  invitations: readonly ReceivedInvitation[],
  declared: DeclaredAdministrator,
): AcceptanceStep {
  if (current !== undefined && ASSOCIATED_STATUSES.has(current.relationshipStatus)) {
    if (current.administratorAccountId === declared.administratorAccountId) {
      return { kind: 'done', relationshipStatus: current.relationshipStatus };
    }
    if (current.administratorAccountId !== declared.previousAdministratorAccountId) {
      return { kind: 'conflict', currentAdministratorAccountId: current.administratorAccountId, relationshipStatus: current.relationshipStatus };
    }
  }
  const invitation = newestInvitationFrom(invitations, declared.administratorAccountId);
  if (invitation === undefined) {
    return { kind: 'wait' };
  }
  if (current !== undefined && ASSOCIATED_STATUSES.has(current.relationshipStatus)) {
    return { kind: 'switch', invitationId: invitation.invitationId, fromAdministratorAccountId: current.administratorAccountId };
  }
  return { kind: 'accept', invitationId: invitation.invitationId };
}

/**
 * An administrator that invites again (say after the member resigned) leaves more than
 * one invitation; the newest is the one GuardDuty accepts.
 */
export function newestInvitationFrom(invitations: readonly ReceivedInvitation[], administratorAccountId: string): ReceivedInvitation | undefined {
  return invitations
    .filter((invitation) => invitation.administratorAccountId === administratorAccountId)
    .reduce<ReceivedInvitation | undefined>((newest, invitation) => (newest === undefined || (invitation.invitedAtMs ?? 0) > (newest.invitedAtMs ?? 0) ? invitation : newest), undefined);
}

/** Where the handler runs, for messages that tell the user where to look. */
export interface MemberLocation {
  readonly accountId?: string;
  readonly region?: string;
  readonly detectorId: string;
}

/** The failure when the member belongs to an administrator this resource never declared. */
export function conflictMessage(step: { currentAdministratorAccountId: string; relationshipStatus: string }, declaredAdministratorAccountId: string, where: MemberLocation): string {
  return (
    `Account ${where.accountId ?? '(this account)'} is already associated with GuardDuty administrator account ${step.currentAdministratorAccountId} ` +
    `(relationship ${step.relationshipStatus}) in ${where.region ?? 'this region'}, not with ${declaredAdministratorAccountId}, the administratorAccountId declared. ` +
    'An account has one GuardDuty administrator per region, and this resource does not take it from another. ' +
    `Disassociate it first: in this account, aws guardduty disassociate-from-administrator-account --detector-id ${where.detectorId}, ` +
    `or have ${step.currentAdministratorAccountId} remove it as a member. Then deploy again. ` +
    `If ${step.currentAdministratorAccountId} is the right administrator, set administratorAccountId to it.`
  );
}

/** The failure when the invitation did not arrive in time. */
export function invitationTimeoutMessage(administratorAccountId: string, timeoutSeconds: number, where: MemberLocation): string {
  const minutes = Math.round(timeoutSeconds / 60);
  return (
    `No GuardDuty invitation from administrator account ${administratorAccountId} reached account ${where.accountId ?? '(this account)'} ` +
    `in ${where.region ?? 'this region'} within ${minutes} minute${minutes === 1 ? '' : 's'}: the administrator has not invited this account (yet). ` +
    `Check that the administrator's stack (GuardDutyMemberInvitations) deployed in account ${administratorAccountId} and the same region, ` +
    'that it declares this account, and that the email it declares is this account\'s root user email: ' +
    'an invitation whose email verification failed never arrives. Then deploy again; the wait starts afresh.'
  );
}
