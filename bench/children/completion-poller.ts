import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CompletionEvent, CompletionPollJob, CompletionPollResult } from '../child-protocol';
import { maxRssBytes, serveOneJob } from './child-io';

/**
 * The provider framework's waiter for one resource: loads a shipped bundle as the
 * isComplete function's Lambda container would (its own process, so its own SDK client,
 * apart from onEvent's) and calls isComplete until it says complete. The waiter state
 * machine makes its first attempt as soon as onEvent has returned, then retries every
 * query interval; here the interval is the job's, shortened from the provider's 30 s.
 */
interface CompletionModule {
  isComplete(event: CompletionEvent, context: { getRemainingTimeInMillis(): number }): Promise<{ IsComplete: boolean; Data?: Record<string, string> }>;
}

serveOneJob(async (job: CompletionPollJob): Promise<CompletionPollResult> => {
  const bundle = createRequire(__filename)(job.assetPath) as CompletionModule;
  const firstPollAtEpochMs = Date.now();
  const giveUpAt = firstPollAtEpochMs + job.maxWaitMs;
  let polls = 0;
  const result = (fields: Pick<CompletionPollResult, 'response' | 'error'>): CompletionPollResult => ({
    polls,
    firstPollAtEpochMs,
    completedAtEpochMs: Date.now(),
    maxRssBytes: maxRssBytes(),
    ...fields,
  });
  try {
    for (;;) {
      polls += 1;
      const invokedAt = Date.now();
      const response = await bundle.isComplete(job.event, { getRemainingTimeInMillis: () => job.remainingMs - (Date.now() - invokedAt) });
      if (response.IsComplete) {
        return result({ response });
      }
      if (Date.now() + job.pollIntervalMs > giveUpAt) {
        return result({ response, error: `still in progress after ${polls} isComplete calls over ${Math.round((Date.now() - firstPollAtEpochMs) / 1_000)} s` });
      }
      await sleep(job.pollIntervalMs);
    }
  } catch (error) {
    return result({ error: error instanceof Error ? error.message : String(error) });
  }
});
