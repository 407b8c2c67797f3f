/**
 * Lambda's account-level concurrency rule, as deploying a stack meets it: each account and
 * region has a concurrency quota (1,000 by default; a new account can start with 10), and
 * Lambda refuses a function's ReservedConcurrentExecutions when what is left unreserved
 * would drop below 100. CloudFormation then fails the function's resource, and the stack.
 */
export const UNRESERVED_MINIMUM = 100;
export const DEFAULT_CONCURRENCY_QUOTA = 1_000;

/** The error CloudFormation reports for the function's resource (Lambda's InvalidParameterValueException). */
export class ReservedConcurrencyRefused extends Error {}

export interface Reservation {
  readonly arn: string;
  readonly reservedConcurrentExecutions?: number;
}

export class AccountConcurrency {
  private readonly quotas = new Map<string, number>();
  /** Per account and region: each function's reservation. */
  private readonly reserved = new Map<string, Map<string, number>>();

  public setQuota(account: string, region: string, quota: number): void {
    this.quotas.set(`${account} ${region}`, quota);
  }

  /** Applies a stack's reservations, function by function as CloudFormation creates them; throws as Lambda would. */
  public apply(account: string, region: string, functions: readonly Reservation[]): void {
    const key = `${account} ${region}`;
    const quota = this.quotas.get(key) ?? DEFAULT_CONCURRENCY_QUOTA;
    const reserved = this.reserved.get(key) ?? new Map<string, number>();
    this.reserved.set(key, reserved);
    for (const fn of functions) {
      const wanted = fn.reservedConcurrentExecutions ?? 0;
      const others = [...reserved].filter(([arn]) => arn !== fn.arn).reduce((sum, [, n]) => sum + n, 0);
      if (wanted > 0 && quota - others - wanted < UNRESERVED_MINIMUM) {
        throw new ReservedConcurrencyRefused(
          `${fn.arn}: Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${UNRESERVED_MINIMUM}].`,
        );
      }
      if (wanted > 0) {
        reserved.set(fn.arn, wanted);
      } else {
        reserved.delete(fn.arn);
      }
    }
  }
}
