import { HandlerError } from './handler-error';

/**
 * The time this invocation may still spend on GuardDuty calls. Lambda kills a handler at
 * its timeout without a word to CloudFormation; the provider framework then reports a
 * bare "task timed out". Stopping a little earlier lets the handler clean up and fail
 * with a reason the user can act on.
 */
export class Deadline {
  /**
   * From the Lambda context, keeping `reserveMs` back for cleanup and the response.
   * `rerunAdvice` ends the out-of-time failure: what a re-run of this handler does with
   * the work already done, and what to do.
   */
  public static fromRemaining(remainingMs: number, reserveMs: number, now: () => number = Date.now, rerunAdvice: string = RERUN_ADVICE): Deadline {
    return new Deadline(now() + Math.max(0, remainingMs - reserveMs), now, rerunAdvice);
  }

  private constructor(
    private readonly endsAt: number,
    private readonly now: () => number,
    private readonly rerunAdvice: string,
  ) {}

  public remainingMs(): number {
    return Math.max(0, this.endsAt - this.now());
  }

  /** A deadline that ends `ms` later than this one (for cleanup after a failure). */
  public extendedBy(ms: number): Deadline {
    return new Deadline(this.endsAt + ms, this.now, this.rerunAdvice);
  }

  /** An abort signal that fires when the deadline passes, for the SDK's `send`. */
  public signal(): AbortSignal {
    return AbortSignal.timeout(Math.max(1, this.remainingMs()));
  }

  /** Throws before starting work that the deadline no longer leaves time for. */
  public check(what: string): void {
    if (this.remainingMs() <= 0) {
      throw new HandlerError(`Ran out of time before ${what}. GuardDuty was throttling or slow; ${this.rerunAdvice}`);
    }
  }
}

const RERUN_ADVICE = 'the work done so far is kept and a re-run continues from it. Retry the deployment.';
