import { GuardDutyClient } from '@aws-sdk/client-guardduty';

/**
 * The client's configuration. Throttling and 5xx are the SDK retry strategy's job:
 * adaptive mode adds client-side rate limiting once GuardDuty throttles, so no handler
 * needs a retry loop of its own. Timeouts keep a dropped connection from holding the
 * handler until Lambda kills it. The endpoint comes from the standard SDK settings
 * (`AWS_ENDPOINT_URL_GUARDDUTY`), which is how tests reach an emulator.
 */
export function createGuardDutyClient(): GuardDutyClient {
  return new GuardDutyClient({
    retryMode: 'adaptive',
    maxAttempts: 10,
    // Without throwOnRequestTimeout the SDK only logs a warning when requestTimeout passes.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000, throwOnRequestTimeout: true },
  });
}

/**
 * GuardDuty's answer to a call on a detector that no longer exists (or was never the
 * caller's): a BadRequestException saying the detector is not owned or not found. A
 * Delete treats it as work already done.
 */
export function isDetectorGone(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  return e?.name === 'BadRequestException' && /detector/i.test(e.message ?? '') && /not (owned|found)|does not exist/i.test(e.message ?? '');
}
