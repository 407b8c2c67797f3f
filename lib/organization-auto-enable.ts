/**
 * Which accounts of the organization GuardDuty enables on its own, for the organization
 * as a whole (`autoEnableOrganizationMembers`) or for one protection feature. The values
 * are GuardDuty's own (`AutoEnableMembers`, `OrgFeatureStatus`).
 */
export enum OrganizationAutoEnable {
  /** Accounts that join the organization from now on; existing accounts stay as they are. */
  NEW = 'NEW',
  /**
   * Every account of the organization, existing and new. GuardDuty applies it over time:
   * it may take up to 24 hours to reach every account.
   */
  ALL = 'ALL',
  /** No account is enabled automatically; the delegated administrator adds members itself. */
  NONE = 'NONE',
}
