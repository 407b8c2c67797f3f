export type CallFault = 'throttled' | 'server-error' | 'access-denied' | 'dropped' | 'dropped-after-apply' | 'slow';

/** One request as the emulator saw it, for assertions and benchmarks. */
export interface CallRecord {
  /** 0-based arrival order. */
  readonly sequence: number;
  /** The model operation, or `Unknown` for a path no operation matches. */
  readonly operation: string;
  /** The caller from the SigV4 credential scope, when it names one. */
  readonly accountId?: string;
  readonly region?: string;
  /** The HTTP status answered; 0 when no response was sent (connection dropped). */
  readonly statusCode: number;
  /** Entries in the request's AccountIds or AccountDetails: the batch size. */
  readonly accountCount: number;
  readonly fault?: CallFault;
  /** Wall-clock epoch milliseconds at arrival. */
  readonly startedAt: number;
  readonly durationMs: number;
}

/**
 * GuardDuty's operations are named by what they do: Get, List and Describe read, every
 * other verb (Create, Invite, Accept, Disassociate, Delete...) writes.
 */
export function isWriteOperation(operation: string): boolean {
  return operation !== 'Unknown' && !/^(Get|List|Describe)/.test(operation);
}

/** Every call, plus how many were in flight at once: the load a caller puts on GuardDuty. */
export class CallLog {
  private readonly records: CallRecord[] = [];
  private sequence = 0;
  private inFlight = 0;
  private peak = 0;

  /** Marks a call's arrival; returns its sequence number for end(). */
  public begin(): number {
    this.inFlight += 1;
    this.peak = Math.max(this.peak, this.inFlight);
    return this.sequence++;
  }

  public end(record: CallRecord): void {
    this.inFlight -= 1;
    this.records.push(record);
  }

  /** Finished calls, in the order they finished. */
  public calls(): readonly CallRecord[] {
    return [...this.records];
  }

  public callCount(operation?: string): number {
    return operation ? this.records.filter((call) => call.operation === operation).length : this.records.length;
  }

  public writeCallCount(): number {
    return this.records.filter((call) => isWriteOperation(call.operation)).length;
  }

  public peakConcurrency(): number {
    return this.peak;
  }

  /** Calls that arrived and have not ended: applied or not yet, their client may have gone. */
  public callsInFlight(): number {
    return this.inFlight;
  }

  /** Starts afresh. Calls in flight must have been cut off first: they would never end(). */
  public clear(): void {
    this.records.length = 0;
    this.sequence = 0;
    this.inFlight = 0;
    this.peak = 0;
  }
}
