import * as fs from 'fs';
import * as https from 'https';
import * as os from 'os';
import * as path from 'path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { InvocationOutcome, LambdaContainer } from '../support/lifecycle/lambda-container';
import { CloudFormationEndpoint } from '../support/lifecycle/local-aws/cloudformation-endpoint';
import { FunctionRunner, INVOKE_PAYLOAD_LIMIT_BYTES, LambdaEndpoint } from '../support/lifecycle/local-aws/lambda-endpoint';
import { LocalCertificate, createLocalCertificate } from '../support/lifecycle/local-aws/local-certificate';
import { ReceivedResponse, ResponseUrlEndpoint } from '../support/lifecycle/local-aws/response-url-endpoint';
import { ExecutionHooks, STATE_PAYLOAD_LIMIT_BYTES, StateMachineDefinition, TASK_FAILURE_CAUSE_LIMIT_CHARS, runExecution } from '../support/lifecycle/local-aws/state-machine';
import { StepFunctionsEndpoint } from '../support/lifecycle/local-aws/step-functions-endpoint';

/**
 * The local AWS services the lifecycle suite runs aws-cdk-lib's provider framework
 * against answer as AWS does, checked through the SDK clients the framework and the
 * handler use.
 */
const REGION = 'ap-southeast-2';
const credentials = { accessKeyId: 'AKIALOCALTEST', secretAccessKey: 'local-test-secret' };
const FUNCTION_ARN = `arn:aws:lambda:${REGION}:111111111111:function:user-on-event`;
const ISCOMPLETE_ARN = `arn:aws:lambda:${REGION}:111111111111:function:framework-isComplete`;
const ONTIMEOUT_ARN = `arn:aws:lambda:${REGION}:111111111111:function:framework-onTimeout`;

let directory: string;
beforeAll(() => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'local-aws-test-'));
});
afterAll(() => {
  LambdaContainer.stopAll();
  fs.rmSync(directory, { recursive: true, force: true });
});

const thrown = (message: string): InvocationOutcome => ({ kind: 'error', error: { errorType: 'Error', errorMessage: message, trace: [`Error: ${message}`, '    at handler (index.js:1:1)'] }, logs: [] });

describe('Lambda Invoke', () => {
  let endpoint: LambdaEndpoint;
  let run: FunctionRunner;
  let client: LambdaClient;
  beforeAll(async () => {
    endpoint = await LambdaEndpoint.start(
      (name) => (name === FUNCTION_ARN || name === 'user-on-event' ? FUNCTION_ARN : undefined),
      (arn, payload) => run(arn, payload),
    );
    client = new LambdaClient({ region: REGION, endpoint: endpoint.url, credentials, maxAttempts: 1 });
  });
  afterAll(() => endpoint.stop());

  test('a result comes back as the payload, with no FunctionError', async () => {
    run = async (_arn, payload) => ({ kind: 'result', result: { echoed: payload }, logs: [] });

    const output = await client.send(new InvokeCommand({ FunctionName: FUNCTION_ARN, Payload: JSON.stringify({ a: 1 }) }));

    expect(output.FunctionError).toBeUndefined();
    expect(JSON.parse(Buffer.from(output.Payload!).toString())).toEqual({ echoed: { a: 1 } });
  });

  test('a function that throws answers 200 with FunctionError Unhandled and the runtime\'s error payload', async () => {
    run = async () => thrown('no such detector');

    const output = await client.send(new InvokeCommand({ FunctionName: 'user-on-event', Payload: '{}' }));

    expect(output.StatusCode).toBe(200);
    expect(output.FunctionError).toBe('Unhandled');
    expect(JSON.parse(Buffer.from(output.Payload!).toString())).toEqual({ errorType: 'Error', errorMessage: 'no such detector', trace: ['Error: no such detector', '    at handler (index.js:1:1)'] });
  });

  test('an unknown function is a ResourceNotFoundException; a payload over 6 MB a RequestTooLargeException', async () => {
    run = async () => ({ kind: 'result', result: null, logs: [] });

    await expect(client.send(new InvokeCommand({ FunctionName: 'other', Payload: '{}' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    const tooLarge = JSON.stringify({ padding: 'x'.repeat(INVOKE_PAYLOAD_LIMIT_BYTES) });
    await expect(client.send(new InvokeCommand({ FunctionName: FUNCTION_ARN, Payload: tooLarge }))).rejects.toMatchObject({ name: 'RequestTooLargeException' });
  });

  test('a container stops a function at its timeout, as Lambda reports it: Sandbox.Timedout', async () => {
    const file = path.join(directory, 'slow.js');
    fs.writeFileSync(file, 'exports.handler = () => new Promise((resolve) => setTimeout(resolve, 60000));');
    const container = await LambdaContainer.start({ logicalId: 'Slow', file, exportName: 'handler', timeoutMs: 200 }, { region: REGION, credentials });

    const outcome = await container.invoke({}, 200);

    expect(outcome).toMatchObject({ kind: 'timeout', error: { errorType: 'Sandbox.Timedout', errorMessage: expect.stringMatching(/Task timed out after 0\.20 seconds/) } });
    expect(container.running).toBe(false);
  });
});

describe('the waiter state machine', () => {
  /** The provider framework's waiter, as aws-cdk-lib writes it (interval 30 s, backoff 1). */
  const waiter = (maxAttempts: number, backoffRate = 1): StateMachineDefinition => ({
    StartAt: 'framework-isComplete-task',
    States: {
      'framework-isComplete-task': {
        Type: 'Task',
        Resource: ISCOMPLETE_ARN,
        End: true,
        Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 30, MaxAttempts: maxAttempts, BackoffRate: backoffRate }],
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'framework-onTimeout-task' }],
      },
      'framework-onTimeout-task': { Type: 'Task', Resource: ONTIMEOUT_ARN, End: true },
    },
  });

  function hooks(isComplete: (attempt: number) => InvocationOutcome) {
    const calls: Array<{ arn: string; input: unknown }> = [];
    const waits: number[] = [];
    const hooks: ExecutionHooks = {
      invoke: async (arn, input) => {
        calls.push({ arn, input });
        return arn === ISCOMPLETE_ARN ? isComplete(calls.length) : { kind: 'result', result: null, logs: [] };
      },
      waitBeforeRetry: async (_state, _retry, delaySeconds) => {
        waits.push(delaySeconds);
      },
    };
    return { hooks, calls, waits };
  }

  test('isComplete is retried MaxAttempts times, waiting IntervalSeconds x BackoffRate^(n-1); then Catch hands onTimeout {Error, Cause} with the error payload as JSON', async () => {
    const event = { RequestType: 'Create', PhysicalResourceId: 'guardduty-members:abc' };
    const { hooks: h, calls, waits } = hooks(() => thrown(JSON.stringify(event)));

    const result = await runExecution(waiter(3, 2), event, h);

    expect(result.status).toBe('SUCCEEDED');
    expect(calls.map((c) => c.arn)).toEqual([ISCOMPLETE_ARN, ISCOMPLETE_ARN, ISCOMPLETE_ARN, ISCOMPLETE_ARN, ONTIMEOUT_ARN]);
    expect(waits).toEqual([30, 60, 120]);
    const timeoutInput = calls[4].input as { Error: string; Cause: string };
    expect(timeoutInput.Error).toBe('Error');
    // What the framework's onTimeout does with it:
    expect(JSON.parse(JSON.parse(timeoutInput.Cause).errorMessage)).toEqual(event);
  });

  test('a result ends the execution at once; a Cause longer than 32,768 characters is cut', async () => {
    const done = hooks((attempt) => (attempt < 2 ? thrown('not yet') : { kind: 'result', result: null, logs: [] }));
    expect(await runExecution(waiter(5), {}, done.hooks)).toEqual({ status: 'SUCCEEDED', output: null });
    expect(done.calls).toHaveLength(2);

    const long = hooks(() => thrown('x'.repeat(40_000)));
    await runExecution(waiter(0), {}, long.hooks);
    expect((long.calls[1].input as { Cause: string }).Cause).toHaveLength(TASK_FAILURE_CAUSE_LIMIT_CHARS);
  });

  test('a state input over 256 KiB fails the execution with States.DataLimitExceeded, which States.ALL does not catch', async () => {
    const { hooks: h, calls } = hooks(() => ({ kind: 'result', result: null, logs: [] }));

    const result = await runExecution(waiter(3), { padding: 'x'.repeat(STATE_PAYLOAD_LIMIT_BYTES) }, h);

    expect(result).toMatchObject({ status: 'FAILED', error: { Error: 'States.DataLimitExceeded' } });
    expect(calls).toEqual([]);
  });
});

describe('Step Functions StartExecution', () => {
  const STATE_MACHINE = `arn:aws:states:${REGION}:111111111111:stateMachine:waiter`;
  let endpoint: StepFunctionsEndpoint;
  let client: SFNClient;
  const started: string[] = [];
  beforeAll(async () => {
    endpoint = await StepFunctionsEndpoint.start(async (_arn, _definition, input) => {
      started.push(input);
      return { status: 'SUCCEEDED', output: null };
    });
    endpoint.register(STATE_MACHINE, { StartAt: 'a', States: {} });
    client = new SFNClient({ region: REGION, endpoint: endpoint.url, credentials, maxAttempts: 1 });
  });
  afterAll(() => endpoint.stop());

  test('starts an execution of a known state machine and answers with its ARN', async () => {
    const output = await client.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, input: '{"a":1}' }));

    expect(output.executionArn).toMatch(new RegExp(`^arn:aws:states:${REGION}:111111111111:execution:waiter:`));
    expect(started).toEqual(['{"a":1}']);
  });

  test('an input over 256 KiB is refused, as is an unknown state machine; no execution starts', async () => {
    started.length = 0;
    const tooLarge = JSON.stringify({ padding: 'x'.repeat(STATE_PAYLOAD_LIMIT_BYTES) });

    await expect(client.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, input: tooLarge }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(client.send(new StartExecutionCommand({ stateMachineArn: `${STATE_MACHINE}-other`, input: '{}' }))).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
    expect(started).toEqual([]);
  });
});

describe('CloudFormation DescribeStacks', () => {
  const STACK_ID = `arn:aws:cloudformation:${REGION}:111111111111:stack/guardduty-administrator/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`;
  let endpoint: CloudFormationEndpoint;
  let client: CloudFormationClient;
  beforeAll(async () => {
    endpoint = await CloudFormationEndpoint.start();
    client = new CloudFormationClient({ region: REGION, endpoint: endpoint.url, credentials, maxAttempts: 1 });
  });
  afterAll(() => endpoint.stop());

  test('reports the status the harness set, by the stack\'s ARN (the event\'s StackId) or its name', async () => {
    endpoint.setStackStatus(STACK_ID, 'ROLLBACK_IN_PROGRESS');

    const byArn = await client.send(new DescribeStacksCommand({ StackName: STACK_ID }));
    endpoint.setStackStatus(STACK_ID, 'UPDATE_ROLLBACK_IN_PROGRESS');
    const byName = await client.send(new DescribeStacksCommand({ StackName: 'guardduty-administrator' }));

    expect(byArn.Stacks?.map((s) => [s.StackId, s.StackStatus])).toEqual([[STACK_ID, 'ROLLBACK_IN_PROGRESS']]);
    expect(byName.Stacks?.[0]?.StackStatus).toBe('UPDATE_ROLLBACK_IN_PROGRESS');
    expect(endpoint.statusReads().map((r) => r.status)).toEqual(['ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_IN_PROGRESS']);
  });

  test('an unknown stack is CloudFormation\'s ValidationError', async () => {
    await expect(client.send(new DescribeStacksCommand({ StackName: 'no-such-stack' }))).rejects.toMatchObject({ name: 'ValidationError', message: 'Stack with id no-such-stack does not exist' });
  });
});

describe('the HTTPS response URL', () => {
  let certificate: LocalCertificate;
  let endpoint: ResponseUrlEndpoint;
  const received: Array<[string, ReceivedResponse]> = [];
  beforeAll(async () => {
    certificate = createLocalCertificate(directory);
    endpoint = await ResponseUrlEndpoint.start(certificate, (key, response) => received.push([key, response]));
  });
  afterAll(() => endpoint.stop());

  function put(url: string, body: string, ca?: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const request = https.request(url, { method: 'PUT', ca, headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      request.end(body);
    });
  }

  test('keeps the exact body PUT to a request\'s URL, over TLS verified against the run\'s certificate', async () => {
    const body = JSON.stringify({ Status: 'SUCCESS', Reason: 'é' });

    expect(await put(endpoint.urlFor('request-1'), body, certificate.cert)).toBe(200);

    expect(received).toEqual([['request-1', { body, contentLength: Buffer.byteLength(body) }]]);
  });

  test('a client that does not trust the run\'s certificate cannot connect', async () => {
    await expect(put(endpoint.urlFor('request-2'), '{}')).rejects.toThrow(/self[- ]signed certificate/);
  });
});
