import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { ATTRIBUTE, PHYSICAL_ID_PREFIX } from '../../lib/private/invitation-contract';
import { OutOfTimeError } from '../shared/deadline';
import { HandlerError } from '../shared/handler-error';
import { CompletionResponse } from '../shared/provider-responses';
import { VerificationFailure, judgeVerification, withVerificationResults } from './email-verification';
import { CurrentMember } from './member-plan';
import { StackStatusUnreadError, removeDroppedMembers, undoFailedRun } from './member-removal';
import { failureMessage, outcomeFromState, responseData, withUndeclaredUnprocessed } from './outcome-report';
import { InvitationSettings, parseInvitationSettings } from './resource-properties';
import { OrganizationReach } from './organization-reach';
import { RunContext, declaredProperties, logRemoval, parseOrUndefined, previousProperties, reachOf } from './run-context';
import { batchesAlreadyDone, declarationOrder } from './run-cursor';
import { createdByRun } from './run-snapshot';
import { RunState, readRunState } from './run-state';
import { MAX_RUN_MS } from './run-start';
import { streamPass } from './streamed-pass';
import { UnprocessedAccount } from '../shared/unprocessed-results';
import { forgetRead, recallRead, rememberRead, verificationKey, withFreshPending } from './verification-memory';

export type CompletionEvent = CloudFormationCustomResourceEvent & { PhysicalResourceId?: string; Data?: Record<string, string> };

/**
 * The provider framework's isComplete step, polled every 30 s after onEvent: it finishes
 * the run onEvent started, without holding a Lambda between polls.
 * 1. Work onEvent had no time for: each poll streams a pass over the declaration, batch
 *    by batch from a start of its own, planned from GuardDuty's state (a member this run
 *    already invited is never invited again), until one poll gets all the way around
 *    (pass-order.ts says why that means done) or the run's time is up.
 * 2. The email verification wait: in progress while any declared account is still being
 *    verified; failed verifications become unprocessed accounts.
 * 3. Only then the accounts an Update dropped are removed (DESTROY, outside a rollback).
 * A run that fails here removes the members it created, and nothing else.
 */
export async function completeRun(run: RunContext, event: CompletionEvent): Promise<CompletionResponse> {
  const state = readRunState(event as unknown as Record<string, unknown>);
  const since = Number(event.Data?.[ATTRIBUTE.VERIFICATION_SINCE]);
  const verificationDeadline = Number(event.Data?.[ATTRIBUTE.VERIFICATION_DEADLINE]);
  const waiting = Number.isFinite(since) && Number.isFinite(verificationDeadline);
  if (event.RequestType === 'Delete' || (!waiting && !state.work)) {
    return { IsComplete: true };
  }
  const { api, log } = run;
  const declared = await declaredProperties(event.ResourceProperties, run);
  const settings = parseInvitationSettings(declared.properties);
  const detectorId = (event.PhysicalResourceId ?? '').slice(PHYSICAL_ID_PREFIX.length);
  const declaredIds = settings.members.map((m) => m.accountId);
  const fail = (unprocessed: readonly UnprocessedAccount[]) =>
    failRun(run, detectorId, settings, state, (undone) => failureMessage({ detectorId, invited: [], alreadyMembers: [], unprocessed, removed: [] }, declaredIds.length, undone));

  let passUnprocessed: readonly UnprocessedAccount[] = [];
  let members: readonly CurrentMember[] | undefined;
  const memoryKey = verificationKey(run.requestId, state.work?.sinceMs ?? since, declarationOrder(declaredIds));
  const recalled = recallRead(memoryKey);
  if (recalled) {
    // An earlier poll in this container finished the work and found verification pending.
    try {
      members = withFreshPending(recalled, await api.getMembers(detectorId, recalled.pending));
    } catch (error) {
      if (error instanceof OutOfTimeError) {
        return { IsComplete: false };
      }
      throw error;
    }
    passUnprocessed = recalled.passUnprocessed;
  } else if (state.work) {
    const pass = await continueWork(run, detectorId, settings, { ...state, work: state.work }, reachOf(run, detectorId, declared));
    if (pass === 'unfinished') {
      return { IsComplete: false };
    }
    if (pass.unprocessed.length > 0 && settings.onUnprocessed === 'FAIL') {
      return fail(pass.unprocessed);
    }
    passUnprocessed = pass.unprocessed;
    members = pass.currentMembers;
  }

  try {
    // A continued run's last pass read the final state already: no second read of all N.
    members ??= await api.getMembers(detectorId, declaredIds);
  } catch (error) {
    // Reading a very large fleet can outlast one invocation too: the next poll reads again.
    if (error instanceof OutOfTimeError && Date.now() < (state.work?.deadlineMs ?? verificationDeadline)) {
      log.info('ran out of time reading the members: the next poll reads again', { detectorId });
      return { IsComplete: false };
    }
    throw error;
  }
  let failures: readonly VerificationFailure[] = [];
  if (waiting) {
    const verdict = judgeVerification(members, { sinceMs: since, deadlineMs: verificationDeadline, nowMs: Date.now() });
    log.info('email verification', { detectorId, pending: verdict.pending, unprocessed: verdict.unprocessed.map((u) => u.accountId) });
    if (!verdict.settled) {
      rememberRead(memoryKey, { members: new Map(members.map((m) => [m.accountId, m])), pending: verdict.pending, passUnprocessed });
      return { IsComplete: false };
    }
    if (verdict.unprocessed.length > 0 && settings.onUnprocessed === 'FAIL') {
      return fail(verdict.unprocessed);
    }
    failures = verdict.unprocessed;
    forgetRead();
  }

  let removal;
  try {
    removal = event.RequestType === 'Update'
      ? await removeDroppedMembers(api, detectorId, settings, {
        members: parseOrUndefined(await previousProperties(event.OldResourceProperties, run), log)?.members,
        sameDetector: state.previousPhysicalResourceId === event.PhysicalResourceId,
      }, run.checkRollback, log)
      : { removed: [], refused: [] };
  } catch (error) {
    // Out of time before the stack status was read, so before any removal: the next poll
    // asks again and makes the removals.
    if (error instanceof StackStatusUnreadError && Date.now() < (state.work?.deadlineMs ?? verificationDeadline)) {
      log.info('ran out of time before reading the stack status: the next poll removes the accounts the Update dropped', { detectorId });
      return { IsComplete: false };
    }
    throw error;
  }
  logRemoval(log, detectorId, removal);
  if (removal.refused.length > 0 && settings.onUnprocessed === 'FAIL') {
    const outcome = { detectorId, invited: [], alreadyMembers: [], unprocessed: removal.refused, removed: removal.removed };
    throw new HandlerError(failureMessage(outcome, settings.members.length, []));
  }
  // A run onEvent finished reported its own outcome; one that went on over several
  // invocations is read from GuardDuty's state now that its last pass is done.
  const reported = state.work
    ? responseData(outcomeFromState(detectorId, declaredIds, members, state.work.sinceMs, passUnprocessed))
    : (event.Data ?? {});
  const data = withUndeclaredUnprocessed(withVerificationResults(reported, failures), removal.refused.map((u) => u.accountId));
  return { IsComplete: true, Data: data };
}

/**
 * One pass of the work onEvent left (streamed batch by batch, streamed-pass.ts): what
 * GuardDuty did not process in it and the members as GuardDuty has them after it; or
 * 'unfinished' when this invocation's time ran out before the pass got around
 * the declaration (the next poll goes on). Past the run's own limit, the run fails.
 */
async function continueWork(
  run: RunContext,
  detectorId: string,
  settings: InvitationSettings,
  state: RunState & { work: NonNullable<RunState['work']> },
  reach: OrganizationReach,
): Promise<{ unprocessed: readonly UnprocessedAccount[]; currentMembers: readonly CurrentMember[] } | 'unfinished'> {
  const skipped = batchesAlreadyDone(state.work.cursor, settings.members.map((m) => m.accountId));
  const pass = await streamPass(run, detectorId, settings, state.work.sinceMs, Date.now(), reach, skipped);
  if (pass.verdict === 'done') {
    return { unprocessed: pass.unprocessed, currentMembers: pass.members };
  }
  if (Date.now() < state.work.deadlineMs) {
    run.log.info('still working: the next poll goes on from GuardDuty\'s state', { detectorId });
    return 'unfinished';
  }
  return failRun(run, detectorId, settings, state, (undone) =>
    `GuardDuty's rate did not let the run reach all ${settings.members.length} declared accounts on detector ${detectorId} within ${MAX_RUN_MS / 60_000} minutes ` +
      `(CloudFormation waits one hour for a custom resource).${undone.length > 0 ? ` The ${undone.length} members this run created were deleted again.` : ''} ` +
      'Deploy again, with removalPolicy RETAIN for a first rollout of a very large fleet: a run goes on from GuardDuty\'s state and invites no one twice.',
  );
}

/** Removes the members this run created (DESTROY; known from onEvent's snapshot), then fails with `reason`. */
async function failRun(
  run: RunContext,
  detectorId: string,
  settings: InvitationSettings,
  state: RunState,
  reason: (undone: readonly string[]) => string,
): Promise<never> {
  const declaredIds = settings.members.map((m) => m.accountId);
  let created: string[] = [];
  if (settings.removalPolicy === 'DESTROY') {
    if (state.snapshot) {
      const memberIds = new Set((await run.undoApi.getMembers(detectorId, declaredIds)).map((m) => m.accountId));
      created = createdByRun(state.snapshot, declaredIds).filter((id) => memberIds.has(id));
    } else {
      run.log.warn('failed run: no record of which accounts were members before it, so the members it created are kept; remove them by hand', { detectorId });
    }
  }
  throw new HandlerError(reason(await undoFailedRun(run.undoApi, detectorId, settings, created, run.log)));
}
