import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { ATTRIBUTE, PHYSICAL_ID_PREFIX, RUN_STATE_FIELD } from '../../lib/private/invitation-contract';
import { Deadline } from '../shared/deadline';
import { createGuardDutyClient, isDetectorGone } from '../shared/guardduty-client';
import { HandlerError, toHandlerError } from '../shared/handler-error';
import { Logger, createLogger } from '../shared/logger';
import { CompletionResponse, HandlerResponse } from '../shared/provider-responses';
import { RollbackCheck, checkRollback, createCloudFormationClient } from '../shared/stack-rollback';
import { judgeVerification, withVerificationResults } from './email-verification';
import { GuardDutyMembersApi, guardDutyMembersApi } from './guardduty-members-api';
import { RemovalResult, removeDroppedMembers, removeMembers, undoFailedRun } from './member-removal';
import { failureMessage, responseData, withUndeclaredUnprocessed } from './outcome-report';
import { MemberListReader, createS3Client, s3MemberListReader, withMemberList } from './member-list';
import { RunProgress, applyDeclaredMembers } from './reconcile-members';
import { InvitationSettings, parseInvitationSettings } from './resource-properties';
import { createdByRun, snapshotBudget, takeSnapshot } from './run-snapshot';
import { RunState, readRunState, runStateField } from './run-state';

/**
 * Time kept back from the Lambda timeout: enough for a failed Create to delete the
 * members it created and for the framework to send its response.
 */
const CLEANUP_RESERVE_MS = 60_000;
const RESPONSE_RESERVE_MS = 5_000;

/** One client of each per container: Lambda reuses them across invocations. */
let client: ReturnType<typeof createGuardDutyClient> | undefined;
let cloudFormation: ReturnType<typeof createCloudFormationClient> | undefined;
let s3: ReturnType<typeof createS3Client> | undefined;

type ProviderEvent = CloudFormationCustomResourceEvent & { PhysicalResourceId?: string; Data?: Record<string, string> };

export async function handler(event: CloudFormationCustomResourceEvent, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<HandlerResponse> {
  const log = createLogger({ requestType: event.RequestType, logicalResourceId: event.LogicalResourceId, requestId: event.RequestId });
  const deadline = Deadline.fromRemaining(context.getRemainingTimeInMillis(), CLEANUP_RESERVE_MS + RESPONSE_RESERVE_MS);
  client ??= createGuardDutyClient();
  const run: RunContext = {
    api: guardDutyMembersApi(client, deadline),
    undoApi: guardDutyMembersApi(client, deadline.extendedBy(CLEANUP_RESERVE_MS)),
    checkRollback: rollbackCheckFor(event, deadline),
    log,
    eventBytes: Buffer.byteLength(JSON.stringify(event), 'utf8'),
  };
  try {
    const lists = memberListReaderFor(deadline);
    switch (event.RequestType) {
      case 'Create':
        return await onCreateOrUpdate(run, await withMemberList(event.ResourceProperties, lists), undefined);
      case 'Update':
        return await onCreateOrUpdate(run, await withMemberList(event.ResourceProperties, lists), {
          physicalResourceId: event.PhysicalResourceId,
          properties: await previousProperties(event.OldResourceProperties, lists, log),
        });
      case 'Delete':
        return await onDelete(run, await previousProperties(event.ResourceProperties, lists, log), event.PhysicalResourceId);
      default:
        throw new HandlerError(`Unknown RequestType ${JSON.stringify((event as { RequestType?: unknown }).RequestType)}: expected Create, Update or Delete.`);
    }
  } catch (error) {
    throw toHandlerError(error, log);
  }
}

/**
 * The provider framework's isComplete step, called every query interval after onEvent
 * succeeded with the verification wait on: it keeps the resource in progress until
 * GuardDuty has settled the email verification of every declared account, without
 * holding a Lambda for the wait. Failed verifications become unprocessed accounts, under
 * the resource's policy; only then does an Update remove the accounts it dropped.
 */
export async function isComplete(event: ProviderEvent, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<CompletionResponse> {
  const log = createLogger({ step: 'isComplete', requestType: event.RequestType, logicalResourceId: event.LogicalResourceId, requestId: event.RequestId });
  const since = Number(event.Data?.[ATTRIBUTE.VERIFICATION_SINCE]);
  const deadlineMs = Number(event.Data?.[ATTRIBUTE.VERIFICATION_DEADLINE]);
  if (event.RequestType === 'Delete' || !Number.isFinite(since) || !Number.isFinite(deadlineMs)) {
    return { IsComplete: true };
  }
  try {
    const deadline = Deadline.fromRemaining(context.getRemainingTimeInMillis(), CLEANUP_RESERVE_MS + RESPONSE_RESERVE_MS);
    const lists = memberListReaderFor(deadline);
    const settings = parseInvitationSettings(await withMemberList(event.ResourceProperties, lists));
    const detectorId = (event.PhysicalResourceId ?? '').slice(PHYSICAL_ID_PREFIX.length);
    const state = readRunState(event as unknown as Record<string, unknown>);
    client ??= createGuardDutyClient();
    const api = guardDutyMembersApi(client, deadline);
    const declaredIds = settings.members.map((m) => m.accountId);
    const members = await api.getMembers(detectorId, declaredIds);
    const verdict = judgeVerification(members, { sinceMs: since, deadlineMs, nowMs: Date.now() });
    log.info('email verification', { detectorId, pending: verdict.pending, unprocessed: verdict.unprocessed.map((u) => u.accountId) });
    if (!verdict.settled) {
      return { IsComplete: false };
    }
    if (verdict.unprocessed.length > 0 && settings.onUnprocessed === 'FAIL') {
      const memberIds = new Set(members.map((m) => m.accountId));
      const created = state.snapshot ? createdByRun(state.snapshot, declaredIds).filter((id) => memberIds.has(id)) : [];
      if (!state.snapshot && settings.removalPolicy === 'DESTROY') {
        log.warn('failed run: no record of which accounts were members before it, so the members it created are kept; remove them by hand', { detectorId });
      }
      const undone = await undoFailedRun(guardDutyMembersApi(client, deadline.extendedBy(CLEANUP_RESERVE_MS)), detectorId, settings, created, log);
      const outcome = { detectorId, invited: [], alreadyMembers: [], unprocessed: verdict.unprocessed, removed: [] };
      throw new HandlerError(failureMessage(outcome, settings.members.length, undone));
    }
    const removal = event.RequestType === 'Update'
      ? await removeDroppedMembers(api, detectorId, settings, {
        members: parseOrUndefined(await previousProperties(event.OldResourceProperties, lists, log), log)?.members,
        sameDetector: state.previousPhysicalResourceId === event.PhysicalResourceId,
      }, rollbackCheckFor(event, deadline), log)
      : { removed: [], refused: [] };
    logRemoval(log, detectorId, removal);
    if (removal.refused.length > 0 && settings.onUnprocessed === 'FAIL') {
      const outcome = { detectorId, invited: [], alreadyMembers: [], unprocessed: removal.refused, removed: removal.removed };
      throw new HandlerError(failureMessage(outcome, settings.members.length, []));
    }
    const data = withUndeclaredUnprocessed(withVerificationResults(event.Data ?? {}, verdict.unprocessed), removal.refused.map((u) => u.accountId));
    return { IsComplete: true, Data: data };
  } catch (error) {
    throw toHandlerError(error, log);
  }
}

/** What every step of one invocation works with. */
interface RunContext {
  readonly api: GuardDutyMembersApi;
  /** The same calls with the time kept back for undoing a failed run. */
  readonly undoApi: GuardDutyMembersApi;
  readonly checkRollback: () => Promise<RollbackCheck>;
  readonly log: Logger;
  /** The size of the event, which the waiter's input carries along with onEvent's result. */
  readonly eventBytes: number;
}

async function onCreateOrUpdate(
  run: RunContext,
  rawProperties: unknown,
  previous: { physicalResourceId: string; properties: unknown } | undefined,
): Promise<HandlerResponse & { [RUN_STATE_FIELD]?: RunState }> {
  const { api, log } = run;
  const startedAt = Date.now();
  const settings = parseInvitationSettings(rawProperties);
  const previousSettings = previous ? parseOrUndefined(previous.properties, log) : undefined;
  const detectorId = await resolveDetectorId(api, settings);
  const physicalResourceId = `${PHYSICAL_ID_PREFIX}${detectorId}`;
  const progress: RunProgress = { created: [] };
  const undo = () => undoFailedRun(run.undoApi, detectorId, settings, progress.created, log);
  let applied;
  try {
    applied = await applyDeclaredMembers(api, detectorId, settings, progress, log);
  } catch (error) {
    await undo();
    throw error;
  }
  const { outcome } = applied;
  if (outcome.unprocessed.length > 0 && settings.onUnprocessed === 'FAIL') {
    throw new HandlerError(failureMessage(outcome, settings.members.length, await undo()));
  }
  if (settings.verificationTimeoutSeconds > 0) {
    // Removals wait for isComplete: an Update that then fails in the wait must not have
    // removed anything.
    const verification = {
      [ATTRIBUTE.VERIFICATION_SINCE]: String(startedAt),
      [ATTRIBUTE.VERIFICATION_DEADLINE]: String(startedAt + settings.verificationTimeoutSeconds * 1_000),
    };
    const snapshot = takeSnapshot(settings.members.map((m) => m.accountId), applied.presentAtStart, snapshotBudget(run.eventBytes));
    if (!snapshot && settings.removalPolicy === 'DESTROY') {
      log.warn('too many accounts to carry which were members before this run: should it fail in the wait, it keeps the members it created', { detectorId });
    }
    return {
      PhysicalResourceId: physicalResourceId,
      Data: { ...responseData(outcome), ...verification },
      ...runStateField({ previousPhysicalResourceId: previous?.physicalResourceId, snapshot }),
    };
  }
  let removal;
  try {
    removal = await removeDroppedMembers(api, detectorId, settings, {
      members: previousSettings?.members,
      sameDetector: previous?.physicalResourceId === physicalResourceId,
    }, run.checkRollback, log);
  } catch (error) {
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

/**
 * With DESTROY, disassociates and deletes the declared members, unless CloudFormation is
 * rolling back: then the Delete follows a failed Create (which removed what it created
 * itself) or undoes a resource added by a failed update, and the declared accounts may
 * have been members long before it. Delete never fails for work already done (members
 * or detector gone), and it reports, rather than fails on, accounts GuardDuty refuses to
 * remove: a failing Delete blocks stack deletion and rollbacks, while a leftover member
 * can be removed by hand.
 */
async function onDelete(run: RunContext, rawProperties: unknown, physicalResourceId: string): Promise<HandlerResponse> {
  const { api, log } = run;
  const settings = parseOrUndefined(rawProperties, log);
  if (!settings || settings.removalPolicy !== 'DESTROY') {
    log.info('Delete: members retained', { removalPolicy: settings?.removalPolicy ?? 'unknown' });
    return { PhysicalResourceId: physicalResourceId };
  }
  const rollback = await run.checkRollback();
  if (rollback.rollingBack) {
    log.warn('Delete during a rollback: members retained; a rollback removes no member it cannot prove the failed step created', {
      because: rollback.because,
      kept: settings.members.map((m) => m.accountId),
    });
    return { PhysicalResourceId: physicalResourceId };
  }
  const detectorId = physicalResourceId.startsWith(PHYSICAL_ID_PREFIX)
    ? physicalResourceId.slice(PHYSICAL_ID_PREFIX.length)
    : settings.detectorId ?? (await api.findDetectorId());
  if (!detectorId) {
    log.info('Delete: no detector, so no members to remove');
    return { PhysicalResourceId: physicalResourceId };
  }
  try {
    const result = await removeMembers(api, detectorId, settings.members.map((m) => m.accountId));
    const fields = { detectorId, removed: result.removed, refused: result.refused.map((u) => `${u.accountId}: ${u.result}`) };
    if (result.refused.length > 0) {
      log.warn('Delete: GuardDuty refused to remove some members; remove them by hand', fields);
    } else {
      log.info('Delete: members removed', fields);
    }
  } catch (error) {
    if (!isDetectorGone(error)) {
      throw error;
    }
    log.info('Delete: the detector no longer exists, so neither do its members', { detectorId });
  }
  return { PhysicalResourceId: physicalResourceId };
}

function memberListReaderFor(deadline: Deadline): MemberListReader {
  return {
    read: (location) => {
      s3 ??= createS3Client();
      return s3MemberListReader(s3, deadline).read(location);
    },
  };
}

/**
 * Properties the run only consults (the old ones of an Update, those of a Delete), with
 * their member list read. A list that cannot be read (an asset deleted since, say) leaves
 * the properties without members, which reads as unreadable properties: nothing is
 * removed, and the log says why. A Delete with RETAIN reads no list at all.
 */
async function previousProperties(raw: unknown, lists: MemberListReader, log: Logger): Promise<unknown> {
  if (typeof raw !== 'object' || raw === null || (raw as Record<string, unknown>).RemovalPolicy !== 'DESTROY') {
    return raw;
  }
  try {
    return await withMemberList(raw, lists);
  } catch (error) {
    log.warn('could not read the member list of these properties; nothing they declare is removed', { error: String((error as Error).message ?? error) });
    return Object.fromEntries(Object.entries(raw).filter(([name]) => name !== 'MemberList'));
  }
}

function rollbackCheckFor(event: { StackId?: string }, deadline: Deadline): () => Promise<RollbackCheck> {
  return () => {
    cloudFormation ??= createCloudFormationClient();
    return checkRollback(cloudFormation, event.StackId, deadline);
  };
}

function logRemoval(log: Logger, detectorId: string, removal: RemovalResult): void {
  if (removal.removed.length > 0 || removal.refused.length > 0) {
    log.info('removed dropped members', { detectorId, removed: removal.removed, refused: removal.refused.map((u) => `${u.accountId}: ${u.result}`) });
  }
}

async function resolveDetectorId(api: GuardDutyMembersApi, settings: InvitationSettings): Promise<string> {
  if (settings.detectorId) {
    return settings.detectorId;
  }
  const found = await api.findDetectorId();
  if (!found) {
    throw new HandlerError(
      `GuardDuty has no detector in account ${process.env.AWS_ACCOUNT_ID ?? 'of this stack'} and region ${process.env.AWS_REGION ?? 'of this stack'}. ` +
        'Enable GuardDuty there first (for example with a guardduty.CfnDetector in the same stack, passing detector.ref as detectorId), ' +
        'or pass the ID of an existing detector as detectorId.',
    );
  }
  return found;
}

function parseOrUndefined(raw: unknown, log: Logger): InvitationSettings | undefined {
  try {
    return parseInvitationSettings(raw);
  } catch (error) {
    log.warn('ignoring unreadable properties', { error: String(error instanceof Error ? error.message : error) });
    return undefined;
  }
}
