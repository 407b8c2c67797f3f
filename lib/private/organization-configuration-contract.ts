/**
 * The wire contract between the `GuardDutyOrganizationConfiguration` construct and its
 * handler: property names, attribute names and the physical ID. Both sides import these
 * names so they cannot drift apart. Renaming any of them is a breaking change for
 * deployed stacks.
 */
import { MemberRemovalPolicy } from './invitation-contract';

/** One additional configuration of a feature, as the template carries it. */
export interface AdditionalConfigurationProperty {
  readonly Name: string;
  readonly AutoEnable: string;
}

/** One protection feature, as the template carries it. */
export interface FeatureProperty {
  readonly Name: string;
  readonly AutoEnable: string;
  readonly AdditionalConfiguration?: readonly AdditionalConfigurationProperty[];
}

/** ResourceProperties as the construct writes them into the template. */
export interface OrganizationConfigurationResourceProperties {
  /** Absent: the handler looks up the detector of its account and region. */
  readonly DetectorId?: string;
  readonly AutoEnableOrganizationMembers: string;
  /** Only the features declared; the others are left as GuardDuty has them. */
  readonly Features: readonly FeatureProperty[];
  /** DESTROY: a Delete sets AutoEnableOrganizationMembers to NONE. */
  readonly RemovalPolicy: MemberRemovalPolicy;
  /** The detector's FindingPublishingFrequency (UpdateDetector); absent: left as it is. */
  readonly FindingPublishingFrequency?: string;
}

/** Names of the values in the handler's `Data`, read with `Fn::GetAtt`. */
export const ORGANIZATION_CONFIGURATION_ATTRIBUTE = {
  DETECTOR_ID: 'DetectorId',
  /** "true" once the delegated administrator has as many members as GuardDuty allows (50,000). */
  MEMBER_ACCOUNT_LIMIT_REACHED: 'MemberAccountLimitReached',
  /** "true" when this deployment called UpdateOrganizationConfiguration or UpdateDetector, "false" when nothing differed. */
  UPDATED: 'Updated',
} as const;

/**
 * Physical IDs are `guardduty-organization-configuration:<detectorId>`: a new detector is
 * a new physical ID, so CloudFormation replaces the resource, and the Delete of the old
 * one reads from its ID which detector it is about.
 */
export const ORGANIZATION_CONFIGURATION_PHYSICAL_ID_PREFIX = 'guardduty-organization-configuration:';

export function organizationConfigurationPhysicalId(detectorId: string): string {
  return `${ORGANIZATION_CONFIGURATION_PHYSICAL_ID_PREFIX}${detectorId}`;
}

export function detectorIdOfPhysicalId(physicalId: string | undefined): string | undefined {
  const id = physicalId?.startsWith(ORGANIZATION_CONFIGURATION_PHYSICAL_ID_PREFIX) ? physicalId.slice(ORGANIZATION_CONFIGURATION_PHYSICAL_ID_PREFIX.length) : '';
  return id || undefined;
}
