import { FindingPublishingFrequency } from '../finding-publishing-frequency';

/** GuardDuty's values of `FindingPublishingFrequency` (UpdateDetector, CreateDetector). */
export const FINDING_PUBLISHING_FREQUENCIES: readonly string[] = Object.values(FindingPublishingFrequency);

/**
 * Why `value` is not a finding publishing frequency, or undefined when it is (or is
 * absent). Pure: the construct checks it at synth, the handler again on its event.
 */
export function findingPublishingFrequencyProblem(value: unknown, name: string): string | undefined {
  if (value === undefined || (typeof value === 'string' && FINDING_PUBLISHING_FREQUENCIES.includes(value))) {
    return undefined;
  }
  return `${name} must be one of ${FINDING_PUBLISHING_FREQUENCIES.join(', ')}, got ${JSON.stringify(value)}`;
}
