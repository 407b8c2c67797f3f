import { DisablePolicyTypeCommand, EnablePolicyTypeCommand, ListRootsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { Deadline } from '../shared/deadline';
import { HandlerError } from '../shared/handler-error';
import { PolicyTypeStatus } from './policy-type-plan';

/** The root and the status of one policy type on it. */
export interface RootPolicyType {
  readonly rootId: string;
  readonly status: PolicyTypeStatus;
}

/** The handler's AWS Organizations calls, its only I/O; bounded by the deadline. */
export interface OrganizationsPolicyTypeApi {
  readRoot(policyType: string): Promise<RootPolicyType>;
  enable(rootId: string, policyType: string): Promise<void>;
  disable(rootId: string, policyType: string): Promise<void>;
}

export function organizationsPolicyTypeApi(client: OrganizationsClient, deadline: Deadline): OrganizationsPolicyTypeApi {
  return {
    async readRoot(policyType) {
      // An organization has exactly one root: one page, whatever the token says.
      const output = await deadline.run('reading the organization\'s root', (abortSignal) => client.send(new ListRootsCommand({}), { abortSignal }));
      const root = output.Roots?.[0];
      if (!root?.Id) {
        throw new HandlerError('AWS Organizations listed no root for this organization: ListRoots returned none.');
      }
      const status = root.PolicyTypes?.find((type) => type.Type === policyType)?.Status as PolicyTypeStatus;
      return { rootId: root.Id, status };
    },

    async enable(rootId, policyType) {
      await deadline.run(`enabling the ${policyType} policy type`, (abortSignal) => client.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: policyType as never }), { abortSignal }));
    },

    async disable(rootId, policyType) {
      await deadline.run(`disabling the ${policyType} policy type`, (abortSignal) => client.send(new DisablePolicyTypeCommand({ RootId: rootId, PolicyType: policyType as never }), { abortSignal }));
    },
  };
}
