/**
 * The wire contract between `GuardDutyOrganizationPolicy` and the handler that enables
 * its policy type on the organization's root (`lambda/policy-type/`). Renaming any of
 * these is a breaking change for deployed stacks.
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
