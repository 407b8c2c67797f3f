import { featuresInRegion, renderedPolicyProblems } from '../../../lib/private/guardduty-policy-syntax';
import { Caller } from './caller-identity';
import { GuardDutyState } from './guardduty-state';
import { OrganizationPolicy } from './organization-policies';
import { OrganizationsHandler, organizationsError } from './organizations-operations';

/**
 * AWS Organizations' policy operations (JSON 1.1, shapes from `@aws-sdk/client-organizations`):
 * enabling and disabling a policy type on the root, creating, updating, listing,
 * attaching, detaching and deleting policies, and the effective policy of an account.
 *
 * As the service does it: EnablePolicyType leaves the type `PENDING_ENABLE` until the
 * next read of the root has seen it so (DisablePolicyType: `PENDING_DISABLE`, then gone);
 * a policy can be attached only while its type is enabled on the root. The callers are
 * the management account and the accounts `delegatePolicyManagement` names (the
 * organization's resource policy delegating policy management); anyone else gets
 * AccessDeniedException.
 */
const POLICY_TYPES = ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY', 'TAG_POLICY', 'BACKUP_POLICY', 'AISERVICES_OPT_OUT_POLICY', 'CHATBOT_POLICY', 'DECLARATIVE_POLICY_EC2', 'SECURITYHUB_POLICY', 'GUARDDUTY_POLICY'];

export const ORGANIZATIONS_POLICY_OPERATIONS: Readonly<Record<string, OrganizationsHandler>> = {
  EnablePolicyType: (caller, state, input) => {
    requirePolicyManager(caller, state);
    const type = requireType(input.PolicyType);
    requireRoot(state, input.RootId);
    const policies = state.organization.policies;
    if (policies.enabledTypes.has(type) || policies.pendingTypes.get(type) === 'PENDING_ENABLE') {
      throw organizationsError('PolicyTypeAlreadyEnabledException', 'The specified policy type is already enabled.');
    }
    if (policies.pendingTypes.get(type) === 'PENDING_DISABLE') {
      throw organizationsError('PolicyChangesInProgressException', 'Changes to the specified policy type are in progress.');
    }
    policies.pendingTypes.set(type, 'PENDING_ENABLE');
    return { Root: rootView(state) };
  },

  DisablePolicyType: (caller, state, input) => {
    requirePolicyManager(caller, state);
    const type = requireType(input.PolicyType);
    requireRoot(state, input.RootId);
    const policies = state.organization.policies;
    if (!policies.enabledTypes.has(type)) {
      throw organizationsError('PolicyTypeNotEnabledException', 'The specified policy type isn\'t currently enabled in this root.');
    }
    policies.enabledTypes.delete(type);
    policies.pendingTypes.set(type, 'PENDING_DISABLE');
    // Disabling a type detaches its policies from every target.
    [...policies.policies.values()].filter((policy) => policy.type === type).forEach((policy) => policies.attachments.get(policy.id)?.clear());
    return { Root: rootView(state) };
  },

  CreatePolicy: (caller, state, input) => {
    requirePolicyManager(caller, state);
    const type = requireType(input.Type);
    if (typeof input.Content !== 'string' || typeof input.Name !== 'string') {
      throw organizationsError('InvalidInputException', 'You must specify a value for Content and Name.', 'INPUT_REQUIRED');
    }
    requireValidContent(type, input.Content);
    if ([...state.organization.policies.policies.values()].some((policy) => policy.type === type && policy.name === input.Name)) {
      throw organizationsError('DuplicatePolicyException', 'A policy with the same name already exists.');
    }
    const policy = state.organization.policies.add(type, input.Name, input.Content, typeof input.Description === 'string' ? input.Description : '');
    return { Policy: policyView(state, policy) };
  },

  UpdatePolicy: (caller, state, input) => {
    requirePolicyManager(caller, state);
    const policy = requirePolicy(state, input.PolicyId);
    if (typeof input.Content === 'string') {
      requireValidContent(policy.type, input.Content);
      policy.content = input.Content;
    }
    if (typeof input.Name === 'string') {
      policy.name = input.Name;
    }
    if (typeof input.Description === 'string') {
      policy.description = input.Description;
    }
    return { Policy: policyView(state, policy) };
  },

  DeletePolicy: (caller, state, input) => {
    requirePolicyManager(caller, state);
    const policy = requirePolicy(state, input.PolicyId);
    if ((state.organization.policies.attachments.get(policy.id)?.size ?? 0) > 0) {
      throw organizationsError('PolicyInUseException', 'The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.');
    }
    state.organization.policies.policies.delete(policy.id);
    state.organization.policies.attachments.delete(policy.id);
    return {};
  },

  ListPolicies: (caller, state, input) => {
    requirePolicyManager(caller, state);
    const type = requireType(input.Filter);
    const summaries = [...state.organization.policies.policies.values()].filter((policy) => policy.type === type).map((policy) => policyView(state, policy).PolicySummary);
    return { Policies: summaries };
  },

  ListTargetsForPolicy: (caller, state, input) => {
    requirePolicyManager(caller, state);
    const policy = requirePolicy(state, input.PolicyId);
    const targets = [...(state.organization.policies.attachments.get(policy.id) ?? [])].map((targetId) => ({
      TargetId: targetId,
      Type: targetId.startsWith('r-') ? 'ROOT' : targetId.startsWith('ou-') ? 'ORGANIZATIONAL_UNIT' : 'ACCOUNT',
    }));
    return { Targets: targets };
  },

  AttachPolicy: (caller, state, input) => {
    requirePolicyManager(caller, state);
    const policy = requirePolicy(state, input.PolicyId);
    const targetId = requireTarget(state, input.TargetId);
    if (!state.organization.policies.enabledTypes.has(policy.type)) {
      throw organizationsError('PolicyTypeNotEnabledException', 'The specified policy type isn\'t currently enabled in this root.');
    }
    const attached = state.organization.policies.attachments.get(policy.id)!;
    if (attached.has(targetId)) {
      throw organizationsError('DuplicatePolicyAttachmentException', 'The selected policy is already attached to the specified target.');
    }
    attached.add(targetId);
    return {};
  },

  DetachPolicy: (caller, state, input) => {
    requirePolicyManager(caller, state);
    const policy = requirePolicy(state, input.PolicyId);
    const targetId = requireTarget(state, input.TargetId);
    if (!state.organization.policies.attachments.get(policy.id)!.delete(targetId)) {
      throw organizationsError('PolicyNotAttachedException', 'The policy isn\'t attached to the specified target in the specified root.');
    }
    return {};
  },

  /** The merged policy of an account: the blocks of every policy on its path, the nearer replacing the farther key by key. */
  DescribeEffectivePolicy: (caller, state, input) => {
    const type = requireType(input.PolicyType);
    const targetId = typeof input.TargetId === 'string' ? input.TargetId : caller.accountId;
    if (targetId !== caller.accountId) {
      requirePolicyManager(caller, state);
    }
    const content = effectiveContent(state, targetId, type);
    if (!content) {
      throw organizationsError('EffectivePolicyNotFoundException', 'We can\'t find an effective policy of the specified type.');
    }
    return { EffectivePolicy: { PolicyContent: JSON.stringify(content), PolicyType: type, TargetId: targetId, LastUpdatedTimestamp: Math.floor(state.now() / 1000) } };
  },
};

/**
 * An account's effective policy of a declarative type, simplified to what GuardDuty
 * policies use: for each top-level key, the blocks of the policies from the root down to
 * the account, a nearer policy's block replacing a farther one's of the same name.
 */
export function effectiveContent(state: GuardDutyState, accountId: string, type: string): Record<string, Record<string, unknown>> | undefined {
  const path = state.organization.pathOf(accountId);
  if (!path || !state.organization.policies.enabledTypes.has(type)) {
    return undefined;
  }
  const policies = state.organization.policies;
  let merged: Record<string, Record<string, unknown>> | undefined;
  for (const targetId of path) {
    for (const policy of [...policies.policies.values()].filter((p) => p.type === type && policies.attachments.get(p.id)?.has(targetId))) {
      const content = JSON.parse(policy.content) as Record<string, Record<string, unknown>>;
      merged ??= {};
      for (const [key, blocks] of Object.entries(content)) {
        merged[key] = { ...(merged[key] ?? {}), ...blocks };
      }
    }
  }
  return merged;
}

/** The GuardDuty features an account's effective GUARDDUTY_POLICY manages in a Region; undefined when it manages none there. */
export function effectiveGuardDutyFeatures(state: GuardDutyState, accountId: string, region: string): Record<string, string> | undefined {
  return featuresInRegion(effectiveContent(state, accountId, 'GUARDDUTY_POLICY'), region);
}

export function rootView(state: GuardDutyState): Record<string, unknown> {
  const organization = state.organization;
  const policies = organization.policies;
  const types = [
    ...[...policies.enabledTypes].map((type) => ({ Type: type, Status: 'ENABLED' })),
    ...[...policies.pendingTypes.entries()].map(([type, status]) => ({ Type: type, Status: status })),
  ];
  return { Id: organization.rootId, Arn: organization.arn('root', organization.rootId!), Name: 'Root', PolicyTypes: types };
}

/** A read of the root moves each pending type on: the next read sees it ENABLED (or gone). */
export function settlePendingPolicyTypes(state: GuardDutyState): void {
  const policies = state.organization.policies;
  for (const [type, status] of policies.pendingTypes) {
    if (status === 'PENDING_ENABLE') {
      policies.enabledTypes.add(type);
    }
    policies.pendingTypes.delete(type);
  }
}

function policyView(state: GuardDutyState, policy: OrganizationPolicy): { PolicySummary: Record<string, unknown>; Content: string } {
  return {
    PolicySummary: { Id: policy.id, Arn: `arn:aws:organizations::${state.organization.managementAccountId}:policy/${state.organization.organizationId}/${policy.type.toLowerCase()}/${policy.id}`, Name: policy.name, Description: policy.description, Type: policy.type, AwsManaged: false },
    Content: policy.content,
  };
}

/** The emulator checks a GuardDuty policy's document with the library's own rules; any other type only for being JSON. */
function requireValidContent(type: string, content: string): void {
  let document: unknown;
  try {
    document = JSON.parse(content);
  } catch {
    throw organizationsError('MalformedPolicyDocumentException', 'The provided policy document doesn\'t meet the requirements of the specified policy type.');
  }
  const problems = type === 'GUARDDUTY_POLICY' ? renderedPolicyProblems(document) : [];
  if (problems.length > 0) {
    throw organizationsError('MalformedPolicyDocumentException', `The provided policy document doesn't meet the requirements of the specified policy type: ${problems.join('; ')}`);
  }
}

function requirePolicyManager(caller: Caller, state: GuardDutyState): void {
  const organization = state.organization;
  if (!organization.organizationId || !organization.isMember(caller.accountId)) {
    throw organizationsError('AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.');
  }
  if (caller.accountId !== organization.managementAccountId && !organization.policies.delegatedPolicyManagers.has(caller.accountId)) {
    throw organizationsError('AccessDeniedException', 'You don\'t have permissions to access this resource.');
  }
}

function requireType(type: unknown): string {
  if (typeof type !== 'string' || !POLICY_TYPES.includes(type)) {
    throw organizationsError('InvalidInputException', `PolicyType must be one of ${POLICY_TYPES.join(', ')}, got ${JSON.stringify(type)}.`, 'INVALID_ENUM_POLICY_TYPE');
  }
  return type;
}

function requireRoot(state: GuardDutyState, rootId: unknown): void {
  if (rootId !== state.organization.rootId) {
    throw organizationsError('RootNotFoundException', 'We can\'t find a root with the RootId that you specified.');
  }
}

function requirePolicy(state: GuardDutyState, policyId: unknown): OrganizationPolicy {
  const policy = typeof policyId === 'string' ? state.organization.policies.policies.get(policyId) : undefined;
  if (!policy) {
    throw organizationsError('PolicyNotFoundException', 'We can\'t find a policy with the PolicyId that you specified.');
  }
  return policy;
}

function requireTarget(state: GuardDutyState, targetId: unknown): string {
  if (typeof targetId !== 'string' || !(state.organization.isParent(targetId) || state.organization.isMember(targetId))) {
    throw organizationsError('TargetNotFoundException', 'We can\'t find a root, OU, account, or policy with the TargetId that you specified.');
  }
  return targetId;
}
