/**
 * How often GuardDuty exports updates to findings it has already exported (new
 * occurrences of an existing finding) to EventBridge, the S3 publishing destination and
 * Detective. A new finding is exported within about 5 minutes whatever the frequency. The
 * values are GuardDuty's own (`FindingPublishingFrequency`); GuardDuty's default is
 * `SIX_HOURS`.
 */
export enum FindingPublishingFrequency {
  /** Every 15 minutes. */
  FIFTEEN_MINUTES = 'FIFTEEN_MINUTES',
  /** Every hour. */
  ONE_HOUR = 'ONE_HOUR',
  /** Every 6 hours: GuardDuty's default. */
  SIX_HOURS = 'SIX_HOURS',
}
