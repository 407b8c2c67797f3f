/**
 * The wire contract between the `GuardDutyDelegatedAdministrator` construct and its
 * handler. Renaming any of these is a breaking change for deployed stacks.
 */
import { MemberRemovalPolicy } from './invitation-contract';

/** ResourceProperties as the construct writes them into the template. */
export interface DelegatedAdministratorResourceProperties {
  /** The account to make the GuardDuty delegated administrator: 12 digits. */
  readonly AdminAccountId: string;
  /** DESTROY: a Delete calls DisableOrganizationAdminAccount. */
  readonly RemovalPolicy: MemberRemovalPolicy;
  /**
   * "true": also enable Organizations trusted access for Malware Protection and create its
   * service-linked role in this account. Absent means "false" (templates from before it).
   */
  readonly MalwareProtectionPrerequisites?: 'true' | 'false';
}

/** Names of the values in the handler's `Data`, read with `Fn::GetAtt`. */
export const DELEGATED_ADMINISTRATOR_ATTRIBUTE = {
  ADMIN_ACCOUNT_ID: 'AdminAccountId',
  /** As ListOrganizationAdminAccounts reports it: `ENABLED`. */
  ADMIN_STATUS: 'AdminStatus',
} as const;

/**
 * Physical IDs are `guardduty-delegated-administrator:<adminAccountId>`: a new account is
 * a new physical ID, and the Delete of the old resource reads from its ID which account
 * it is about, so it never disables the new one.
 */
const PREFIX = 'guardduty-delegated-administrator:';

export function delegatedAdministratorPhysicalId(adminAccountId: string): string {
  return `${PREFIX}${adminAccountId}`;
}

export function adminAccountIdOfPhysicalId(physicalId: string | undefined): string | undefined {
  const match = /^guardduty-delegated-administrator:(\d{12})$/.exec(physicalId ?? '');
  return match?.[1];
}

/** The service principal GuardDuty registers with AWS Organizations. */
export const GUARDDUTY_SERVICE_PRINCIPAL = 'guardduty.amazonaws.com';

/**
 * Malware Protection's service principal: the one trusted access is enabled for, and the
 * `AWSServiceName` of its service-linked role.
 */
export const MALWARE_PROTECTION_SERVICE_PRINCIPAL = 'malware-protection.guardduty.amazonaws.com';

/** The service-linked role IAM creates for MALWARE_PROTECTION_SERVICE_PRINCIPAL (its name is fixed by the service). */
export const MALWARE_PROTECTION_ROLE_NAME = 'AWSServiceRoleForAmazonGuardDutyMalwareProtection';
