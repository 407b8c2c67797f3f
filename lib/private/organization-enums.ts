/**
 * The values GuardDuty's organization configuration accepts, copied from the GuardDuty API
 * model (`test/support/aws-models/guardduty-2017-11-28.json`, shapes `AutoEnableMembers`,
 * `OrgFeatureStatus`, `OrgFeature` and `OrgFeatureAdditionalConfiguration`). The model is
 * test data and is not shipped, so the construct (at synth) and the handler (at deploy)
 * read this table instead; test/organization-configuration/organization-enums.test.ts
 * fails when the table and the model disagree, so a model update shows up here.
 */

/** `AutoEnableMembers`: which organization accounts GuardDuty enables on its own. */
export const AUTO_ENABLE_MEMBERS_VALUES = ['NEW', 'ALL', 'NONE'] as const;

/** `OrgFeatureStatus`: which organization accounts a protection feature is enabled for. */
export const ORG_FEATURE_STATUS_VALUES = ['NEW', 'NONE', 'ALL'] as const;

/** `OrgFeature`: the protection features the organization configuration names. */
export const ORG_FEATURE_NAMES = [
  'S3_DATA_EVENTS',
  'EKS_AUDIT_LOGS',
  'EBS_MALWARE_PROTECTION',
  'RDS_LOGIN_EVENTS',
  'LAMBDA_NETWORK_LOGS',
  'EKS_RUNTIME_MONITORING',
  'RUNTIME_MONITORING',
  'AI_PROTECTION',
] as const;

/** `OrgFeatureAdditionalConfiguration`: the agent management settings of runtime monitoring. */
export const ORG_FEATURE_ADDITIONAL_CONFIGURATION_NAMES = ['EKS_ADDON_MANAGEMENT', 'ECS_FARGATE_AGENT_MANAGEMENT', 'EC2_AGENT_MANAGEMENT'] as const;

/**
 * Which additional configuration belongs to which feature. The model does not say (any
 * name is valid in any feature's list); the GuardDuty user guide does: EKS Runtime
 * Monitoring has the EKS add-on, Runtime Monitoring has the EKS add-on and the ECS Fargate
 * and EC2 agents, the other features have none. GuardDuty rejects other pairings.
 */
export const ADDITIONAL_CONFIGURATIONS_OF_FEATURE: Readonly<Record<OrgFeatureName, readonly OrgFeatureAdditionalConfigurationName[]>> = {
  S3_DATA_EVENTS: [],
  EKS_AUDIT_LOGS: [],
  EBS_MALWARE_PROTECTION: [],
  RDS_LOGIN_EVENTS: [],
  LAMBDA_NETWORK_LOGS: [],
  EKS_RUNTIME_MONITORING: ['EKS_ADDON_MANAGEMENT'],
  RUNTIME_MONITORING: ['EKS_ADDON_MANAGEMENT', 'ECS_FARGATE_AGENT_MANAGEMENT', 'EC2_AGENT_MANAGEMENT'],
  AI_PROTECTION: [],
};

export type AutoEnableMembersValue = (typeof AUTO_ENABLE_MEMBERS_VALUES)[number];
export type OrgFeatureStatusValue = (typeof ORG_FEATURE_STATUS_VALUES)[number];
export type OrgFeatureName = (typeof ORG_FEATURE_NAMES)[number];
export type OrgFeatureAdditionalConfigurationName = (typeof ORG_FEATURE_ADDITIONAL_CONFIGURATION_NAMES)[number];
