import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { InvocationOutcome, LambdaContainer } from '../lambda-container';
import { ShippedFunction, SynthesizedStack } from '../synthesized-stack';
import { CloudFormationEndpoint } from './cloudformation-endpoint';
import { AccountConcurrency } from './lambda-concurrency';
import { LambdaEndpoint } from './lambda-endpoint';
import { createLocalCertificate } from './local-certificate';
import { ReceivedResponse, ResponseUrlEndpoint } from './response-url-endpoint';
import { ExecutionResult, StateMachineDefinition, runExecution } from './state-machine';
import { StepFunctionsEndpoint } from './step-functions-endpoint';

/**
 * One request CloudFormation sent, while the provider framework answers it: what the
 * local services report back to whoever delivers it (provider-framework.ts).
 */
export interface RequestInFlight {
  /** Lambda runs one of the stack's user functions (onEvent or isComplete handler) for this request. */
  invokeUserFunction(functionArn: string, payload: unknown): Promise<InvocationOutcome>;
  /** The waiter waits before retry `retry` of its isComplete task, `delaySeconds` as its Retry says. */
  waitBeforeRetry(retry: number, delaySeconds: number): Promise<void>;
  /** A provider framework function ran for this request and logged `lines`. */
  frameworkRan(functionArn: string, outcome: InvocationOutcome): void;
  /** An execution of the waiter started for this request. */
  executionStarted(execution: Promise<ExecutionResult>): void;
  /** Something was PUT to this request's response URL. */
  responded(response: ReceivedResponse): void;
}

/** The SDK the Lambda Node.js runtime carries (`/var/runtime/node_modules`): here, the project's. */
const RUNTIME_NODE_PATH = path.resolve(__dirname, '..', '..', '..', '..', 'node_modules');
/** The framework's functions call Lambda and Step Functions only, here; their credentials are never checked. */
const FRAMEWORK_CREDENTIALS = { accessKeyId: 'AKIALOCALPROVIDERFRAMEWORK', secretAccessKey: 'local-provider-framework-secret' };

/**
 * The AWS services the provider framework talks to, on 127.0.0.1 for one test file:
 * Lambda's Invoke, Step Functions' StartExecution (and the executions it starts),
 * CloudFormation's DescribeStacks, and the HTTPS response URLs, with a certificate made
 * for the run. aws-cdk-lib's framework functions run from the synthesized asset in Lambda
 * containers of their own (kept warm across requests, a new one when all are busy), with
 * the template's environment variables and the local endpoints in
 * `AWS_ENDPOINT_URL_LAMBDA` / `AWS_ENDPOINT_URL_SFN`.
 *
 * Each request gets its own response URL; the user functions' invocations and the waiter's
 * executions are routed to the request whose response URL their payload carries, as each
 * request in AWS carries its own.
 */
export class LocalAws {
  public static async start(): Promise<LocalAws> {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'guardduty-members-local-aws-'));
    const aws = new LocalAws(directory);
    const certificate = createLocalCertificate(directory);
    aws.certificateFile = certificate.certFile;
    [aws.lambda, aws.stepFunctions, aws.cloudFormation, aws.responseUrls] = await Promise.all([
      LambdaEndpoint.start(
        (name) => aws.resolveFunction(name),
        (arn, payload) => aws.runFunction(arn, payload),
      ),
      StepFunctionsEndpoint.start((_arn, definition, input) => aws.runExecution(definition, input)),
      CloudFormationEndpoint.start(),
      ResponseUrlEndpoint.start(certificate, (key, response) => aws.requests.get(key)?.responded(response)),
    ]);
    return aws;
  }

  public cloudFormation!: CloudFormationEndpoint;
  private lambda!: LambdaEndpoint;
  private stepFunctions!: StepFunctionsEndpoint;
  private responseUrls!: ResponseUrlEndpoint;
  private certificateFile = '';
  private readonly frameworkFunctions = new Map<string, { readonly fn: ShippedFunction; readonly region: string }>();
  private readonly userFunctions = new Set<string>();
  private readonly warm = new Map<string, LambdaContainer[]>();
  private readonly requests = new Map<string, RequestInFlight>();
  private nextRequest = 0;
  /** Lambda's concurrency quota per account and region, and what deployed stacks reserve of it. */
  public readonly concurrency = new AccountConcurrency();

  private constructor(private readonly directory: string) {}

  /** The endpoint the user functions reach CloudFormation through: `AWS_ENDPOINT_URL_CLOUDFORMATION`. */
  public get cloudFormationUrl(): string {
    return this.cloudFormation.url;
  }

  /** Makes a synthesized stack's functions and waiter known, as deploying it would. */
  public deploy(stack: SynthesizedStack, region: string): void {
    // arn:aws:cloudformation:<region>:<account>:stack/...: the account the functions are created in.
    this.concurrency.apply(stack.stackId.split(':')[4], region, stack.functions);
    const { onEvent, isComplete, onTimeout } = stack.framework;
    [onEvent, isComplete, onTimeout].forEach((fn) => fn && this.frameworkFunctions.set(fn.arn, { fn, region }));
    [stack.onEvent, stack.isComplete].forEach((fn) => fn && this.userFunctions.add(fn.arn));
    if (stack.waiter) {
      this.stepFunctions.register(stack.waiter.stateMachineArn, stack.waiter.definition);
    }
  }

  /** Opens a request: its response URL routes everything done for it to `request`. */
  public open(request: RequestInFlight): { readonly responseUrl: string; close(): void } {
    const key = `request-${++this.nextRequest}`;
    this.requests.set(key, request);
    return { responseUrl: this.responseUrls.urlFor(key), close: () => this.requests.delete(key) };
  }

  /**
   * Starts one container for each of a deployed stack's framework functions, at once: a
   * test that times its cases (a property with a time limit) does not spend its time on
   * the cold starts the first request would otherwise pay, as with provisioned concurrency.
   */
  public async prewarm(stack: SynthesizedStack, region: string): Promise<void> {
    this.deploy(stack, region);
    const { onEvent, isComplete, onTimeout } = stack.framework;
    await Promise.all([onEvent, isComplete, onTimeout].map((fn) => fn && this.frameworkContainer(fn)));
  }

  /** Runs a provider framework function (CloudFormation invoking the ServiceToken, or a waiter task). */
  public async invokeFramework(fn: ShippedFunction, payload: unknown, request?: RequestInFlight): Promise<InvocationOutcome> {
    const container = await this.frameworkContainer(fn);
    const outcome = await container.invoke(payload, fn.timeoutMs);
    request?.frameworkRan(fn.arn, outcome);
    return outcome;
  }

  /** A warm container of a framework function that is not running an invocation, started if there is none. */
  private async frameworkContainer(fn: ShippedFunction): Promise<LambdaContainer> {
    const registered = this.frameworkFunctions.get(fn.arn);
    if (!registered) {
      throw new Error(`${fn.arn} is not a deployed provider framework function`);
    }
    const key = `${fn.arn} ${fn.assetHash} ${JSON.stringify(fn.variables)}`;
    const containers = this.warm.get(key) ?? [];
    this.warm.set(key, containers);
    let container = containers.find((c) => c.running && !c.busy);
    if (!container) {
      container = await LambdaContainer.start(fn, {
        region: registered.region,
        credentials: FRAMEWORK_CREDENTIALS,
        variables: {
          ...fn.variables,
          AWS_ENDPOINT_URL_LAMBDA: this.lambda.url,
          AWS_ENDPOINT_URL_SFN: this.stepFunctions.url,
          NODE_PATH: RUNTIME_NODE_PATH,
          NODE_EXTRA_CA_CERTS: this.certificateFile,
          RESPONSE_URL_HTTPS_PORT: String(this.responseUrls.port),
        },
      });
      containers.push(container);
    }
    return container;
  }

  public async stop(): Promise<void> {
    this.warm.forEach((containers) => containers.forEach((container) => container.stop()));
    this.warm.clear();
    await Promise.all([this.lambda?.stop(), this.stepFunctions?.stop(), this.cloudFormation?.stop(), this.responseUrls?.stop()]);
    fs.rmSync(this.directory, { recursive: true, force: true });
  }

  private resolveFunction(name: string): string | undefined {
    const known = [...this.frameworkFunctions.keys(), ...this.userFunctions];
    return known.find((arn) => arn === name || arn.endsWith(`:function:${name}`));
  }

  /** An Invoke through the Lambda endpoint: a user function, for the request its payload names. */
  private async runFunction(functionArn: string, payload: unknown): Promise<InvocationOutcome> {
    const framework = this.frameworkFunctions.get(functionArn);
    if (framework) {
      return this.invokeFramework(framework.fn, payload, this.requestOf(payload));
    }
    const request = this.requestOf(payload);
    if (!request) {
      throw new Error(`An invocation of ${functionArn} whose payload names no open request (ResponseURL)`);
    }
    return request.invokeUserFunction(functionArn, payload);
  }

  /** An execution of a waiter, for the request its input (the framework's resource event) names. */
  private runExecution(definition: StateMachineDefinition, input: string): Promise<ExecutionResult> {
    const request = this.requestOf(JSON.parse(input));
    const execution = runExecution(definition, JSON.parse(input), {
      invoke: (functionArn, taskInput) => {
        const framework = this.frameworkFunctions.get(functionArn);
        if (!framework) {
          throw new Error(`The waiter's task ${functionArn} is not a deployed provider framework function`);
        }
        return this.invokeFramework(framework.fn, taskInput, request);
      },
      waitBeforeRetry: (_state, retry, delaySeconds) => request?.waitBeforeRetry(retry, delaySeconds) ?? Promise.resolve(),
    });
    request?.executionStarted(execution);
    return execution;
  }

  private requestOf(payload: unknown): RequestInFlight | undefined {
    const url = (payload as { ResponseURL?: unknown } | null)?.ResponseURL;
    if (typeof url !== 'string') {
      return undefined;
    }
    return this.requests.get(decodeURIComponent(new URL(url).pathname.slice(1)));
  }
}
