import * as fs from 'fs';
import * as path from 'path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { addNagSuppressions, nagReference } from './nag-suppressions';

/**
 * The custom resource providers of this library, one per handler bundle, share their
 * shape: a handler bundled at build time (`assets/<name>/index.js`) with an onEvent and
 * an isComplete entry point, one role and one log group for both, and aws-cdk-lib's
 * provider framework polling isComplete. This module builds that shape; each provider
 * adds only its own GuardDuty grants.
 *
 * Construct IDs (these and the ones below) are a compatibility contract: they make the
 * logical IDs of the functions, their role, their log groups and the provider framework,
 * so renaming one replaces those resources in every deployed stack.
 */
const HANDLER_ID = 'Handler';
const IS_COMPLETE_HANDLER_ID = 'IsCompleteHandler';
const FRAMEWORK_ID = 'Provider';

/** Where the build puts the handler bundles: `assets/` at the package root. */
const ASSETS_DIR = path.join(__dirname, '..', '..', 'assets');

export interface BundledHandlerProviderProps {
  /** The bundle's directory under `assets/` (and its source's under `lambda/`). */
  readonly bundleName: string;
  /** What the handler is, for the error when its bundle is missing ("GuardDuty member invitations"). */
  readonly displayName: string;
  readonly roleDescription: string;
  readonly onEventDescription: string;
  readonly isCompleteDescription: string;
  /** The onEvent function's Lambda timeout; the handler stops itself a little earlier. */
  readonly onEventTimeout: Duration;
  readonly isCompleteTimeout: Duration;
  /** How often the provider framework calls isComplete while the resource is in progress. */
  readonly queryInterval: Duration;
  /** Above the longest wait a resource may ask for, so the handler gives up first, with a reason. */
  readonly totalTimeout: Duration;
}

export interface BundledHandlerProvider {
  /** The role both entry points run with: it may write to their log group, nothing else yet. */
  readonly role: iam.Role;
  /** The ARN of the provider framework's function, for `CustomResource.serviceToken`. */
  readonly serviceToken: string;
}

/**
 * Adds the handler functions, their role and log group, and the provider framework to
 * `scope` (the stack-level provider construct), and acknowledges the cdk-nag findings
 * on the framework's own resources.
 */
export function addBundledHandlerProvider(scope: Construct, props: BundledHandlerProviderProps): BundledHandlerProvider {
  const asset = path.join(ASSETS_DIR, props.bundleName);
  if (!fs.existsSync(path.join(asset, 'index.js'))) {
    throw new Error(`The ${props.displayName} handler bundle is missing (${asset}/index.js). Run \`npm run build\` in the cdk-guardduty-members repository; the published package ships the bundle.`);
  }

  // An own role instead of the default one: AWSLambdaBasicExecutionRole would let the
  // handler create log groups and write to any of them; this role writes to its own
  // log group only, plus the GuardDuty grants the provider adds.
  const role = new iam.Role(scope, 'HandlerRole', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: props.roleDescription,
  });

  // The log is the record of what the handler did in GuardDuty and when (who was
  // invited, which invitation was accepted), so it outlives the stack, and one year
  // bounds what it keeps. Its name is generated, so a retained group never blocks
  // redeploying the stack.
  const logGroup = new logs.LogGroup(scope, 'HandlerLogGroup', {
    retention: logs.RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  logGroup.grantWrite(role);

  const entryPoint = (id: string, handler: string, description: string, timeout: Duration) =>
    new lambda.Function(scope, id, {
      description,
      code: lambda.Code.fromAsset(asset),
      handler,
      runtime: lambda.Runtime.NODEJS_24_X,
      timeout,
      memorySize: 256,
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
    });
  const onEventHandler = entryPoint(HANDLER_ID, 'index.handler', props.onEventDescription, props.onEventTimeout);
  const isCompleteHandler = entryPoint(IS_COMPLETE_HANDLER_ID, 'index.isComplete', props.isCompleteDescription, props.isCompleteTimeout);

  const framework = new cr.Provider(scope, FRAMEWORK_ID, {
    onEventHandler,
    isCompleteHandler,
    queryInterval: props.queryInterval,
    totalTimeout: props.totalTimeout,
    // Logs every state transition, but never the execution's input or output: they carry
    // the request, and the request holds the resource's properties (for member
    // invitations, the members' email addresses).
    waiterStateMachineLogOptions: {
      destination: new logs.LogGroup(scope, 'WaiterLogGroup', {
        retention: logs.RetentionDays.ONE_YEAR,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
      level: sfn.LogLevel.ALL,
      includeExecutionData: false,
    },
    disableWaiterStateMachineLogging: false,
    // Without it, Lambda creates a log group that never expires and outlives the stack.
    // The framework logs little (see below), so nothing is worth keeping after the stack.
    logGroup: new logs.LogGroup(scope, 'ProviderLogGroup', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.DESTROY,
    }),
    // frameworkLambdaLoggingLevel is left at its default, FATAL: at any lower level the
    // framework's function logs the whole request, properties included.
  });

  acknowledgeFrameworkFindings(scope, framework, [onEventHandler, isCompleteHandler]);
  return { role, serviceToken: framework.serviceToken };
}

/**
 * The stack's one instance of a provider: found by its construct ID at stack level, or
 * created there with the first construct that needs it.
 */
export function stackSingleton<T extends Construct>(
  scope: IConstruct,
  id: string,
  create: (stack: Stack, id: string) => T,
  isInstance: (construct: IConstruct) => construct is T,
  description: string,
): T {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(id);
  if (existing === undefined) {
    return create(stack, id);
  }
  if (!isInstance(existing)) {
    throw new Error(`The construct ID "${id}" is reserved for the ${description} in stack ${stack.node.path}; rename the construct that uses it.`);
  }
  return existing;
}

/** The findings cdk-nag reports on resources aws-cdk-lib's provider framework creates. */
function acknowledgeFrameworkFindings(scope: Construct, framework: cr.Provider, handlers: readonly lambda.Function[]): void {
  addNagSuppressions(framework, [
    {
      id: 'AwsSolutions-IAM4',
      reason: 'The provider framework function, created by aws-cdk-lib\'s custom-resources Provider, uses AWSLambdaBasicExecutionRole to write its logs.',
      appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
    },
    {
      id: 'AwsSolutions-IAM5',
      reason: 'The provider framework may invoke any version of the handler functions (Lambda grantInvoke adds the ARN with :*); it invokes only these functions.',
      appliesTo: handlers.map((fn) => `Resource::${nagReference(scope, fn.functionArn)}:*`),
    },
    {
      id: 'AwsSolutions-SF2',
      reason: 'The provider framework\'s waiter state machine, created by aws-cdk-lib, offers no X-Ray tracing option; it only polls the isComplete function.',
    },
  ]);

  const waiter = framework.node.findChild('waiter-state-machine');
  const frameworkFunctions = ['framework-isComplete', 'framework-onTimeout'].map((id) => framework.node.findChild(id) as lambda.Function);
  addNagSuppressions(waiter, [
    {
      id: 'AwsSolutions-IAM5',
      reason: 'The waiter state machine may invoke any version of the provider framework\'s isComplete and onTimeout functions (grantInvoke adds :*); it invokes only those.',
      appliesTo: frameworkFunctions.map((fn) => `Resource::${nagReference(scope, fn.functionArn)}:*`),
    },
    {
      id: 'AwsSolutions-IAM5',
      reason: 'Step Functions log delivery (logs:CreateLogDelivery, logs:PutResourcePolicy, ...) supports no resource-level permissions; aws-cdk-lib grants it on * for the waiter\'s logging.',
      appliesTo: ['Resource::*'],
    },
  ]);
}

/**
 * The GuardDuty actions this library calls support no resource-level permissions (the
 * GuardDuty Service Authorization Reference lists no resource type for them), and IAM
 * matches such an action only against "*": a statement naming a detector's ARN would be
 * denied. The narrowest grant that works is "*" held to the stack's region; the actions
 * only ever act on the caller's own account there.
 */
export class RegionalGuardDutyGrant {
  private readonly statement: iam.PolicyStatement;

  constructor(role: iam.Role, actions: readonly string[]) {
    this.statement = new iam.PolicyStatement({
      actions: [...actions],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:RequestedRegion': Stack.of(role).region } },
    });
    role.addToPrincipalPolicy(this.statement);
    addNagSuppressions(role, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'The GuardDuty actions granted here support no resource-level permissions (the GuardDuty Service Authorization Reference ' +
          'lists no resource type for them), so they take "*". They act on the caller\'s own account only, and the statement is ' +
          'limited to the stack\'s region.',
        appliesTo: ['Resource::*'],
      },
    ]);
  }

  /** Adds an action to the one statement, once: several constructs, one statement, one finding. */
  public addAction(action: string): void {
    if (!this.statement.actions.includes(action)) {
      this.statement.addActions(action);
    }
  }
}
