/** The relationship statuses GuardDuty reports for a member of an administrator's detector. */
export const RELATIONSHIP_STATUSES = ['Created', 'Invited', 'Enabled', 'Disabled', 'Removed', 'Resigned', 'EmailVerificationInProgress', 'EmailVerificationFailed'] as const;

export type RelationshipStatus = (typeof RELATIONSHIP_STATUSES)[number];

/** InviteMembers refuses these: an invitation is pending or already accepted. */
export const INVITATION_OUTSTANDING: readonly RelationshipStatus[] = ['Invited', 'Enabled', 'EmailVerificationInProgress'];

/**
 * DeleteMembers refuses these: the member is, or is about to be, tied to the administrator
 * and must be disassociated first. Disabled (monitoring stopped) is still a relationship.
 */
export const STILL_ASSOCIATED: readonly RelationshipStatus[] = ['Invited', 'Enabled', 'Disabled', 'EmailVerificationInProgress'];

/** The member has accepted: the administrator is its administrator in this region. */
export const ACCEPTED: readonly RelationshipStatus[] = ['Enabled', 'Disabled'];

/**
 * ListMembers with `onlyAssociated` true (its default) returns these, per the API
 * reference: "member accounts whose relationship status with the master is set to
 * Enabled, Disabled".
 */
export const LISTED_AS_ASSOCIATED: readonly RelationshipStatus[] = ACCEPTED;
