/**
 * What to do about the GuardDuty delegated administrator: a pure function of the declared
 * account, the one the previous properties declared (on an Update), and what
 * ListOrganizationAdminAccounts reports. GuardDuty allows one delegated administrator
 * per organization and region.
 */
export interface AdminAccount {
  readonly adminAccountId: string;
  /** `ENABLED` or `DISABLE_IN_PROGRESS`. */
  readonly adminStatus: string;
}

export type DelegationStep =
  | { readonly kind: 'done'; readonly adminStatus: string }
  | { readonly kind: 'enable' }
  /** The account this resource designated before hands the role to the declared one. */
  | { readonly kind: 'hand-over'; readonly fromAdminAccountId: string }
  /** Another account holds the role, not one this resource designated. */
  | { readonly kind: 'conflict'; readonly holderAccountId: string }
  /** The declared account is still being disabled (DISABLE_IN_PROGRESS). */
  | { readonly kind: 'disabling' };

export const ENABLED = 'ENABLED';

export function planDelegation(current: readonly AdminAccount[], adminAccountId: string, previousAdminAccountId?: string): DelegationStep {
  const own = current.find((account) => account.adminAccountId === adminAccountId);
  if (own) {
    return own.adminStatus === ENABLED ? { kind: 'done', adminStatus: own.adminStatus } : { kind: 'disabling' };
  }
  const holder = current.find((account) => account.adminStatus === ENABLED) ?? current[0];
  if (!holder) {
    return { kind: 'enable' };
  }
  if (previousAdminAccountId !== undefined && holder.adminAccountId === previousAdminAccountId) {
    return { kind: 'hand-over', fromAdminAccountId: holder.adminAccountId };
  }
  return { kind: 'conflict', holderAccountId: holder.adminAccountId };
}

/** GuardDuty's refusal when another account holds the role: its known wording. */
export const ANOTHER_ADMINISTRATOR_WORDING = 'another account is already enabled as GuardDuty delegated administrator';

export function conflictMessage(adminAccountId: string, holderAccountId: string, region: string | undefined): string {
  return (
    `Cannot make account ${adminAccountId} the GuardDuty delegated administrator${region ? ` in ${region}` : ''}: account ${holderAccountId} already is, ` +
    'and an organization has one per region. To change it, remove the delegation of the current account first ' +
    `(DisableOrganizationAdminAccount for ${holderAccountId}, after it has removed its members), or declare ${holderAccountId} here.`
  );
}

export function disablingMessage(adminAccountId: string): string {
  return `Account ${adminAccountId} is still being removed as GuardDuty delegated administrator (DISABLE_IN_PROGRESS). Deploy again once GuardDuty has finished.`;
}
