import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { NagSuppression, addNagSuppressions, nagReference } from './nag-suppressions';
import { ProviderPlacement } from './provider-placement';

/**
 * Reserved concurrency of a stack's provider, with `reserveConcurrency` (off by default).
 * One provider serves every construct of its kind in the stack, and CloudFormation
 * creates independent resources in parallel.
 *
 * - The run path (the framework's onEvent function, then the handler): one run already
 *   drives GuardDuty at its per-account rate (the SDK's adaptive retry finds it, see
 *   BENCHMARKS.md), so runs side by side only split that rate and stretch each other
 *   towards the handler's deadline. 3 lets a small run go on beside a long one. A fourth
 *   resource is not failed but queued: CloudFormation invokes the framework's onEvent
 *   function asynchronously, and Lambda keeps a throttled asynchronous event and retries
 *   it (for up to 6 hours). The handler has the same limit as its only caller, which
 *   invokes it synchronously, so the handler itself is never throttled.
 * - The poll path (the waiter's isComplete calls and onTimeout): each resource in
 *   progress polls once every 30 seconds for a second or so; 5 keeps a fleet of waiting
 *   resources from throttling each other. A throttled poll is retried by the waiter at its
 *   next interval.
 *
 * That is 21 executions per provider (3 + 3 + 5 + 5 + 5), and 1 per monitor function.
 * Lambda refuses any reservation that would leave fewer than 100 unreserved executions in
 * the account and region, and a new account can start with a concurrency quota of 10: a
 * default reservation would fail the first deployment there. So reservation is opt-in, and
 * without it the packs' LambdaConcurrency rules are acknowledged, naming the prop.
 */
const RUN_CONCURRENCY = 3;
const POLL_CONCURRENCY = 5;

/** The provider framework's functions, by the construct IDs aws-cdk-lib gives them. */
export const FRAMEWORK_FUNCTION_IDS = ['framework-onEvent', 'framework-isComplete', 'framework-onTimeout'] as const;

export const HANDLER_CONCURRENCY = { Handler: RUN_CONCURRENCY, IsCompleteHandler: POLL_CONCURRENCY } as const;
export const FRAMEWORK_CONCURRENCY = {
  'framework-onEvent': RUN_CONCURRENCY,
  'framework-isComplete': POLL_CONCURRENCY,
  'framework-onTimeout': POLL_CONCURRENCY,
} as const;

/** The cdk-nag packs whose rules name the same check, each with its own prefix. */
const DLQ_RULES = ['HIPAA.Security-LambdaDLQ', 'NIST.800.53.R5-LambdaDLQ', 'Serverless-LambdaDLQ'];
const INLINE_POLICY_RULES = ['HIPAA.Security-IAMNoInlinePolicy', 'NIST.800.53.R4-IAMNoInlinePolicy', 'NIST.800.53.R5-IAMNoInlinePolicy', 'PCI.DSS.321-IAMNoInlinePolicy'];

const VPC_ACCESS_POLICY = 'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole';

const SYNCHRONOUS_DLQ_REASON =
  'A dead-letter queue receives only asynchronous invocations that failed; this function is invoked synchronously ' +
  '(by the provider framework\'s functions or its Step Functions waiter), which receives its error and reports the ' +
  'failure to CloudFormation, so a queue would never receive anything.';

function each(ids: readonly string[], reason: string): NagSuppression[] {
  return ids.map((id) => ({ id, reason }));
}

/** The rules that ask every function for reserved concurrency (HIPAA and NIST 800-53 R5 packs). */
const CONCURRENCY_RULES = ['HIPAA.Security-LambdaConcurrency', 'NIST.800.53.R5-LambdaConcurrency'];

/**
 * Without `reserveConcurrency`, the functions have no reserved concurrency, so the packs'
 * LambdaConcurrency rules are acknowledged with the reason and the prop that satisfies them.
 */
export function acknowledgeUnreservedConcurrency(functions: readonly IConstruct[], placement: ProviderPlacement): void {
  if (placement.reserveConcurrency) {
    return;
  }
  const reason =
    'Reserved concurrency is off by default (reserveConcurrency: false): Lambda refuses a reservation that leaves fewer than 100 ' +
    'unreserved executions, and a new account can start with a concurrency quota of 10, where any reservation fails the deployment. ' +
    'Without it, these functions share the account\'s unreserved pool. Set reserveConcurrency: true to reserve 21 executions per provider ' +
    'and 1 per monitor function, which satisfies this rule.';
  for (const fn of functions) {
    addNagSuppressions(fn, each(CONCURRENCY_RULES, reason));
  }
}

/** The findings on the handler's role and its two entry points, each with its reason. */
export function acknowledgeHandlerFindings(role: iam.Role, handlers: readonly lambda.Function[], placement: ProviderPlacement): void {
  addNagSuppressions(role, [
    {
      id: 'AwsSolutions-IAM5',
      reason:
        'The GuardDuty actions granted here, and X-Ray\'s PutTraceSegments and PutTelemetryRecords for tracing, support no ' +
        'resource-level permissions (their Service Authorization References list no resource type for them), so they take "*". ' +
        'The GuardDuty actions act on the caller\'s own account only, and their statement is limited to the stack\'s region. ' +
        'With OrganizationMembers, the Organizations List actions it needs (ListAccounts, or ListAccountsForParent and ListOrganizationalUnitsForParent) support no resource type either.',
      appliesTo: ['Resource::*'],
    },
    ...(placement.vpc
      ? [{
        id: 'AwsSolutions-IAM4',
        reason: 'AWSLambdaVPCAccessExecutionRole lets Lambda create and delete the network interfaces of the functions in the VPC, as aws-cdk-lib grants it to every function it places in a VPC.',
        appliesTo: [VPC_ACCESS_POLICY],
      }]
      : []),
  ]);
  for (const handler of handlers) {
    addNagSuppressions(handler, each(DLQ_RULES, SYNCHRONOUS_DLQ_REASON));
  }
}

/** The findings cdk-nag reports on resources aws-cdk-lib's provider framework creates. */
export function acknowledgeFrameworkFindings(
  scope: Construct,
  framework: cr.Provider,
  handlers: readonly lambda.Function[],
  placement: ProviderPlacement,
): void {
  addNagSuppressions(framework, [
    {
      id: 'AwsSolutions-IAM4',
      reason:
        'The provider framework functions, created by aws-cdk-lib\'s custom-resources Provider, use AWSLambdaBasicExecutionRole to write ' +
        'their logs (and AWSLambdaVPCAccessExecutionRole for their network interfaces when in a VPC).',
      appliesTo: [
        'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
        ...(placement.vpc ? [VPC_ACCESS_POLICY] : []),
      ],
    },
    {
      id: 'AwsSolutions-IAM5',
      reason: 'The provider framework may invoke any version of the handler functions (Lambda grantInvoke adds the ARN with :*); it invokes only these functions.',
      appliesTo: handlers.map((fn) => `Resource::${nagReference(scope, fn.functionArn)}:*`),
    },
    ...each(
      INLINE_POLICY_RULES,
      'aws-cdk-lib\'s provider framework creates the roles of its functions and of its waiter state machine, and grants into their ' +
        'default inline policies; it takes no policy of ours for them. The handler\'s own role uses a customer managed policy.',
    ),
  ]);

  const frameworkFunctions = FRAMEWORK_FUNCTION_IDS.map((id) => framework.node.findChild(id) as lambda.Function);
  for (const fn of frameworkFunctions) {
    addNagSuppressions(fn, [
      {
        id: 'AwsSolutions-IAM5',
        reason: 'X-Ray\'s PutTraceSegments and PutTelemetryRecords, granted for the function\'s tracing, support no resource-level permissions.',
        appliesTo: ['Resource::*'],
      },
      ...each(
        DLQ_RULES,
        fn.node.id === 'framework-onEvent'
          ? 'CloudFormation invokes this function asynchronously, but it catches every error of the handler and reports it to ' +
              'CloudFormation as FAILED. An event could only be lost if reporting itself failed, and CloudFormation then fails the ' +
              'resource at its timeout; a dead-letter queue would instead keep the request, members\' email addresses included.'
          : SYNCHRONOUS_DLQ_REASON,
      ),
    ]);
  }

  const waiter = framework.node.findChild('waiter-state-machine');
  addNagSuppressions(waiter, [
    {
      id: 'AwsSolutions-IAM5',
      reason: 'The waiter state machine may invoke any version of the provider framework\'s isComplete and onTimeout functions (grantInvoke adds :*); it invokes only those.',
      appliesTo: frameworkFunctions.slice(1).map((fn) => `Resource::${nagReference(scope, fn.functionArn)}:*`),
    },
    {
      id: 'AwsSolutions-IAM5',
      reason:
        'Step Functions log delivery (logs:CreateLogDelivery, logs:PutResourcePolicy, ...) and X-Ray tracing (xray:PutTraceSegments, ...) ' +
        'support no resource-level permissions; they are granted on * for the waiter\'s logging and tracing.',
      appliesTo: ['Resource::*'],
    },
  ]);
}

/**
 * The findings on a scheduled check (the monitors): its network interfaces' managed
 * policy in a VPC, and the dead-letter queue rules on a function the schedule invokes.
 */
export function acknowledgeScheduledCheckFindings(role: iam.Role, fn: lambda.Function, placement: ProviderPlacement): void {
  if (placement.vpc) {
    addNagSuppressions(role, [
      {
        id: 'AwsSolutions-IAM4',
        reason: 'AWSLambdaVPCAccessExecutionRole lets Lambda create and delete the network interfaces of the check function in the VPC, as aws-cdk-lib grants it to every function it places in a VPC.',
        appliesTo: [VPC_ACCESS_POLICY],
      },
    ]);
  }
  addNagSuppressions(
    fn,
    each(
      DLQ_RULES,
      'EventBridge Scheduler invokes this function asynchronously with an event that carries nothing the check needs: it reads ' +
        'everything from GuardDuty. A failed check is retried twice by the schedule, raises CheckFailedAlarm, and runs again at the ' +
        'next interval; a dead-letter queue would only collect empty events.',
    ),
  );
}

