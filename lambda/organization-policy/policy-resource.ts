import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { GUARDDUTY_POLICY_TYPE, POLICY_ATTRIBUTE, isPolicyId } from '../../lib/private/organization-policy-contract';
import { Logger } from '../shared/logger';
import { HandlerResponse } from '../shared/provider-responses';
import { OrganizationsPolicyApi, PolicySummary } from './organizations-policy-api';
import { attachmentChanges, sameDocument } from './policy-plan';
import { GuardDutyPolicySettings, parseGuardDutyPolicySettings } from './resource-properties';

type Event = CloudFormationCustomResourceEvent & { PhysicalResourceId?: string };

/**
 * Create: the policy of that name if one exists (a retried Create, whose first response
 * was lost, finds the policy it made; names are unique within a type), else a new one;
 * then attached to every declared target it is not attached to yet.
 */
export async function createPolicy(api: OrganizationsPolicyApi, event: Event, log: Logger): Promise<HandlerResponse> {
  const settings = parseGuardDutyPolicySettings(event.ResourceProperties);
  const existing = await api.findPolicy(GUARDDUTY_POLICY_TYPE, settings.name);
  const policy = existing ? await api.updatePolicy(existing.id, changes(settings)) : await createOrFind(api, settings, log);
  log.info(existing ? 'took over the policy of that name' : 'created the policy', { policyId: policy.id, name: settings.name });
  await reconcileTargets(api, policy.id, settings.targetIds, log);
  return response(policy);
}

/**
 * CreatePolicy; when the SDK retried it after a lost response, the retry meets the policy
 * its first attempt made (DuplicatePolicyException), which is then the one to use.
 */
async function createOrFind(api: OrganizationsPolicyApi, settings: GuardDutyPolicySettings, log: Logger): Promise<PolicySummary> {
  try {
    return await api.createPolicy(GUARDDUTY_POLICY_TYPE, changes(settings));
  } catch (error) {
    const made = (error as Error)?.name === 'DuplicatePolicyException' ? await api.findPolicy(GUARDDUTY_POLICY_TYPE, settings.name) : undefined;
    if (!made) {
      throw error;
    }
    log.warn('the policy of that name exists: a retried CreatePolicy, or another stack\'s; taking it over', { policyId: made.id });
    return api.updatePolicy(made.id, changes(settings));
  }
}

/**
 * Update: UpdatePolicy only when the name, description or document changed (the same
 * document in another key order is no change), then attach and detach so the policy is
 * on exactly the declared targets. Same physical ID.
 */
export async function updatePolicy(api: OrganizationsPolicyApi, event: Event & { OldResourceProperties?: unknown }, log: Logger): Promise<HandlerResponse> {
  const settings = parseGuardDutyPolicySettings(event.ResourceProperties);
  if (!isPolicyId(event.PhysicalResourceId)) {
    return createPolicy(api, event, log);
  }
  const old = event.OldResourceProperties as { Name?: unknown; Description?: unknown; Content?: unknown } | undefined;
  const changed = old?.Name !== settings.name || (old?.Description ?? '') !== settings.description || !sameDocument(old?.Content, settings.content);
  // Unchanged, the listing gives the ARN the response carries, without a write.
  const policy = changed ? await api.updatePolicy(event.PhysicalResourceId, changes(settings)) : ((await api.findPolicy(GUARDDUTY_POLICY_TYPE, settings.name)) ?? (await api.updatePolicy(event.PhysicalResourceId, changes(settings))));
  log.info(changed ? 'updated the policy' : 'the policy document is unchanged', { policyId: policy.id });
  await reconcileTargets(api, policy.id, settings.targetIds, log);
  return response(policy);
}

/** With DESTROY, detaches the policy from every target and deletes it; a policy already gone is success. */
export async function deletePolicy(api: OrganizationsPolicyApi, event: Event, log: Logger): Promise<HandlerResponse> {
  const physicalResourceId = event.PhysicalResourceId ?? '';
  const removalPolicy = (event.ResourceProperties as { RemovalPolicy?: unknown } | undefined)?.RemovalPolicy;
  if (removalPolicy !== 'DESTROY' || !isPolicyId(physicalResourceId)) {
    log.info('Delete: policy retained', { removalPolicy: String(removalPolicy ?? 'RETAIN'), policyId: physicalResourceId });
    return { PhysicalResourceId: physicalResourceId };
  }
  try {
    for (const targetId of await api.listTargets(physicalResourceId)) {
      await detachIfAttached(api, physicalResourceId, targetId);
    }
    await api.deletePolicy(physicalResourceId);
    log.info('Delete: detached and deleted the policy', { policyId: physicalResourceId });
  } catch (error) {
    if ((error as Error)?.name !== 'PolicyNotFoundException') {
      throw error;
    }
    log.info('Delete: the policy no longer exists', { policyId: physicalResourceId });
  }
  return { PhysicalResourceId: physicalResourceId };
}

async function reconcileTargets(api: OrganizationsPolicyApi, policyId: string, desired: readonly string[], log: Logger): Promise<void> {
  const { attach, detach } = attachmentChanges(desired, await api.listTargets(policyId));
  for (const targetId of attach) {
    try {
      await api.attach(policyId, targetId);
    } catch (error) {
      // Attached by a call whose response was lost: the state we want.
      if ((error as Error)?.name !== 'DuplicatePolicyAttachmentException') {
        throw error;
      }
    }
  }
  for (const targetId of detach) {
    await detachIfAttached(api, policyId, targetId);
  }
  log.info('targets reconciled', { policyId, attached: attach, detached: detach });
}

/** Detached by a call whose response was lost (PolicyNotAttachedException on the retry): the state we want. */
async function detachIfAttached(api: OrganizationsPolicyApi, policyId: string, targetId: string): Promise<void> {
  try {
    await api.detach(policyId, targetId);
  } catch (error) {
    if ((error as Error)?.name !== 'PolicyNotAttachedException') {
      throw error;
    }
  }
}

function changes(settings: GuardDutyPolicySettings) {
  return { name: settings.name, description: settings.description, content: JSON.stringify(settings.content) };
}

function response(policy: PolicySummary): HandlerResponse {
  return { PhysicalResourceId: policy.id, Data: { [POLICY_ATTRIBUTE.POLICY_ID]: policy.id, [POLICY_ATTRIBUTE.POLICY_ARN]: policy.arn } };
}
