import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ManagedPolicyRole, RegionalGuardDutyGrant, addHandlerRoleAndLog } from './bundled-handler';
import { acknowledgeScheduledCheckFindings, acknowledgeUnreservedConcurrency } from './guardrails';
import { handlerRuntime } from './handler-runtime';
import { MONITOR_DIMENSION, MONITOR_NAMESPACE } from './monitor-contract';
import { addNagSuppressions, nagReference } from './nag-suppressions';
import { ProviderPlacement } from './provider-placement';
import { EnvironmentMatch, resourceEnvironmentProblems } from './same-environment';

/**
 * The shape both monitors share: a function run by an EventBridge Scheduler schedule,
 * with its own role and log group, read-only GuardDuty grants held to the region, and
 * alarms on its metrics and on its own failures.
 *
 * Construct IDs here (`Role`, `LogGroup`, `Function`, `ScheduleRole`, `Schedule`, `CheckFailedAlarm`)
 * make logical IDs: renaming one replaces the resource in deployed stacks.
 */
export interface ScheduledCheckProps {
  readonly code: lambda.Code;
  readonly description: string;
  readonly roleDescription: string;
  readonly environment: Record<string, string>;
  readonly checkInterval: Duration;
  readonly timeout: Duration;
  /** GuardDuty actions the check calls (granted on "*", see RegionalGuardDutyGrant). */
  readonly guardDutyActions: readonly string[];
  readonly alarmTopic?: sns.ITopic;
  /** The VPC, subnets and security groups of the function, and the key of its log group. */
  readonly placement: ProviderPlacement;
}

export interface ScheduledCheck {
  readonly function: lambda.Function;
  readonly logGroup: logs.LogGroup;
  readonly checkFailedAlarm: cloudwatch.Alarm;
}

export const DEFAULT_CHECK_INTERVAL = Duration.hours(6);
export const MIN_CHECK_INTERVAL = Duration.minutes(15);
/** A CloudWatch alarm evaluates at most one day of data: one check per day at least. */
export const MAX_CHECK_INTERVAL = Duration.days(1);

export function addScheduledCheck(scope: Construct, props: ScheduledCheckProps): ScheduledCheck {
  const { vpc, vpcSubnets, securityGroups } = props.placement;
  // The log is the record of the fleet's drift and of every re-invitation.
  const { role, logGroup } = addHandlerRoleAndLog(scope, { roleId: 'Role', logGroupId: 'LogGroup', roleDescription: props.roleDescription, placement: props.placement });
  new RegionalGuardDutyGrant(role, props.guardDutyActions);

  const fn = new lambda.Function(scope, 'Function', {
    description: props.description,
    code: props.code,
    handler: 'index.handler',
    runtime: handlerRuntime(),
    timeout: props.timeout,
    memorySize: 256,
    role,
    logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
    environment: props.environment,
    tracing: lambda.Tracing.ACTIVE,
    // With reserveConcurrency, one check at a time even if a check ran past the next one.
    // Without it, checks do not overlap because the timeout (at most 10 minutes) is below
    // the shortest interval (15 minutes) and the schedule's retries follow a failed
    // invocation, which has ended; an overlap could only count the fleet twice.
    reservedConcurrentExecutions: props.placement.reserveConcurrency ? 1 : undefined,
    vpc,
    vpcSubnets,
    securityGroups,
  });
  acknowledgeScheduledCheckFindings(role, fn, props.placement);
  acknowledgeUnreservedConcurrency([fn], props.placement);

  // The schedule's own role, in this construct, instead of the stack-wide one the target
  // would make: it may invoke this function only, and only for schedules of this account.
  const scheduleRole = new ManagedPolicyRole(scope, 'ScheduleRole', {
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } } }),
    description: `Invokes the scheduled GuardDuty check ${scope.node.path}`,
  });
  new scheduler.Schedule(scope, 'Schedule', {
    description: props.description,
    schedule: scheduler.ScheduleExpression.rate(props.checkInterval),
    target: new targets.LambdaInvoke(fn, {
      role: scheduleRole,
      // A failed check is retried twice within the hour; after that the next scheduled
      // check comes, not 185 retries over a day (the default).
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
    }),
  });
  addNagSuppressions(role, [
    {
      id: 'AwsSolutions-IAM5',
      reason:
        'The GuardDuty actions granted here, and X-Ray\'s PutTraceSegments and PutTelemetryRecords for tracing, support no ' +
        'resource-level permissions (their Service Authorization References list no resource type for them), so they take "*". ' +
        'The GuardDuty actions act on the caller\'s own account only, and their statement is limited to the stack\'s region.',
      appliesTo: ['Resource::*'],
    },
  ]);
  addNagSuppressions(scope, [
    {
      id: 'AwsSolutions-IAM5',
      reason: 'EventBridge Scheduler may invoke any version of the check function (aws-cdk-lib\'s LambdaInvoke target grants the ARN with :*); it invokes only this function.',
      appliesTo: [`Resource::${nagReference(scope, fn.functionArn)}:*`],
    },
  ]);

  const checkFailedAlarm = new cloudwatch.Alarm(scope, 'CheckFailedAlarm', {
    alarmDescription: `The scheduled GuardDuty check ${scope.node.path} failed; its log group has the error.`,
    metric: fn.metricErrors({ period: props.checkInterval, statistic: cloudwatch.Stats.SUM }),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  notify(checkFailedAlarm, props.alarmTopic);
  return { function: fn, logGroup, checkFailedAlarm };
}

/** A metric the check emits, one value per check, read over one check interval. */
export function checkMetric(fn: lambda.IFunction, metricName: string, checkInterval: Duration, dimensions: Record<string, string> = {}): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: MONITOR_NAMESPACE,
    metricName,
    dimensionsMap: { [MONITOR_DIMENSION]: fn.functionName, ...dimensions },
    statistic: cloudwatch.Stats.MAXIMUM,
    period: checkInterval,
  });
}

/**
 * An alarm at `threshold` or more of a check metric. A period without a check (the
 * schedule's and CloudWatch's clocks drift apart) keeps the alarm's state: it neither
 * raises nor clears it.
 */
export function checkAlarm(scope: Construct, id: string, metric: cloudwatch.IMetric, description: string, alarmTopic: sns.ITopic | undefined): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    alarmDescription: description,
    metric,
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.IGNORE,
  });
  notify(alarm, alarmTopic);
  return alarm;
}

/**
 * A topic of another region fails synth: CloudWatch accepts the alarm and then never
 * notifies. Another account's topic is allowed, since its topic policy can let
 * CloudWatch publish.
 */
export function alarmTopicProblems(monitor: Construct, topic: sns.ITopic | undefined): string[] {
  return resourceEnvironmentProblems(
    monitor,
    {
      prop: 'alarmTopic',
      reason: 'CloudWatch alarms notify only SNS topics of their own region (a topic of another account in this region works if its topic policy lets CloudWatch publish)',
      match: EnvironmentMatch.REGION,
    },
    topic,
  );
}

function notify(alarm: cloudwatch.Alarm, topic: sns.ITopic | undefined): void {
  if (topic) {
    alarm.addAlarmAction(new cloudwatchActions.SnsAction(topic));
    alarm.addOkAction(new cloudwatchActions.SnsAction(topic));
  }
}

/**
 * A duration prop within bounds, optionally in whole minutes (a schedule's rate). Tokens
 * are not checked; the problem names the prop and the value given.
 */
export function durationProblems(name: string, value: Duration | undefined, min: Duration, max: Duration, wholeMinutes = false): string[] {
  if (value === undefined || value.isUnresolved() || Token.isUnresolved(value)) {
    return [];
  }
  const seconds = value.toSeconds({ integral: false });
  const inRange = seconds >= min.toSeconds() && seconds <= max.toSeconds();
  const whole = wholeMinutes ? Number.isInteger(seconds / 60) : Number.isInteger(seconds);
  if (!inRange || !whole) {
    return [`${name} must be ${wholeMinutes ? 'whole minutes' : 'whole seconds'} from ${min.toHumanString()} to ${max.toHumanString()}, got ${value.toHumanString()}`];
  }
  return [];
}
