import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { CheckSummary } from '../../lambda/membership-monitor';
import { declaredMembers } from '../../test/support/cloudformation-events';
import { BenchContext, FlowRun, Problem, invokeBundle } from '../flows';
import { runsFor } from '../options';
import { CallFloor } from './invitation-run';
import { rateLimitedWallMs } from '../rate-limit';

export interface MonitorCheckResult {
  readonly members: number;
  readonly runs: readonly FlowRun[];
  readonly floor: CallFloor;
  /** Size of the declaration.json packaged with the monitor's code. */
  readonly declarationBytes: number;
}

/** ListMembers returns at most 50 members a page. */
const LIST_MEMBERS_PAGE_SIZE = 50;
/** One declared account in 50 has resigned, one in 100 has an invitation pending: some drift to report. */
const statusOf = (index: number) => (index % 50 === 1 ? 'Resigned' : index % 100 === 2 ? 'Invited' : 'Enabled');

/**
 * Scenario 8: one scheduled check of the membership monitor over N declared members,
 * all of them GuardDuty members, under the emulator's latency and rate limit. The
 * shipped bundle runs with the declaration.json the construct would package beside it;
 * a check is read-only (healing off), so its cost is the ListMembers pages.
 */
export async function monitorCheck(ctx: BenchContext, members: number): Promise<MonitorCheckResult> {
  const declared = declaredMembers(members);
  const assetDir = join(ctx.children.workDir, `membership-monitor-${members}`);
  mkdirSync(assetDir, { recursive: true });
  copyFileSync(join(ctx.repoRoot, 'assets', 'membership-monitor', 'index.js'), join(assetDir, 'index.js'));
  const declaration = JSON.stringify({ accountIds: declared.map((m) => m.AccountId).sort() });
  writeFileSync(join(assetDir, 'declaration.json'), declaration);
  const resigned = declared.filter((_, i) => statusOf(i) === 'Resigned').length;

  const runs: FlowRun[] = [];
  const count = runsFor(ctx.options, members);
  for (let run = 1; run <= count; run++) {
    ctx.progress(`monitor check, N=${members}, run ${run}/${count}`);
    const detectorId = ctx.emulator.freshDetector(ctx.conditions);
    ctx.emulator.seedMembers(declared, statusOf);
    const environment = { ...ctx.emulator.handlerEnvironment(), DETECTOR_ID: detectorId, GRACE_PERIOD_SECONDS: '604800', AWS_LAMBDA_FUNCTION_NAME: 'bench-monitor' };
    const result = await invokeBundle(ctx, join(assetDir, 'index.js'), {} as CloudFormationCustomResourceEvent, environment);
    const summary = result.response as unknown as CheckSummary | undefined;
    const problems: Problem[] = [];
    if (result.error) {
      problems.push({ what: `check failed: ${result.error.slice(0, 300)}`, accounts: members });
    } else if (summary?.notEnabledPastGracePeriod !== resigned || summary.declaredAccounts !== members) {
      problems.push({ what: `reported ${summary?.notEnabledPastGracePeriod} of ${resigned} resigned accounts`, accounts: members });
    }
    runs.push({
      ...ctx.emulator.callStats(),
      wallMs: result.invocationMs,
      peakRssBytes: result.maxRssBytes,
      succeeded: problems.length === 0 ? members : 0,
      wanted: members,
      problems,
    });
  }
  const pages = Math.ceil(members / LIST_MEMBERS_PAGE_SIZE);
  return { members, runs, floor: { calls: pages, writeCalls: 0, wallMs: rateLimitedWallMs(pages, ctx.conditions) }, declarationBytes: Buffer.byteLength(declaration) };
}
