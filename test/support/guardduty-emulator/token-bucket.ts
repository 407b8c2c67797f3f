export interface RateLimit {
  /** Tokens added per second: the sustained rate of calls allowed. */
  readonly ratePerSecond: number;
  /** Bucket size: how many calls may arrive at once after a quiet spell. */
  readonly burst: number;
}

/** A token bucket, full at start, refilled continuously from the given clock. */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly clock: () => number,
  ) {
    this.tokens = limit.burst;
    this.refilledAt = clock();
  }

  /** Takes a token if one is available; false means the call is throttled. */
  public take(): boolean {
    const now = this.clock();
    this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.limit.ratePerSecond);
    this.refilledAt = now;
    if (this.tokens < 1) {
      return false;
    }
    this.tokens -= 1;
    return true;
  }
}
