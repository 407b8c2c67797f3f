/**
 * The AWS partition a `GuardDutyOrganizationRollout` deploys in: its accounts exist in
 * that partition only, and the rollout's default region list is that partition's.
 */
export enum AwsPartition {
  /** The commercial regions (`aws`): us-east-1, eu-west-1 and the rest. */
  COMMERCIAL = 'aws',
  /** The China regions (`aws-cn`): cn-north-1 and cn-northwest-1, with accounts of their own. */
  CHINA = 'aws-cn',
  /** AWS GovCloud (US) (`aws-us-gov`): us-gov-west-1 and us-gov-east-1, with accounts of their own. */
  GOV_CLOUD = 'aws-us-gov',
}
