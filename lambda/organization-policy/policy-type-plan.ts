/**
 * What to do about a policy type on the organization's root: pure functions of what
 * ListRoots reports (`PolicyTypes` of the root: `ENABLED`, `PENDING_ENABLE`,
 * `PENDING_DISABLE`, or absent when the type is off) and, on a Delete, of the resource's
 * physical ID and removal policy.
 */
export type PolicyTypeStatus = 'ENABLED' | 'PENDING_ENABLE' | 'PENDING_DISABLE' | undefined;

export type EnablementStep =
  | { readonly kind: 'done' }
  | { readonly kind: 'enable' }
  /** Enabling is under way (PENDING_ENABLE): isComplete waits for ENABLED. */
  | { readonly kind: 'wait' }
  /** Someone is disabling the type (PENDING_DISABLE): enabling now would be refused. */
  | { readonly kind: 'disabling' };

export function planEnablement(status: PolicyTypeStatus): EnablementStep {
  switch (status) {
    case 'ENABLED':
      return { kind: 'done' };
    case 'PENDING_ENABLE':
      return { kind: 'wait' };
    case 'PENDING_DISABLE':
      return { kind: 'disabling' };
    default:
      return { kind: 'enable' };
  }
}

/**
 * A Delete disables the type only when asked (DESTROY), only when this resource enabled
 * it (a type found enabled belongs to someone else), and only while it is enabled.
 */
export function shouldDisable(removalPolicy: unknown, origin: 'enabled' | 'found' | undefined, status: PolicyTypeStatus): boolean {
  return removalPolicy === 'DESTROY' && origin === 'enabled' && status === 'ENABLED';
}

export function disablingMessage(policyType: string, rootId: string): string {
  return `The ${policyType} policy type is being disabled on root ${rootId} (PENDING_DISABLE). Deploy again once AWS Organizations has finished.`;
}

/**
 * What AccessDenied means here, naming what is missing: the caller must be the
 * management account, or a member account that an Organizations resource policy
 * delegates the policy type to; its role needs the two actions.
 */
export function accessDeniedMessage(policyType: string, action: string, accountId: string | undefined, detail: string): string {
  return (
    `AWS Organizations refused ${action} for ${policyType}${accountId ? ` from account ${accountId}` : ''}: run GuardDutyOrganizationPolicy from the organization's ` +
    `management account, or from a delegated administrator that the organization's resource policy allows organizations:${action} ` +
    `(and organizations:ListRoots, CreatePolicy, AttachPolicy) for ${policyType} ("Delegated administrator for AWS Organizations" in the ` +
    `Organizations user guide). (AWS Organizations: ${detail})`
  );
}
