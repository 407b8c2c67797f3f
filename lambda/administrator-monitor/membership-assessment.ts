/** What GuardDuty says about a member account's side of the relationship. */
export interface MemberSideState {
  /** Undefined when the account has no administrator. */
  readonly administrator?: { readonly accountId: string; readonly relationshipStatus: string };
  /** The detector's status, `ENABLED` or `DISABLED`. */
  readonly detectorStatus: string;
}

export interface MembershipAssessment {
  readonly administratorAssociated: boolean;
  readonly detectorEnabled: boolean;
  /** Each problem in words, naming accounts and statuses (empty when healthy). */
  readonly problems: readonly string[];
}

/**
 * Whether the account is still what its stack declared: an Enabled member of the declared
 * administrator, with its detector enabled. A member that resigns, is removed, joins
 * another administrator or suspends GuardDuty fails one of the two.
 */
export function assessMembership(state: MemberSideState, declaredAdministratorId: string): MembershipAssessment {
  const problems: string[] = [];
  const administrator = state.administrator;
  if (!administrator) {
    problems.push(`the account has no GuardDuty administrator; ${declaredAdministratorId} was declared`);
  } else if (administrator.accountId !== declaredAdministratorId) {
    problems.push(`the account's GuardDuty administrator is ${administrator.accountId}, not the declared ${declaredAdministratorId}`);
  } else if (administrator.relationshipStatus !== 'Enabled') {
    problems.push(`the relationship with administrator ${declaredAdministratorId} is ${administrator.relationshipStatus}, not Enabled`);
  }
  const detectorEnabled = state.detectorStatus === 'ENABLED';
  if (!detectorEnabled) {
    problems.push(`the account's detector is ${state.detectorStatus}, not ENABLED`);
  }
  const administratorAssociated = administrator?.accountId === declaredAdministratorId && administrator.relationshipStatus === 'Enabled';
  return { administratorAssociated, detectorEnabled, problems };
}
