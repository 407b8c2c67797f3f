import { findingPublishingFrequencyProblem } from '../../lib/private/finding-publishing-frequency-rules';
import { MEMBER_REMOVAL_POLICIES, MemberRemovalPolicy } from '../../lib/private/invitation-contract';
import { detectorIdProblem } from '../../lib/private/member-account-rules';
import { PROPERTY_NAMES, organizationConfigurationProblems, show } from '../../lib/private/organization-configuration-rules';
import { HandlerError } from '../shared/handler-error';
import { DeclaredConfiguration } from './configuration-diff';

/** The resource's properties, parsed and validated. */
export interface OrganizationConfigurationSettings {
  /** Undefined: look up the detector of the account and region. */
  readonly detectorId?: string;
  readonly declared: DeclaredConfiguration;
  readonly removalPolicy: MemberRemovalPolicy;
  /** Undefined: the detector's frequency is left as it is. */
  readonly findingPublishingFrequency?: string;
}

/**
 * Parses the raw `ResourceProperties` before any GuardDuty call, with the same checks the
 * construct applies at synth (lib/private/organization-configuration-rules.ts): the event
 * may not come from the construct at all. Every problem is reported in one error.
 */
export function parseOrganizationConfigurationSettings(raw: unknown): OrganizationConfigurationSettings {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new HandlerError(`ResourceProperties must be an object, got ${show(raw)}.`);
  }
  const props = raw as Record<string, unknown>;
  const problems = organizationConfigurationProblems(props.AutoEnableOrganizationMembers, props.Features ?? [], PROPERTY_NAMES);
  const detectorId = props.DetectorId === '' ? undefined : props.DetectorId;
  const detectorIdIssue = detectorId === undefined ? undefined : detectorIdProblem(detectorId, 'DetectorId');
  if (detectorIdIssue) {
    problems.push(detectorIdIssue);
  }
  const removalPolicy = props.RemovalPolicy ?? 'RETAIN';
  if (typeof removalPolicy !== 'string' || !(MEMBER_REMOVAL_POLICIES as readonly string[]).includes(removalPolicy)) {
    problems.push(`RemovalPolicy must be one of ${MEMBER_REMOVAL_POLICIES.join(', ')}, got ${show(removalPolicy)}`);
  }
  const frequencyIssue = findingPublishingFrequencyProblem(props.FindingPublishingFrequency, 'FindingPublishingFrequency');
  if (frequencyIssue) {
    problems.push(frequencyIssue);
  }
  if (problems.length > 0) {
    throw new HandlerError(`Invalid GuardDutyOrganizationConfiguration properties: ${problems.join('; ')}.`);
  }
  // Validated above: the shapes below hold.
  const features = (props.Features ?? []) as Array<{ Name: string; AutoEnable: string; AdditionalConfiguration?: Array<{ Name: string; AutoEnable: string }> }>;
  return {
    detectorId: detectorId as string | undefined,
    declared: {
      autoEnableOrganizationMembers: props.AutoEnableOrganizationMembers as string,
      features: features.map((feature) => ({
        name: feature.Name,
        autoEnable: feature.AutoEnable,
        additionalConfiguration: (feature.AdditionalConfiguration ?? []).map((entry) => ({ name: entry.Name, autoEnable: entry.AutoEnable })),
      })),
    },
    removalPolicy: removalPolicy as MemberRemovalPolicy,
    findingPublishingFrequency: props.FindingPublishingFrequency as string | undefined,
  };
}
