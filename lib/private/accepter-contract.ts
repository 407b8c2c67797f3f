/**
 * The wire contract between the `GuardDutyInvitationAccepter` construct and its handler:
 * the custom resource's property names, the attribute names the handler returns, and
 * the physical ID. Both sides import these names so they cannot drift apart. Renaming
 * any of them is a breaking change for deployed stacks.
 */
import { MemberRemovalPolicy } from './invitation-contract';

/** ResourceProperties as the construct writes them into the template. */
export interface AccepterResourceProperties {
  /** The account whose invitation to accept: 12 digits. */
  readonly AdministratorAccountId: string;
  /** Absent: the handler looks up the detector of its account and region. */
  readonly DetectorId?: string;
  /** Whole seconds to wait for the invitation to arrive, as a string (CloudFormation sends strings). */
  readonly InvitationTimeoutSeconds: string;
  /** DESTROY: a Delete disassociates the account from the administrator. */
  readonly RemovalPolicy: MemberRemovalPolicy;
}

/** The bounds of the invitation wait; the provider's total timeout (1 hour) is above the longest. */
export const MIN_INVITATION_TIMEOUT_SECONDS = 60;
export const MAX_INVITATION_TIMEOUT_SECONDS = 3_000;
export const DEFAULT_INVITATION_TIMEOUT_SECONDS = 900;

/** Names of the values in the handler's `Data`, read with `Fn::GetAtt`. */
export const ACCEPTER_ATTRIBUTE = {
  ADMINISTRATOR_ACCOUNT_ID: 'AdministratorAccountId',
  /** The relationship with the administrator as GetAdministratorAccount reports it (`Enabled` once accepted). */
  RELATIONSHIP_STATUS: 'RelationshipStatus',
  DETECTOR_ID: 'DetectorId',
  /** Epoch milliseconds after which the wait for the invitation gives up (isComplete's state). */
  INVITATION_DEADLINE: 'InvitationDeadline',
} as const;

/**
 * Physical IDs are `guardduty-administrator:<detectorId>:<administratorAccountId>`. A new
 * administrator or detector is a new physical ID, so CloudFormation replaces the resource
 * and then deletes the old one; the Delete reads from the ID which relationship it is
 * about, so it never touches the new one.
 */
export const ACCEPTER_PHYSICAL_ID_PREFIX = 'guardduty-administrator:';

export function accepterPhysicalId(detectorId: string, administratorAccountId: string): string {
  return `${ACCEPTER_PHYSICAL_ID_PREFIX}${detectorId}:${administratorAccountId}`;
}

/** The detector and administrator a physical ID names, or undefined when it is not one of ours. */
export function parseAccepterPhysicalId(physicalId: string | undefined): { detectorId: string; administratorAccountId: string } | undefined {
  const match = /^guardduty-administrator:(.+):(\d{12})$/.exec(physicalId ?? '');
  return match ? { detectorId: match[1], administratorAccountId: match[2] } : undefined;
}
