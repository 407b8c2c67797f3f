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

  /**
   * Runs one SDK call within the deadline: refuses to start it when no time is left, and
   * aborts it when the deadline passes. Either way the failure says the run ran out of
   * time and what a re-run does, rather than a bare "Request aborted".
   */
  public async run<T>(what: string, call: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    this.check(what);
    try {
      return await call(AbortSignal.timeout(Math.max(1, this.remainingMs())));
    } catch (error) {
      const name = (error as { name?: string })?.name;
      if ((name === 'AbortError' || name === 'TimeoutError') && this.remainingMs() <= 0) {
        throw this.outOfTime(`while ${what}`);
      }
      throw error;
    }
  }

  /** Throws before starting work that the deadline no longer leaves time for. */
  public check(what: string): void {
    if (this.remainingMs() <= 0) {
      throw this.outOfTime(`before ${what}`);
    }
  }

  private outOfTime(when: string): OutOfTimeError {
    return new OutOfTimeError(`Ran out of time ${when}. GuardDuty was throttling or slow; ${this.rerunAdvice}`);
  }
}

/**
 * The invocation's time ran out before its work did. Work that derives its progress from
 * GuardDuty's state can take this as "continue in the next invocation" rather than as a
 * failure.
 */
export class OutOfTimeError extends HandlerError {}

const RERUN_ADVICE = 'the work done so far is kept and a re-run continues from it. Retry the deployment.';
