import { DRIFT_LOG_MESSAGE, FLEET_METRIC, MONITOR_DIMENSION, MONITOR_NAMESPACE, STATUS_DIMENSION } from '../../lib/private/monitor-contract';
import { embeddedMetricLine } from '../shared/embedded-metrics';
import { MembershipReport } from './membership-drift';

/**
 * What one check writes to its log: a structured line per drifted account (account ID,
 * kind of drift, status, since when; never an email address), which the dashboard's Logs
 * Insights widget tabulates, then the metric lines: the totals, and one line per
 * relationship status of the declared accounts.
 */
export function checkOutputLines(report: MembershipReport, reinvited: number, monitorName: string, nowMs: number): string[] {
  const driftLines = report.drifted.map((account) =>
    JSON.stringify({
      level: 'INFO',
      message: DRIFT_LOG_MESSAGE,
      accountId: account.accountId,
      drift: account.drift,
      relationshipStatus: account.relationshipStatus,
      since: account.sinceMs === undefined ? undefined : new Date(account.sinceMs).toISOString(),
      pastGracePeriod: account.pastGracePeriod,
    }),
  );
  const totals = embeddedMetricLine({
    namespace: MONITOR_NAMESPACE,
    timestampMs: nowMs,
    dimensions: { [MONITOR_DIMENSION]: monitorName },
    counts: {
      [FLEET_METRIC.DECLARED_ACCOUNTS]: report.declaredAccounts,
      [FLEET_METRIC.UNDECLARED_MEMBERS]: report.undeclaredMembers,
      [FLEET_METRIC.MISSING_MEMBERS]: report.missingMembers,
      [FLEET_METRIC.NOT_ENABLED_PAST_GRACE_PERIOD]: report.notEnabledPastGracePeriod,
      [FLEET_METRIC.REINVITED_ACCOUNTS]: reinvited,
    },
  });
  const perStatus = Object.entries(report.declaredByStatus).map(([status, count]) =>
    embeddedMetricLine({
      namespace: MONITOR_NAMESPACE,
      timestampMs: nowMs,
      dimensions: { [MONITOR_DIMENSION]: monitorName, [STATUS_DIMENSION]: status },
      counts: { [FLEET_METRIC.DECLARED_ACCOUNTS]: count },
    }),
  );
  return [...driftLines, totals, ...perStatus];
}
