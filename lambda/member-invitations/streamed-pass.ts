import { chunk } from '../../lib/private/member-account-rules';
import { OutOfTimeError } from '../shared/deadline';
import { CurrentMember } from './member-plan';
import { PassVerdict, batchOrder, judgePass, readsFit, rotatingStart } from './pass-order';
import { RunProgress, applyDeclaredMembers } from './reconcile-members';
import { InvitationSettings } from './resource-properties';
import { OrganizationReach } from './organization-reach';
import { RunContext, reachOf } from './run-context';
import { declarationOrder } from './run-cursor';
import { UnprocessedAccount } from '../shared/unprocessed-results';

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
  // Batches finished before (onEvent's cursor, run-cursor.ts, and what earlier polls in
  // this container finished) are not planned again, only read once the rest is done:
  // that read is the outcome's and the verification check's.
  const finished = finishedBatches(run.requestId, sinceMs, settings);
  const skipped = new Set([...Array(Math.min(batchesAlreadyDone, batches.length)).keys(), ...finished]);
  const pending = [...batches.keys()].filter((index) => !skipped.has(index));
  const start = rotatingStart(pending.length, sinceMs, nowMs);
  const progress: RunProgress = { created: [] };
  const read = new Map<number, readonly CurrentMember[]>();
  const changed: number[] = [];
  const unprocessed: UnprocessedAccount[] = [];
  let batchesReread = 0;
  let skippedRead = skipped.size === 0;
  const startedMs = Date.now();
  // Calls of the planning loop: a read per batch, and a create and an invitation per batch written.
  let calls = 0;
  let stoppedEarly = false;
  const fits = (readsLeft: number, pace: { elapsedMs: number; calls: number }) => run.remainingMs === undefined || readsFit(readsLeft, pace, run.remainingMs());
  const around = () => judgePass({ batchCount: pending.length, batchesDone: pending.filter((index) => read.has(index)).length, batchesChanged: changed.length, batchesReread });
  try {
    for (const index of batchOrder(pending.length, start).map((k) => pending[k])) {
      const applied = await applyDeclaredMembers(run.api, detectorId, { ...settings, members: batches[index] }, progress, reach, run.log, { sinceMs });
      read.set(index, applied.members);
      unprocessed.push(...applied.outcome.unprocessed);
      calls += applied.changed ? 3 : 1;
      if (applied.changed) {
        changed.push(index);
      }
      if (applied.outcome.unprocessed.length === 0) {
        finished.add(index);
      }
    }
    const toRead = [...changed, ...(skippedRead ? [] : [...skipped].sort((a, b) => a - b))];
    const written = new Set(changed);
    const readsStartedMs = Date.now();
    for (const [done, index] of toRead.entries()) {
      const pace = done === 0 ? { elapsedMs: readsStartedMs - startedMs, calls } : { elapsedMs: Date.now() - readsStartedMs, calls: done };
      if (!fits(toRead.length - done, pace)) {
        stoppedEarly = true;
        break;
      }
      read.set(index, await run.api.getMembers(detectorId, batches[index].map((m) => m.accountId)));
      if (written.has(index)) {
        batchesReread += 1;
      }
    }
    skippedRead ||= !stoppedEarly && around() === 'done';
  } catch (error) {
    if (!(error instanceof OutOfTimeError)) {
      throw error;
    }
  }
  const verdict: PassVerdict = around() === 'done' && skippedRead ? 'done' : 'unfinished';
  run.log.info('pass', { detectorId, batches: batches.length, batchesSkipped: skipped.size, startBatch: pending[start] ?? 0, batchesDone: read.size, batchesChanged: changed.length, batchesReread, stoppedEarly, verdict });
  return { verdict, members: [...read.values()].flat(), unprocessed };
}

/**
 * The batches earlier polls of this run finished (read, planned, written, nothing
 * unprocessed), as far as this container knows: Lambda usually gives successive polls
 * the same container, and a poll it gives another one goes over those batches again,
 * which costs a read each and changes nothing (planInvitations with `sinceMs`). Keyed by
 * the request, the run's start and the declared order (as the cursor is).
 */
let finishedByPolls: { key: string; batches: Set<number> } | undefined;

function finishedBatches(requestId: string | undefined, sinceMs: number, settings: InvitationSettings): Set<number> {
  if (requestId === undefined) {
    return new Set();
  }
  const key = `${requestId}:${sinceMs}:${declarationOrder(settings.members.map((m) => m.accountId))}`;
  if (finishedByPolls?.key !== key) {
    finishedByPolls = { key, batches: new Set() };
  }
  return finishedByPolls.batches;
}

/** Test hook: forget what earlier polls in this container finished. */
export function forgetFinishedBatches(): void {
  finishedByPolls = undefined;
}
