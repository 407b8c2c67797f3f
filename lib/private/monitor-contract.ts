/**
 * The contract between the monitor constructs and their scheduled functions: the
 * environment variables and file the construct writes, and the CloudWatch metric names
 * the function emits (embedded metric format) and the alarms and dashboards read. Both
 * sides import these names so they cannot drift apart.
 */

/** Where the custom metrics of both monitors live. */
export const MONITOR_NAMESPACE = 'GuardDutyMembers';

/**
 * The dimension that tells one monitor's metrics from another's: the monitor function's
 * name, which Lambda gives the function in AWS_LAMBDA_FUNCTION_NAME and the construct
 * knows as `functionName`, so neither side has to be told it.
 */
export const MONITOR_DIMENSION = 'Monitor';
/** The second dimension of the per-status counts. */
export const STATUS_DIMENSION = 'RelationshipStatus';

/** The administrator side's metrics, one value per check. */
export const FLEET_METRIC = {
  /** Declared accounts, in total and (with STATUS_DIMENSION) per relationship status. */
  DECLARED_ACCOUNTS: 'DeclaredAccounts',
  /** Members of the detector that no declaration names. */
  UNDECLARED_MEMBERS: 'UndeclaredMembers',
  /** Declared accounts that are not members of the detector at all. */
  MISSING_MEMBERS: 'MissingMembers',
  /** Declared accounts not Enabled (pending invitations only once past the grace period; missing ones included): the alarm's metric. */
  NOT_ENABLED_PAST_GRACE_PERIOD: 'NotEnabledPastGracePeriod',
  /** Accounts this check re-invited (healing). */
  REINVITED_ACCOUNTS: 'ReinvitedAccounts',
} as const;

/** The member side's metrics, each 0 or 1 per check. */
export const MEMBER_METRIC = {
  /** 1 when the account is an Enabled member of its declared administrator. */
  ADMINISTRATOR_ASSOCIATED: 'AdministratorAssociated',
  /** 1 when the account's detector is enabled. */
  DETECTOR_ENABLED: 'DetectorEnabled',
  /** 1 when either of the above is not: the alarm's metric. */
  MEMBERSHIP_DRIFT: 'MembershipDrift',
} as const;

/**
 * The pseudo relationship status of a declared account that is not a member at all, so
 * the per-status counts add up to the declared accounts.
 */
export const NOT_A_MEMBER = 'NotAMember';

/** The statuses GuardDuty documents for a member; each gets a count, 0 included, at every check. */
export const KNOWN_RELATIONSHIP_STATUSES = [
  'Enabled',
  'Invited',
  'EmailVerificationInProgress',
  'Created',
  'Disabled',
  'Removed',
  'Resigned',
  'EmailVerificationFailed',
] as const;

/** The relationship statuses healing re-invites: the member left, was removed, or its email failed. */
export const REINVITABLE_STATUSES: readonly string[] = ['Removed', 'Resigned', 'EmailVerificationFailed'];

/** The structured log line written per drifted account, which the dashboard's Logs Insights widget reads. */
export const DRIFT_LOG_MESSAGE = 'drifted account';

/** Beside the monitor's bundle: the declared account IDs, nothing else (no emails). */
export const DECLARATION_FILE = 'declaration.json';

export interface MonitorDeclaration {
  /** 12-digit account IDs, sorted, each once. */
  readonly accountIds: readonly string[];
}

/** The monitor functions' environment variables. */
export const MONITOR_ENV = {
  DETECTOR_ID: 'DETECTOR_ID',
  GRACE_PERIOD_SECONDS: 'GRACE_PERIOD_SECONDS',
  /** Present only with healing on: its absence is what keeps the function from inviting. */
  REINVITE_INTERVAL_SECONDS: 'REINVITE_INTERVAL_SECONDS',
  ADMINISTRATOR_ACCOUNT_ID: 'ADMINISTRATOR_ACCOUNT_ID',
} as const;
