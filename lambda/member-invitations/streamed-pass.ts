import { chunk } from '../../lib/private/member-account-rules';
import { OutOfTimeError } from '../shared/deadline';
import { CurrentMember } from './member-plan';
import { PassVerdict, batchOrder, judgePass, rotatingStart } from './pass-order';
import { RunProgress, applyDeclaredMembers } from './reconcile-members';
import { InvitationSettings } from './resource-properties';
import { RunContext } from './run-context';
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
 * the run.
 */
export async function streamPass(
  run: RunContext,
  detectorId: string,
  settings: InvitationSettings,
  sinceMs: number,
  nowMs: number = Date.now(),
): Promise<StreamedPass> {
  const batches = chunk(settings.members);
  const start = rotatingStart(batches.length, sinceMs, nowMs);
  const progress: RunProgress = { created: [] };
  const read = new Map<number, readonly CurrentMember[]>();
  const changed: number[] = [];
  const unprocessed: UnprocessedAccount[] = [];
  let batchesReread = 0;
  try {
    for (const index of batchOrder(batches.length, start)) {
      const applied = await applyDeclaredMembers(run.api, detectorId, { ...settings, members: batches[index] }, progress, run.log, { sinceMs });
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
  } catch (error) {
    if (!(error instanceof OutOfTimeError)) {
      throw error;
    }
  }
  const verdict = judgePass({ batchCount: batches.length, batchesDone: read.size, batchesChanged: changed.length, batchesReread });
  run.log.info('pass', { detectorId, batches: batches.length, startBatch: start, batchesDone: read.size, batchesChanged: changed.length, batchesReread, verdict });
  return { verdict, members: [...read.values()].flat(), unprocessed };
}
