import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { POLICY_TYPE_ATTRIBUTE, PolicyTypeOrigin, parsePolicyTypePhysicalId, policyTypePhysicalId } from '../../lib/private/policy-type-contract';
import { Deadline } from '../shared/deadline';
import { HandlerError, toHandlerError } from '../shared/handler-error';
import { Logger, createLogger } from '../shared/logger';
import { createOrganizationsClient } from '../shared/organizations-api';
import { CompletionResponse, HandlerResponse } from '../shared/provider-responses';
import { OrganizationsPolicyTypeApi, organizationsPolicyTypeApi } from './organizations-policy-type-api';
import { accessDeniedMessage, disablingMessage, planEnablement, shouldDisable } from './policy-type-plan';
import { parsePolicyTypeSettings } from './policy-type-properties';

/** Time kept back from the Lambda timeout for the framework to send its response. */
const RESPONSE_RESERVE_MS = 5_000;
const RERUN_ADVICE = 'a re-run reads the root\'s policy types again and does only what is left. Retry the deployment.';

/** One client per container: Lambda reuses it across invocations. */
let client: OrganizationsClient | undefined;

type Event = CloudFormationCustomResourceEvent & { PhysicalResourceId?: string };

export async function handler(event: CloudFormationCustomResourceEvent, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<HandlerResponse> {
  const log = createLogger({ requestType: event.RequestType, logicalResourceId: event.LogicalResourceId, requestId: event.RequestId });
  try {
    switch (event.RequestType) {
      case 'Create':
        return await onCreateOrUpdate(apiFor(context), event, undefined, log);
      case 'Update':
        return await onCreateOrUpdate(apiFor(context), event, event.PhysicalResourceId, log);
      case 'Delete':
        return await onDelete(apiFor(context), event, log);
      default:
        throw new HandlerError(`Unknown RequestType ${JSON.stringify((event as { RequestType?: unknown }).RequestType)}: expected Create, Update or Delete.`);
    }
  } catch (error) {
    throw toHandlerError(explained(error, event), log);
  }
}

/** Create and Update wait until the type is ENABLED (EnablePolicyType leaves it PENDING_ENABLE a while); a Delete waits for nothing. */
export async function isComplete(event: Event, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<CompletionResponse> {
  if (event.RequestType === 'Delete') {
    return { IsComplete: true };
  }
  const log = createLogger({ requestType: event.RequestType, logicalResourceId: event.LogicalResourceId, requestId: event.RequestId });
  try {
    const { policyType } = parsePolicyTypeSettings(event.ResourceProperties);
    const root = await apiFor(context).readRoot(policyType);
    if (root.status !== 'ENABLED') {
      log.info('waiting for the policy type', { policyType, status: root.status ?? 'not listed yet' });
      return { IsComplete: false };
    }
    return { IsComplete: true, Data: { [POLICY_TYPE_ATTRIBUTE.ROOT_ID]: root.rootId, [POLICY_TYPE_ATTRIBUTE.STATUS]: 'ENABLED' } };
  } catch (error) {
    throw toHandlerError(explained(error, event), log);
  }
}

/**
 * Reads the root first and enables the type only when it is off. The physical ID
 * records whether this resource enabled it; on an Update the earlier record stands, so
 * a type this resource enabled stays its own to disable.
 */
async function onCreateOrUpdate(api: OrganizationsPolicyTypeApi, event: Event, previousPhysicalId: string | undefined, log: Logger): Promise<HandlerResponse> {
  const { policyType } = parsePolicyTypeSettings(event.ResourceProperties);
  const root = await api.readRoot(policyType);
  const previous = parsePolicyTypePhysicalId(previousPhysicalId);
  const step = planEnablement(root.status);
  log.info('planned', { policyType, rootId: root.rootId, status: root.status ?? 'off', step: step.kind });
  const answer = (origin: PolicyTypeOrigin) => ({
    PhysicalResourceId: policyTypePhysicalId(root.rootId, policyType, previous?.rootId === root.rootId && previous.policyType === policyType ? previous.origin : origin),
    Data: { [POLICY_TYPE_ATTRIBUTE.ROOT_ID]: root.rootId },
  });
  switch (step.kind) {
    case 'done':
    case 'wait':
      return answer('found');
    case 'disabling':
      throw new HandlerError(disablingMessage(policyType, root.rootId));
    case 'enable':
      try {
        await api.enable(root.rootId, policyType);
      } catch (error) {
        // A concurrent or retried enable that got there first: the type is on, not ours.
        if ((error as Error)?.name === 'PolicyTypeAlreadyEnabledException') {
          log.warn('the type was enabled in the meantime', { policyType });
          return answer('found');
        }
        throw error;
      }
      log.info('enabled the policy type', { policyType, rootId: root.rootId });
      return answer('enabled');
  }
}

/** With DESTROY, disables the type, but only one this resource enabled and only while it is enabled. */
async function onDelete(api: OrganizationsPolicyTypeApi, event: Event, log: Logger): Promise<HandlerResponse> {
  const physicalResourceId = event.PhysicalResourceId ?? '';
  const removalPolicy = (event.ResourceProperties as { RemovalPolicy?: unknown } | undefined)?.RemovalPolicy;
  const named = parsePolicyTypePhysicalId(physicalResourceId);
  if (removalPolicy !== 'DESTROY' || named?.origin !== 'enabled') {
    log.info('Delete: policy type left enabled', { removalPolicy: String(removalPolicy ?? 'RETAIN'), origin: named?.origin ?? 'unknown' });
    return { PhysicalResourceId: physicalResourceId };
  }
  const root = await api.readRoot(named.policyType);
  if (!shouldDisable(removalPolicy, named.origin, root.status)) {
    log.info('Delete: the policy type is not enabled, nothing to disable', { policyType: named.policyType, status: root.status ?? 'off' });
    return { PhysicalResourceId: physicalResourceId };
  }
  await api.disable(root.rootId, named.policyType);
  log.info('Delete: disabled the policy type', { policyType: named.policyType, rootId: root.rootId });
  return { PhysicalResourceId: physicalResourceId };
}

/** AWS Organizations' refusals that need more than their own words: who may call, what is missing. */
function explained(error: unknown, event: Event): unknown {
  const name = (error as Error)?.name;
  const message = String((error as Error)?.message ?? error);
  const policyType = String((event.ResourceProperties as { PolicyType?: unknown } | undefined)?.PolicyType ?? 'GUARDDUTY_POLICY');
  const accountId = (event.StackId ?? '').split(':')[4] || undefined;
  if (name === 'AccessDeniedException') {
    const action = event.RequestType === 'Delete' ? 'DisablePolicyType' : /ListRoots|root/i.test(message) ? 'ListRoots' : 'EnablePolicyType';
    return new HandlerError(accessDeniedMessage(policyType, action, accountId, message));
  }
  if (name === 'AWSOrganizationsNotInUseException') {
    return new HandlerError(`Account ${accountId ?? 'of this stack'} is not in an AWS Organization: GuardDutyOrganizationPolicy runs in the organization's management account or a delegated administrator. (AWS Organizations: ${message})`);
  }
  if (name === 'PolicyTypeNotAvailableForOrganizationException') {
    return new HandlerError(`AWS Organizations does not offer ${policyType} to this organization: it needs all features enabled (not only consolidated billing) and a Region where GuardDuty policies are available. (AWS Organizations: ${message})`);
  }
  return error;
}

function apiFor(context: Pick<Context, 'getRemainingTimeInMillis'>): OrganizationsPolicyTypeApi {
  client ??= createOrganizationsClient();
  return organizationsPolicyTypeApi(client, Deadline.fromRemaining(context.getRemainingTimeInMillis(), RESPONSE_RESERVE_MS, Date.now, RERUN_ADVICE));
}
