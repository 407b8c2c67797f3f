import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { GuardDutyInvitationAccepter, GuardDutyInvitationAccepterProps, GuardDutyMemberInvitations, GuardDutyMemberInvitationsProps } from '../../../lib';
import { StateMachineDefinition } from './local-aws/state-machine';

/** The custom resource type each construct of the library writes into the template. */
export const RESOURCE_TYPES = {
  memberInvitations: 'Custom::GuardDutyMemberInvitations',
  invitationAccepter: 'Custom::GuardDutyInvitationAccepter',
} as const;

/**
 * A Lambda function of the provider as the cloud assembly ships it: the file its `Handler`
 * names inside the staged asset directory, not the TypeScript source under lambda/.
 */
export interface ShippedFunction {
  readonly logicalId: string;
  /** The ARN CloudFormation would give the function (a name made of stack, logical ID and a suffix). */
  readonly arn: string;
  /** Absolute path of the JavaScript file in the assembly's asset directory. */
  readonly file: string;
  /** The export `Handler` names (`index.handler` → `handler`). */
  readonly exportName: string;
  /** The function's `Timeout`: what `getRemainingTimeInMillis()` starts from. */
  readonly timeoutMs: number;
  /** The template's `Environment.Variables`, references resolved to the ARNs above. */
  readonly variables: Readonly<Record<string, string>>;
  /** The asset's directory name (its hash): functions with the same code and settings share containers. */
  readonly assetHash: string;
}

/** The provider framework's waiter, as its state machine definition configures it. */
export interface WaiterSettings {
  readonly intervalSeconds: number;
  /** Retries after the first isComplete call; then onTimeout answers FAILED. */
  readonly maxAttempts: number;
  /** The state machine's ARN (what `WAITER_STATE_MACHINE_ARN` holds) and its definition, ARNs resolved. */
  readonly stateMachineArn: string;
  readonly definition: StateMachineDefinition;
}

/** aws-cdk-lib's provider framework functions, from the same asset: the ServiceToken is onEvent's ARN. */
export interface FrameworkFunctions {
  readonly onEvent: ShippedFunction;
  /** Present when the provider has an isComplete step, as its waiter's tasks. */
  readonly isComplete?: ShippedFunction;
  readonly onTimeout?: ShippedFunction;
}

/** One custom resource in the synthesized template. */
export interface SynthesizedResource {
  readonly logicalId: string;
  /** The template's `Properties`, ServiceToken replaced by the ARN CloudFormation would pass. */
  readonly properties: Record<string, unknown>;
}

/** A synthesized stack's custom resources of one type, and the functions that answer them. */
export interface SynthesizedStack {
  /** A stack ARN as CloudFormation puts it in events: region, account, name and a UUID. */
  readonly stackId: string;
  /** The custom resource type, as CloudFormation puts it in events. */
  readonly resourceType: string;
  readonly resources: readonly SynthesizedResource[];
  readonly framework: FrameworkFunctions;
  readonly onEvent: ShippedFunction;
  /** Absent when the provider has no isComplete step. */
  readonly isComplete?: ShippedFunction;
  readonly waiter?: WaiterSettings;
  /** The S3 objects `cdk deploy` would upload for the custom resources (member-list assets), read from the assembly. */
  readonly objects: readonly UploadedObject[];
  /**
   * Per custom resource (logical ID): the attributes the template reads with `Fn::GetAtt`,
   * in outputs or other resources. CloudFormation fails the resource when a successful
   * response's `Data` lacks one (see attribute-check.ts).
   */
  readonly attributesRead: Readonly<Record<string, readonly string[]>>;
  /** Every Lambda function of the template with the concurrency it reserves (`ReservedConcurrentExecutions`), if any. */
  readonly functions: readonly FunctionReservation[];
}

export interface FunctionReservation {
  readonly logicalId: string;
  readonly arn: string;
  readonly reservedConcurrentExecutions?: number;
}

export interface UploadedObject {
  readonly bucket: string;
  readonly key: string;
  readonly body: Buffer;
}

export interface StackSettings {
  readonly account: string;
  readonly region: string;
  readonly stackName: string;
}

interface TemplateResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

const outdirs: string[] = [];

/**
 * Synthesizes one stack holding a `GuardDutyMemberInvitations` per entry of `declarations`
 * (keyed by construct ID): an administrator account's stack.
 */
export function synthesizeInvitations(declarations: Record<string, GuardDutyMemberInvitationsProps>, settings: StackSettings): SynthesizedStack {
  return synthesizeStack(settings, RESOURCE_TYPES.memberInvitations, (stack) => {
    for (const [id, props] of Object.entries(declarations)) {
      new GuardDutyMemberInvitations(stack, id, props);
    }
  });
}

/**
 * Synthesizes one stack holding a `GuardDutyInvitationAccepter` per entry of `declarations`
 * (keyed by construct ID): a member account's stack.
 */
export function synthesizeAccepters(declarations: Record<string, GuardDutyInvitationAccepterProps>, settings: StackSettings): SynthesizedStack {
  return synthesizeStack(settings, RESOURCE_TYPES.invitationAccepter, (stack) => {
    for (const [id, props] of Object.entries(declarations)) {
      new GuardDutyInvitationAccepter(stack, id, props);
    }
  });
}

/**
 * Synthesizes one stack with the constructs `declare` adds into a cloud assembly in a
 * temporary directory, then finds, the way CloudFormation and Lambda would, what runs at
 * deploy time for its custom resources of `resourceType`: the provider framework function
 * each one's ServiceToken points at, the user functions its environment names, and their
 * code through the `aws:asset:path` metadata.
 */
export function synthesizeStack(settings: StackSettings, resourceType: string, declare: (stack: Construct) => void): SynthesizedStack {
  const app = lifecycleApp();
  const stack = new Stack(app, settings.stackName, { env: { account: settings.account, region: settings.region } });
  declare(stack);
  const template = Template.fromStack(stack).toJSON();
  return readSynthesizedStack(template, app.synth().directory, settings, resourceType);
}

/** An app that synthesizes into a temporary directory (removed by removeSynthesizedAssemblies), with the asset metadata the harness reads. */
export function lifecycleApp(): App {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'guardduty-members-lifecycle-'));
  outdirs.push(outdir);
  return new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
}

/** One stack of a synthesized app, with its custom resources of every type, in the order CloudFormation creates them. */
export interface SynthesizedAppStack {
  readonly settings: StackSettings;
  /** The construct path of the stack, as a reader of the app names it. */
  readonly path: string;
  /** The stacks (by stackName) deployed before this one: its stack dependencies. */
  readonly dependsOn: readonly string[];
  /** Per custom resource type of the template, in the order the first resource of each is created. */
  readonly parts: readonly SynthesizedStack[];
  /** Every custom resource's logical ID, in an order CloudFormation may create them: after what it references or DependsOn. */
  readonly creationOrder: readonly string[];
}

/**
 * Synthesizes an app built by `build` (stacks directly in the app or in its stages), and
 * reads every stack that holds a custom resource of the library (`Custom::GuardDuty…`).
 */
export function synthesizeApp(build: (app: App) => void): SynthesizedAppStack[] {
  const app = lifecycleApp();
  build(app);
  app.synth();
  const stacks = app.node.findAll().filter((node): node is Stack => Stack.isStack(node));
  return stacks.flatMap((stack) => {
    const assembly = Stage.of(stack)!.synth();
    const template = assembly.getStackArtifact(stack.artifactId).template as { Resources: Record<string, TemplateResource> };
    const settings: StackSettings = { account: stack.account, region: stack.region, stackName: stack.stackName };
    const order = creationOrder(template.Resources);
    const types = [...new Set(order.map((logicalId) => template.Resources[logicalId].Type))];
    if (types.length === 0) {
      return [];
    }
    return [{
      settings,
      path: stack.node.path,
      dependsOn: stack.dependencies.map((dependency) => dependency.stackName),
      parts: types.map((type) => readSynthesizedStack(template, assembly.directory, settings, type)),
      creationOrder: order,
    }];
  });
}

/**
 * The library's custom resources in an order CloudFormation may create them: each after
 * the custom resources it names in DependsOn or reads with Ref or Fn::GetAtt (through
 * other resources, such as a provider's functions, is not followed: the library's
 * constructs do not depend on each other that way). CloudFormation promises no order
 * between resources that do not depend on each other, so they come in the reverse of the
 * template's order, the opposite of the order they were declared in: a dependency the
 * app forgot to declare shows as a resource created before the one it needs.
 */
function creationOrder(resources: Record<string, TemplateResource>): string[] {
  const custom = Object.keys(resources).filter((logicalId) => resources[logicalId].Type.startsWith('Custom::GuardDuty'));
  const ordered: string[] = [];
  const visit = (logicalId: string, path: readonly string[]): void => {
    if (ordered.includes(logicalId)) {
      return;
    }
    if (path.includes(logicalId)) {
      throw new Error(`Circular dependency between custom resources: ${[...path, logicalId].join(' -> ')}`);
    }
    const resource = resources[logicalId] as TemplateResource & { DependsOn?: string | string[] };
    const text = JSON.stringify(resource.Properties);
    const before = custom.filter((other) => other !== logicalId
      && ([resource.DependsOn ?? []].flat().includes(other) || text.includes(`{"Ref":"${other}"}`) || text.includes(`{"Fn::GetAtt":["${other}",`)));
    before.forEach((other) => visit(other, [...path, logicalId]));
    ordered.push(logicalId);
  };
  [...custom].reverse().forEach((logicalId) => visit(logicalId, []));
  return ordered;
}

/** What runs at deploy time for the template's custom resources of `resourceType`, found in the assembly. */
function readSynthesizedStack(template: { Resources?: unknown }, assemblyDirectory: string, settings: StackSettings, resourceType: string): SynthesizedStack {
  const all = template.Resources as Record<string, TemplateResource>;
  const custom = Object.entries(all).filter(([, resource]) => resource.Type === resourceType);
  if (custom.length === 0) {
    throw new Error(`The synthesized stack has no ${resourceType}`);
  }
  const frameworkId = getAttTarget(custom[0][1].Properties.ServiceToken, 'ServiceToken');
  const arns = physicalArns(all, settings);
  const fn = (logicalId: string) => shippedFunction(all, logicalId, assemblyDirectory, arns);
  const framework = fn(frameworkId);
  const byArn = (arn: string | undefined) => {
    const logicalId = Object.keys(arns).find((id) => arns[id] === arn);
    return logicalId ? fn(logicalId) : undefined;
  };
  const onEvent = byArn(framework.variables.USER_ON_EVENT_FUNCTION_ARN);
  if (!onEvent) {
    throw new Error(`The provider framework function ${frameworkId} names no onEvent function`);
  }
  const waiterId = Object.keys(arns).find((id) => arns[id] === framework.variables.WAITER_STATE_MACHINE_ARN);
  const waiter = waiterId ? waiterSettings(all[waiterId], arns[waiterId], arns) : undefined;
  const [isCompleteTask, onTimeoutTask] = waiter ? Object.values(waiter.definition.States).map((state) => byArn(state.Resource)) : [];

  return {
    stackId: `arn:aws:cloudformation:${settings.region}:${settings.account}:stack/${settings.stackName}/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`,
    resourceType,
    resources: custom.map(([logicalId, resource]) => ({ logicalId, properties: { ...withAssetBucket(resource.Properties, settings), ServiceToken: framework.arn } })),
    objects: custom.flatMap(([, resource]) => uploadedObjects(withAssetBucket(resource.Properties, settings), assemblyDirectory)),
    framework: { onEvent: framework, isComplete: isCompleteTask, onTimeout: onTimeoutTask },
    onEvent,
    isComplete: byArn(framework.variables.USER_IS_COMPLETE_FUNCTION_ARN),
    waiter,
    attributesRead: Object.fromEntries(custom.map(([logicalId]) => [logicalId, attributesRead(template, logicalId)])),
    functions: Object.entries(all)
      .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
      .map(([logicalId, resource]) => ({ logicalId, arn: arns[logicalId], reservedConcurrentExecutions: resource.Properties.ReservedConcurrentExecutions as number | undefined })),
  };
}

/**
 * A member list in an asset names its bucket as `Fn::Sub` of the bootstrap bucket;
 * CloudFormation resolves it with the stack's account and region before the handler sees it.
 */
function withAssetBucket(properties: Record<string, unknown>, settings: StackSettings): Record<string, unknown> {
  const list = properties.MemberList as { Bucket?: unknown } | undefined;
  const sub = (list?.Bucket as { 'Fn::Sub'?: unknown } | undefined)?.['Fn::Sub'];
  if (typeof sub !== 'string') {
    return properties;
  }
  const bucket = sub.replace('${AWS::AccountId}', settings.account).replace('${AWS::Region}', settings.region).replace('${AWS::Partition}', 'aws');
  return { ...properties, MemberList: { ...list, Bucket: bucket } };
}

/** The asset behind a resource's member list, as `cdk deploy` uploads it: `asset.<key>` in the assembly. */
function uploadedObjects(properties: Record<string, unknown>, assemblyDirectory: string): UploadedObject[] {
  const list = properties.MemberList as { Bucket?: string; Key?: string } | undefined;
  if (!list?.Bucket || !list.Key) {
    return [];
  }
  return [{ bucket: list.Bucket, key: list.Key, body: fs.readFileSync(path.join(assemblyDirectory, `asset.${list.Key}`)) }];
}

/** The attributes of `logicalId` that anything in the template reads with `Fn::GetAtt`. */
function attributesRead(template: unknown, logicalId: string): string[] {
  const found = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
    } else if (node !== null && typeof node === 'object') {
      const getAtt = (node as Record<string, unknown>)['Fn::GetAtt'];
      if (Array.isArray(getAtt) && getAtt[0] === logicalId && typeof getAtt[1] === 'string') {
        found.add(getAtt[1]);
      }
      Object.values(node).forEach(visit);
    }
  };
  visit(template);
  return [...found].sort();
}

/** Removes the temporary assembly directories of this test file. */
export function removeSynthesizedAssemblies(): void {
  outdirs.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true }));
}

function shippedFunction(resources: Record<string, TemplateResource>, logicalId: string, assemblyDirectory: string, arns: Record<string, string>): ShippedFunction {
  const fn = resources[logicalId];
  const assetPath = fn?.Metadata?.['aws:asset:path'];
  if (fn?.Type !== 'AWS::Lambda::Function' || typeof assetPath !== 'string') {
    throw new Error(`${logicalId} is not a Lambda function with an asset (aws:asset:path metadata)`);
  }
  const handler = String(fn.Properties.Handler);
  const dot = handler.lastIndexOf('.');
  const file = path.join(assemblyDirectory, assetPath, `${handler.slice(0, dot)}.js`);
  if (!fs.existsSync(file)) {
    throw new Error(`The asset of ${logicalId} has no ${path.basename(file)} (looked in ${path.dirname(file)})`);
  }
  const variables = (fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
  return {
    logicalId,
    arn: arns[logicalId],
    file,
    exportName: handler.slice(dot + 1),
    timeoutMs: Number(fn.Properties.Timeout ?? 3) * 1_000,
    variables: Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, resolve(value, arns, `${logicalId}'s ${name}`)])),
    assetHash: assetPath,
  };
}

/**
 * The ARN `Ref` or `Fn::GetAtt [..., 'Arn']` returns for each Lambda function and state
 * machine of the template. CloudFormation names them <stack>-<logical ID>-<suffix>, cut to
 * fit; the suffix here is derived from the logical ID, so names stay distinct however long
 * the stack name is.
 */
function physicalArns(resources: Record<string, TemplateResource>, settings: StackSettings): Record<string, string> {
  const name = (logicalId: string) => `${`${settings.stackName}-${logicalId}`.slice(0, 51)}-${createHash('sha256').update(logicalId).digest('hex').slice(0, 12).toUpperCase()}`;
  const arns: Record<string, string> = {};
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type === 'AWS::Lambda::Function') {
      arns[logicalId] = `arn:aws:lambda:${settings.region}:${settings.account}:function:${name(logicalId)}`;
    } else if (resource.Type === 'AWS::StepFunctions::StateMachine') {
      arns[logicalId] = `arn:aws:states:${settings.region}:${settings.account}:stateMachine:${name(logicalId)}`;
    }
  }
  return arns;
}

/** A template value with `Ref`, `Fn::GetAtt` (Arn) and `Fn::Join` resolved against `arns`. */
function resolve(value: unknown, arns: Record<string, string>, what: string): string {
  if (typeof value === 'string') {
    return value;
  }
  const intrinsic = value as { Ref?: string; 'Fn::GetAtt'?: [string, string]; 'Fn::Join'?: [string, unknown[]] };
  const target = intrinsic.Ref ?? (intrinsic['Fn::GetAtt']?.[1] === 'Arn' ? intrinsic['Fn::GetAtt'][0] : undefined);
  if (target !== undefined && arns[target]) {
    return arns[target];
  }
  if (intrinsic['Fn::Join']) {
    const [separator, parts] = intrinsic['Fn::Join'];
    return parts.map((part) => resolve(part, arns, what)).join(separator);
  }
  throw new Error(`Cannot resolve ${what}: ${JSON.stringify(value)}`);
}

/** The waiter state machine's definition, and the isComplete task's IntervalSeconds and MaxAttempts. */
function waiterSettings(stateMachine: TemplateResource | undefined, stateMachineArn: string, arns: Record<string, string>): WaiterSettings {
  const definition = JSON.parse(resolve(stateMachine?.Properties.DefinitionString, arns, 'the waiter state machine definition')) as StateMachineDefinition;
  const retry = definition.States[definition.StartAt]?.Retry?.[0];
  if (retry?.IntervalSeconds === undefined || retry.MaxAttempts === undefined) {
    throw new Error('The waiter state machine definition has no IntervalSeconds/MaxAttempts');
  }
  return { intervalSeconds: retry.IntervalSeconds, maxAttempts: retry.MaxAttempts, stateMachineArn, definition };
}

function getAttTarget(value: unknown, what: string): string {
  const target = (value as { 'Fn::GetAtt'?: [string, string] })?.['Fn::GetAtt']?.[0];
  if (!target) {
    throw new Error(`${what} is not an Fn::GetAtt of a function's Arn: ${JSON.stringify(value)}`);
  }
  return target;
}
