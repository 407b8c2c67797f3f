import type { GuardDutyClient } from '@aws-sdk/client-guardduty';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import {
  ORGANIZATION_CONFIGURATION_ATTRIBUTE,
  detectorIdOfPhysicalId,
  organizationConfigurationPhysicalId,
} from '../../lib/private/organization-configuration-contract';
import { Deadline } from '../shared/deadline';
import { createGuardDutyClient, isDetectorGone } from '../shared/guardduty-client';
import { HandlerError, toHandlerError } from '../shared/handler-error';
import { Logger, createLogger } from '../shared/logger';
import { CompletionResponse, HandlerResponse } from '../shared/provider-responses';
import { AUTO_ENABLE_OFF, planConfigurationUpdate } from './configuration-diff';
import { OrganizationConfigurationSettings, parseOrganizationConfigurationSettings } from './configuration-properties';
import { planFrequencyUpdate } from './frequency-plan';
import { GuardDutyOrganizationApi, guardDutyOrganizationApi } from './guardduty-organization-api';

/** Time kept back from the Lambda timeout for the framework to send its response. */
const RESPONSE_RESERVE_MS = 5_000;
const RERUN_ADVICE = 'a re-run reads the configuration again and changes only what still differs. Retry the deployment.';

/** One client per container: Lambda reuses it across invocations. */
let client: GuardDutyClient | undefined;

export async function handler(event: CloudFormationCustomResourceEvent, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<HandlerResponse> {
  const log = createLogger({ requestType: event.RequestType, logicalResourceId: event.LogicalResourceId, requestId: event.RequestId });
  try {
    switch (event.RequestType) {
      case 'Create':
      case 'Update':
        return await onCreateOrUpdate(apiFor(context), event, log);
      case 'Delete':
        return await onDelete(apiFor(context), event, log);
      default:
        throw new HandlerError(`Unknown RequestType ${JSON.stringify((event as { RequestType?: unknown }).RequestType)}: expected Create, Update or Delete.`);
    }
  } catch (error) {
    throw toHandlerError(error, log);
  }
}

/** Nothing to wait for: the update applies when the call returns (GuardDuty rolls ALL out over hours, which no deployment waits for). */
export async function isComplete(): Promise<CompletionResponse> {
  return { IsComplete: true };
}

/**
 * Reads the configuration and updates it only where it differs from the declared one, so
 * a re-run with nothing to change makes no write call.
 */
async function onCreateOrUpdate(api: GuardDutyOrganizationApi, event: CloudFormationCustomResourceEvent, log: Logger): Promise<HandlerResponse> {
  const settings = parseOrganizationConfigurationSettings(event.ResourceProperties);
  const detectorId = await resolveDetectorId(api, settings, event);
  const current = await api.describe(detectorId);
  const update = planConfigurationUpdate(settings.declared, current);
  if (update) {
    await api.update(detectorId, update.autoEnableOrganizationMembers, update.features);
    log.info('updated the organization configuration', { detectorId, changes: update.changes });
  } else {
    log.info('the organization configuration is as declared: nothing to update', { detectorId });
  }
  const frequencyUpdated = await applyFrequency(api, detectorId, settings.findingPublishingFrequency, log);
  return {
    PhysicalResourceId: organizationConfigurationPhysicalId(detectorId),
    Data: {
      [ORGANIZATION_CONFIGURATION_ATTRIBUTE.DETECTOR_ID]: detectorId,
      [ORGANIZATION_CONFIGURATION_ATTRIBUTE.MEMBER_ACCOUNT_LIMIT_REACHED]: String(current.memberAccountLimitReached),
      [ORGANIZATION_CONFIGURATION_ATTRIBUTE.UPDATED]: String(update !== undefined || frequencyUpdated),
    },
  };
}

/** Reads the detector only when a frequency is declared, and writes only when it differs. */
async function applyFrequency(api: GuardDutyOrganizationApi, detectorId: string, declared: string | undefined, log: Logger): Promise<boolean> {
  if (declared === undefined) {
    return false;
  }
  const current = await api.findingPublishingFrequency(detectorId);
  const frequency = planFrequencyUpdate(declared, current);
  if (frequency === undefined) {
    log.info('the finding publishing frequency is as declared', { detectorId, frequency: declared });
    return false;
  }
  await api.setFindingPublishingFrequency(detectorId, frequency);
  log.info('updated the finding publishing frequency', { detectorId, from: current ?? 'unset', to: frequency });
  return true;
}

/**
 * With DESTROY, stops auto-enable (NONE) on the detector the physical ID names; members
 * already enabled and the feature settings stay. Work already done (auto-enable already
 * NONE, detector gone) is success: a failing Delete blocks stack deletion and rollbacks.
 */
async function onDelete(api: GuardDutyOrganizationApi, event: CloudFormationCustomResourceEvent & { PhysicalResourceId: string }, log: Logger): Promise<HandlerResponse> {
  const physicalResourceId = event.PhysicalResourceId;
  const removalPolicy = (event.ResourceProperties as { RemovalPolicy?: unknown } | undefined)?.RemovalPolicy;
  const detectorId = detectorIdOfPhysicalId(physicalResourceId);
  if (removalPolicy !== 'DESTROY' || detectorId === undefined) {
    log.info('Delete: organization configuration retained', { removalPolicy: String(removalPolicy ?? 'RETAIN'), detectorId });
    return { PhysicalResourceId: physicalResourceId };
  }
  try {
    const current = await api.describe(detectorId);
    if (current.autoEnableOrganizationMembers === AUTO_ENABLE_OFF) {
      log.info('Delete: auto-enable is already NONE', { detectorId });
      return { PhysicalResourceId: physicalResourceId };
    }
    await api.update(detectorId, AUTO_ENABLE_OFF, []);
    log.info('Delete: set auto-enable to NONE', { detectorId, from: current.autoEnableOrganizationMembers ?? 'unset' });
  } catch (error) {
    if (!isDetectorGone(error)) {
      throw error;
    }
    log.info('Delete: the detector no longer exists', { detectorId });
  }
  return { PhysicalResourceId: physicalResourceId };
}

function apiFor(context: Pick<Context, 'getRemainingTimeInMillis'>): GuardDutyOrganizationApi {
  client ??= createGuardDutyClient();
  return guardDutyOrganizationApi(client, Deadline.fromRemaining(context.getRemainingTimeInMillis(), RESPONSE_RESERVE_MS, Date.now, RERUN_ADVICE));
}

async function resolveDetectorId(api: GuardDutyOrganizationApi, settings: OrganizationConfigurationSettings, event: { StackId?: string }): Promise<string> {
  if (settings.detectorId) {
    return settings.detectorId;
  }
  const found = await api.findDetectorId();
  if (!found) {
    const [, , , region, accountId] = (event.StackId ?? '').split(':');
    throw new HandlerError(
      `GuardDuty has no detector in account ${accountId || 'of this stack'} and region ${region || 'of this stack'}. ` +
        'The organization configuration is set from the delegated administrator account, where GuardDutyDelegatedAdministrator (run in the management account) enables GuardDuty; ' +
        'deploy this stack in that account and region, or pass its detector ID as detectorId.',
    );
  }
  return found;
}
