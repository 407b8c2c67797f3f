import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { GuardDutyInvitationAccepter } from './guardduty-invitation-accepter';
import { bundledCheckCode } from './private/monitor-code';
import { inheritedPlacement, placementOf, placementProblems } from './private/provider-placement';
import { MEMBER_METRIC, MONITOR_ENV } from './private/monitor-contract';
import { constructEnvironmentProblems } from './private/same-environment';
import { DEFAULT_CHECK_INTERVAL, MAX_CHECK_INTERVAL, MIN_CHECK_INTERVAL, addScheduledCheck, alarmTopicProblems, checkAlarm, checkMetric, durationProblems } from './private/scheduled-check';

/**
 * Options of a `GuardDutyAdministratorMonitor`, for `GuardDutyInvitationAccepter.addMonitor()`.
 */
export interface GuardDutyAdministratorMonitorOptions {
  /**
   * How often the member account checks its side: whole minutes from 15 minutes to 1 day.
   *
   * @default Duration.hours(6)
   */
  readonly checkInterval?: Duration;

  /**
   * The topic the alarms notify when they go into and out of alarm.
   *
   * @default - no notification: the alarms show in the CloudWatch console
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * The VPC to run the check function in. Its subnets need a route to GuardDuty and X-Ray
   * (a NAT gateway, or an interface endpoint for each); Lambda delivers its logs itself.
   *
   * @default - the `vpc` of the watched GuardDutyInvitationAccepter; outside any VPC if it has none
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Which subnets of `vpc` the function runs in: private subnets, not public ones (a
   * function gets no public IP there).
   *
   * @default - without `vpc`, the watched construct's `vpcSubnets`; with `vpc`, the VPC's default selection: its private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * The security groups of the function in `vpc`. They need outbound HTTPS (443) to the
   * AWS APIs above.
   *
   * @default - without `vpc`, the watched construct's `securityGroups`; with `vpc`, a security group for the function, allowing all outbound traffic
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * The KMS key that encrypts the check's log group. For a key in the same stack, the key
   * policy statement CloudWatch Logs needs is added; for an imported key, add it to the
   * key's policy yourself (see README).
   *
   * @default - the watched construct's `logEncryptionKey`; CloudWatch Logs' own encryption if it has none
   */
  readonly logEncryptionKey?: kms.IKey;

  /**
   * Reserve one concurrent execution for the check function, so that two checks can never
   * run at once. Lambda refuses a reservation that leaves fewer than 100 unreserved
   * executions in the account and region, so turn it on only where the account's
   * concurrency quota allows it (a new account can start with 10). Without it, checks
   * still do not overlap in practice: the check's timeout is shorter than the shortest
   * interval.
   *
   * @default - the watched construct's `reserveConcurrency`; false if it has none
   */
  readonly reserveConcurrency?: boolean;
}

/**
 * Properties for `GuardDutyAdministratorMonitor`.
 */
export interface GuardDutyAdministratorMonitorProps extends GuardDutyAdministratorMonitorOptions {
  /** The acceptance to watch: its administrator and its detector. */
  readonly accepter: GuardDutyInvitationAccepter;
}

/**
 * Watches, in a member account, what a `GuardDutyInvitationAccepter` set up: on a
 * schedule, a function checks that the account is still an `Enabled` member of the
 * declared administrator (`GetAdministratorAccount`) and that its detector is enabled
 * (`GetDetector`), writes both as CloudWatch metrics (embedded metric format) and alarms
 * when either is not so. It only reads.
 *
 * @example
 * declare const accepter: GuardDutyInvitationAccepter;
 * new GuardDutyAdministratorMonitor(this, 'Monitor', { accepter });
 */
export class GuardDutyAdministratorMonitor extends Construct {
  /** The scheduled function that runs the check. */
  public readonly checkFunction: lambda.IFunction;

  /** In alarm while the account is not an Enabled member of the declared administrator, or its detector is not enabled. */
  public readonly driftAlarm: cloudwatch.IAlarm;

  /** In alarm when a check failed (its log has the error). */
  public readonly checkFailedAlarm: cloudwatch.IAlarm;

  constructor(scope: Construct, id: string, props: GuardDutyAdministratorMonitorProps) {
    super(scope, id);
    const placement = inheritedPlacement(props, placementOf(props.accepter));
    const problems = [
      ...constructEnvironmentProblems(this, { prop: 'accepter', reason: 'the check reads the GuardDuty administrator and detector of the monitor\'s own account and region, not those of the watched construct' }, props.accepter),
      ...alarmTopicProblems(this, props.alarmTopic),
      ...durationProblems('checkInterval', props.checkInterval, MIN_CHECK_INTERVAL, MAX_CHECK_INTERVAL, true),
      ...placementProblems(placement, this),
    ];
    if (problems.length > 0) {
      throw new Error(`Invalid GuardDutyAdministratorMonitor props at ${this.node.path}:${problems.map((problem) => `\n  ${problem}`).join('')}`);
    }
    const checkInterval = props.checkInterval ?? DEFAULT_CHECK_INTERVAL;

    const check = addScheduledCheck(this, {
      code: bundledCheckCode('administrator-monitor', 'GuardDuty administrator monitor'),
      description: `Checks the GuardDuty administrator and detector of ${props.accepter.node.path} (cdk-guardduty-members)`,
      roleDescription: `Reads the GuardDuty administrator and detector of ${props.accepter.node.path} (cdk-guardduty-members)`,
      environment: {
        // Attributes, not props: the detector and administrator the accepter actually used.
        [MONITOR_ENV.DETECTOR_ID]: props.accepter.detectorId,
        [MONITOR_ENV.ADMINISTRATOR_ACCOUNT_ID]: props.accepter.administratorAccountId,
      },
      checkInterval,
      timeout: Duration.minutes(1),
      guardDutyActions: ['guardduty:GetAdministratorAccount', 'guardduty:GetDetector'],
      alarmTopic: props.alarmTopic,
      placement,
    });
    this.checkFunction = check.function;
    this.checkFailedAlarm = check.checkFailedAlarm;
    this.driftAlarm = checkAlarm(
      this,
      'DriftAlarm',
      checkMetric(check.function, MEMBER_METRIC.MEMBERSHIP_DRIFT, checkInterval),
      `The account of ${props.accepter.node.path} is no longer an Enabled GuardDuty member of its declared administrator, or its detector is not enabled. The check's log says which.`,
      props.alarmTopic,
    );
  }
}
