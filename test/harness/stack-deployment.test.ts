import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { Delivery } from '../support/lifecycle/provider-framework';
import { CloudFormationStack, DeliverRequest, deployApp } from '../support/lifecycle/stack-deployment';
import { SynthesizedAppStack, SynthesizedStack } from '../support/lifecycle/synthesized-stack';

/**
 * The harness's model of CloudFormation deploying a stack version after version, and an
 * app's stacks in dependency order, checked with a fake provider: which requests it
 * sends, in which order, and what it sends after a failure.
 */
type Properties = Record<string, unknown>;

/** A stack version: custom resources (logical ID → properties) in creation order, all of one type. */
function version(stackName: string, resources: Record<string, Properties>, dependsOn: string[] = []): SynthesizedAppStack {
  const part = {
    stackId: `arn:aws:cloudformation:us-east-1:111111111111:stack/${stackName}/id`,
    resourceType: 'Custom::GuardDutyTest',
    resources: Object.entries(resources).map(([logicalId, properties]) => ({ logicalId, properties: { ...properties, ServiceToken: 'token' } })),
  } as unknown as SynthesizedStack;
  return { settings: { account: '111111111111', region: 'us-east-1', stackName }, path: stackName, dependsOn, parts: [part], creationOrder: Object.keys(resources) };
}

/** A provider that fails the requests `fails` picks and logs every request as `<type> <logical ID> <stack status>`. */
function provider(fails: (event: CloudFormationCustomResourceEvent) => boolean = () => false): { deliver: DeliverRequest; log: string[] } {
  const log: string[] = [];
  const deliver: DeliverRequest = async (_part, event, options) => {
    log.push(`${event.RequestType} ${event.LogicalResourceId} ${options.stackStatus}`);
    const failed = fails(event);
    const physicalId = event.RequestType === 'Create' ? (failed ? 'CREATE_FAILED_MARKER' : `${event.LogicalResourceId}-id`) : event.PhysicalResourceId;
    return { response: { Status: failed ? 'FAILED' : 'SUCCESS', Reason: failed ? `${event.LogicalResourceId} refused` : '', PhysicalResourceId: physicalId } } as unknown as Delivery;
  };
  return { deliver, log };
}

test('a new stack creates every resource in order; the next version updates only what changed; an unchanged one sends nothing', async () => {
  const { deliver, log } = provider();
  const stack = new CloudFormationStack(deliver);

  expect((await stack.deploy(version('S', { A: { v: 1 }, B: { v: 1 } }))).result).toBe('CREATE_COMPLETE');
  expect((await stack.deploy(version('S', { A: { v: 1 }, B: { v: 2 } }))).result).toBe('UPDATE_COMPLETE');
  expect((await stack.deploy(version('S', { A: { v: 1 }, B: { v: 2 } }))).result).toBe('NO_CHANGES');

  expect(log).toEqual(['Create A CREATE_IN_PROGRESS', 'Create B CREATE_IN_PROGRESS', 'Update B UPDATE_IN_PROGRESS']);
});

test('a failed creation deletes the failed resource and, newest first, what it created; the next deployment creates the stack again', async () => {
  let refuse = true;
  const { deliver, log } = provider((event) => refuse && event.LogicalResourceId === 'C');
  const stack = new CloudFormationStack(deliver);
  const resources = { A: { v: 1 }, B: { v: 1 }, C: { v: 1 } };

  const failed = await stack.deploy(version('S', resources));
  refuse = false;
  const rerun = await stack.deploy(version('S', resources));

  expect([failed.result, failed.failureReason, rerun.result]).toEqual(['ROLLBACK_COMPLETE', 'C refused', 'CREATE_COMPLETE']);
  expect(log).toEqual([
    'Create A CREATE_IN_PROGRESS', 'Create B CREATE_IN_PROGRESS', 'Create C CREATE_IN_PROGRESS',
    'Delete C ROLLBACK_IN_PROGRESS', 'Delete B ROLLBACK_IN_PROGRESS', 'Delete A ROLLBACK_IN_PROGRESS',
    'Create A CREATE_IN_PROGRESS', 'Create B CREATE_IN_PROGRESS', 'Create C CREATE_IN_PROGRESS',
  ]);
});

test('a failed update rolls back: the failed resource and what it updated back to the old properties, what it created deleted; the old version stays deployed', async () => {
  const { deliver, log } = provider((event) => event.RequestType === 'Update' && event.LogicalResourceId === 'C');
  const stack = new CloudFormationStack(deliver);
  await stack.deploy(version('S', { A: { v: 1 }, C: { v: 1 } }));
  log.length = 0;

  const failed = await stack.deploy(version('S', { A: { v: 2 }, B: { v: 1 }, C: { v: 2 } }));
  const again = await stack.deploy(version('S', { A: { v: 1 }, C: { v: 1 } }));

  expect([failed.result, again.result]).toEqual(['UPDATE_ROLLBACK_COMPLETE', 'NO_CHANGES']);
  expect(log).toEqual([
    'Update A UPDATE_IN_PROGRESS', 'Create B UPDATE_IN_PROGRESS', 'Update C UPDATE_IN_PROGRESS',
    'Update C UPDATE_ROLLBACK_IN_PROGRESS', 'Delete B UPDATE_ROLLBACK_IN_PROGRESS', 'Update A UPDATE_ROLLBACK_IN_PROGRESS',
  ]);
  expect(failed.requests.find((r) => r.logicalId === 'A' && r.stackStatus === 'UPDATE_ROLLBACK_IN_PROGRESS')).toBeDefined();
});

test('an app: each stack after those it depends on; a stack whose dependency failed is not deployed, the others go on', async () => {
  const { deliver, log } = provider((event) => event.StackId.includes('/Management-b/'));
  const stacks = new Map<string, CloudFormationStack>();
  const app = [
    version('Administrator-a', { Configuration: {} }, ['Management-a']),
    version('Administrator-b', { Configuration: {} }, ['Management-b']),
    version('Management-a', { Administrator: {} }),
    version('Management-b', { Administrator: {} }),
  ];

  const outcome = await deployApp(app, (s) => stacks.get(s.settings.stackName) ?? stacks.set(s.settings.stackName, new CloudFormationStack(deliver)).get(s.settings.stackName)!);

  expect(Object.fromEntries(Object.entries(outcome).map(([name, o]) => [name, o?.result ?? 'not deployed']))).toEqual({
    'Administrator-a': 'CREATE_COMPLETE',
    'Administrator-b': 'not deployed',
    'Management-a': 'CREATE_COMPLETE',
    'Management-b': 'ROLLBACK_COMPLETE',
  });
  expect(log.indexOf('Create Administrator CREATE_IN_PROGRESS')).toBeLessThan(log.indexOf('Create Configuration CREATE_IN_PROGRESS'));
});
