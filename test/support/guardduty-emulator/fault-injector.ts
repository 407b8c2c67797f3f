import { seededRandom } from './seeded-random';
import { RateLimit, TokenBucket } from './token-bucket';

/** Which calls a fault hits: the next N, each with a probability, or both (N first). */
export interface FaultSelector {
  /** The next N calls that match `operations`. */
  readonly nextCalls?: number;
  /** Each matching call with this probability (0..1), drawn from the seeded PRNG. */
  readonly probability?: number;
  /** Only calls of these operations. @default every operation */
  readonly operations?: readonly string[];
}

export interface DropSelector extends FaultSelector {
  /**
   * Drop the connection after the call's change is applied: the write happened, the
   * caller never hears of it, as when a response is lost on the way back. A retry then
   * meets its own earlier write, which is what an idempotency test needs.
   * @default false - dropped before anything is applied
   */
  readonly afterApply?: boolean;
}

export interface SlowSelector extends FaultSelector {
  /** How long the response is held back after the change is applied. */
  readonly delayMs: number;
}

/** What a scripted fault does to its call (see FaultOptions.script). */
export type ScriptedFaultKind = 'throttled' | 'server-error' | 'dropped' | 'dropped-after-apply';

/**
 * One fault at a fixed place in a run: the `occurrence`-th call of `operation` (1 is the
 * first), or without `operation` the `occurrence`-th call of any operation, gets `fault`.
 */
export interface ScriptedFault {
  /** @default any operation: `occurrence` counts every call */
  readonly operation?: string;
  readonly occurrence: number;
  readonly fault: ScriptedFaultKind;
}

export interface FaultOptions {
  /**
   * Faults at fixed places, counted per operation from the injector's start: a schedule
   * that is the same on every run, whatever the timing. A scripted call gets its fault and
   * nothing else; the other options apply to every other call.
   * @default none
   */
  readonly script?: readonly ScriptedFault[];
  /** Added before every call is handled. @default 0 */
  readonly latencyMs?: number;
  /** One token bucket for all calls; a call finding it empty gets HTTP 429. @default unlimited */
  readonly rateLimit?: RateLimit;
  /** HTTP 500 InternalServerErrorException, nothing applied. */
  readonly serverErrors?: FaultSelector;
  /**
   * HTTP 403 AccessDeniedException, nothing applied: what a service control policy that
   * denies GuardDuty in a region answers. The SDK does not retry it, so the handler fails
   * at once.
   */
  readonly accessDenied?: FaultSelector;
  /** The socket is destroyed without a response. */
  readonly dropConnections?: DropSelector;
  /** The response arrives late, e.g. beyond the client's request timeout. */
  readonly slowResponses?: SlowSelector;
  /** Seed of the PRNG behind every `probability`. @default 1 */
  readonly seed?: number;
}

/**
 * Decides, call by call, which fault the emulator injects. Decisions are made in pipeline
 * order and a selector's `nextCalls` budget is spent only when its fault actually fires,
 * so "the next 2 calls fail" means two failed calls, whatever else is configured.
 * Fault timing uses the wall clock, not the emulator's injectable clock: a test that
 * freezes timestamps must not freeze the rate limit.
 */
export class FaultInjector {
  private readonly random: () => number;
  private readonly bucket?: TokenBucket;
  private readonly remaining = new Map<FaultSelector, number>();
  private readonly occurrences = new Map<string, number>();
  private calls = 0;

  constructor(public readonly options: FaultOptions = {}) {
    this.random = seededRandom(options.seed ?? 1);
    this.bucket = options.rateLimit ? new TokenBucket(options.rateLimit, Date.now) : undefined;
  }

  /**
   * Counts the call's arrival and returns its scripted fault, if the script names this
   * occurrence of the operation. Call once per call, before any other decision.
   */
  public scripted(operation: string): ScriptedFaultKind | undefined {
    const occurrence = (this.occurrences.get(operation) ?? 0) + 1;
    this.occurrences.set(operation, occurrence);
    this.calls += 1;
    return this.options.script?.find((fault) => (fault.operation === undefined ? fault.occurrence === this.calls : fault.operation === operation && fault.occurrence === occurrence))?.fault;
  }

  public latencyMs(): number {
    return this.options.latencyMs ?? 0;
  }

  public dropsBeforeApply(operation: string): boolean {
    const drop = this.options.dropConnections;
    return !!drop && !drop.afterApply && this.fires(drop, operation);
  }

  public throttles(): boolean {
    return this.bucket ? !this.bucket.take() : false;
  }

  public failsWithServerError(operation: string): boolean {
    return this.fires(this.options.serverErrors, operation);
  }

  public deniesAccess(operation: string): boolean {
    return this.fires(this.options.accessDenied, operation);
  }

  public dropsAfterApply(operation: string): boolean {
    const drop = this.options.dropConnections;
    return !!drop?.afterApply && this.fires(drop, operation);
  }

  /** How long to hold back this call's response: 0 unless it is picked to be slow. */
  public responseDelayMs(operation: string): number {
    const slow = this.options.slowResponses;
    return slow && this.fires(slow, operation) ? slow.delayMs : 0;
  }

  private fires(selector: FaultSelector | undefined, operation: string): boolean {
    if (!selector || (selector.operations && !selector.operations.includes(operation))) {
      return false;
    }
    const remaining = this.remaining.get(selector) ?? selector.nextCalls ?? 0;
    if (remaining > 0) {
      this.remaining.set(selector, remaining - 1);
      return true;
    }
    this.remaining.set(selector, 0);
    return selector.probability !== undefined && this.random() < selector.probability;
  }
}
