import type { InvocationOutcome } from '../lambda-container';

/**
 * Step Functions' limit on a state's input and output, and on an execution's input:
 * 256 KiB as UTF-8.
 */
export const STATE_PAYLOAD_LIMIT_BYTES = 262_144;

/** The longest `Cause` Step Functions records for a failed task (TaskFailedEventDetails.cause). */
export const TASK_FAILURE_CAUSE_LIMIT_CHARS = 32_768;

interface Retrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
}

interface Catcher {
  readonly ErrorEquals: readonly string[];
  readonly Next: string;
  readonly ResultPath?: string | null;
}

interface TaskState {
  readonly Type: 'Task';
  readonly Resource: string;
  readonly Retry?: readonly Retrier[];
  readonly Catch?: readonly Catcher[];
  readonly Next?: string;
  readonly End?: boolean;
}

/** The part of the Amazon States Language the provider framework's waiter uses. */
export interface StateMachineDefinition {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, TaskState>>;
}

/** An error a state ends with: its name and cause, as a Catch passes them on. */
export interface StateError {
  readonly Error: string;
  readonly Cause: string;
}

export type ExecutionResult = { readonly status: 'SUCCEEDED'; readonly output: unknown } | { readonly status: 'FAILED'; readonly error: StateError };

/** What an execution needs from its surroundings. */
export interface ExecutionHooks {
  /** Runs a Task's Lambda function (its `Resource`, a function ARN) with the state's input. */
  invoke(functionArn: string, input: unknown): Promise<InvocationOutcome>;
  /**
   * Waits before retry number `retry` (1-based) of `state`, `delaySeconds` being the
   * delay the Retry field sets. The caller decides how long that is here (time compressed).
   */
  waitBeforeRetry(state: string, retry: number, delaySeconds: number): Promise<void>;
}

const DATA_LIMIT_EXCEEDED = 'States.DataLimitExceeded';
const RUNTIME = 'States.Runtime';
const TIMEOUT = 'States.Timeout';

/**
 * Runs one execution of `definition` with `input`, with Step Functions' semantics for the
 * states the provider framework's waiter uses: a Task whose Resource is a Lambda function
 * ARN (the function's result is the state's output), its Retry (IntervalSeconds default 1,
 * MaxAttempts default 3 retries after the first attempt, BackoffRate default 2: retry n
 * waits IntervalSeconds × BackoffRate^(n-1)), and its Catch (default ResultPath `$`: the
 * error output `{ Error, Cause }` replaces the input of the next state).
 *
 * A Lambda function that throws fails the task with Error = the runtime's `errorType`
 * (`Error` for a plain `Error` or a subclass that keeps its name, as the framework's
 * `Retry` does) and Cause = the JSON of the runtime's error payload
 * `{ errorType, errorMessage, trace }`, recorded up to 32,768 characters: that is how the
 * framework's onTimeout reads back the isComplete request it was polling for
 * (`JSON.parse(JSON.parse(Cause).errorMessage)`). A function stopped at its timeout fails
 * with the runtime's `Sandbox.Timedout`.
 *
 * `States.ALL` matches every error except the terminal `States.DataLimitExceeded` (a
 * state's input or output over 256 KiB) and `States.Runtime`, which fail the execution
 * whatever its Retry and Catch say; `States.TaskFailed` matches any task failure except
 * `States.Timeout`.
 */
export async function runExecution(definition: StateMachineDefinition, input: unknown, hooks: ExecutionHooks): Promise<ExecutionResult> {
  let stateName = definition.StartAt;
  let stateInput = input;
  for (;;) {
    const state = definition.States[stateName];
    if (!state) {
      return failed(RUNTIME, `The state machine has no state named "${stateName}"`);
    }
    if (state.Type !== 'Task') {
      return failed(RUNTIME, `This local Step Functions runs Task states only; "${stateName}" is a ${String((state as { Type?: string }).Type)}`);
    }
    const outcome = await runTask(stateName, state, stateInput, hooks);
    if ('output' in outcome) {
      if (state.End) {
        return { status: 'SUCCEEDED', output: outcome.output };
      }
      stateName = state.Next ?? '';
      stateInput = outcome.output;
      continue;
    }
    const catcher = isTerminal(outcome.error.Error) ? undefined : state.Catch?.find((c) => matches(c.ErrorEquals, outcome.error.Error));
    if (!catcher) {
      return { status: 'FAILED', error: outcome.error };
    }
    if (catcher.ResultPath !== undefined && catcher.ResultPath !== '$') {
      return failed(RUNTIME, `This local Step Functions supports a Catch's default ResultPath only, not ${String(catcher.ResultPath)}`);
    }
    stateName = catcher.Next;
    stateInput = outcome.error;
  }
}

/** One Task state: its attempts, as many as its first matching retrier allows. */
async function runTask(name: string, state: TaskState, input: unknown, hooks: ExecutionHooks): Promise<{ output: unknown } | { error: StateError }> {
  const retries = new Map<Retrier, number>();
  for (;;) {
    const result = await attemptTask(state, input, hooks);
    if ('output' in result || isTerminal(result.error.Error)) {
      return result;
    }
    const retrier = state.Retry?.find((r) => matches(r.ErrorEquals, result.error.Error));
    if (!retrier) {
      return result;
    }
    const done = retries.get(retrier) ?? 0;
    if (done >= (retrier.MaxAttempts ?? 3)) {
      return result;
    }
    retries.set(retrier, done + 1);
    const delaySeconds = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** done;
    await hooks.waitBeforeRetry(name, done + 1, delaySeconds);
  }
}

async function attemptTask(state: TaskState, input: unknown, hooks: ExecutionHooks): Promise<{ output: unknown } | { error: StateError }> {
  if (byteLength(input) > STATE_PAYLOAD_LIMIT_BYTES) {
    return { error: { Error: DATA_LIMIT_EXCEEDED, Cause: `The state's input is over ${STATE_PAYLOAD_LIMIT_BYTES} bytes` } };
  }
  const outcome = await hooks.invoke(state.Resource, input);
  if (outcome.kind === 'result') {
    const output = outcome.result ?? null;
    if (byteLength(output) > STATE_PAYLOAD_LIMIT_BYTES) {
      return { error: { Error: DATA_LIMIT_EXCEEDED, Cause: `The state/task '${state.Resource}' returned a result with a size exceeding the maximum number of bytes service limit.` } };
    }
    return { output };
  }
  return { error: { Error: outcome.error.errorType, Cause: JSON.stringify(outcome.error).slice(0, TASK_FAILURE_CAUSE_LIMIT_CHARS) } };
}

function matches(errorEquals: readonly string[], error: string): boolean {
  return errorEquals.some((name) => name === error || name === 'States.ALL' || (name === 'States.TaskFailed' && error !== TIMEOUT));
}

function isTerminal(error: string): boolean {
  return error === DATA_LIMIT_EXCEEDED || error === RUNTIME;
}

function failed(error: string, cause: string): ExecutionResult {
  return { status: 'FAILED', error: { Error: error, Cause: cause } };
}

function byteLength(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? 'null', 'utf8');
}
