import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { byteLength } from '../provider-framework-response';
import { InvocationOutcome, LambdaContainer, LambdaEnvironment, LambdaFunctionError } from './lambda-container';
import { StackStatus } from './local-aws/cloudformation-endpoint';
import { LocalAws, RequestInFlight } from './local-aws/local-aws';
import { ReceivedResponse } from './local-aws/response-url-endpoint';
import { ExecutionResult } from './local-aws/state-machine';
import { ShippedFunction, SynthesizedStack } from './synthesized-stack';

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
  /** The exact bytes the framework PUT to the response URL. */
  readonly body: string;
  readonly bytes: number;
  readonly response: CloudFormationResponse;
  /** What the last user function invocation threw, as the Lambda runtime reported it. */
  readonly error?: LambdaFunctionError;
  /** True when Lambda stopped a user function at its timeout. */
  readonly timedOut: boolean;
  readonly onEventInvoked: boolean;
  readonly isCompletePolls: number;
  /** Wall time of the onEvent invocation alone (a cold start's init excluded). */
  readonly onEventMs: number;
  /** Every line the user functions logged while answering this request. */
  readonly logs: readonly string[];
  /** Every line aws-cdk-lib's framework functions logged for this request (their own log groups). */
  readonly frameworkLogs: readonly string[];
  /** The stack's status while CloudFormation waited for this response. */
  readonly stackStatus: StackStatus;
}

export interface DeliveryOptions {
  /** What the onEvent function's `getRemainingTimeInMillis()` starts from. @default its Timeout */
  readonly onEventBudgetMs?: number;
  /** What each isComplete invocation's `getRemainingTimeInMillis()` starts from. @default its Timeout */
  readonly isCompleteBudgetMs?: number;
  /**
   * What happens elsewhere while the waiter waits after isComplete poll `poll` (1-based)
   * said "not yet": another account's stack deploying, say. @default nothing
   */
  readonly betweenPolls?: (poll: number) => Promise<void> | void;
  /**
   * The stack's status while CloudFormation sends this request, as DescribeStacks reports
   * it. @default CREATE_IN_PROGRESS, UPDATE_IN_PROGRESS or DELETE_IN_PROGRESS by request type
   */
  readonly stackStatus?: StackStatus;
}

export interface ProviderFrameworkOptions {
  /**
   * Wall time of one waiter interval (30 s in the template): Step Functions' waits are
   * scaled down by this ratio, the number of attempts kept. @default 20
   */
  readonly pollIntervalMs?: number;
  /**
   * Whether the user functions' clock (`Date.now()`) moves on by the waiter's whole delay
   * at each wait between polls, as it does in AWS, rather than by the scaled wall time: a
   * handler that measures its wait on the clock (the accepter's invitation deadline) then
   * sees the deadline pass after as many polls as it would in AWS. The administrator side
   * measures its email verification wait on the wall clock, so its scenarios leave this off.
   * @default false
   */
  readonly simulateWaiterTime?: boolean;
}

/** The user functions' environment: the GuardDuty emulator's endpoint and the stack account's credentials. */
export interface UserFunctionEnvironment {
  readonly aws: LocalAws;
  /** The GuardDuty endpoint (the emulator's). */
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: LambdaEnvironment['credentials'];
  /** AWS Organizations' endpoint (the emulator's), for handlers that read the organization. */
  readonly organizationsEndpoint?: string;
}

type UserInvocation = { readonly role: 'onEvent' | 'isComplete'; readonly outcome: InvocationOutcome; readonly ms: number };

/**
 * aws-cdk-lib's custom resource provider framework, for real, in front of the shipped
 * handlers of one stack: CloudFormation's request goes to the framework's onEvent function
 * (from the synthesized asset, in a Lambda container), which invokes the user onEvent
 * through the local Lambda endpoint, starts the waiter through the local Step Functions
 * endpoint when the provider has an isComplete step, and PUTs its answer to the request's
 * HTTPS response URL. `deliver` returns once that answer arrived and every invocation and
 * execution for the request ended. The user functions run in Lambda containers started on
 * first use and kept warm for this object's life (a scenario): `stop()` ends them.
 */
export class ProviderFramework {
  private readonly containers = new Map<ShippedFunction, LambdaContainer>();
  private readonly pollIntervalMs: number;
  private readonly simulateWaiterTime: boolean;
  /** How far the user functions' clock runs ahead of the wall clock: the waiter's simulated waits. */
  private clockOffsetMs = 0;

  constructor(
    private readonly stack: SynthesizedStack,
    private readonly environment: UserFunctionEnvironment,
    options: ProviderFrameworkOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 20;
    this.simulateWaiterTime = options.simulateWaiterTime ?? false;
    environment.aws.deploy(stack, environment.region);
  }

  public async deliver(event: CloudFormationCustomResourceEvent, options: DeliveryOptions = {}): Promise<Delivery> {
    const stackStatus = options.stackStatus ?? DEFAULT_STATUS[event.RequestType];
    this.environment.aws.cloudFormation.setStackStatus(event.StackId, stackStatus);
    const request = new Request(this, options);
    const opened = this.environment.aws.open(request);
    try {
      // CloudFormation invokes the ServiceToken function (asynchronously: it waits for the PUT, not for the function).
      const invocation = await this.environment.aws.invokeFramework(this.stack.framework.onEvent, { ...event, ResponseURL: opened.responseUrl }, request);
      await request.settled();
      return request.delivery(invocation, stackStatus);
    } finally {
      opened.close();
    }
  }

  /** Ends the Lambda containers of this framework's user functions. */
  public stop(): void {
    this.containers.forEach((container) => container.stop());
    this.containers.clear();
  }

  /** Lambda running a user function for a request: the event as JSON, with the function's remaining time. */
  public async invokeUser(functionArn: string, payload: unknown, budgets: Pick<DeliveryOptions, 'onEventBudgetMs' | 'isCompleteBudgetMs'> = {}): Promise<{ role: UserInvocation['role']; outcome: InvocationOutcome; ms: number }> {
    const fn = [this.stack.onEvent, this.stack.isComplete].find((f) => f?.arn === functionArn);
    if (!fn) {
      throw new Error(`${functionArn} is not a user function of ${this.stack.stackId}`);
    }
    let container = this.containers.get(fn);
    if (!container?.running) {
      container = await LambdaContainer.start(fn, {
        region: this.environment.region,
        credentials: this.environment.credentials,
        endpoint: this.environment.endpoint,
        organizationsEndpoint: this.environment.organizationsEndpoint,
        variables: {
          ...fn.variables,
          AWS_ENDPOINT_URL_CLOUDFORMATION: this.environment.aws.cloudFormationUrl,
        },
      });
      this.containers.set(fn, container);
    }
    const role = fn === this.stack.onEvent ? 'onEvent' : 'isComplete';
    // A cold start's init is not counted: Lambda does not count it against the timeout.
    const startedAt = Date.now();
    const budgetMs = (role === 'onEvent' ? budgets.onEventBudgetMs : budgets.isCompleteBudgetMs) ?? fn.timeoutMs;
    const outcome = await container.invoke(payload, budgetMs, this.clockOffsetMs);
    return { role, outcome, ms: Date.now() - startedAt };
  }

  /** The waiter's wait before a retry, time compressed; the user functions' clock may move on by the whole delay. */
  public async waitBeforeRetry(delaySeconds: number): Promise<void> {
    const intervalSeconds = this.stack.waiter?.intervalSeconds ?? 30;
    const wallMs = Math.round((this.pollIntervalMs * delaySeconds) / intervalSeconds);
    await sleep(wallMs);
    if (this.simulateWaiterTime) {
      this.clockOffsetMs += delaySeconds * 1_000 - wallMs;
    }
  }
}

const DEFAULT_STATUS: Record<CloudFormationCustomResourceEvent['RequestType'], StackStatus> = {
  Create: 'CREATE_IN_PROGRESS',
  Update: 'UPDATE_IN_PROGRESS',
  Delete: 'DELETE_IN_PROGRESS',
};

/** One request CloudFormation sent, followed through the framework until it is answered. */
class Request implements RequestInFlight {
  private readonly userInvocations: UserInvocation[] = [];
  private readonly frameworkLogs: string[] = [];
  private readonly frameworkErrors: string[] = [];
  private readonly executions: Array<Promise<ExecutionResult>> = [];
  private readonly failedExecutions: string[] = [];
  private readonly responses: ReceivedResponse[] = [];
  private polls = 0;

  constructor(private readonly framework: ProviderFramework, private readonly options: DeliveryOptions) {}

  public async invokeUserFunction(functionArn: string, payload: unknown): Promise<InvocationOutcome> {
    const invocation = await this.framework.invokeUser(functionArn, payload, this.options);
    this.userInvocations.push(invocation);
    if (invocation.role === 'isComplete') {
      this.polls += 1;
    }
    return invocation.outcome;
  }

  public async waitBeforeRetry(retry: number, delaySeconds: number): Promise<void> {
    await this.options.betweenPolls?.(retry);
    await this.framework.waitBeforeRetry(delaySeconds);
  }

  public frameworkRan(functionArn: string, outcome: InvocationOutcome): void {
    this.frameworkLogs.push(...outcome.logs);
    if (outcome.kind !== 'result' && outcome.error.errorMessage.startsWith('{') === false) {
      this.frameworkErrors.push(`${functionArn.split(':').pop()}: ${outcome.error.errorType}: ${outcome.error.errorMessage}`);
    }
  }

  public executionStarted(execution: Promise<ExecutionResult>): void {
    this.executions.push(
      execution.then((result) => {
        if (result.status === 'FAILED') {
          this.failedExecutions.push(`${result.error.Error}: ${result.error.Cause.slice(0, 500)}`);
        }
        return result;
      }),
    );
  }

  public responded(response: ReceivedResponse): void {
    this.responses.push(response);
  }

  /** Waits for every waiter execution started for this request, including any started while waiting. */
  public async settled(): Promise<void> {
    for (let seen = 0; seen < this.executions.length; seen = this.executions.length) {
      await Promise.all(this.executions);
    }
  }

  public delivery(invocation: InvocationOutcome, stackStatus: StackStatus): Delivery {
    if (this.responses.length !== 1) {
      const why = [...this.frameworkErrors, ...this.failedExecutions.map((e) => `waiter execution failed: ${e}`)].join('; ') || 'no error';
      throw new Error(
        `The provider framework sent ${this.responses.length} responses to one request (CloudFormation takes the first, or waits an hour for one); ` +
          `framework onEvent ended ${invocation.kind}; ${why}\n${this.frameworkLogs.slice(-20).join('\n')}`,
      );
    }
    const [{ body, contentLength }] = this.responses;
    const bytes = byteLength(body);
    if (contentLength !== bytes) {
      throw new Error(`The response's content-length (${contentLength}) is not its size (${bytes})`);
    }
    const onEvent = this.userInvocations.find((i) => i.role === 'onEvent');
    const last = this.userInvocations[this.userInvocations.length - 1];
    return {
      body,
      bytes,
      response: JSON.parse(body) as CloudFormationResponse,
      error: last && last.outcome.kind !== 'result' ? last.outcome.error : undefined,
      timedOut: this.userInvocations.some((i) => i.outcome.kind === 'timeout'),
      onEventInvoked: onEvent !== undefined,
      isCompletePolls: this.polls,
      onEventMs: onEvent?.ms ?? 0,
      logs: this.userInvocations.flatMap((i) => i.outcome.logs),
      frameworkLogs: this.frameworkLogs,
      stackStatus,
    };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
