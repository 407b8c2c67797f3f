import { createHash } from 'node:crypto';

/**
 * AWS Organizations policies as the emulator keeps them: each policy (its type and JSON
 * content), what it is attached to (the root, OUs, accounts), which policy types are
 * enabled on the root, and who each account's callers are (the principal ARN an SCP's
 * `aws:PrincipalArn` condition reads). Pure data and lookups; the Organizations calls are
 * in organizations-policy-operations.ts, the SCP evaluation in service-control-policies.ts.
 */
export interface OrganizationPolicy {
  readonly id: string;
  readonly type: string;
  name: string;
  description: string;
  content: string;
}

export class OrganizationPolicies {
  public readonly policies = new Map<string, OrganizationPolicy>();
  /** Policy ID → the roots, OUs and accounts it is attached to. */
  public readonly attachments = new Map<string, Set<string>>();
  /** Policy types enabled on the organization's root (`SERVICE_CONTROL_POLICY`, `GUARDDUTY_POLICY`). */
  public readonly enabledTypes = new Set<string>();
  /** Types being enabled or disabled: EnablePolicyType and DisablePolicyType take a moment. */
  public readonly pendingTypes = new Map<string, 'PENDING_ENABLE' | 'PENDING_DISABLE'>();
  /** Member accounts the organization's resource policy lets manage policies. */
  public readonly delegatedPolicyManagers = new Set<string>();
  /** Account → the principal ARN its callers have; unset: the account's root user. */
  public readonly principalArns = new Map<string, string>();
  private sequence = 0;

  public clear(): void {
    this.policies.clear();
    this.attachments.clear();
    this.enabledTypes.clear();
    this.pendingTypes.clear();
    this.delegatedPolicyManagers.clear();
    this.principalArns.clear();
    this.sequence = 0;
  }

  /** Policy IDs look like Organizations': `p-` and 8 lowercase hexadecimal digits. */
  public add(type: string, name: string, content: string, description = ''): OrganizationPolicy {
    this.sequence += 1;
    const policy = { id: `p-${createHash('md5').update(`${type}/${name}/${this.sequence}`).digest('hex').slice(0, 8)}`, type, name, description, content };
    this.policies.set(policy.id, policy);
    this.attachments.set(policy.id, new Set());
    return policy;
  }

  /** The policies of `type` that bind a target whose path from the root is `path` (root first, the target last). */
  public bindingOn(path: readonly string[], type: string): OrganizationPolicy[] {
    return [...this.policies.values()].filter((policy) => policy.type === type && path.some((id) => this.attachments.get(policy.id)?.has(id)));
  }

  public principalArn(accountId: string): string {
    return this.principalArns.get(accountId) ?? `arn:aws:iam::${accountId}:root`;
  }
}
