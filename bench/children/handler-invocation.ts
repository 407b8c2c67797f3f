import { createRequire } from 'node:module';
import type { HandlerInvocationJob, HandlerInvocationResult } from '../child-protocol';
import { maxRssBytes, serveOneJob } from './child-io';

/**
 * Loads a shipped handler bundle (assets/member-invitations/index.js, or the member
 * side's assets/invitation-accepter/index.js) as Lambda would and sends its onEvent
 * handler one event. The emulator endpoint, region and credentials come from the
 * environment the driver gives this process, as they do in Lambda.
 */
type HandlerModule = typeof import('../../lambda/member-invitations');

serveOneJob(async (job: HandlerInvocationJob): Promise<HandlerInvocationResult> => {
  const loadStart = performance.now();
  const bundle = createRequire(__filename)(job.assetPath) as HandlerModule;
  const loadMs = performance.now() - loadStart;

  const startedAtEpochMs = Date.now();
  const context = { getRemainingTimeInMillis: () => job.remainingMs - (Date.now() - startedAtEpochMs) };
  const start = performance.now();
  try {
    const response = await bundle.handler(job.event, context);
    return { loadMs, startedAtEpochMs, invocationMs: performance.now() - start, maxRssBytes: maxRssBytes(), response };
  } catch (error) {
    return { loadMs, startedAtEpochMs, invocationMs: performance.now() - start, maxRssBytes: maxRssBytes(), error: error instanceof Error ? error.message : String(error) };
  }
});
