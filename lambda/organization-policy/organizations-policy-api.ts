import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  DeletePolicyCommand,
  DetachPolicyCommand,
  DisablePolicyTypeCommand,
  EnablePolicyTypeCommand,
  ListPoliciesCommand,
  ListRootsCommand,
  ListTargetsForPolicyCommand,
  OrganizationsClient,
  UpdatePolicyCommand,
} from '@aws-sdk/client-organizations';
import { Deadline } from '../shared/deadline';
import { HandlerError } from '../shared/handler-error';
import { PolicyTypeStatus } from './policy-type-plan';

/** The root and the status of one policy type on it. */
export interface RootPolicyType {
  readonly rootId: string;
  readonly status: PolicyTypeStatus;
}

export interface PolicySummary {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
}

export interface PolicyChanges {
  readonly name: string;
  readonly description: string;
  readonly content: string;
}

/** The handler's AWS Organizations calls, its only I/O; every call bounded by the deadline. */
export interface OrganizationsPolicyApi {
  readRoot(policyType: string): Promise<RootPolicyType>;
  enableType(rootId: string, policyType: string): Promise<void>;
  disableType(rootId: string, policyType: string): Promise<void>;
  /** The policies of the type named `name` (names are unique within a type). */
  findPolicy(policyType: string, name: string): Promise<PolicySummary | undefined>;
  createPolicy(policyType: string, policy: PolicyChanges): Promise<PolicySummary>;
  updatePolicy(policyId: string, policy: PolicyChanges): Promise<PolicySummary>;
  deletePolicy(policyId: string): Promise<void>;
  listTargets(policyId: string): Promise<string[]>;
  attach(policyId: string, targetId: string): Promise<void>;
  detach(policyId: string, targetId: string): Promise<void>;
}

/** More pages than this is a token that never ends (Organizations returns at most 20 items a page). */
const MAX_PAGES = 1_000;

export function organizationsPolicyApi(client: OrganizationsClient, deadline: Deadline): OrganizationsPolicyApi {
  const send = <T>(what: string, command: object) =>
    deadline.run(what, (abortSignal) => client.send(command as never, { abortSignal }) as Promise<T>);

  async function everyPage<T>(what: string, page: (nextToken: string | undefined) => object, items: (output: never) => T[] | undefined): Promise<T[]> {
    const all: T[] = [];
    let nextToken: string | undefined;
    for (let index = 0; index < MAX_PAGES; index++) {
      const output = await send<{ NextToken?: string }>(what, page(nextToken));
      all.push(...(items(output as never) ?? []));
      nextToken = output.NextToken || undefined;
      if (nextToken === undefined) {
        return all;
      }
    }
    throw new HandlerError(`AWS Organizations kept returning a NextToken after ${MAX_PAGES} pages while ${what}.`);
  }

  const summary = (policy: { Id?: string; Arn?: string; Name?: string } | undefined): PolicySummary => ({ id: policy?.Id ?? '', arn: policy?.Arn ?? '', name: policy?.Name ?? '' });

  return {
    async readRoot(policyType) {
      // An organization has exactly one root: one page.
      const output = await send<{ Roots?: Array<{ Id?: string; PolicyTypes?: Array<{ Type?: string; Status?: string }> }> }>('reading the organization\'s root', new ListRootsCommand({}));
      const root = output.Roots?.[0];
      if (!root?.Id) {
        throw new HandlerError('AWS Organizations listed no root for this organization: ListRoots returned none.');
      }
      return { rootId: root.Id, status: root.PolicyTypes?.find((type) => type.Type === policyType)?.Status as PolicyTypeStatus };
    },
    enableType: (rootId, policyType) => send(`enabling the ${policyType} policy type`, new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: policyType as never })).then(() => undefined),
    disableType: (rootId, policyType) => send(`disabling the ${policyType} policy type`, new DisablePolicyTypeCommand({ RootId: rootId, PolicyType: policyType as never })).then(() => undefined),

    async findPolicy(policyType, name) {
      const policies = await everyPage(
        `listing the ${policyType} policies`,
        (nextToken) => new ListPoliciesCommand({ Filter: policyType as never, NextToken: nextToken }),
        (output: { Policies?: Array<{ Id?: string; Arn?: string; Name?: string }> }) => output.Policies,
      );
      const found = policies.find((policy) => policy.Name === name);
      return found ? summary(found) : undefined;
    },

    async createPolicy(policyType, policy) {
      const output = await send<{ Policy?: { PolicySummary?: { Id?: string; Arn?: string; Name?: string } } }>(
        'creating the policy',
        new CreatePolicyCommand({ Type: policyType as never, Name: policy.name, Description: policy.description, Content: policy.content }),
      );
      return summary(output.Policy?.PolicySummary);
    },

    async updatePolicy(policyId, policy) {
      const output = await send<{ Policy?: { PolicySummary?: { Id?: string; Arn?: string; Name?: string } } }>(
        'updating the policy',
        new UpdatePolicyCommand({ PolicyId: policyId, Name: policy.name, Description: policy.description, Content: policy.content }),
      );
      return summary(output.Policy?.PolicySummary);
    },

    deletePolicy: (policyId) => send('deleting the policy', new DeletePolicyCommand({ PolicyId: policyId })).then(() => undefined),

    listTargets: (policyId) =>
      everyPage(
        'listing the policy\'s targets',
        (nextToken) => new ListTargetsForPolicyCommand({ PolicyId: policyId, NextToken: nextToken }),
        (output: { Targets?: Array<{ TargetId?: string }> }) => output.Targets?.flatMap((target) => (target.TargetId ? [target.TargetId] : [])),
      ),
    attach: (policyId, targetId) => send(`attaching the policy to ${targetId}`, new AttachPolicyCommand({ PolicyId: policyId, TargetId: targetId })).then(() => undefined),
    detach: (policyId, targetId) => send(`detaching the policy from ${targetId}`, new DetachPolicyCommand({ PolicyId: policyId, TargetId: targetId })).then(() => undefined),
  };
}
