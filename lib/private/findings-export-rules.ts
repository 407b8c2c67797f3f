import { RegionInfo } from 'aws-cdk-lib/region-info';

/**
 * GuardDuty's rules for an S3 publishing destination, from "Exporting generated findings
 * to Amazon S3" (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_exportfindings.html).
 * Pure functions: no constructs, only region facts.
 *
 * - The bucket and the KMS key must be in the same region.
 * - Findings of a commercial region may go to a bucket in any commercial region, not to an
 *   opt-in region; findings of an opt-in region go to a bucket in that region or in a
 *   commercial one. Both come down to: a bucket in an opt-in region takes only that
 *   region's findings.
 * - In an opt-in region the policies name GuardDuty's regional service principal
 *   (`guardduty.me-south-1.amazonaws.com`), elsewhere `guardduty.amazonaws.com`.
 */

export const EXPORT_GUIDE = 'https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_exportfindings.html';

/** The service principal GuardDuty writes findings as, from a detector in `region`. */
export function guardDutyServicePrincipal(region: string): string {
  return RegionInfo.get(region).isOptInRegion ? `guardduty.${region}.amazonaws.com` : 'guardduty.amazonaws.com';
}

/** The distinct service principals for detectors in `regions`, in a stable order. */
export function guardDutyServicePrincipals(regions: readonly string[]): string[] {
  return [...new Set(regions.map(guardDutyServicePrincipal))].sort();
}

/**
 * Why a detector in `detectorRegion` cannot export to a bucket in `bucketRegion` with a
 * key in `keyRegion`, or undefined when it can. A region that is undefined (a token) is
 * not checked.
 */
export function destinationRegionProblem(detectorRegion: string, bucketRegion: string | undefined, keyRegion: string | undefined, where: string): string | undefined {
  if (bucketRegion !== undefined && keyRegion !== undefined && bucketRegion !== keyRegion) {
    return (
      `${where}: the bucket is in ${bucketRegion} and the KMS key in ${keyRegion}; GuardDuty requires the bucket and the key ` +
      `in the same region. Use a key in ${bucketRegion}, or a bucket in ${keyRegion} (${EXPORT_GUIDE})`
    );
  }
  if (bucketRegion !== undefined && bucketRegion !== detectorRegion && RegionInfo.get(bucketRegion).isOptInRegion) {
    return (
      `${where}: the bucket is in ${bucketRegion}, an opt-in region, and the detector in ${detectorRegion}; GuardDuty exports to a bucket ` +
      `in an opt-in region only the findings of that region. Use a bucket in ${detectorRegion} or in a commercial region that is not opt-in (${EXPORT_GUIDE})`
    );
  }
  return undefined;
}

/**
 * Why `prefix` is not a usable folder of the bucket, or undefined when it is. GuardDuty
 * takes the folder as `arn:aws:s3:::bucket/prefix/` and writes under
 * `prefix/AWSLogs/<account>/GuardDuty/<region>/`.
 */
export function prefixProblem(prefix: string | undefined): string | undefined {
  if (prefix === undefined) {
    return undefined;
  }
  if (prefix.length === 0 || prefix.startsWith('/') || prefix.endsWith('/') || /[*?\s]/.test(prefix)) {
    return `prefix must be a folder path without a leading or trailing "/", wildcards or spaces (as in "guardduty" or "security/guardduty"), got ${JSON.stringify(prefix)}`;
  }
  return undefined;
}

/** Why `regions` cannot be the source regions of a destination bucket, or undefined. */
export function sourceRegionsProblem(regions: readonly string[]): string | undefined {
  if (regions.length === 0) {
    return 'sourceRegions must name at least one region whose detectors export here, got []';
  }
  const unknown = regions.filter((region) => !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region));
  if (unknown.length > 0) {
    return `sourceRegions must be region names (as in "eu-west-1"), got ${unknown.map((r) => JSON.stringify(r)).join(', ')}`;
  }
  return undefined;
}
