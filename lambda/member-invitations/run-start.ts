import { ATTRIBUTE, PHYSICAL_ID_PREFIX, RUN_STATE_FIELD } from '../../lib/private/invitation-contract';
import { OutOfTimeError } from '../shared/deadline';
import { HandlerError } from '../shared/handler-error';
import { HandlerResponse } from '../shared/provider-responses';
import { StackStatusUnreadError, removeDroppedMembers, undoFailedRun } from './member-removal';
import { failureMessage, responseData } from './outcome-report';
import { parseInvitationSettings } from './resource-properties';
import { DeclaredFleet } from './organization-members';
import { RunContext, logRemoval, parseOrUndefined, reachOf, resolveDetectorId } from './run-context';
import { declarationOrder } from './run-cursor';
import { snapshotBudget, takeSnapshot } from './run-snapshot';
import { RunState, runStateField } from './run-state';
import { StartProgress, applyInOrder } from './start-pass';

/**
 * How long a run may go on when GuardDuty's rate stretches it over several invocations
 * (onEvent, then the provider framework's isComplete polls). CloudFormation waits one
 * hour for a custom resource's answer; the rest is for the last poll and the response.
 */
export const MAX_RUN_MS = 50 * 60_000;

export type StartResponse = HandlerResponse & { [RUN_STATE_FIELD]?: RunState };

/**
 * onEvent for a Create or an Update: creates and invites the declared members. It ends
 * one of four ways: done (without the verification wait, after removing what an Update
 * dropped); done but waiting for verification (isComplete finishes, removals included);
 * out of time, handing the rest of the work to isComplete; or failed, after removing the
 * members it created (with DESTROY) and nothing else.
 */
export async function startRun(
  run: RunContext,
  declared: DeclaredFleet,
  previous: { physicalResourceId: string; properties: unknown } | undefined,
): Promise<StartResponse> {
  const { api, log } = run;
  const startedAt = Date.now();
  const settings = parseInvitationSettings(declared.properties);
  const previousSettings = previous ? parseOrUndefined(previous.properties, log) : undefined;
  const detectorId = await resolveDetectorId(api, settings);
  const physicalResourceId = `${PHYSICAL_ID_PREFIX}${detectorId}`;
  const progress: StartProgress = { created: [], readIds: [], batchesDone: 0 };
  const undo = () => undoFailedRun(run.undoApi, detectorId, settings, progress.created, log);
  const waitFields: Record<string, string> = settings.verificationTimeoutSeconds > 0
    ? {
      [ATTRIBUTE.VERIFICATION_SINCE]: String(startedAt),
      [ATTRIBUTE.VERIFICATION_DEADLINE]: String(startedAt + settings.verificationTimeoutSeconds * 1_000),
    }
    : {};
  const handOver = (state: Pick<RunState, 'work'>): RunState => {
    // Accounts onEvent did not get to read are in no record: a failed run keeps them.
    const partial = progress.readIds.length < settings.members.length;
    const snapshot = takeSnapshot(progress.readIds, progress.presentAtStart ?? new Set(), snapshotBudget(run.eventBytes), partial);
    if ((!snapshot || partial) && settings.removalPolicy === 'DESTROY') {
      log.warn('no full record of which accounts were members before this run can be carried: should it fail later, it keeps the members it created among accounts not in the record', {
        detectorId,
        recorded: snapshot ? progress.readIds.length : 0,
        declared: settings.members.length,
      });
    }
    return { previousPhysicalResourceId: previous?.physicalResourceId, snapshot, ...state };
  };

  /** Hands the rest of the run to the isComplete polls, with a cursor past the batches onEvent finished. */
  const toPolls = (data: Record<string, string>): StartResponse => {
    const cursor = { batchesDone: progress.batchesDone, order: declarationOrder(settings.members.map((m) => m.accountId)) };
    return {
      PhysicalResourceId: physicalResourceId,
      Data: { [ATTRIBUTE.DETECTOR_ID]: detectorId, ...data },
      ...runStateField(handOver({ work: { sinceMs: startedAt, deadlineMs: startedAt + MAX_RUN_MS, cursor } })),
    };
  };

  let outcome;
  try {
    outcome = await applyInOrder(api, detectorId, settings, progress, reachOf(run, detectorId, declared), log);
  } catch (error) {
    if (error instanceof OutOfTimeError) {
      log.warn('out of time: the run goes on in the provider framework\'s isComplete polls', { detectorId, createdSoFar: progress.created.length, batchesDone: progress.batchesDone });
      return toPolls(waitFields);
    }
    await undo();
    throw error;
  }
  if (outcome.unprocessed.length > 0 && settings.onUnprocessed === 'FAIL') {
    throw new HandlerError(failureMessage(outcome, settings.members.length, await undo()));
  }
  if (settings.verificationTimeoutSeconds > 0) {
    // Removals wait for isComplete: an Update that then fails in the wait must not have
    // removed anything.
    return { PhysicalResourceId: physicalResourceId, Data: { ...responseData(outcome), ...waitFields }, ...runStateField(handOver({})) };
  }
  let removal;
  try {
    removal = await removeDroppedMembers(api, detectorId, settings, {
      members: previousSettings?.members,
      sameDetector: previous?.physicalResourceId === physicalResourceId,
    }, run.checkRollback, log);
  } catch (error) {
    if (error instanceof StackStatusUnreadError) {
      // The members are in line; only the removals are left. The polls go on from a
      // cursor past every batch (a read each, no write) and remove what the Update dropped.
      log.warn('out of time before removing the accounts the Update dropped: the provider framework\'s isComplete polls remove them', { detectorId });
      return toPolls({});
    }
    await undo();
    throw error;
  }
  logRemoval(log, detectorId, removal);
  const final = { ...outcome, unprocessed: [...outcome.unprocessed, ...removal.refused], removed: removal.removed };
  if (removal.refused.length > 0 && settings.onUnprocessed === 'FAIL') {
    throw new HandlerError(failureMessage(final, settings.members.length, await undo()));
  }
  return { PhysicalResourceId: physicalResourceId, Data: responseData(final) };
}
