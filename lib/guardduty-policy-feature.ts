/**
 * What a GuardDuty organization policy governs: the keys of the GuardDuty policy type
 * ("GuardDuty policy feature mapping" in the AWS Organizations user guide), each the
 * foundational detector or one protection plan.
 */
export enum GuardDutyPolicyFeature {
  /** GuardDuty foundational threat detection (the detector). */
  FOUNDATIONAL = 'foundational',
  /** S3 Protection. */
  S3_DATA_EVENTS = 's3_data_events',
  /** EKS Protection (EKS audit logs). */
  EKS_AUDIT_LOGS = 'eks_audit_logs',
  /** Malware Protection for EC2 (EBS volumes). */
  EBS_MALWARE_PROTECTION = 'ebs_malware_protection',
  /** RDS Protection (login activity). */
  RDS_LOGIN_EVENTS = 'rds_login_events',
  /** Lambda Protection (network activity). */
  LAMBDA_NETWORK_LOGS = 'lambda_network_logs',
  /** AI Protection. */
  AI_PROTECTION = 'ai_protection',
}
