import { createRequire } from 'node:module';
import type { ColdStartJob, ColdStartResult } from '../child-protocol';
import { maxRssBytes, serveOneJob } from './child-io';

/**
 * A Lambda cold start, in a fresh Node process: require() of the bundle (Lambda's init
 * phase), then the first invocation, which builds the SDK client. That invocation is a
 * Delete with RETAIN, which the handler answers without calling GuardDuty, so it times
 * the handler's own setup; the second one times the SDK's first calls.
 */
type HandlerModule = typeof import('../../lambda/member-invitations');

const nodeStartMs = performance.now();

serveOneJob(async (job: ColdStartJob): Promise<ColdStartResult> => {
  const context = { getRemainingTimeInMillis: () => 600_000 };
  const loadStart = performance.now();
  const bundle = createRequire(__filename)(job.assetPath) as HandlerModule;
  const setupStart = performance.now();
  await bundle.handler(job.setupEvent, context);
  const firstCallStart = performance.now();
  await bundle.handler(job.firstCallEvent, context);
  const end = performance.now();
  return {
    nodeStartMs,
    loadMs: setupStart - loadStart,
    setupMs: firstCallStart - setupStart,
    firstCallsMs: end - firstCallStart,
    maxRssBytes: maxRssBytes(),
  };
});
