import type { ChildReply } from '../child-protocol';

/**
 * The child side of the IPC protocol: waits for one job, runs it, sends the result and
 * exits. Exiting explicitly matters: an SDK client keeps sockets alive that would
 * otherwise hold the process open.
 */
export function serveOneJob<J, R>(run: (job: J) => Promise<R>): void {
  process.once('message', (job: J) => {
    run(job).then(
      (result) => reply({ ok: true, result }),
      (error: unknown) => reply({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
}

/** Peak resident set size of this process so far (resourceUsage reports kilobytes). */
export function maxRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

function reply<R>(message: ChildReply<R>): void {
  if (!process.send) {
    console.error('This script runs as a child of bench/run.ts, with an IPC channel.');
    process.exit(2);
  }
  process.send(message, () => process.exit(0));
}
