import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { byteLength, failureResponseBody, successResponseBody } from '../provider-framework-response';
import { InvocationOutcome, LambdaContainer, LambdaEnvironment, LambdaFunctionError } from './lambda-container';
import { ShippedFunction, SynthesizedStack, WaiterSettings } from './synthesized-stack';

/** The physical ID the framework answers a failed Create with, so it can ignore the Delete that follows. */
export const CREATE_FAILED_MARKER = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';

/** What CloudFormation receives, parsed. */
export interface CloudFormationResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly PhysicalResourceId: string;
  readonly LogicalResourceId: string;
  readonly Data?: Record<string, string>;
}

/** One request answered: the body as sent, and how the framework got to it. */
export interface Delivery {
  /** The exact bytes the framework PUTs to the response URL. */
  readonly body: string;
  readonly bytes: number;
  readonly response: CloudFormationResponse;
  /** What a user function threw, as the Lambda runtime reported it. */
  readonly error?: LambdaFunctionError;
  /** True when Lambda stopped the onEvent function at its timeout. */
  readonly timedOut: boolean;
  readonly onEventInvoked: boolean;
  readonly isCompletePolls: number;
  /** Wall time of the onEvent invocation alone (a cold start's init excluded). */
  readonly onEventMs: number;
  /** Every line the user functions logged while answering this request. */
  readonly logs: readonly string[];
}

export interface DeliveryOptions {
  /** What the onEvent function's `getRemainingTimeInMillis()` starts from. @default its Timeout */
  readonly onEventBudgetMs?: number;
  /**
   * What happens elsewhere while the waiter waits after isComplete poll `poll` (1-based)
   * said "not yet": another account's stack deploying, say. @default nothing
   */
  readonly betweenPolls?: (poll: number) => Promise<void> | void;
}

export interface ProviderFrameworkOptions {
  /**
   * Wall time between isComplete polls: the waiter's interval (30 s) scaled down, its
   * number of attempts kept. @default 20
   */
  readonly pollIntervalMs?: number;
  /**
   * Whether the user functions' clock (`Date.now()`) moves on by the waiter's interval at
   * each wait between polls, as it does in AWS, rather than by `pollIntervalMs`: a handler
   * that measures its wait on the clock (the accepter's invitation deadline) then sees the
   * deadline pass after as many polls as it would in AWS. The administrator side measures
   * its email verification wait on the wall clock, so its scenarios leave this off.
   * @default false
   */
  readonly simulateWaiterTime?: boolean;
}

type OnEventResult = { PhysicalResourceId?: string; Data?: Record<string, string> } | null;
type IsCompleteResult = { IsComplete: boolean; Data?: Record<string, string> };
type ResourceEvent = CloudFormationCustomResourceEvent & { PhysicalResourceId: string; Data?: Record<string, string> };

/**
 * The CDK provider framework (aws-cdk-lib/custom-resources, runtime/framework.js and
 * cfn-response.js) in front of the shipped handler, for one stack: it answers a Delete of
 * its CREATE_FAILED marker itself; invokes onEvent; defaults the physical ID and refuses
 * to change it on Delete; then, when the provider has an isComplete step, polls it as the
 * waiter state machine does (on a simulated clock if asked); and builds the body
 * CloudFormation receives. The user functions run in Lambda containers started on first
 * use and kept warm for the framework's lifetime (a scenario): `stop()` ends them.
 */
export class ProviderFramework {
  private readonly containers = new Map<ShippedFunction, LambdaContainer>();
  private readonly pollIntervalMs: number;
  private readonly simulateWaiterTime: boolean;
  /** How far the user functions' clock runs ahead of the wall clock: the waiter's simulated waits. */
  private clockOffsetMs = 0;

  constructor(
    private readonly stack: SynthesizedStack,
    private readonly environment: LambdaEnvironment,
    options: ProviderFrameworkOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 20;
    this.simulateWaiterTime = options.simulateWaiterTime ?? false;
  }

  public async deliver(event: CloudFormationCustomResourceEvent, options: DeliveryOptions = {}): Promise<Delivery> {
    if (event.RequestType === 'Delete' && event.PhysicalResourceId === CREATE_FAILED_MARKER) {
      return delivery(successResponseBody(event, { PhysicalResourceId: event.PhysicalResourceId }), { onEventInvoked: false });
    }
    const onEvent = await this.invoke(this.stack.onEvent, event, options.onEventBudgetMs);
    const { onEventMs } = onEvent;
    const logs = [...onEvent.logs];
    if (onEvent.kind !== 'result') {
      return delivery(failureResponseBody(event, asError(onEvent.error)), { error: onEvent.error, timedOut: onEvent.kind === 'timeout', onEventMs, logs });
    }
    const result = onEvent.result as OnEventResult;
    const physicalResourceId = result?.PhysicalResourceId || defaultPhysicalResourceId(event);
    if (event.RequestType === 'Delete' && physicalResourceId !== event.PhysicalResourceId) {
      const error = frameworkError(`DELETE: cannot change the physical resource ID from "${event.PhysicalResourceId}" to "${physicalResourceId}" during deletion`);
      return delivery(failureResponseBody(event, asError(error)), { error, onEventMs, logs });
    }
    const resourceEvent = { ...event, ...result, PhysicalResourceId: physicalResourceId } as ResourceEvent;
    if (!this.stack.isComplete || !this.stack.waiter) {
      return delivery(successResponseBody(resourceEvent, resourceEvent), { onEventMs, logs });
    }
    return this.waitForCompletion(this.stack.isComplete, this.stack.waiter, resourceEvent, { onEventMs, logs }, options.betweenPolls);
  }

  /** Ends the Lambda containers of this framework. */
  public stop(): void {
    this.containers.forEach((container) => container.stop());
    this.containers.clear();
  }

  /** The waiter: isComplete at once, then once per interval, at most 1 + maxAttempts calls. */
  private async waitForCompletion(
    fn: ShippedFunction,
    waiter: WaiterSettings,
    event: ResourceEvent,
    so: { onEventMs: number; logs: string[] },
    betweenPolls?: (poll: number) => Promise<void> | void,
  ): Promise<Delivery> {
    // A failure is answered with the event the waiter was polling for, its Data included.
    const failed = (error: LambdaFunctionError, polls: number) =>
      delivery(JSON.stringify({ ...JSON.parse(failureResponseBody(event, asError(error))), Data: event.Data }), { ...so, error, isCompletePolls: polls });
    for (let poll = 1; poll <= 1 + waiter.maxAttempts; poll += 1) {
      const outcome = await this.invoke(fn, event);
      so.logs.push(...outcome.logs);
      if (outcome.kind !== 'result') {
        return failed(outcome.error, poll);
      }
      const result = outcome.result as IsCompleteResult;
      if (result.IsComplete) {
        const data = { ...event.Data, ...result.Data };
        return delivery(successResponseBody(event, { PhysicalResourceId: event.PhysicalResourceId, Data: data }), { ...so, isCompletePolls: poll });
      }
      if (result.Data && Object.keys(result.Data).length > 0) {
        return failed(frameworkError('"Data" is not allowed if "IsComplete" is "False"'), poll);
      }
      await betweenPolls?.(poll);
      await sleep(this.pollIntervalMs);
      if (this.simulateWaiterTime) {
        this.clockOffsetMs += waiter.intervalSeconds * 1_000 - this.pollIntervalMs;
      }
    }
    // onTimeout answers with a fixed reason and the polled event's Data.
    const body = JSON.stringify({ ...JSON.parse(successResponseBody(event, event)), Status: 'FAILED', Reason: 'Operation timed out' });
    return delivery(body, { ...so, isCompletePolls: 1 + waiter.maxAttempts });
  }

  /**
   * One Lambda invocation: the event goes as JSON, with the function's remaining time. Its
   * duration excludes a cold start's init, which Lambda does not count against the timeout.
   */
  private async invoke(fn: ShippedFunction, event: CloudFormationCustomResourceEvent, budgetMs = fn.timeoutMs): Promise<InvocationOutcome & { onEventMs: number }> {
    let container = this.containers.get(fn);
    if (!container?.running) {
      container = await LambdaContainer.start(fn, this.environment);
      this.containers.set(fn, container);
    }
    const startedAt = Date.now();
    const outcome = await container.invoke(event, budgetMs, this.clockOffsetMs);
    return { ...outcome, onEventMs: Date.now() - startedAt };
  }
}

/** The error the framework rebuilds from the runtime's payload: its message and trace. */
function asError(error: LambdaFunctionError): Error {
  const rebuilt = new Error(error.errorMessage);
  rebuilt.name = error.errorType;
  rebuilt.stack = error.trace.length > 0 ? error.trace.join('\n') : `${error.errorType}: ${error.errorMessage}`;
  return rebuilt;
}

/** An error raised by the framework itself: a one-line stack, its own trace being of no interest here. */
function frameworkError(message: string): LambdaFunctionError {
  return { errorType: 'Error', errorMessage: message, trace: [`Error: ${message}`] };
}

function delivery(
  body: string,
  details: { error?: LambdaFunctionError; timedOut?: boolean; onEventInvoked?: boolean; isCompletePolls?: number; onEventMs?: number; logs?: readonly string[] },
): Delivery {
  return {
    body,
    bytes: byteLength(body),
    response: JSON.parse(body) as CloudFormationResponse,
    error: details.error,
    timedOut: details.timedOut ?? false,
    onEventInvoked: details.onEventInvoked ?? true,
    isCompletePolls: details.isCompletePolls ?? 0,
    onEventMs: details.onEventMs ?? 0,
    logs: details.logs ?? [],
  };
}

function defaultPhysicalResourceId(event: CloudFormationCustomResourceEvent): string {
  return event.RequestType === 'Create' ? event.RequestId : event.PhysicalResourceId;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
