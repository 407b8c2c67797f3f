import * as fs from 'fs';
import * as path from 'path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { addNagSuppressions, nagReference } from './private/nag-suppressions';

/**
 * Construct IDs of the provider and its children (these and the inline ones below) are
 * a compatibility contract: they make the logical IDs of the handler, its role, its log
 * group and the provider framework, so renaming one replaces those resources in every
 * deployed stack.
 */
const PROVIDER_ID = 'GuardDutyMemberInvitationsProvider';
const HANDLER_ID = 'Handler';
const IS_COMPLETE_HANDLER_ID = 'IsCompleteHandler';
const FRAMEWORK_ID = 'Provider';

/** How often the provider framework asks the handler whether email verification has finished. */
const VERIFICATION_QUERY_INTERVAL = Duration.seconds(30);

/** The handler bundle: built by `npm run build`, shipped in the npm package. */
const HANDLER_ASSET = path.join(__dirname, '..', 'assets', 'member-invitations');

/** Everything the handler calls on a detector it manages members of. */
const MEMBER_ACTIONS = [
  'guardduty:GetMembers',
  'guardduty:CreateMembers',
  'guardduty:InviteMembers',
  'guardduty:DisassociateMembers',
  'guardduty:DeleteMembers',
];

/**
 * The handler and custom resource provider behind every `GuardDutyMemberInvitations`
 * in a stack: one per stack, whatever the number of constructs, so a stack has one
 * Lambda function and one role to review.
 */
export class MemberInvitationsProvider extends Construct {
  /** The stack's provider, created with the first construct that needs it. */
  public static getOrCreate(scope: Construct): MemberInvitationsProvider {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(PROVIDER_ID);
    if (existing === undefined) {
      return new MemberInvitationsProvider(stack, PROVIDER_ID);
    }
    if (!(existing instanceof MemberInvitationsProvider)) {
      throw new Error(`The construct ID "${PROVIDER_ID}" is reserved for the GuardDuty member invitations provider in stack ${stack.node.path}; rename the construct that uses it.`);
    }
    return existing;
  }

  /** The ARN of the provider framework's function, for `CustomResource.serviceToken`. */
  public readonly serviceToken: string;

  private readonly role: iam.Role;
  /** One statement whose resources grow with each detector: several constructs, one statement. */
  private memberStatement?: iam.PolicyStatement;
  private detectorLookupGranted = false;

  private constructor(scope: Construct, id: string) {
    super(scope, id);

    if (!fs.existsSync(path.join(HANDLER_ASSET, 'index.js'))) {
      throw new Error(`The GuardDuty member invitations handler bundle is missing (${HANDLER_ASSET}/index.js). Run \`npm run build\` in the cdk-guardduty-members repository; the published package ships the bundle.`);
    }

    // An own role instead of the default one: AWSLambdaBasicExecutionRole would let the
    // handler create log groups and write to any of them; this role writes to its own
    // log group only, plus the GuardDuty grants below.
    this.role = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Invites accounts into GuardDuty as members (cdk-guardduty-members)',
    });

    // The log holds the full lists of invited and unprocessed accounts (the attributes
    // are cut short on large fleets): it is the record of who was invited and when, so it
    // outlives the stack, and one year bounds what it keeps. Its name is generated, so a
    // retained group never blocks redeploying the stack.
    const logGroup = new logs.LogGroup(this, 'HandlerLogGroup', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    logGroup.grantWrite(this.role);

    const handler = new lambda.Function(this, HANDLER_ID, {
      description: 'Creates, invites and removes GuardDuty member accounts for GuardDutyMemberInvitations custom resources',
      code: lambda.Code.fromAsset(HANDLER_ASSET),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      // GuardDuty throttles member APIs; a run over thousands of accounts can take minutes.
      // The handler stops itself before this timeout to report what it did.
      timeout: Duration.minutes(10),
      memorySize: 256,
      role: this.role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
    });

    // The same bundle's isComplete entry point: it polls GetMembers until GuardDuty has
    // verified the emails of the accounts a run invited. A short timeout: one poll reads
    // at most 100 batches of members.
    const isCompleteHandler = new lambda.Function(this, IS_COMPLETE_HANDLER_ID, {
      description: 'Checks GuardDuty email verification of invited members for GuardDutyMemberInvitations custom resources',
      code: lambda.Code.fromAsset(HANDLER_ASSET),
      handler: 'index.isComplete',
      runtime: lambda.Runtime.NODEJS_24_X,
      timeout: Duration.minutes(5),
      memorySize: 256,
      role: this.role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
    });

    const framework = new cr.Provider(this, FRAMEWORK_ID, {
      onEventHandler: handler,
      isCompleteHandler,
      queryInterval: VERIFICATION_QUERY_INTERVAL,
      // Above the longest verificationTimeout a construct may ask for (50 minutes): the
      // handler gives up first and says which accounts were still being verified, rather
      // than the framework's bare "Operation timed out".
      totalTimeout: Duration.hours(1),
      // Logs every state transition, but never the execution's input or output: they carry
      // the request, and the request holds the members' email addresses.
      waiterStateMachineLogOptions: {
        destination: new logs.LogGroup(this, 'WaiterLogGroup', {
          retention: logs.RetentionDays.ONE_YEAR,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
        level: sfn.LogLevel.ALL,
        includeExecutionData: false,
      },
      disableWaiterStateMachineLogging: false,
      // Without it, Lambda creates a log group that never expires and outlives the stack.
      // The framework logs little (see below), so nothing is worth keeping after the stack.
      logGroup: new logs.LogGroup(this, 'ProviderLogGroup', {
        retention: logs.RetentionDays.ONE_YEAR,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
      // frameworkLambdaLoggingLevel is left at its default, FATAL: at any lower level the
      // framework's function logs the whole request, and the request holds the members'
      // email addresses.
    });
    this.serviceToken = framework.serviceToken;

    addNagSuppressions(framework, [
      {
        id: 'AwsSolutions-IAM4',
        reason: 'The provider framework function, created by aws-cdk-lib\'s custom-resources Provider, uses AWSLambdaBasicExecutionRole to write its logs.',
        appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
      },
      {
        id: 'AwsSolutions-IAM5',
        reason: 'The provider framework may invoke any version of the handler functions (Lambda grantInvoke adds the ARN with :*); it invokes only these functions.',
        appliesTo: [handler, isCompleteHandler].map((fn) => `Resource::${nagReference(this, fn.functionArn)}:*`),
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
        appliesTo: frameworkFunctions.map((fn) => `Resource::${nagReference(this, fn.functionArn)}:*`),
      },
      {
        id: 'AwsSolutions-IAM5',
        reason: 'Step Functions log delivery (logs:CreateLogDelivery, logs:PutResourcePolicy, ...) supports no resource-level permissions; aws-cdk-lib grants it on * for the waiter\'s logging.',
        appliesTo: ['Resource::*'],
      },
    ]);
  }

  /**
   * Lets the handler read, create, invite and remove the members of a detector. Granting
   * the same ARN again adds nothing: the rendered statement lists each resource once
   * (aws-iam removes duplicates once tokens are resolved, so `detector.ref` passed by
   * two constructs is one resource).
   */
  public grantMemberManagement(detectorArn: string): void {
    if (this.memberStatement === undefined) {
      this.memberStatement = new iam.PolicyStatement({ actions: MEMBER_ACTIONS, resources: [detectorArn] });
      this.role.addToPrincipalPolicy(this.memberStatement);
    } else {
      this.memberStatement.addResources(detectorArn);
    }
  }

  /**
   * Lets the handler find the detector of the stack's account and region
   * (`ListDetectors`) and manage its members; the detector ID is not known at synth
   * time, so the grant covers `detector/*` of that account and region. Idempotent.
   */
  public grantDetectorLookup(): void {
    if (this.detectorLookupGranted) {
      return;
    }
    this.detectorLookupGranted = true;
    const anyDetectorArn = Stack.of(this).formatArn({ service: 'guardduty', resource: 'detector', resourceName: '*' });
    this.grantMemberManagement(anyDetectorArn);
    // ListDetectors does not support resource-level permissions.
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['guardduty:ListDetectors'], resources: ['*'] }));

    addNagSuppressions(this.role, [
      {
        id: 'AwsSolutions-IAM5',
        reason: 'guardduty:ListDetectors takes no resource ARN; the handler calls it to find the detector when no detectorId is given.',
        appliesTo: ['Resource::*'],
      },
      {
        id: 'AwsSolutions-IAM5',
        reason: 'The detector is looked up at deploy time, so its ID is not known at synth time; the grant is limited to the detectors of the stack\'s own account and region (there is at most one).',
        appliesTo: [`Resource::${nagReference(this, anyDetectorArn)}`],
      },
    ]);
  }
}
