import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { DRIFT_LOG_MESSAGE, FLEET_METRIC, KNOWN_RELATIONSHIP_STATUSES, NOT_A_MEMBER, STATUS_DIMENSION } from './monitor-contract';
import { checkMetric } from './scheduled-check';

export interface MembershipDashboardProps {
  readonly checkFunction: lambda.IFunction;
  readonly logGroup: logs.ILogGroup;
  readonly checkInterval: Duration;
  readonly alarms: readonly cloudwatch.IAlarm[];
}

/**
 * The dashboard's widgets, in the order the README lists them. Account IDs, statuses
 * and counts only: the check never writes an email address, so no widget can show one.
 */
export function membershipDashboardWidgets(props: MembershipDashboardProps): cloudwatch.IWidget[][] {
  const metric = (name: string, label: string, dimensions: Record<string, string> = {}) =>
    checkMetric(props.checkFunction, name, props.checkInterval, dimensions).with({ label });
  const byStatus = [...KNOWN_RELATIONSHIP_STATUSES, NOT_A_MEMBER].map((status) =>
    metric(FLEET_METRIC.DECLARED_ACCOUNTS, status, { [STATUS_DIMENSION]: status }),
  );
  const drift = [
    metric(FLEET_METRIC.NOT_ENABLED_PAST_GRACE_PERIOD, 'Not Enabled past the grace period'),
    metric(FLEET_METRIC.MISSING_MEMBERS, 'Declared, not a member'),
    metric(FLEET_METRIC.UNDECLARED_MEMBERS, 'Member, not declared'),
    metric(FLEET_METRIC.REINVITED_ACCOUNTS, 'Re-invited'),
  ];
  return [
    [
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 6, height: 6 }),
      new cloudwatch.SingleValueWidget({ title: 'Latest check', metrics: [metric(FLEET_METRIC.DECLARED_ACCOUNTS, 'Declared accounts'), ...drift], width: 18, height: 6 }),
    ],
    [
      new cloudwatch.GraphWidget({ title: 'Declared accounts by relationship status', left: byStatus, stacked: true, width: 12, height: 8, leftYAxis: { min: 0 } }),
      new cloudwatch.GraphWidget({ title: 'Drift', left: drift, width: 12, height: 8, leftYAxis: { min: 0 } }),
    ],
    [
      new cloudwatch.LogQueryWidget({
        title: 'Drifted accounts (latest report of each)',
        logGroupNames: [props.logGroup.logGroupName],
        view: cloudwatch.LogQueryVisualizationType.TABLE,
        queryLines: [
          `filter message = "${DRIFT_LOG_MESSAGE}"`,
          'stats latest(drift) as drift, latest(relationshipStatus) as status, latest(since) as since, latest(pastGracePeriod) as pastGracePeriod, max(@timestamp) as lastReported by accountId',
          'sort lastReported desc, accountId asc',
          'limit 1000',
        ],
        width: 24,
        height: 8,
      }),
    ],
  ];
}
