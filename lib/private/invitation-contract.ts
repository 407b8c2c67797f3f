/**
 * The wire contract between the `GuardDutyMemberInvitations` construct and its handler:
 * the custom resource's property names and the attribute names the handler returns.
 * Both sides import these names so they cannot drift apart. Renaming any of them is a
 * breaking change for deployed stacks (CloudFormation compares properties by name).
 */

/** ResourceProperties as the construct writes them into the template. */
export interface InvitationResourceProperties {
  /** Absent: the handler looks up the detector of its account and region. */
  readonly DetectorId?: string;
  /** The declared members, when the list is small; otherwise `MemberList` says where it is. */
  readonly Members?: ReadonlyArray<{ readonly AccountId: string; readonly Email: string }>;
  /** Where a large member list is: a CDK asset the handler reads (see lib/private/member-list-asset.ts). */
  readonly MemberList?: MemberListLocation;
  /** Members chosen from AWS Organizations at deploy time; the handler adds them to `Members`. */
  readonly OrganizationMembers?: OrganizationMembersSelection;
  readonly Message?: string;
  /** CloudFormation delivers booleans as the strings "true"/"false". */
  readonly DisableEmailNotification: 'true' | 'false';
  readonly OnUnprocessed: UnprocessedPolicy;
  readonly RemovalPolicy: MemberRemovalPolicy;
  /**
   * Whole seconds to wait for GuardDuty's email verification of the accounts invited in
   * a run; "0" or absent: do not wait.
   */
  readonly VerificationTimeoutSeconds?: string;
}

/**
 * A member list kept out of the template: the JSON array `[{AccountId, Email}, …]` as an
 * S3 object of the CDK asset bucket. The object key is content-addressed, so a changed
 * list is a changed property, and thus an Update. `AccountCount` and `FirstAccountIds`
 * are for people reading `cdk diff`; the handler checks the object against `Sha256`.
 */
export interface MemberListLocation {
  readonly Bucket: string;
  readonly Key: string;
  /** Hex SHA-256 of the object's bytes. */
  readonly Sha256: string;
  readonly AccountCount: string;
  readonly FirstAccountIds: string;
}

/**
 * A selection of organization accounts (lib/organization-members.ts): the template holds
 * the selection, never the accounts; the handler lists them on every invocation.
 */
export interface OrganizationMembersSelection {
  /** `ORGANIZATION`: every account (ListAccounts). `ORGANIZATIONAL_UNITS`: the accounts under `ParentIds`, recursively. */
  readonly Scope: OrganizationMembersScope;
  /** Roots or OUs, with `ORGANIZATIONAL_UNITS` only. */
  readonly ParentIds?: readonly string[];
  readonly ExcludeAccountIds?: readonly string[];
  /** A value that changes on every synthesis, so every deployment is an Update that lists the organization again. */
  readonly Refresh?: string;
}

export type OrganizationMembersScope = 'ORGANIZATION' | 'ORGANIZATIONAL_UNITS';
export const ORGANIZATION_MEMBERS_SCOPES: readonly OrganizationMembersScope[] = ['ORGANIZATION', 'ORGANIZATIONAL_UNITS'];

/** The longest verification wait a resource may ask for; the provider's total timeout is above it. */
export const MAX_VERIFICATION_TIMEOUT_SECONDS = 3_000;

export type UnprocessedPolicy = 'FAIL' | 'REPORT';
export const UNPROCESSED_POLICIES: readonly UnprocessedPolicy[] = ['FAIL', 'REPORT'];

export type MemberRemovalPolicy = 'RETAIN' | 'DESTROY';
export const MEMBER_REMOVAL_POLICIES: readonly MemberRemovalPolicy[] = ['RETAIN', 'DESTROY'];

/** Names of the values in the handler's `Data`, read with `Fn::GetAtt`. */
export const ATTRIBUTE = {
  DETECTOR_ID: 'DetectorId',
  INVITED_ACCOUNT_IDS: 'InvitedAccountIds',
  INVITED_ACCOUNT_COUNT: 'InvitedAccountCount',
  UNPROCESSED_ACCOUNT_IDS: 'UnprocessedAccountIds',
  UNPROCESSED_ACCOUNT_COUNT: 'UnprocessedAccountCount',
  ALREADY_MEMBER_ACCOUNT_COUNT: 'AlreadyMemberAccountCount',
  /** Accounts `OrganizationMembers` selected but skipped because Organizations says they are not ACTIVE (bounded list, and count). */
  SUSPENDED_ACCOUNT_IDS: 'SuspendedAccountIds',
  SUSPENDED_ACCOUNT_COUNT: 'SuspendedAccountCount',
  /** How many active accounts `OrganizationMembers` resolved to in this deployment (after exclusions). */
  SELECTED_ACCOUNT_COUNT: 'SelectedAccountCount',
  /** Accounts this run associated through the organization (CreateMembers alone, no invitation). */
  ASSOCIATED_ACCOUNT_COUNT: 'AssociatedAccountCount',
  /** Declared members that came in through the organization, this run or before (bounded list). */
  ORGANIZATION_ACCOUNT_IDS: 'OrganizationAccountIds',
  ORGANIZATION_ACCOUNT_COUNT: 'OrganizationAccountCount',
  /** Declared members that came in by invitation, this run's or an earlier one's. */
  INVITATION_ACCOUNT_COUNT: 'InvitationAccountCount',
  /** Epoch milliseconds: invitations sent from then on are this run's (for the verification wait). */
  VERIFICATION_SINCE: 'VerificationSince',
  /** Epoch milliseconds after which the verification wait gives up. */
  VERIFICATION_DEADLINE: 'VerificationDeadline',
} as const;

/** Physical resource IDs are `guardduty-members:<detectorId>`: stable while the detector is. */
export const PHYSICAL_ID_PREFIX = 'guardduty-members:';

/**
 * A field of onEvent's result that the provider framework passes to isComplete in the
 * waiter's input and never sends to CloudFormation: what isComplete needs to finish or
 * undo the run (see lambda/member-invitations/run-state.ts).
 */
export const RUN_STATE_FIELD = 'GuardDutyMembersRun';
