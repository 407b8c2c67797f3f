import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { ATTRIBUTE, PHYSICAL_ID_PREFIX } from '../../lib/private/invitation-contract';
import { Deadline } from '../shared/deadline';
import { createGuardDutyClient, isDetectorGone } from '../shared/guardduty-client';
import { GuardDutyMembersApi, guardDutyMembersApi } from './guardduty-members-api';
import { HandlerError, toHandlerError } from '../shared/handler-error';
import { Logger, createLogger } from '../shared/logger';
import { CompletionResponse, HandlerResponse } from '../shared/provider-responses';
import { judgeVerification, withVerificationResults } from './email-verification';
import { failureMessage, responseData } from './outcome-report';
import { RunProgress, applyDeclaredMembers, removeMembers } from './reconcile-members';
import { InvitationSettings, parseInvitationSettings } from './resource-properties';

/**
 * Time kept back from the Lambda timeout: enough for a failed Create to delete the
 * members it created and for the framework to send its response.
 */
const CLEANUP_RESERVE_MS = 60_000;
const RESPONSE_RESERVE_MS = 5_000;

/** One client per container: Lambda reuses it across invocations. */
let client: ReturnType<typeof createGuardDutyClient> | undefined;

export async function handler(event: CloudFormationCustomResourceEvent, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<HandlerResponse> {
  const log = createLogger({ requestType: event.RequestType, logicalResourceId: event.LogicalResourceId, requestId: event.RequestId });
  const remaining = context.getRemainingTimeInMillis();
  const deadline = Deadline.fromRemaining(remaining, CLEANUP_RESERVE_MS + RESPONSE_RESERVE_MS);
  client ??= createGuardDutyClient();
  const api = guardDutyMembersApi(client, deadline);
  try {
    switch (event.RequestType) {
      case 'Create':
        return await onCreateOrUpdate(api, event.ResourceProperties, undefined, log, { cleanup: guardDutyMembersApi(client, deadline.extendedBy(CLEANUP_RESERVE_MS)) });
      case 'Update':
        return await onCreateOrUpdate(api, event.ResourceProperties, { physicalResourceId: event.PhysicalResourceId, properties: event.OldResourceProperties }, log);
      case 'Delete':
        return await onDelete(api, event.ResourceProperties, event.PhysicalResourceId, log);
      default:
        throw new HandlerError(`Unknown RequestType ${JSON.stringify((event as { RequestType?: unknown }).RequestType)}: expected Create, Update or Delete.`);
    }
  } catch (error) {
    throw toHandlerError(error, log);
  }
}

/**
 * The provider framework's isComplete step, called every query interval after a Create
 * or Update succeeded: it keeps the resource in progress until GuardDuty has settled the
 * email verification of every declared account, without holding a Lambda for the wait.
 * Failed verifications become unprocessed accounts, under the resource's policy.
 */
export async function isComplete(
  event: CloudFormationCustomResourceEvent & { PhysicalResourceId?: string; Data?: Record<string, string> },
  context: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<CompletionResponse> {
  const log = createLogger({ step: 'isComplete', requestType: event.RequestType, logicalResourceId: event.LogicalResourceId, requestId: event.RequestId });
  const since = Number(event.Data?.[ATTRIBUTE.VERIFICATION_SINCE]);
  const deadlineMs = Number(event.Data?.[ATTRIBUTE.VERIFICATION_DEADLINE]);
  if (event.RequestType === 'Delete' || !Number.isFinite(since) || !Number.isFinite(deadlineMs)) {
    return { IsComplete: true };
  }
  try {
    const settings = parseInvitationSettings(event.ResourceProperties);
    const detectorId = (event.PhysicalResourceId ?? '').slice(PHYSICAL_ID_PREFIX.length);
    client ??= createGuardDutyClient();
    const api = guardDutyMembersApi(client, Deadline.fromRemaining(context.getRemainingTimeInMillis(), RESPONSE_RESERVE_MS));
    const members = await api.getMembers(detectorId, settings.members.map((m) => m.accountId));
    const verdict = judgeVerification(members, { sinceMs: since, deadlineMs, nowMs: Date.now() });
    log.info('email verification', { detectorId, pending: verdict.pending, unprocessed: verdict.unprocessed.map((u) => u.accountId) });
    if (!verdict.settled) {
      return { IsComplete: false };
    }
    const data = withVerificationResults(event.Data ?? {}, verdict.unprocessed);
    if (verdict.unprocessed.length > 0 && settings.onUnprocessed === 'FAIL') {
      const outcome = { detectorId, invited: [], alreadyMembers: [], unprocessed: verdict.unprocessed, removed: [] };
      throw new HandlerError(failureMessage(outcome, settings.members.length, []));
    }
    return { IsComplete: true, Data: data };
  } catch (error) {
    throw toHandlerError(error, log);
  }
}

async function onCreateOrUpdate(
  api: GuardDutyMembersApi,
  rawProperties: unknown,
  previous: { physicalResourceId: string; properties: unknown } | undefined,
  log: Logger,
  onFailure?: { cleanup: GuardDutyMembersApi },
): Promise<HandlerResponse> {
  const startedAt = Date.now();
  const settings = parseInvitationSettings(rawProperties);
  const previousSettings = previous ? parseOrUndefined(previous.properties, log) : undefined;
  const detectorId = await resolveDetectorId(api, settings);
  const physicalResourceId = `${PHYSICAL_ID_PREFIX}${detectorId}`;
  const progress: RunProgress = { created: [] };
  let outcome;
  try {
    outcome = await applyDeclaredMembers(api, detectorId, settings, {
      previousMembers: previousSettings?.members,
      sameDetector: previous?.physicalResourceId === physicalResourceId,
    }, progress, log);
  } catch (error) {
    await cleanUpFailedCreate(onFailure?.cleanup, detectorId, settings, progress, log);
    throw error;
  }
  if (outcome.unprocessed.length > 0 && settings.onUnprocessed === 'FAIL') {
    const cleanedUp = await cleanUpFailedCreate(onFailure?.cleanup, detectorId, settings, progress, log);
    throw new HandlerError(failureMessage(outcome, settings.members.length, cleanedUp));
  }
  const verification: Record<string, string> = settings.verificationTimeoutSeconds > 0
    ? { [ATTRIBUTE.VERIFICATION_SINCE]: String(startedAt), [ATTRIBUTE.VERIFICATION_DEADLINE]: String(startedAt + settings.verificationTimeoutSeconds * 1_000) }
    : {};
  return { PhysicalResourceId: physicalResourceId, Data: { ...responseData(outcome), ...verification } };
}

/**
 * The provider framework answers the rollback Delete of a failed Create itself, without
 * calling this handler, so a failed Create must undo its own work here. Only members this
 * run created are removed; accounts that were members before are left alone.
 */
async function cleanUpFailedCreate(
  api: GuardDutyMembersApi | undefined,
  detectorId: string,
  settings: InvitationSettings,
  progress: RunProgress,
  log: Logger,
): Promise<string[]> {
  if (!api || settings.removalPolicy !== 'DESTROY' || progress.created.length === 0) {
    return [];
  }
  try {
    const result = await removeMembers(api, detectorId, progress.created);
    log.warn('failed Create: removed the members it created', { detectorId, removed: result.removed, refused: result.refused.map((u) => `${u.accountId}: ${u.result}`) });
    progress.created.length = 0;
    return result.removed;
  } catch (error) {
    log.error('failed Create: could not remove the members it created', { detectorId, created: progress.created, error: String(error) });
    return [];
  }
}

/**
 * With DESTROY, disassociates and deletes the declared members. Delete never fails for
 * work already done (members or detector gone), and it reports, rather than fails on,
 * accounts GuardDuty refuses to remove: a failing Delete blocks stack deletion and
 * rollbacks, while a leftover member can be removed by hand.
 */
async function onDelete(api: GuardDutyMembersApi, rawProperties: unknown, physicalResourceId: string, log: Logger): Promise<HandlerResponse> {
  const settings = parseOrUndefined(rawProperties, log);
  if (!settings || settings.removalPolicy !== 'DESTROY') {
    log.info('Delete: members retained', { removalPolicy: settings?.removalPolicy ?? 'unknown' });
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
