import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { GuardDutyInvitationAccepter, GuardDutyInvitationAccepterProps, GuardDutyMemberInvitations, GuardDutyMemberInvitationsProps } from '../../../lib';

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
  /** Absolute path of the JavaScript file in the assembly's asset directory. */
  readonly file: string;
  /** The export `Handler` names (`index.handler` → `handler`). */
  readonly exportName: string;
  /** The function's `Timeout`: what `getRemainingTimeInMillis()` starts from. */
  readonly timeoutMs: number;
}

/** The provider framework's waiter, as its state machine definition configures it. */
export interface WaiterSettings {
  readonly intervalSeconds: number;
  /** Retries after the first isComplete call; then onTimeout answers FAILED. */
  readonly maxAttempts: number;
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
  readonly onEvent: ShippedFunction;
  /** Absent when the provider has no isComplete step. */
  readonly isComplete?: ShippedFunction;
  readonly waiter?: WaiterSettings;
  /** The S3 objects `cdk deploy` would upload for the custom resources (member-list assets), read from the assembly. */
  readonly objects: readonly UploadedObject[];
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
function synthesizeStack(settings: StackSettings, resourceType: string, declare: (stack: Construct) => void): SynthesizedStack {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'guardduty-members-lifecycle-'));
  outdirs.push(outdir);
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
  const stack = new Stack(app, settings.stackName, { env: { account: settings.account, region: settings.region } });
  declare(stack);
  const template = Template.fromStack(stack);
  const assemblyDirectory = app.synth().directory;
  const all = template.toJSON().Resources as Record<string, TemplateResource>;

  const custom = Object.entries(template.findResources(resourceType) as Record<string, TemplateResource>);
  if (custom.length === 0) {
    throw new Error(`The synthesized stack has no ${resourceType}`);
  }
  const frameworkId = getAttTarget(custom[0][1].Properties.ServiceToken, 'ServiceToken');
  // CloudFormation names a function <stack>-<logical ID>-<suffix>, cut to Lambda's 64 characters.
  const functionName = `${`${settings.stackName}-${frameworkId}`.slice(0, 51)}-AbCdEfGh1234`;
  const serviceToken = `arn:aws:lambda:${settings.region}:${settings.account}:function:${functionName}`;
  const environment = ((all[frameworkId]?.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {});
  const shipped = (envName: string) => {
    const value = environment[envName];
    return value === undefined ? undefined : shippedFunction(all, getAttTarget(value, envName), assemblyDirectory);
  };
  const onEvent = shipped('USER_ON_EVENT_FUNCTION_ARN');
  if (!onEvent) {
    throw new Error(`The provider framework function ${frameworkId} names no onEvent function`);
  }
  const waiterId = refTarget(environment.WAITER_STATE_MACHINE_ARN);

  return {
    stackId: `arn:aws:cloudformation:${settings.region}:${settings.account}:stack/${settings.stackName}/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`,
    resourceType,
    resources: custom.map(([logicalId, resource]) => ({ logicalId, properties: { ...withAssetBucket(resource.Properties, settings), ServiceToken: serviceToken } })),
    objects: custom.flatMap(([, resource]) => uploadedObjects(withAssetBucket(resource.Properties, settings), assemblyDirectory)),
    onEvent,
    isComplete: shipped('USER_IS_COMPLETE_FUNCTION_ARN'),
    waiter: waiterId ? waiterSettings(all[waiterId]) : undefined,
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

/** Removes the temporary assembly directories of this test file. */
export function removeSynthesizedAssemblies(): void {
  outdirs.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true }));
}

function shippedFunction(resources: Record<string, TemplateResource>, logicalId: string, assemblyDirectory: string): ShippedFunction {
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
  return { logicalId, file, exportName: handler.slice(dot + 1), timeoutMs: Number(fn.Properties.Timeout ?? 3) * 1_000 };
}

/** IntervalSeconds and MaxAttempts of the isComplete task's retry, from the definition's literal parts. */
function waiterSettings(stateMachine: TemplateResource | undefined): WaiterSettings {
  const definition = stateMachine?.Properties.DefinitionString as string | { 'Fn::Join'?: [string, unknown[]] } | undefined;
  const text = typeof definition === 'string' ? definition : (definition?.['Fn::Join']?.[1] ?? []).filter((part) => typeof part === 'string').join('');
  const interval = /"IntervalSeconds":(\d+)/.exec(text);
  const attempts = /"MaxAttempts":(\d+)/.exec(text);
  if (!interval || !attempts) {
    throw new Error('The waiter state machine definition has no IntervalSeconds/MaxAttempts');
  }
  return { intervalSeconds: Number(interval[1]), maxAttempts: Number(attempts[1]) };
}

function getAttTarget(value: unknown, what: string): string {
  const target = (value as { 'Fn::GetAtt'?: [string, string] })?.['Fn::GetAtt']?.[0];
  if (!target) {
    throw new Error(`${what} is not an Fn::GetAtt of a function's Arn: ${JSON.stringify(value)}`);
  }
  return target;
}

function refTarget(value: unknown): string | undefined {
  return (value as { Ref?: string } | undefined)?.Ref;
}
