import { ChildProcess, fork } from 'child_process';
import * as path from 'path';
import { ShippedFunction } from './synthesized-stack';

/** What Lambda sets in a function's environment, beyond its own name and timeout. */
export interface LambdaEnvironment {
  /** GuardDuty's endpoint, `AWS_ENDPOINT_URL_GUARDDUTY` (the emulator's). @default none */
  readonly endpoint?: string;
  readonly region: string;
  /** The function's role credentials: the emulator reads the account from the access key. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** AWS Organizations' endpoint (the emulator's organizationsEndpoint), for handlers that read the organization. */
  readonly organizationsEndpoint?: string;
  /**
   * The function's environment variables (the template's) and the endpoints of the local
   * services it calls (`AWS_ENDPOINT_URL_<SERVICE>`), plus what the runtime provides
   * (`NODE_PATH` for the SDK the Node.js runtime carries, `NODE_EXTRA_CA_CERTS`).
   */
  readonly variables?: Readonly<Record<string, string>>;
}

/** The code Lambda runs: a file of the asset, its export, and the function's timeout. */
export type LambdaFunctionCode = Pick<ShippedFunction, 'logicalId' | 'file' | 'exportName' | 'timeoutMs'>;

/** An invocation's outcome as Lambda's Invoke API reports it to the provider framework. */
export type InvocationOutcome =
  | { readonly kind: 'result'; readonly result: unknown; readonly logs: readonly string[] }
  | { readonly kind: 'error'; readonly error: LambdaFunctionError; readonly logs: readonly string[] }
  | { readonly kind: 'timeout'; readonly error: LambdaFunctionError; readonly logs: readonly string[] };

/** The Node.js runtime's error payload. */
export interface LambdaFunctionError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace: readonly string[];
}

type RuntimeMessage =
  | { type: 'ready' }
  | { type: 'init-error'; error: LambdaFunctionError }
  | { type: 'result'; id: number; result: unknown; logs: string[] }
  | { type: 'error'; id: number; error: LambdaFunctionError; logs: string[] };

const RUNTIME = path.join(__dirname, 'lambda-runtime.mjs');
const live = new Set<LambdaContainer>();

/**
 * A warm Lambda container for one shipped function: a Node.js child process that loaded
 * the bundle once (its module-level SDK client lives as long as the container) and runs
 * one invocation at a time. An invocation that outlives its budget is cut off as Lambda
 * does at the function's timeout: the process is killed, so nothing it started goes on.
 */
export class LambdaContainer {
  public static async start(fn: LambdaFunctionCode, environment: LambdaEnvironment): Promise<LambdaContainer> {
    const child = fork(RUNTIME, [fn.file, fn.exportName], {
      env: lambdaEnvironment(fn, environment),
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      execArgv: [],
    });
    const container = new LambdaContainer(child);
    live.add(container);
    await container.initialized;
    return container;
  }

  /** Kills every container still running (for afterAll). */
  public static stopAll(): void {
    live.forEach((container) => container.stop());
  }

  private readonly initialized: Promise<void>;
  private readonly pending = new Map<number, (message: RuntimeMessage) => void>();
  private stderr = '';
  private nextId = 0;
  private stopped = false;

  private constructor(private readonly child: ChildProcess) {
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-4_000);
    });
    // A send to a process that just died: its 'exit' fails the invocation; nothing to throw here.
    child.on('error', (error) => {
      this.stderr += `\n${error.message}`;
    });
    child.once('exit', (code, signal) => {
      // A runtime that dies mid-invocation fails that invocation, as Lambda reports Runtime.ExitError.
      const error = { errorType: 'Runtime.ExitError', errorMessage: `RequestId: exited with ${code ?? signal}: ${this.stderr}`, trace: [] };
      this.pending.forEach((settle, id) => settle({ type: 'error', id, error, logs: [] }));
      this.stopped = true;
      live.delete(this);
    });
    this.initialized = new Promise((resolve, reject) => {
      child.once('exit', (code, signal) => reject(new Error(`The Lambda container exited during init (${code ?? signal}): ${this.stderr}`)));
      child.on('message', (message: RuntimeMessage) => {
        if (message.type === 'ready') {
          resolve();
        } else if (message.type === 'init-error') {
          reject(new Error(`Init failed: ${message.error.errorType}: ${message.error.errorMessage}`));
        } else {
          this.pending.get(message.id)?.(message);
        }
      });
    });
  }

  public get running(): boolean {
    return !this.stopped;
  }

  /** True while an invocation runs: Lambda would send a concurrent one to another container. */
  public get busy(): boolean {
    return this.pending.size > 0;
  }

  /**
   * Invokes the function with `event` (sent as JSON) and `budgetMs` of remaining time; its
   * `Date.now()` runs `clockOffsetMs` ahead of the wall clock (see lambda-runtime.mjs).
   */
  public invoke(event: unknown, budgetMs: number, clockOffsetMs = 0): Promise<InvocationOutcome> {
    const id = this.nextId++;
    return new Promise<InvocationOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.stop();
        const errorMessage = `${new Date().toISOString()} ${id} Task timed out after ${(budgetMs / 1000).toFixed(2)} seconds`;
        resolve({ kind: 'timeout', error: { errorType: 'Sandbox.Timedout', errorMessage, trace: [] }, logs: [] });
      }, budgetMs);
      this.pending.set(id, (message) => {
        clearTimeout(timer);
        this.pending.delete(id);
        if (message.type === 'result') {
          resolve({ kind: 'result', result: message.result, logs: message.logs });
        } else if (message.type === 'error') {
          resolve({ kind: 'error', error: message.error, logs: message.logs });
        }
      });
      this.child.send({ id, event, budgetMs, clockOffsetMs });
    });
  }

  public stop(): void {
    if (!this.stopped) {
      this.stopped = true;
      this.child.kill('SIGKILL');
      live.delete(this);
    }
  }
}

/**
 * Only what Lambda sets and the function reads: no variable of the test process leaks in,
 * and the shared AWS config files point nowhere, so the SDK reads nothing from the machine.
 */
function lambdaEnvironment(fn: LambdaFunctionCode, environment: LambdaEnvironment): NodeJS.ProcessEnv {
  return {
    ...environment.variables,
    PATH: process.env.PATH,
    TZ: 'UTC',
    AWS_REGION: environment.region,
    AWS_DEFAULT_REGION: environment.region,
    AWS_ACCESS_KEY_ID: environment.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: environment.credentials.secretAccessKey,
    AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
    AWS_LAMBDA_FUNCTION_TIMEOUT: String(fn.timeoutMs / 1000),
    AWS_CONFIG_FILE: path.join(__dirname, 'no-such-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(__dirname, 'no-such-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    // The emulator also answers CloudFormation's DescribeStacks, S3's GetObject
    // (member-list assets) and IAM's CreateServiceLinkedRole on its port; a harness with endpoints of its own for them (the
    // provider framework's, local-aws/) passes them in `variables`, which come last.
    ...(environment.endpoint
      ? {
          AWS_ENDPOINT_URL_GUARDDUTY: environment.endpoint,
          AWS_ENDPOINT_URL_CLOUDFORMATION: environment.endpoint,
          AWS_ENDPOINT_URL_S3: environment.endpoint,
          AWS_ENDPOINT_URL_IAM: environment.endpoint,
        }
      : {}),
    ...(environment.organizationsEndpoint ? { AWS_ENDPOINT_URL_ORGANIZATIONS: environment.organizationsEndpoint } : {}),
    ...environment.variables,
  };
}
