import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { POLICY_TYPE_ATTRIBUTE, PolicyTypeOrigin, parsePolicyTypePhysicalId, policyTypePhysicalId } from '../../lib/private/organization-policy-contract';
import { HandlerError } from '../shared/handler-error';
import { Logger } from '../shared/logger';
import { CompletionResponse, HandlerResponse } from '../shared/provider-responses';
import { OrganizationsPolicyApi } from './organizations-policy-api';
import { disablingMessage, planEnablement, shouldDisable } from './policy-type-plan';
import { parsePolicyTypeSettings } from './resource-properties';

type Event = CloudFormationCustomResourceEvent & { PhysicalResourceId?: string };

/**
 * Create and Update of the policy type: reads the root first and enables the type only
 * when it is off. The physical ID records whether this resource enabled it; on an Update
 * the earlier record stands, so a type this resource enabled stays its own to disable.
 */
export async function enablePolicyType(api: OrganizationsPolicyApi, event: Event, previousPhysicalId: string | undefined, log: Logger): Promise<HandlerResponse> {
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
        await api.enableType(root.rootId, policyType);
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

/** EnablePolicyType leaves the type PENDING_ENABLE a while: Create and Update complete once it is ENABLED. */
export async function policyTypeEnabled(api: OrganizationsPolicyApi, event: Event, log: Logger): Promise<CompletionResponse> {
  const { policyType } = parsePolicyTypeSettings(event.ResourceProperties);
  const root = await api.readRoot(policyType);
  if (root.status !== 'ENABLED') {
    log.info('waiting for the policy type', { policyType, status: root.status ?? 'not listed yet' });
    return { IsComplete: false };
  }
  return { IsComplete: true, Data: { [POLICY_TYPE_ATTRIBUTE.ROOT_ID]: root.rootId, [POLICY_TYPE_ATTRIBUTE.STATUS]: 'ENABLED' } };
}

/** With DESTROY, disables the type, but only one this resource enabled and only while it is enabled. */
export async function deletePolicyType(api: OrganizationsPolicyApi, event: Event, log: Logger): Promise<HandlerResponse> {
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
  try {
    await api.disableType(root.rootId, named.policyType);
  } catch (error) {
    // A retried disable whose first attempt got there (its response lost): the type is off, as wanted.
    if ((error as Error)?.name !== 'PolicyTypeNotEnabledException') {
      throw error;
    }
    log.warn('the type was disabled in the meantime', { policyType: named.policyType });
    return { PhysicalResourceId: physicalResourceId };
  }
  log.info('Delete: disabled the policy type', { policyType: named.policyType, rootId: root.rootId });
  return { PhysicalResourceId: physicalResourceId };
}
