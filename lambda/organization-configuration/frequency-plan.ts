/**
 * Whether to call UpdateDetector for the finding publishing frequency: a pure function of
 * the declared frequency and the one GetDetector reports. Nothing declared: the
 * detector's setting is not this resource's. GuardDuty reports SIX_HOURS for a detector
 * never changed; an absent value is treated as a difference, so the declared one is written.
 */
export function planFrequencyUpdate(declared: string | undefined, current: string | undefined): string | undefined {
  return declared !== undefined && declared !== current ? declared : undefined;
}
