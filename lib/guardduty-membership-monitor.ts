import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { GuardDutyMemberInvitations } from './guardduty-member-invitations';
import { checkCodeWithDeclaration } from './private/monitor-code';
import { FLEET_METRIC, MONITOR_ENV } from './private/monitor-contract';
import { membershipDashboardWidgets } from './private/membership-dashboard';
import { ProviderPlacement, inheritedPlacement, placementOf, placementProblems } from './private/provider-placement';
import { constructEnvironmentProblems } from './private/same-environment';
import { DEFAULT_CHECK_INTERVAL, MAX_CHECK_INTERVAL, MIN_CHECK_INTERVAL, addScheduledCheck, alarmTopicProblems, checkAlarm, checkMetric, durationProblems } from './private/scheduled-check';

/**
 * Options of a `GuardDutyMembershipMonitor`, for `GuardDutyMemberInvitations.addMonitor()`.
 */
export interface GuardDutyMembershipMonitorOptions {
  /**
   * How often the monitor compares GuardDuty's member list with the declaration: whole
   * minutes from 15 minutes to 1 day. A member that drifts shows on the dashboard and in
   * the alarm's metric at the next check.
   *
   * @default Duration.hours(6)
   */
  readonly checkInterval?: Duration;

  /**
   * How long an invitation may wait for the member account to accept it (`Created`,
   * `Invited`, `EmailVerificationInProgress`, counted from GuardDuty's `InvitedAt`)
   * before the drift alarm counts the account: 1 hour to 90 days. Any other status but
   * `Enabled` (`Resigned`, `Removed`, `Disabled`, `EmailVerificationFailed`) and a
   * declared account that is not a member at all count at the next check.
   *
   * @default Duration.days(7)
   */
  readonly gracePeriod?: Duration;

  /**
   * Also alarm when the detector has members that no declaration names (added by hand).
   * They are always counted and listed on the dashboard, and never touched.
   *
   * @default false
   */
  readonly alarmOnUndeclaredMembers?: boolean;

  /**
   * The topic the alarms notify when they go into and out of alarm.
   *
   * @default - no notification: the alarms show on the dashboard and in the CloudWatch console
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * Re-invite declared accounts that are `Removed`, `Resigned` or
   * `EmailVerificationFailed`, each at most once per `reinviteInterval`. Grants
   * `guardduty:InviteMembers`; without it the monitor can only read. Members nobody
   * declared are never removed, and declared accounts that are not members at all wait
   * for the next deployment (creating a member takes its email, which the monitor does
   * not have). Re-invitations carry GuardDuty's own invitation text.
   *
   * @default false
   */
  readonly healing?: boolean;

  /**
   * With `healing`, the least time between two invitations to the same account: 1 to 90
   * days. Read from GuardDuty's `InvitedAt`, so invitations sent by deployments count too.
   *
   * @default Duration.days(7)
   */
  readonly reinviteInterval?: Duration;

  /**
   * The VPC to run the check function in. Its subnets need a route to GuardDuty and X-Ray
   * (a NAT gateway, or an interface endpoint for each); Lambda delivers its logs itself.
   *
   * @default - the `vpc` of the watched GuardDutyMemberInvitations; outside any VPC if it has none
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
 * Properties for `GuardDutyMembershipMonitor`.
 */
export interface GuardDutyMembershipMonitorProps extends GuardDutyMembershipMonitorOptions {
  /**
   * The declaration to watch: its members and its detector. The monitor reads both from
   * the construct, so the declared list is kept in one place.
   */
  readonly invitations: GuardDutyMemberInvitations;
}

/**
 * Watches, after the deployment, the GuardDuty members a `GuardDutyMemberInvitations`
 * declares: on a schedule, a function lists every member of the detector and compares
 * the list with the declaration. It writes the counts per relationship status, the
 * undeclared and missing members and the accounts not `Enabled` past a grace period as
 * CloudWatch metrics (embedded metric format, no extra API call), alarms on the latter,
 * and shows it all on a dashboard. With `healing`, it re-invites declared accounts that
 * left, at most once per interval.
 *
 * @example
 * declare const invitations: GuardDutyMemberInvitations;
 * declare const topic: sns.ITopic;
 * new GuardDutyMembershipMonitor(this, 'Monitor', { invitations, alarmTopic: topic });
 */
export class GuardDutyMembershipMonitor extends Construct {
  /** The scheduled function that runs the check. */
  public readonly checkFunction: lambda.IFunction;

  /** In alarm while a declared account left, broke, or waits for acceptance past the grace period, or is not a member at all. */
  public readonly driftAlarm: cloudwatch.IAlarm;

  /** In alarm while the detector has undeclared members; only with `alarmOnUndeclaredMembers`. */
  public readonly undeclaredMembersAlarm?: cloudwatch.IAlarm;

  /** In alarm when a check failed (its log has the error). */
  public readonly checkFailedAlarm: cloudwatch.IAlarm;

  /** The dashboard: alarms, latest counts, counts by status over time, and the drifted accounts. */
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: GuardDutyMembershipMonitorProps) {
    super(scope, id);
    const placement = inheritedPlacement(props, placementOf(props.invitations));
    const accountIds = declaredAccountIds(props, placement, this);
    const checkInterval = props.checkInterval ?? DEFAULT_CHECK_INTERVAL;
    const gracePeriod = props.gracePeriod ?? DEFAULT_GRACE_PERIOD;
    const reinviteInterval = props.reinviteInterval ?? DEFAULT_REINVITE_INTERVAL;

    const environment: Record<string, string> = {
      // The attribute, not the prop: it is the detector the handler used, looked up or given.
      [MONITOR_ENV.DETECTOR_ID]: props.invitations.detectorId,
      [MONITOR_ENV.GRACE_PERIOD_SECONDS]: String(gracePeriod.toSeconds()),
    };
    if (props.healing) {
      environment[MONITOR_ENV.REINVITE_INTERVAL_SECONDS] = String(reinviteInterval.toSeconds());
    }

    const check = addScheduledCheck(this, {
      code: checkCodeWithDeclaration('membership-monitor', 'GuardDuty membership monitor', { accountIds }),
      description: `Compares the GuardDuty members of ${props.invitations.node.path} with their declaration (cdk-guardduty-members)`,
      roleDescription: `Lists the GuardDuty members of ${props.invitations.node.path}${props.healing ? ' and re-invites declared ones that left' : ''} (cdk-guardduty-members)`,
      environment,
      checkInterval,
      // 1,000 ListMembers pages at 50,000 members, at GuardDuty's rate limit, with room.
      timeout: Duration.minutes(10),
      guardDutyActions: props.healing ? ['guardduty:ListMembers', 'guardduty:InviteMembers'] : ['guardduty:ListMembers'],
      alarmTopic: props.alarmTopic,
      placement,
    });
    this.checkFunction = check.function;
    this.checkFailedAlarm = check.checkFailedAlarm;

    this.driftAlarm = checkAlarm(
      this,
      'DriftAlarm',
      checkMetric(check.function, FLEET_METRIC.NOT_ENABLED_PAST_GRACE_PERIOD, checkInterval),
      `Declared GuardDuty member accounts of ${props.invitations.node.path} that are not Enabled: they left, were removed, suspended GuardDuty, failed email verification or are not members at all, or their invitation waits for more than ${gracePeriod.toHumanString()}. The dashboard lists them.`,
      props.alarmTopic,
    );
    const alarms = [this.driftAlarm, this.checkFailedAlarm];
    if (props.alarmOnUndeclaredMembers) {
      this.undeclaredMembersAlarm = checkAlarm(
        this,
        'UndeclaredMembersAlarm',
        checkMetric(check.function, FLEET_METRIC.UNDECLARED_MEMBERS, checkInterval),
        `The GuardDuty detector of ${props.invitations.node.path} has members that no declaration names. The dashboard lists them.`,
        props.alarmTopic,
      );
      alarms.push(this.undeclaredMembersAlarm);
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(7),
      widgets: membershipDashboardWidgets({ checkFunction: check.function, logGroup: check.logGroup, checkInterval, alarms }),
    });
  }
}

const DEFAULT_GRACE_PERIOD = Duration.days(7);
const DEFAULT_REINVITE_INTERVAL = Duration.days(7);

/**
 * Checks the props at synth time and returns the declared account IDs, sorted. The
 * members were checked by the invitations construct; here only what the monitor adds:
 * it needs every account ID at synth time, to package them with its code, and its own
 * placement (its options over the inherited one) must work.
 */
function declaredAccountIds(props: GuardDutyMembershipMonitorProps, placement: ProviderPlacement, monitor: Construct): string[] {
  const accountIds = props.invitations.memberAccountIds;
  const problems = [
    ...constructEnvironmentProblems(monitor, { prop: 'invitations', reason: 'the check lists the members with GuardDuty in the monitor\'s own account and region, where the watched construct\'s detector does not exist' }, props.invitations),
    ...alarmTopicProblems(monitor, props.alarmTopic),
    ...durationProblems('checkInterval', props.checkInterval, MIN_CHECK_INTERVAL, MAX_CHECK_INTERVAL, true),
    ...durationProblems('gracePeriod', props.gracePeriod, Duration.hours(1), Duration.days(90)),
    ...durationProblems('reinviteInterval', props.reinviteInterval, Duration.days(1), Duration.days(90)),
    ...(props.reinviteInterval !== undefined && !props.healing
      ? [`reinviteInterval (${props.reinviteInterval.toHumanString()}) is set but healing is off: set healing: true, or drop reinviteInterval`]
      : []),
    ...(props.invitations.organizationMembers
      ? [`${props.invitations.node.path} selects members from AWS Organizations at deploy time (organizationMembers); the monitor compares GuardDuty's members with a declaration known at synth time, so it cannot watch that selection`]
      : []),
    ...accountIds.flatMap((accountId, index) =>
      Token.isUnresolved(accountId)
        ? [`members[${index}].accountId of ${props.invitations.node.path} is a deploy-time value; the monitor packages the account IDs with its code and needs them at synth time`]
        : [],
    ),
    ...placementProblems(placement, monitor),
  ];
  if (problems.length > 0) {
    throw new Error(`Invalid GuardDutyMembershipMonitor props at ${monitor.node.path}:${problems.map((problem) => `\n  ${problem}`).join('')}`);
  }
  return [...accountIds].sort();
}
