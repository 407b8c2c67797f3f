import { renderedPolicyProblems } from '../../lib/private/guardduty-policy-syntax';
import { MEMBER_REMOVAL_POLICIES, MemberRemovalPolicy } from '../../lib/private/invitation-contract';
import { GUARDDUTY_POLICY_TYPE, POLICY_DESCRIPTION_MAX_LENGTH, POLICY_NAME_MAX_LENGTH } from '../../lib/private/organization-policy-contract';
import { show } from '../../lib/private/organization-configuration-rules';
import { policyTargetsProblems } from '../../lib/private/policy-target-rules';
import { HandlerError } from '../shared/handler-error';

export interface PolicyTypeSettings {
  readonly policyType: string;
  readonly removalPolicy: MemberRemovalPolicy;
}

export interface GuardDutyPolicySettings {
  readonly name: string;
  readonly description: string;
  readonly content: Record<string, unknown>;
  readonly targetIds: string[];
  readonly removalPolicy: MemberRemovalPolicy;
}

/** The policy type resource's properties, parsed before any call; every problem in one error. */
export function parsePolicyTypeSettings(raw: unknown): PolicyTypeSettings {
  const props = asObject(raw);
  const problems: string[] = [];
  if (props.PolicyType !== GUARDDUTY_POLICY_TYPE) {
    problems.push(`PolicyType must be ${GUARDDUTY_POLICY_TYPE} (the only type this handler enables), got ${show(props.PolicyType)}`);
  }
  problems.push(...removalPolicyProblems(props.RemovalPolicy));
  if (problems.length > 0) {
    throw new HandlerError(`Invalid GuardDutyOrganizationPolicy policy type properties: ${problems.join('; ')}.`);
  }
  return { policyType: GUARDDUTY_POLICY_TYPE, removalPolicy: (props.RemovalPolicy ?? 'RETAIN') as MemberRemovalPolicy };
}

/** The policy resource's properties: the same rules as at synth, again, for events that never went through the construct. */
export function parseGuardDutyPolicySettings(raw: unknown): GuardDutyPolicySettings {
  const props = asObject(raw);
  const problems: string[] = [];
  if (typeof props.Name !== 'string' || props.Name.length === 0 || props.Name.length > POLICY_NAME_MAX_LENGTH) {
    problems.push(`Name must be 1 to ${POLICY_NAME_MAX_LENGTH} characters, got ${show(props.Name)}`);
  }
  const description = props.Description ?? '';
  if (typeof description !== 'string' || description.length > POLICY_DESCRIPTION_MAX_LENGTH) {
    problems.push(`Description must be at most ${POLICY_DESCRIPTION_MAX_LENGTH} characters, got ${show(description)}`);
  }
  problems.push(...renderedPolicyProblems(props.Content));
  const targetIds = Array.isArray(props.TargetIds) ? props.TargetIds : undefined;
  problems.push(...(targetIds ? policyTargetsProblems(targetIds, 'TargetIds', () => false) : [`TargetIds must be a list, got ${show(props.TargetIds)}`]));
  problems.push(...removalPolicyProblems(props.RemovalPolicy));
  if (problems.length > 0) {
    throw new HandlerError(`Invalid GuardDutyOrganizationPolicy properties: ${problems.join('; ')}.`);
  }
  return {
    name: props.Name as string,
    description: description as string,
    content: props.Content as Record<string, unknown>,
    targetIds: targetIds as string[],
    removalPolicy: (props.RemovalPolicy ?? 'RETAIN') as MemberRemovalPolicy,
  };
}

function asObject(raw: unknown): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new HandlerError(`ResourceProperties must be an object, got ${show(raw)}.`);
  }
  return raw as Record<string, unknown>;
}

function removalPolicyProblems(removalPolicy: unknown): string[] {
  const value = removalPolicy ?? 'RETAIN';
  return typeof value === 'string' && (MEMBER_REMOVAL_POLICIES as readonly string[]).includes(value) ? [] : [`RemovalPolicy must be one of ${MEMBER_REMOVAL_POLICIES.join(', ')}, got ${show(value)}`];
}
