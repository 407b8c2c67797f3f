import { chunk } from '../../lib/private/member-account-rules';
import { OutOfTimeError } from '../shared/deadline';
import { CurrentMember } from './member-plan';
import { PassVerdict, batchOrder, judgePass, rotatingStart } from './pass-order';
import { RunProgress, applyDeclaredMembers } from './reconcile-members';
import { InvitationSettings } from './resource-properties';
import { OrganizationReach } from './organization-reach';
import { RunContext, reachOf } from './run-context';
import { UnprocessedAccount } from './unprocessed-results';

/** What one isComplete poll's pass over the declaration did. */
export interface StreamedPass {
  readonly verdict: PassVerdict;
  /** The members this pass read; once it is done, every declared member as GuardDuty has it after the pass. */
  readonly members: readonly CurrentMember[];
  /** Accounts GuardDuty did not process in this pass. */
  readonly unprocessed: readonly UnprocessedAccount[];
}

/**
 * One poll's pass of a continued run: batch by batch from the poll's own start
 * (pass-order.ts), each batch read, planned and written before the next is read, so the
 * writes of a poll GuardDuty lets through only part of the fleet are kept and the next
 * poll goes on from GuardDuty's state. A member this run already invited is never
 * invited again (planInvitations with `sinceMs`). Running out of time ends the pass, not
 * the run. The organization's reach is asked once for the whole pass.
 */
export async function streamPass(
  run: RunContext,
  detectorId: string,
  settings: InvitationSettings,
  sinceMs: number,
  nowMs: number = Date.now(),
  reach: OrganizationReach = reachOf(run, detectorId, {}),
  batchesAlreadyDone: number = 0,
): Promise<StreamedPass> {
  const batches = chunk(settings.members);
  // The leading batches onEvent finished (run-cursor.ts) are not planned again, only read
  // once the rest is done: that read is the outcome's and the verification check's.
  const skipped = Math.min(batchesAlreadyDone, batches.length);
  const pending = batches.length - skipped;
  const start = rotatingStart(pending, sinceMs, nowMs);
  const progress: RunProgress = { created: [] };
  const read = new Map<number, readonly CurrentMember[]>();
  const changed: number[] = [];
  const unprocessed: UnprocessedAccount[] = [];
  let batchesReread = 0;
  let skippedRead = skipped === 0;
  try {
    for (const index of batchOrder(pending, start).map((k) => skipped + k)) {
      const applied = await applyDeclaredMembers(run.api, detectorId, { ...settings, members: batches[index] }, progress, reach, run.log, { sinceMs });
      read.set(index, applied.members);
      unprocessed.push(...applied.outcome.unprocessed);
      if (applied.changed) {
        changed.push(index);
      }
    }
    for (const index of changed) {
      read.set(index, await run.api.getMembers(detectorId, batches[index].map((m) => m.accountId)));
      batchesReread += 1;
    }
    if (!skippedRead && judgePass({ batchCount: pending, batchesDone: read.size, batchesChanged: changed.length, batchesReread }) === 'done') {
      for (let index = 0; index < skipped; index++) {
        read.set(index, await run.api.getMembers(detectorId, batches[index].map((m) => m.accountId)));
      }
      skippedRead = true;
    }
  } catch (error) {
    if (!(error instanceof OutOfTimeError)) {
      throw error;
    }
  }
  const around = judgePass({ batchCount: pending, batchesDone: read.size - (skippedRead ? skipped : 0), batchesChanged: changed.length, batchesReread });
  const verdict: PassVerdict = around === 'done' && skippedRead ? 'done' : 'unfinished';
  run.log.info('pass', { detectorId, batches: batches.length, batchesSkipped: skipped, startBatch: skipped + start, batchesDone: read.size, batchesChanged: changed.length, batchesReread, verdict });
  return { verdict, members: [...read.values()].flat(), unprocessed };
}
