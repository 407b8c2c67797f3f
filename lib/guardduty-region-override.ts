import { FindingPublishingFrequency } from './finding-publishing-frequency';
import { OrganizationAutoEnable } from './organization-auto-enable';
import { OrganizationFeatureConfiguration } from './organization-feature';
import { OrganizationMembers } from './organization-members';

/**
 * What one region of a `GuardDutyOrganizationRollout` does differently from the rest.
 * Each field given replaces the rollout's own value in that region; a field left out
 * keeps it.
 */
export interface GuardDutyRegionOverride {
  /** The region, one of the rollout's regions. */
  readonly region: string;

  /**
   * Which organization accounts GuardDuty enables on its own in this region.
   *
   * @default - the rollout's `autoEnableOrganizationMembers`
   */
  readonly autoEnableOrganizationMembers?: OrganizationAutoEnable;

  /**
   * The protection features of the organization in this region (a plan GuardDuty does not
   * offer in a region, say, is left out here).
   *
   * @default - the rollout's `features`
   */
  readonly features?: OrganizationFeatureConfiguration[];

  /**
   * How often the delegated administrator's detector in this region exports updated findings.
   *
   * @default - the rollout's `findingPublishingFrequency`
   */
  readonly findingPublishingFrequency?: FindingPublishingFrequency;

  /**
   * The organization accounts that are members in this region, with their own exclusions.
   *
   * @default - the rollout's `organizationMembers`
   */
  readonly organizationMembers?: OrganizationMembers;

  /**
   * Outside accounts (of the rollout's `members`) that are not invited in this region and
   * get no stack there: an account that has not enabled an opt-in region, say.
   *
   * @default - every outside account is invited in this region
   */
  readonly excludeMemberAccountIds?: string[];
}
