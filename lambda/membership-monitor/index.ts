import { readFileSync } from 'fs';
import { join } from 'path';
import type { GuardDutyClient } from '@aws-sdk/client-guardduty';
import type { Context } from 'aws-lambda';
import { DECLARATION_FILE } from '../../lib/private/monitor-contract';
import { Deadline } from '../shared/deadline';
import { classifyUnprocessed } from '../shared/unprocessed-results';
import { writeLines } from '../shared/embedded-metrics';
import { createGuardDutyClient } from '../shared/guardduty-client';
import { Logger, createLogger } from '../shared/logger';
import { checkOutputLines } from './check-output';
import { GuardDutyMemberListApi, guardDutyMemberListApi } from './guardduty-member-list';
import { planHealing } from './healing-plan';
import { ListedMember, compareMembership } from './membership-drift';
import { MonitorSettings, parseMonitorSettings } from './monitor-settings';

/** What a check returns (Lambda's result, for a test or a manual invocation): counts only. */
export interface CheckSummary {
  readonly declaredAccounts: number;
  readonly listedMembers: number;
  readonly undeclaredMembers: number;
  readonly missingMembers: number;
  readonly notEnabledPastGracePeriod: number;
  readonly reinvitedAccounts: number;
}

/** Time kept back from the Lambda timeout to write the metrics of a check that ran long. */
const OUTPUT_RESERVE_MS = 5_000;
const RERUN_ADVICE = 'the check wrote no metrics; the next scheduled check starts afresh.';

/** One client per container: Lambda reuses it across invocations. */
let client: GuardDutyClient | undefined;

/**
 * The scheduled check: reads the detector's whole member list, compares it with the
 * declaration packaged beside this bundle, writes the drift and its metrics to the log
 * and, with healing on, re-invites the declared accounts that left.
 */
export async function handler(_event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<CheckSummary> {
  const log = createLogger({ check: 'membership' });
  const settings = parseMonitorSettings(process.env, readFileSync(join(__dirname, DECLARATION_FILE), 'utf8'));
  const deadline = Deadline.fromRemaining(context.getRemainingTimeInMillis(), OUTPUT_RESERVE_MS, Date.now, RERUN_ADVICE);
  const api = guardDutyMemberListApi((client ??= createGuardDutyClient()), deadline);
  return check(api, settings, log, Date.now());
}

async function check(api: GuardDutyMemberListApi, settings: MonitorSettings, log: Logger, nowMs: number): Promise<CheckSummary> {
  const listed = await api.listMembers(settings.detectorId);
  const report = compareMembership(settings.declaredAccountIds, listed, nowMs, settings.gracePeriodMs);
  const reinvited = settings.reinviteIntervalMs === undefined ? [] : await heal(api, settings, listed, { nowMs, reinviteIntervalMs: settings.reinviteIntervalMs }, log);

  writeLines(checkOutputLines(report, reinvited.length, process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'unknown', nowMs));
  const summary: CheckSummary = {
    declaredAccounts: report.declaredAccounts,
    listedMembers: listed.length,
    undeclaredMembers: report.undeclaredMembers,
    missingMembers: report.missingMembers,
    notEnabledPastGracePeriod: report.notEnabledPastGracePeriod,
    reinvitedAccounts: reinvited.length,
  };
  log.info('checked', { detectorId: settings.detectorId, ...summary });
  return summary;
}

/** Re-invites what the plan says; returns the accounts GuardDuty accepted to invite. */
async function heal(
  api: GuardDutyMemberListApi,
  settings: MonitorSettings,
  listed: readonly ListedMember[],
  timing: { nowMs: number; reinviteIntervalMs: number },
  log: Logger,
): Promise<string[]> {
  const plan = planHealing(settings.declaredAccountIds, listed, timing.nowMs, timing.reinviteIntervalMs);
  if (plan.heldBack.length > 0) {
    log.info('not re-invited yet: invited within the re-invitation interval', {
      accountIds: plan.heldBack.map((account) => account.accountId),
      nextInvitationAt: plan.heldBack.map((account) => new Date(account.nextInvitationAtMs).toISOString()),
    });
  }
  if (plan.reinvite.length === 0) {
    return [];
  }
  const unprocessed = await api.inviteMembers(settings.detectorId, plan.reinvite);
  // "Already invited" is this check's own invitation when GuardDuty applied it but the
  // response was lost and the SDK retried: the plan only holds accounts without a live
  // invitation, so it counts as re-invited, not as refused.
  const refusals = unprocessed.filter((account) => classifyUnprocessed(account.result) !== 'already-invited');
  const refused = new Set(refusals.map((account) => account.accountId));
  const reinvited = plan.reinvite.filter((accountId) => !refused.has(accountId));
  log.info('re-invited', { accountIds: reinvited });
  if (refusals.length > 0) {
    log.warn('GuardDuty did not re-invite some accounts', { unprocessedAccounts: refusals });
  }
  return reinvited;
}
