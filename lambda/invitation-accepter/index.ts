import type { GuardDutyClient } from '@aws-sdk/client-guardduty';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { ACCEPTER_ATTRIBUTE, accepterPhysicalId, parseAccepterPhysicalId } from '../../lib/private/accepter-contract';
import { Deadline } from '../shared/deadline';
import { createGuardDutyClient, isDetectorGone } from '../shared/guardduty-client';
import { HandlerError, toHandlerError } from '../shared/handler-error';
import { Logger, createLogger } from '../shared/logger';
import { CompletionResponse, HandlerResponse } from '../shared/provider-responses';
import { RollbackCheck, checkRollback, createCloudFormationClient } from '../shared/stack-rollback';
import {
  DeclaredAdministrator,
  MemberLocation,
  conflictMessage,
  invitationTimeoutMessage,
  isAssociatedWith,
  needsInvitations,
  planAcceptance,
} from './acceptance-plan';
import { AccepterSettings, parseAccepterSettings } from './accepter-properties';
import { GuardDutyAdministratorApi, guardDutyAdministratorApi } from './guardduty-administrator-api';


type IsCompleteEvent = CloudFormationCustomResourceEvent & { PhysicalResourceId?: string; Data?: Record<string, string> };

/** Time kept back from the Lambda timeout for the framework to send its response. */
const RESPONSE_RESERVE_MS = 5_000;
const RERUN_ADVICE = 'accepting is idempotent, so a re-run continues from where this one stopped. Retry the deployment.';

/** The relationship status GuardDuty reports once the member has accepted. */
const ACCEPTED_STATUS = 'Enabled';

/** One client of each per container: Lambda reuses them across invocations. */
let client: GuardDutyClient | undefined;
let cloudFormation: ReturnType<typeof createCloudFormationClient> | undefined;

export async function handler(event: CloudFormationCustomResourceEvent, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<HandlerResponse> {
  const log = createLogger({ requestType: event.RequestType, logicalResourceId: event.LogicalResourceId, requestId: event.RequestId });
  try {
    switch (event.RequestType) {
      case 'Create':
        return await onCreateOrUpdate(apiFor(context), event, undefined, log);
      case 'Update':
        return await onCreateOrUpdate(apiFor(context), event, event.OldResourceProperties, log);
      case 'Delete':
        return await onDelete(apiFor(context), event, rollbackCheckFor(event, context), log);
      default:
        throw new HandlerError(`Unknown RequestType ${JSON.stringify((event as { RequestType?: unknown }).RequestType)}: expected Create, Update or Delete.`);
    }
  } catch (error) {
    throw toHandlerError(error, log);
  }
}

/**
 * The provider framework's isComplete step, called every query interval after onEvent
 * found no invitation yet: it accepts the invitation as soon as it arrives, without
 * holding a Lambda for the wait, and fails with a reason once the deadline onEvent
 * recorded has passed. AWS::GuardDuty::Master has no such wait, which is why it fails
 * when administrator and member stacks deploy together.
 */
export async function isComplete(event: IsCompleteEvent, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<CompletionResponse> {
  const log = createLogger({ step: 'isComplete', requestType: event.RequestType, logicalResourceId: event.LogicalResourceId, requestId: event.RequestId });
  const deadlineMs = Number(event.Data?.[ACCEPTER_ATTRIBUTE.INVITATION_DEADLINE]);
  if (event.RequestType === 'Delete' || !Number.isFinite(deadlineMs)) {
    return { IsComplete: true };
  }
  try {
    const api = apiFor(context);
    const settings = parseAccepterSettings(event.ResourceProperties, accountOf(event));
    const detectorId = parseAccepterPhysicalId(event.PhysicalResourceId)?.detectorId ?? (await resolveDetectorId(api, settings, event));
    const where = { ...locationOf(event), detectorId };
    const relationshipStatus = await advance(api, declaredAdministrator(settings, event), where, log);
    if (relationshipStatus !== undefined) {
      return { IsComplete: true, Data: responseData(settings, detectorId, relationshipStatus) };
    }
    if (Date.now() >= deadlineMs) {
      throw new HandlerError(invitationTimeoutMessage(settings.administratorAccountId, settings.invitationTimeoutSeconds, where));
    }
    return { IsComplete: false };
  } catch (error) {
    throw toHandlerError(error, log);
  }
}

/**
 * Accepts the invitation when it is there; otherwise records the deadline and leaves the
 * wait to isComplete. A new administrator or detector gives a new physical ID: the
 * CloudFormation Delete of the old one that follows then knows which relationship it is
 * about.
 */
async function onCreateOrUpdate(
  api: GuardDutyAdministratorApi,
  event: CloudFormationCustomResourceEvent,
  oldProperties: unknown,
  log: Logger,
): Promise<HandlerResponse> {
  const startedAt = Date.now();
  const settings = parseAccepterSettings(event.ResourceProperties, accountOf(event));
  const detectorId = await resolveDetectorId(api, settings, event);
  const physicalResourceId = accepterPhysicalId(detectorId, settings.administratorAccountId);
  const relationshipStatus = await advance(api, declaredAdministrator(settings, { ...event, OldResourceProperties: oldProperties }), { ...locationOf(event), detectorId }, log);
  if (relationshipStatus !== undefined) {
    return { PhysicalResourceId: physicalResourceId, Data: responseData(settings, detectorId, relationshipStatus) };
  }
  const deadline = startedAt + settings.invitationTimeoutSeconds * 1_000;
  log.info('no invitation yet: waiting for it', { detectorId, administratorAccountId: settings.administratorAccountId, until: new Date(deadline).toISOString() });
  return {
    PhysicalResourceId: physicalResourceId,
    Data: {
      [ACCEPTER_ATTRIBUTE.DETECTOR_ID]: detectorId,
      [ACCEPTER_ATTRIBUTE.ADMINISTRATOR_ACCOUNT_ID]: settings.administratorAccountId,
      [ACCEPTER_ATTRIBUTE.INVITATION_DEADLINE]: String(deadline),
    },
  };
}

/**
 * One look at GuardDuty and the step it calls for. Returns the relationship status once
 * the member is associated with the declared administrator, undefined while there is no
 * invitation to accept; throws on a conflict.
 */
async function advance(api: GuardDutyAdministratorApi, declared: DeclaredAdministrator, where: MemberLocation, log: Logger): Promise<string | undefined> {
  const { detectorId } = where;
  const current = await api.getAdministrator(detectorId);
  const invitations = needsInvitations(current, declared) ? await api.listInvitations() : [];
  const step = planAcceptance(current, invitations, declared);
  log.info('planned', {
    detectorId,
    administratorAccountId: declared.administratorAccountId,
    currentAdministratorAccountId: current?.administratorAccountId,
    currentRelationshipStatus: current?.relationshipStatus,
    invitationsFrom: invitations.map((i) => i.administratorAccountId),
    step: step.kind,
  });
  switch (step.kind) {
    case 'done':
      return step.relationshipStatus;
    case 'wait':
      return undefined;
    case 'conflict':
      throw new HandlerError(conflictMessage(step, declared.administratorAccountId, where));
    case 'switch':
      // Only once the new invitation is there: the member is never left without an
      // administrator while it waits.
      await api.disassociateFromAdministrator(detectorId);
      log.warn('left the previous administrator for the declared one', { detectorId, from: step.fromAdministratorAccountId, to: declared.administratorAccountId });
      return accept(api, declared, detectorId, step.invitationId, log);
    case 'accept':
      return accept(api, declared, detectorId, step.invitationId, log);
  }
}

/**
 * Accepts the invitation. When the call fails, GuardDuty may still have applied it: a
 * lost response makes the SDK retry, and the retry meets an invitation already used.
 * So a failure is judged by the relationship it leaves: associated with the declared
 * administrator is success, as for a re-run.
 */
async function accept(api: GuardDutyAdministratorApi, declared: DeclaredAdministrator, detectorId: string, invitationId: string, log: Logger): Promise<string> {
  try {
    await api.acceptInvitation(detectorId, declared.administratorAccountId, invitationId);
  } catch (error) {
    const after = await api.getAdministrator(detectorId);
    if (after === undefined || !isAssociatedWith(after, declared.administratorAccountId)) {
      throw error;
    }
    log.warn('the accept call failed, but the invitation was accepted (a retried call whose response was lost)', {
      detectorId,
      administratorAccountId: declared.administratorAccountId,
      error: String((error as Error)?.message ?? error),
    });
    return after.relationshipStatus;
  }
  log.info('accepted the invitation', { detectorId, administratorAccountId: declared.administratorAccountId, invitationId });
  return ACCEPTED_STATUS;
}

/**
 * With DESTROY, leaves the administrator the physical ID names, and only that one: after
 * an Update to a new administrator, CloudFormation deletes the old resource, and the
 * member must stay with the new one. Delete never fails for work already done (no
 * administrator, another administrator, detector gone): a failing Delete blocks stack
 * deletion and rollbacks.
 */
async function onDelete(
  api: GuardDutyAdministratorApi,
  event: CloudFormationCustomResourceEvent & { PhysicalResourceId: string },
  checkRollback: () => Promise<RollbackCheck>,
  log: Logger,
): Promise<HandlerResponse> {
  const physicalResourceId = event.PhysicalResourceId;
  const settings = parseOrUndefined(event.ResourceProperties, log);
  if (!settings || settings.removalPolicy !== 'DESTROY') {
    log.info('Delete: administrator relationship retained', { removalPolicy: settings?.removalPolicy ?? 'unknown' });
    return { PhysicalResourceId: physicalResourceId };
  }
  const named = parseAccepterPhysicalId(physicalResourceId);
  const administratorAccountId = named?.administratorAccountId ?? settings.administratorAccountId;
  const detectorId = named?.detectorId ?? settings.detectorId ?? (await api.findDetectorId());
  if (!detectorId) {
    log.info('Delete: no detector, so no administrator to leave');
    return { PhysicalResourceId: physicalResourceId };
  }
  try {
    const current = await api.getAdministrator(detectorId);
    if (!isAssociatedWith(current, administratorAccountId)) {
      log.info('Delete: not associated with the administrator, nothing to leave', { detectorId, administratorAccountId, current: current?.administratorAccountId });
      return { PhysicalResourceId: physicalResourceId };
    }
    // In a rollback the association may predate the failed step (an account that was
    // already a member when the stack was created): leaving would end its coverage.
    const rollback = await checkRollback();
    if (rollback.rollingBack) {
      log.warn('Delete during a rollback: the administrator relationship is kept', { detectorId, administratorAccountId, because: rollback.because });
      return { PhysicalResourceId: physicalResourceId };
    }
    await api.disassociateFromAdministrator(detectorId);
    log.info('Delete: disassociated from the administrator', { detectorId, administratorAccountId });
  } catch (error) {
    if (!isDetectorGone(error) && !isNotAssociated(error)) {
      throw error;
    }
    log.info('Delete: the detector or the relationship no longer exists', { detectorId, error: String((error as Error).message) });
  }
  return { PhysicalResourceId: physicalResourceId };
}

function rollbackCheckFor(event: { StackId?: string }, context: Pick<Context, 'getRemainingTimeInMillis'>): () => Promise<RollbackCheck> {
  return () => {
    cloudFormation ??= createCloudFormationClient();
    return checkRollback(cloudFormation, event.StackId, Deadline.fromRemaining(context.getRemainingTimeInMillis(), RESPONSE_RESERVE_MS, Date.now, RERUN_ADVICE));
  };
}

function apiFor(context: Pick<Context, 'getRemainingTimeInMillis'>): GuardDutyAdministratorApi {
  client ??= createGuardDutyClient();
  return guardDutyAdministratorApi(client, Deadline.fromRemaining(context.getRemainingTimeInMillis(), RESPONSE_RESERVE_MS, Date.now, RERUN_ADVICE));
}

async function resolveDetectorId(api: GuardDutyAdministratorApi, settings: AccepterSettings, event: CloudFormationCustomResourceEvent): Promise<string> {
  if (settings.detectorId) {
    return settings.detectorId;
  }
  const found = await api.findDetectorId();
  if (!found) {
    const { accountId, region } = locationOf(event);
    throw new HandlerError(
      `GuardDuty has no detector in account ${accountId ?? 'of this stack'} and region ${region ?? 'of this stack'}, so there is nothing to accept the invitation with. ` +
        'Enable GuardDuty there first (for example with a guardduty.CfnDetector in the same stack, passing detector.ref as detectorId), ' +
        'or pass the ID of an existing detector as detectorId.',
    );
  }
  return found;
}

/**
 * The administrator declared, and on an Update the one the old properties declared: the
 * member may leave that one for the new one (see planAcceptance).
 */
function declaredAdministrator(settings: AccepterSettings, event: object): DeclaredAdministrator {
  const previous = ('OldResourceProperties' in event ? (event.OldResourceProperties as { AdministratorAccountId?: unknown } | undefined) : undefined)?.AdministratorAccountId;
  return {
    administratorAccountId: settings.administratorAccountId,
    previousAdministratorAccountId: typeof previous === 'string' && /^\d{12}$/.test(previous) ? previous : undefined,
  };
}

function responseData(settings: AccepterSettings, detectorId: string, relationshipStatus: string): Record<string, string> {
  return {
    [ACCEPTER_ATTRIBUTE.DETECTOR_ID]: detectorId,
    [ACCEPTER_ATTRIBUTE.ADMINISTRATOR_ACCOUNT_ID]: settings.administratorAccountId,
    [ACCEPTER_ATTRIBUTE.RELATIONSHIP_STATUS]: relationshipStatus,
  };
}

/** The account and region the stack, and so the handler, is in: read from the stack ARN. */
function locationOf(event: { StackId?: string }): { accountId?: string; region?: string } {
  const [, , , region, accountId] = (event.StackId ?? '').split(':');
  return { accountId: /^\d{12}$/.test(accountId ?? '') ? accountId : undefined, region: region || process.env.AWS_REGION };
}

function accountOf(event: { StackId?: string }): string | undefined {
  return locationOf(event).accountId;
}

function parseOrUndefined(raw: unknown, log: Logger): AccepterSettings | undefined {
  try {
    return parseAccepterSettings(raw);
  } catch (error) {
    log.warn('ignoring unreadable properties', { error: String(error instanceof Error ? error.message : error) });
    return undefined;
  }
}

/** DisassociateFromAdministratorAccount's refusal when there is no administrator to leave. */
function isNotAssociated(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  return e?.name === 'BadRequestException' && /not (currently )?(associated|a member)|no (administrator|master)/i.test(e.message ?? '');
}
