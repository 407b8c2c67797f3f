import { createRequire } from 'node:module';
import type { CompletionInvocationJob, CompletionInvocationResult, CompletionEvent } from '../child-protocol';
import { maxRssBytes, serveOneJob } from './child-io';

/**
 * One isComplete call in a fresh process: a cold isComplete container, as when the
 * provider framework's waiter polls a run that spans several invocations.
 */
interface CompletionModule {
  isComplete(event: CompletionEvent, context: { getRemainingTimeInMillis(): number }): Promise<{ IsComplete: boolean; Data?: Record<string, string> }>;
}

serveOneJob(async (job: CompletionInvocationJob): Promise<CompletionInvocationResult> => {
  const bundle = createRequire(__filename)(job.assetPath) as CompletionModule;
  const startedAtEpochMs = Date.now();
  const context = { getRemainingTimeInMillis: () => job.remainingMs - (Date.now() - startedAtEpochMs) };
  const start = performance.now();
  try {
    const response = await bundle.isComplete(job.event, context);
    return { startedAtEpochMs, invocationMs: performance.now() - start, maxRssBytes: maxRssBytes(), response };
  } catch (error) {
    return { startedAtEpochMs, invocationMs: performance.now() - start, maxRssBytes: maxRssBytes(), error: error instanceof Error ? error.message : String(error) };
  }
});
