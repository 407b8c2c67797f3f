/**
 * The wire contract between `GuardDutyOrganizationPolicy` and its handler
 * (`lambda/organization-policy/`), which serves two custom resource types: the policy
 * type on the organization's root (one per stack) and the policy itself, because
 * CloudFormation's AWS::Organizations::Policy does not accept the GUARDDUTY_POLICY type
 * (its schema's `Type` values, as aws-cdk-lib's CloudFormation validation reports them).
 * Renaming any of these is a breaking change for deployed stacks.
 */
import { MemberRemovalPolicy } from './invitation-contract';

/** The one policy type this library enables: the handler refuses any other. */
export const GUARDDUTY_POLICY_TYPE = 'GUARDDUTY_POLICY';

/** ResourceProperties as the construct writes them into the template. */
export interface PolicyTypeResourceProperties {
  /** `GUARDDUTY_POLICY`. */
  readonly PolicyType: string;
  /** DESTROY: a Delete disables the type, and only if this resource enabled it. */
  readonly RemovalPolicy: MemberRemovalPolicy;
}

/** Names of the values in the handler's `Data`, read with `Fn::GetAtt`. */
export const POLICY_TYPE_ATTRIBUTE = {
  ROOT_ID: 'RootId',
  /** `ENABLED`, as ListRoots reports it once the type is usable. */
  STATUS: 'PolicyTypeStatus',
} as const;

/**
 * Physical IDs are `organizations-policy-type:<rootId>:<type>:<origin>`, `origin` being
 * `enabled` (this resource enabled the type) or `found` (it was enabled already): a
 * Delete reads from its ID whether it may disable the type, so a type someone else
 * enabled is never disabled.
 */
export type PolicyTypeOrigin = 'enabled' | 'found';

export function policyTypePhysicalId(rootId: string, policyType: string, origin: PolicyTypeOrigin): string {
  return `organizations-policy-type:${rootId}:${policyType}:${origin}`;
}

export function parsePolicyTypePhysicalId(physicalId: string | undefined): { rootId: string; policyType: string; origin: PolicyTypeOrigin } | undefined {
  const match = /^organizations-policy-type:(r-[0-9a-z]{4,32}):([A-Z_0-9]+):(enabled|found)$/.exec(physicalId ?? '');
  return match ? { rootId: match[1], policyType: match[2], origin: match[3] as PolicyTypeOrigin } : undefined;
}

export const RESOURCE_TYPE = {
  POLICY_TYPE: 'Custom::OrganizationsPolicyType',
  POLICY: 'Custom::GuardDutyOrganizationPolicy',
} as const;

/** ResourceProperties of the policy as the construct writes them into the template. */
export interface GuardDutyPolicyResourceProperties {
  readonly Name: string;
  readonly Description: string;
  /** The policy document (an object; the handler sends it as JSON text). */
  readonly Content: Record<string, unknown>;
  readonly TargetIds: string[];
  /** DESTROY: a Delete detaches the policy from every target and deletes it. */
  readonly RemovalPolicy: MemberRemovalPolicy;
}

export const POLICY_ATTRIBUTE = {
  POLICY_ID: 'PolicyId',
  POLICY_ARN: 'PolicyArn',
} as const;

/** Longest policy name AWS Organizations accepts (`Name`, 1 to 128). */
export const POLICY_NAME_MAX_LENGTH = 128;
/** Longest description (`Description`, 0 to 512). */
export const POLICY_DESCRIPTION_MAX_LENGTH = 512;

/** A policy ID as Organizations writes it (`p-` and 8 to 128 lowercase letters, digits or underscores). */
export function isPolicyId(value: string | undefined): value is string {
  return /^p-[0-9a-zA-Z_]{8,128}$/.test(value ?? '');
}
