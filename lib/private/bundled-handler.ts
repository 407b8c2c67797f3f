import * as fs from 'fs';
import * as path from 'path';
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { FRAMEWORK_CONCURRENCY, FRAMEWORK_FUNCTION_IDS, HANDLER_CONCURRENCY, acknowledgeFrameworkFindings, acknowledgeHandlerFindings, acknowledgeUnreservedConcurrency } from './guardrails';
import { handlerRuntime } from './handler-runtime';
import { ProviderPlacement } from './provider-placement';

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
  /** The VPC, subnets, security groups and log key of every function and log group. */
  readonly placement: ProviderPlacement;
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

  // The provider adds the GuardDuty grants to this role.
  const { vpc, vpcSubnets, securityGroups, logEncryptionKey } = props.placement;
  const { role, logGroup } = addHandlerRoleAndLog(scope, { roleId: 'HandlerRole', logGroupId: 'HandlerLogGroup', roleDescription: props.roleDescription, placement: props.placement });

  const entryPoint = (id: typeof HANDLER_ID | typeof IS_COMPLETE_HANDLER_ID, handler: string, description: string, timeout: Duration) =>
    new lambda.Function(scope, id, {
      description,
      code: lambda.Code.fromAsset(asset),
      handler,
      runtime: handlerRuntime(),
      timeout,
      memorySize: 256,
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      reservedConcurrentExecutions: props.placement.reserveConcurrency ? HANDLER_CONCURRENCY[id] : undefined,
      vpc,
      vpcSubnets,
      securityGroups,
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
        encryptionKey: logEncryptionKey,
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
      encryptionKey: logEncryptionKey,
    }),
    // frameworkLambdaLoggingLevel is left at its default, FATAL: at any lower level the
    // framework's function logs the whole request, properties included.
    vpc,
    vpcSubnets,
    securityGroups,
  });
  hardenFramework(framework, props.placement.reserveConcurrency === true);

  acknowledgeHandlerFindings(role, [onEventHandler, isCompleteHandler], props.placement);
  acknowledgeUnreservedConcurrency([onEventHandler, isCompleteHandler, ...FRAMEWORK_FUNCTION_IDS.map((id) => framework.node.findChild(id))], props.placement);
  acknowledgeFrameworkFindings(scope, framework, [onEventHandler, isCompleteHandler], props.placement);
  return { role, serviceToken: framework.serviceToken };
}

/**
 * aws-cdk-lib's provider framework offers no options for tracing, memory or concurrency
 * of its functions, nor tracing of its waiter state machine; these set them on the
 * CloudFormation resources, and grant the X-Ray calls tracing needs (as aws-cdk-lib does
 * for functions and state machines it traces itself).
 */
function hardenFramework(framework: cr.Provider, reserveConcurrency: boolean): void {
  for (const id of FRAMEWORK_FUNCTION_IDS) {
    const fn = framework.node.findChild(id) as lambda.Function;
    const cfn = fn.node.defaultChild as lambda.CfnFunction;
    cfn.tracingConfig = { mode: lambda.Tracing.ACTIVE };
    // What they run with today (Lambda's default), now stated: they only relay requests.
    cfn.memorySize = 128;
    // aws-cdk-lib picks their runtime itself and may stay a version behind the newest it
    // knows, which fails AwsSolutions-L1 and Serverless-LambdaLatestVersion; the
    // framework's code is plain Node.js and runs on the handlers' runtime.
    cfn.runtime = handlerRuntime().name;
    if (reserveConcurrency) {
      cfn.reservedConcurrentExecutions = FRAMEWORK_CONCURRENCY[id];
    }
    fn.addToRolePolicy(xrayStatement(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']));
  }

  const waiter = framework.node.findChild('waiter-state-machine');
  (waiter.node.defaultChild as sfn.CfnStateMachine).tracingConfiguration = { enabled: true };
  (waiter.node.findChild('Role') as iam.Role).addToPrincipalPolicy(
    xrayStatement(['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets']),
  );
}

/** X-Ray's trace calls support no resource-level permissions: they take "*". */
function xrayStatement(actions: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({ actions, resources: ['*'] });
}

/**
 * CloudWatch Logs encrypts with a customer managed key only if the key policy lets the
 * regional Logs service principal use it, for log groups of this account and region
 * (the encryption context names the log group). The policy can be changed here only for
 * a key defined in the same stack; an imported key's policy is its owner's (see README).
 */
export function allowLogsToUseKey(scope: Construct, key: kms.IKey): void {
  const stack = Stack.of(scope);
  if (!(key instanceof kms.Key) || Stack.of(key) !== stack) {
    return;
  }
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
        },
      },
    }),
  );
}

/**
 * A role whose grants go to one customer managed policy instead of an inline policy:
 * the HIPAA, NIST 800-53 and PCI DSS packs ask for managed policies, and every grant
 * aws-cdk-lib makes (log writes, tracing, the GuardDuty statement) lands there.
 */
export class ManagedPolicyRole extends iam.Role {
  private grantsPolicy?: iam.ManagedPolicy;

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    if (this.grantsPolicy === undefined) {
      this.grantsPolicy = new iam.ManagedPolicy(this, 'Policy', { description: `Grants of ${this.node.path}` });
      this.addManagedPolicy(this.grantsPolicy);
    }
    this.grantsPolicy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.grantsPolicy };
  }
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
    // Its "*" is acknowledged with the role's other findings (acknowledgeHandlerFindings).
    role.addToPrincipalPolicy(this.statement);
  }

  /** Adds an action to the one statement, once: several constructs, one statement, one finding. */
  public addAction(action: string): void {
    if (!this.statement.actions.includes(action)) {
      this.statement.addActions(action);
    }
  }
}

/**
 * A handler's own role and log group, shared by the providers and the scheduled checks:
 * the role writes to that one log group only (not AWSLambdaBasicExecutionRole, which may
 * create and write to any), keeps its grants in a customer managed policy (as the HIPAA,
 * NIST and PCI packs ask), and can manage the function's network interfaces when it runs
 * in a VPC. The log group keeps one year and outlives the stack: it is the record of what
 * the handler did in GuardDuty. Its name is generated, so a retained group never blocks
 * redeploying the stack. The IDs are the caller's, so existing logical IDs stay.
 */
export function addHandlerRoleAndLog(
  scope: Construct,
  props: { readonly roleId: string; readonly logGroupId: string; readonly roleDescription: string; readonly placement: ProviderPlacement },
): { readonly role: ManagedPolicyRole; readonly logGroup: logs.LogGroup } {
  const { vpc, logEncryptionKey } = props.placement;
  const role = new ManagedPolicyRole(scope, props.roleId, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: props.roleDescription,
  });
  if (vpc) {
    // What aws-cdk-lib gives a function in a VPC when it creates the role itself: Lambda
    // creates and deletes the function's network interfaces with the execution role.
    role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'));
  }
  if (logEncryptionKey) {
    allowLogsToUseKey(scope, logEncryptionKey);
  }
  const logGroup = new logs.LogGroup(scope, props.logGroupId, {
    retention: logs.RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.RETAIN,
    encryptionKey: logEncryptionKey,
  });
  logGroup.grantWrite(role);
  return { role, logGroup };
}
