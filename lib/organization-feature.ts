import { OrganizationAutoEnable } from './organization-auto-enable';

/**
 * A protection feature's setting in the organization configuration.
 */
export interface OrganizationFeatureConfiguration {
  /**
   * The feature, as GuardDuty names it: `S3_DATA_EVENTS`, `EKS_AUDIT_LOGS`,
   * `EBS_MALWARE_PROTECTION`, `RDS_LOGIN_EVENTS`, `LAMBDA_NETWORK_LOGS`,
   * `EKS_RUNTIME_MONITORING`, `RUNTIME_MONITORING` or `AI_PROTECTION`. Checked at synth.
   */
  readonly name: string;

  /** Which organization accounts get the feature enabled automatically. */
  readonly autoEnable: OrganizationAutoEnable;

  /**
   * The feature's additional configuration: the agent management of runtime monitoring
   * (`EKS_ADDON_MANAGEMENT` for `EKS_RUNTIME_MONITORING`; `EKS_ADDON_MANAGEMENT`,
   * `ECS_FARGATE_AGENT_MANAGEMENT` and `EC2_AGENT_MANAGEMENT` for `RUNTIME_MONITORING`).
   *
   * @default - none declared: GuardDuty's current settings are left as they are
   */
  readonly additionalConfiguration?: OrganizationAdditionalConfiguration[];
}

/**
 * One additional configuration of a protection feature (agent management).
 */
export interface OrganizationAdditionalConfiguration {
  /** `EKS_ADDON_MANAGEMENT`, `ECS_FARGATE_AGENT_MANAGEMENT` or `EC2_AGENT_MANAGEMENT`. */
  readonly name: string;

  /** Which organization accounts get it enabled automatically. */
  readonly autoEnable: OrganizationAutoEnable;
}
