import { MEMBER_REMOVAL_POLICIES, MemberRemovalPolicy } from '../../lib/private/invitation-contract';
import { show } from '../../lib/private/organization-configuration-rules';
import { GUARDDUTY_POLICY_TYPE } from '../../lib/private/policy-type-contract';
import { HandlerError } from '../shared/handler-error';

export interface PolicyTypeSettings {
  readonly policyType: string;
  readonly removalPolicy: MemberRemovalPolicy;
}

/** Parses the raw `ResourceProperties` before any call; every problem in one error. */
export function parsePolicyTypeSettings(raw: unknown): PolicyTypeSettings {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new HandlerError(`ResourceProperties must be an object, got ${show(raw)}.`);
  }
  const props = raw as Record<string, unknown>;
  const problems: string[] = [];
  if (props.PolicyType !== GUARDDUTY_POLICY_TYPE) {
    problems.push(`PolicyType must be ${GUARDDUTY_POLICY_TYPE} (the only type this handler enables), got ${show(props.PolicyType)}`);
  }
  const removalPolicy = props.RemovalPolicy ?? 'RETAIN';
  if (typeof removalPolicy !== 'string' || !(MEMBER_REMOVAL_POLICIES as readonly string[]).includes(removalPolicy)) {
    problems.push(`RemovalPolicy must be one of ${MEMBER_REMOVAL_POLICIES.join(', ')}, got ${show(removalPolicy)}`);
  }
  if (problems.length > 0) {
    throw new HandlerError(`Invalid GuardDutyOrganizationPolicy policy type properties: ${problems.join('; ')}.`);
  }
  return { policyType: GUARDDUTY_POLICY_TYPE, removalPolicy: removalPolicy as MemberRemovalPolicy };
}
