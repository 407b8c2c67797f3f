import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { GUARDDUTY_POLICY_TYPE, RESOURCE_TYPE } from '../../lib/private/organization-policy-contract';
import { Deadline } from '../shared/deadline';
import { HandlerError, toHandlerError } from '../shared/handler-error';
import { createLogger } from '../shared/logger';
import { createOrganizationsClient } from '../shared/organizations-api';
import { CompletionResponse, HandlerResponse } from '../shared/provider-responses';
import { OrganizationsPolicyApi, organizationsPolicyApi } from './organizations-policy-api';
import { explainedRefusal } from './organizations-refusals';
import { createPolicy, deletePolicy, updatePolicy } from './policy-resource';
import { deletePolicyType, enablePolicyType, policyTypeEnabled } from './policy-type-resource';

/**
 * The handler behind GuardDutyOrganizationPolicy's two custom resource types: the
 * GUARDDUTY_POLICY type on the organization's root (Custom::OrganizationsPolicyType) and
 * the policy (Custom::GuardDutyOrganizationPolicy), which CloudFormation's
 * AWS::Organizations::Policy does not take.
 */

/** Time kept back from the Lambda timeout for the framework to send its response. */
const RESPONSE_RESERVE_MS = 5_000;
const RERUN_ADVICE = 'a re-run reads the organization again and does only what is left. Retry the deployment.';

/** One client per container: Lambda reuses it across invocations. */
let client: OrganizationsClient | undefined;

type Event = CloudFormationCustomResourceEvent & { PhysicalResourceId?: string };

export async function handler(event: CloudFormationCustomResourceEvent, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<HandlerResponse> {
  const log = createLogger({ requestType: event.RequestType, logicalResourceId: event.LogicalResourceId, requestId: event.RequestId });
  try {
    const api = apiFor(context);
    const policyType = event.ResourceType === RESOURCE_TYPE.POLICY_TYPE;
    if (!policyType && event.ResourceType !== RESOURCE_TYPE.POLICY) {
      throw new HandlerError(`Unknown ResourceType ${JSON.stringify(event.ResourceType)}: expected ${RESOURCE_TYPE.POLICY_TYPE} or ${RESOURCE_TYPE.POLICY}.`);
    }
    switch (event.RequestType) {
      case 'Create':
        return await (policyType ? enablePolicyType(api, event, undefined, log) : createPolicy(api, event, log));
      case 'Update':
        return await (policyType ? enablePolicyType(api, event, event.PhysicalResourceId, log) : updatePolicy(api, event, log));
      case 'Delete':
        return await (policyType ? deletePolicyType(api, event, log) : deletePolicy(api, event, log));
      default:
        throw new HandlerError(`Unknown RequestType ${JSON.stringify((event as { RequestType?: unknown }).RequestType)}: expected Create, Update or Delete.`);
    }
  } catch (error) {
    throw toHandlerError(explained(error, event), log, 'AWS Organizations');
  }
}

/** Only the policy type has something to wait for (PENDING_ENABLE); a policy applies when its calls return. */
export async function isComplete(event: Event, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<CompletionResponse> {
  if (event.RequestType === 'Delete' || event.ResourceType !== RESOURCE_TYPE.POLICY_TYPE) {
    return { IsComplete: true };
  }
  const log = createLogger({ requestType: event.RequestType, logicalResourceId: event.LogicalResourceId, requestId: event.RequestId });
  try {
    return await policyTypeEnabled(apiFor(context), event, log);
  } catch (error) {
    throw toHandlerError(explained(error, event), log, 'AWS Organizations');
  }
}

/** Names the refused call the way the user can act on: enabling the type, or managing the policy. */
function explained(error: unknown, event: Event): unknown {
  const accountId = (event.StackId ?? '').split(':')[4] || undefined;
  const action =
    event.ResourceType === RESOURCE_TYPE.POLICY_TYPE ? (event.RequestType === 'Delete' ? 'DisablePolicyType' : 'EnablePolicyType') : event.RequestType === 'Delete' ? 'DeletePolicy' : event.RequestType === 'Create' ? 'CreatePolicy' : 'UpdatePolicy';
  return explainedRefusal(error, action, GUARDDUTY_POLICY_TYPE, accountId);
}

function apiFor(context: Pick<Context, 'getRemainingTimeInMillis'>): OrganizationsPolicyApi {
  client ??= createOrganizationsClient();
  return organizationsPolicyApi(client, Deadline.fromRemaining(context.getRemainingTimeInMillis(), RESPONSE_RESERVE_MS, Date.now, RERUN_ADVICE));
}
