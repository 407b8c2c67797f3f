import type { GuardDutyClient } from '@aws-sdk/client-guardduty';
import type { Context } from 'aws-lambda';
import { accountIdProblem } from '../../lib/private/member-account-rules';
import { MEMBER_METRIC, MONITOR_DIMENSION, MONITOR_ENV, MONITOR_NAMESPACE } from '../../lib/private/monitor-contract';
import { Deadline } from '../shared/deadline';
import { embeddedMetricLine, writeLines } from '../shared/embedded-metrics';
import { createGuardDutyClient } from '../shared/guardduty-client';
import { createLogger } from '../shared/logger';
import { readMemberSideState } from './guardduty-detector-api';
import { MembershipAssessment, assessMembership } from './membership-assessment';

const OUTPUT_RESERVE_MS = 5_000;
const RERUN_ADVICE = 'the check wrote no metrics; the next scheduled check starts afresh.';

/** One client per container: Lambda reuses it across invocations. */
let client: GuardDutyClient | undefined;

/**
 * The member account's scheduled check: is it still an Enabled member of the declared
 * administrator, and is its detector enabled? Writes one metric line and, when not, the
 * problems in words.
 */
export async function handler(_event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<MembershipAssessment> {
  const log = createLogger({ check: 'administrator' });
  const detectorId = requiredVariable(MONITOR_ENV.DETECTOR_ID);
  const administratorId = requiredVariable(MONITOR_ENV.ADMINISTRATOR_ACCOUNT_ID);
  const problem = accountIdProblem(administratorId);
  if (problem) {
    throw new Error(`The environment variable ${MONITOR_ENV.ADMINISTRATOR_ACCOUNT_ID}: ${problem}`);
  }
  const deadline = Deadline.fromRemaining(context.getRemainingTimeInMillis(), OUTPUT_RESERVE_MS, Date.now, RERUN_ADVICE);
  const state = await readMemberSideState((client ??= createGuardDutyClient()), deadline, detectorId);
  const assessment = assessMembership(state, administratorId);

  writeLines([
    embeddedMetricLine({
      namespace: MONITOR_NAMESPACE,
      timestampMs: Date.now(),
      dimensions: { [MONITOR_DIMENSION]: process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'unknown' },
      counts: {
        [MEMBER_METRIC.ADMINISTRATOR_ASSOCIATED]: assessment.administratorAssociated ? 1 : 0,
        [MEMBER_METRIC.DETECTOR_ENABLED]: assessment.detectorEnabled ? 1 : 0,
        [MEMBER_METRIC.MEMBERSHIP_DRIFT]: assessment.problems.length > 0 ? 1 : 0,
      },
    }),
  ]);
  if (assessment.problems.length > 0) {
    log.warn('membership drift', { detectorId, administratorAccountId: administratorId, problems: assessment.problems });
  } else {
    log.info('checked', { detectorId, administratorAccountId: administratorId });
  }
  return assessment;
}

function requiredVariable(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`The environment variable ${name} is missing or empty`);
  }
  return value;
}
