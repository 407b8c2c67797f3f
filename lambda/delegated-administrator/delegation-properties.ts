import { MEMBER_REMOVAL_POLICIES, MemberRemovalPolicy } from '../../lib/private/invitation-contract';
import { accountIdProblem } from '../../lib/private/member-account-rules';
import { show } from '../../lib/private/organization-configuration-rules';
import { HandlerError } from '../shared/handler-error';

/** The resource's properties, parsed and validated. */
export interface DelegationSettings {
  readonly adminAccountId: string;
  readonly removalPolicy: MemberRemovalPolicy;
  /** Enable trusted access for Malware Protection and create its service-linked role. */
  readonly malwareProtectionPrerequisites: boolean;
}

/** Parses the raw `ResourceProperties` before any call; every problem in one error. */
export function parseDelegationSettings(raw: unknown): DelegationSettings {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new HandlerError(`ResourceProperties must be an object, got ${show(raw)}.`);
  }
  const props = raw as Record<string, unknown>;
  const problems: string[] = [];
  const accountProblem = accountIdProblem(props.AdminAccountId);
  if (accountProblem) {
    problems.push(`AdminAccountId: ${accountProblem}`);
  }
  const removalPolicy = props.RemovalPolicy ?? 'RETAIN';
  if (typeof removalPolicy !== 'string' || !(MEMBER_REMOVAL_POLICIES as readonly string[]).includes(removalPolicy)) {
    problems.push(`RemovalPolicy must be one of ${MEMBER_REMOVAL_POLICIES.join(', ')}, got ${show(removalPolicy)}`);
  }
  // The template carries strings; templates from before the property have none.
  const prerequisites = props.MalwareProtectionPrerequisites ?? 'false';
  if (prerequisites !== 'true' && prerequisites !== 'false') {
    problems.push(`MalwareProtectionPrerequisites must be "true" or "false", got ${show(prerequisites)}`);
  }
  if (problems.length > 0) {
    throw new HandlerError(`Invalid GuardDutyDelegatedAdministrator properties: ${problems.join('; ')}.`);
  }
  return { adminAccountId: props.AdminAccountId as string, removalPolicy: removalPolicy as MemberRemovalPolicy, malwareProtectionPrerequisites: prerequisites === 'true' };
}
