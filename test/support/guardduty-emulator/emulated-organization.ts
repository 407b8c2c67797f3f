import { GuardDutyState } from './guardduty-state';
import { accountJoined } from './organization-enrollment';
import { AccountState } from './organization-state';
import { effectiveGuardDutyFeatures } from './organizations-policy-operations';

export interface SeedOrganizationAccount {
  readonly accountId: string;
  /** The root or an OU. @default the root */
  readonly parentId?: string;
  /** @default `aws+<accountId>@example.com` */
  readonly email?: string;
  /** @default 'ACTIVE' */
  readonly state?: AccountState;
}

/**
 * The test's handle on the emulated AWS Organization: create it, add OUs and accounts,
 * suspend accounts, and read what GuardDuty's organization behaviours did.
 */
export class EmulatedOrganization {
  constructor(private readonly state: GuardDutyState) {}

  /** Creates the organization with its management account; returns the root ID. */
  public create(managementAccountId: string): string {
    this.state.organization.create(managementAccountId, `aws+${managementAccountId}@example.com`, this.state.now());
    return this.state.organization.rootId!;
  }

  public get rootId(): string {
    const rootId = this.state.organization.rootId;
    if (!rootId) {
      throw new Error('No organization yet: call organization.create(managementAccountId) first');
    }
    return rootId;
  }

  /** Adds an OU under the root or another OU; returns its ID. */
  public addOrganizationalUnit(name: string, parentId: string = this.rootId): string {
    if (!this.state.organization.isParent(parentId)) {
      throw new Error(`addOrganizationalUnit: no root or OU ${parentId}`);
    }
    return this.state.organization.addOrganizationalUnit(parentId, name).id;
  }

  /**
   * An account joins the organization. A delegated administrator whose auto-enable is NEW
   * or ALL makes it a member at once, as GuardDuty does for accounts that join later.
   */
  public addAccount(account: SeedOrganizationAccount): void {
    const parentId = account.parentId ?? this.rootId;
    if (!this.state.organization.isParent(parentId)) {
      throw new Error(`addAccount: no root or OU ${parentId}`);
    }
    this.state.organization.accounts.set(account.accountId, {
      accountId: account.accountId,
      email: account.email ?? `aws+${account.accountId}@example.com`,
      name: `account-${account.accountId}`,
      state: account.state ?? 'ACTIVE',
      parentId,
      joinedAt: this.state.now(),
    });
    if ((account.state ?? 'ACTIVE') === 'ACTIVE') {
      accountJoined(this.state, account.accountId);
    }
  }

  /** Moves an account to another root or OU (Organizations' MoveAccount). */
  public moveAccount(accountId: string, parentId: string): void {
    const account = this.state.organization.accounts.get(accountId);
    if (!account || !this.state.organization.isParent(parentId)) {
      throw new Error(`moveAccount: no account ${accountId} or no root or OU ${parentId}`);
    }
    account.parentId = parentId;
  }

  public setAccountState(accountId: string, state: AccountState): void {
    const account = this.state.organization.accounts.get(accountId);
    if (!account) {
      throw new Error(`setAccountState: ${accountId} is not in the organization`);
    }
    account.state = state;
  }

  /** Organizations List calls return at most this many items a page, whatever MaxResults asks (1 to 20). */
  public capPageSize(items: number): void {
    this.state.organization.pageSizeCap = items;
  }

  /**
   * Makes the account GuardDuty's delegated administrator in the region, as
   * EnableOrganizationAdminAccount from the management account does, without a call in
   * the log (for a bench that counts only the handler's calls).
   */
  public setGuardDutyAdministrator(region: string, accountId: string): void {
    this.state.organization.guardDutyAdministrators.set(region, accountId);
    this.state.organization.registeredDelegatedAdministrators.add(accountId);
  }

  /** The GuardDuty delegated administrator in a region, if any. */
  public guardDutyAdministrator(region: string): string | undefined {
    return this.state.organization.guardDutyAdministrators.get(region);
  }

  /**
   * The delegated administrator's organization configuration in a region, as
   * UpdateOrganizationConfiguration left it (auto-enable, and each feature's auto-enable),
   * or undefined when none was ever set or read there.
   */
  public organizationConfiguration(adminId: string, region: string): { readonly autoEnableOrganizationMembers: string; readonly features: Record<string, string> } | undefined {
    const configuration = this.state.organization.configurations.get(`${adminId}/${region}`);
    return configuration && {
      autoEnableOrganizationMembers: configuration.autoEnableOrganizationMembers,
      features: Object.fromEntries([...configuration.features].map(([name, feature]) => [name, feature.autoEnable])),
    };
  }

  /** The features organization auto-enable turned on for a member (`RUNTIME_MONITORING`, `RUNTIME_MONITORING.EKS_ADDON_MANAGEMENT`). */
  /** The service principals with trusted access (EnableAWSServiceAccess), sorted. */
  public trustedServicePrincipals(): string[] {
    return [...this.state.organization.trustedServices.keys()].sort();
  }

  /** Trusted access enabled before the deployment (by the console or another tool). */
  public enableTrustedAccess(servicePrincipal: string): void {
    this.state.organization.trustedServices.set(servicePrincipal, this.state.now());
  }

  public memberFeatures(accountId: string, region: string): Record<string, string> {
    return Object.fromEntries(this.state.organization.memberFeatures.get(`${accountId}/${region}`) ?? []);
  }

  /**
   * Enables a policy type on the root, as EnablePolicyType does (`SERVICE_CONTROL_POLICY`,
   * `GUARDDUTY_POLICY`), without a call in the log.
   */
  public enablePolicyType(type: string): void {
    if (!this.state.organization.rootId) {
      throw new Error('enablePolicyType: no organization yet: call organization.create(managementAccountId) first');
    }
    this.state.organization.policies.enabledTypes.add(type);
  }

  /**
   * Creates a policy of `type` and attaches it to the targets (root, OUs, accounts), as
   * CloudFormation's AWS::Organizations::Policy does; returns its ID. The type must be
   * enabled on the root, as Organizations requires.
   */
  public attachPolicy(type: string, content: unknown, targetIds: readonly string[], name = `policy-${targetIds.join('-')}`): string {
    const policies = this.state.organization.policies;
    if (!policies.enabledTypes.has(type)) {
      throw new Error(`attachPolicy: the ${type} policy type is not enabled on the root; call enablePolicyType('${type}') first`);
    }
    for (const targetId of targetIds) {
      if (!this.state.organization.isParent(targetId) && !this.state.organization.isMember(targetId)) {
        throw new Error(`attachPolicy: no root, OU or account ${targetId}`);
      }
    }
    const policy = policies.add(type, name, typeof content === 'string' ? content : JSON.stringify(content));
    targetIds.forEach((targetId) => policies.attachments.get(policy.id)!.add(targetId));
    return policy.id;
  }

  /** Detaches a policy from one target (DetachPolicy). */
  public detachPolicy(policyId: string, targetId: string): void {
    this.state.organization.policies.attachments.get(policyId)?.delete(targetId);
  }

  /**
   * Who the account's callers are, for a service control policy's `aws:PrincipalArn`:
   * every call signed with the account's credentials comes from this principal (a role's
   * ARN). By default, the account's root user (`arn:aws:iam::<account>:root`).
   */
  public setCallerPrincipal(accountId: string, principalArn: string): void {
    this.state.organization.policies.principalArns.set(accountId, principalArn);
  }

  /** The type's status on the root as ListRoots would report it now: ENABLED, PENDING_ENABLE, PENDING_DISABLE, or undefined (off). */
  public policyTypeStatus(type: string): string | undefined {
    const policies = this.state.organization.policies;
    return policies.enabledTypes.has(type) ? 'ENABLED' : policies.pendingTypes.get(type);
  }

  /** Lets a member account manage policies, as the organization's resource policy delegating policy management does. */
  public delegatePolicyManagement(accountId: string): void {
    this.state.organization.policies.delegatedPolicyManagers.add(accountId);
  }

  /** The policies of a type and where each is attached. */
  public policiesOfType(type: string): Array<{ id: string; name: string; content: unknown; targetIds: string[] }> {
    const policies = this.state.organization.policies;
    return [...policies.policies.values()]
      .filter((policy) => policy.type === type)
      .map((policy) => ({ id: policy.id, name: policy.name, content: JSON.parse(policy.content), targetIds: [...(policies.attachments.get(policy.id) ?? [])] }));
  }

  /**
   * The GuardDuty features the account's effective GuardDuty policy manages in the
   * Region (feature key → ENABLED or DISABLED): its Region block, else the default block;
   * undefined where no policy manages the Region.
   */
  public effectiveGuardDutyFeatures(accountId: string, region: string): Record<string, string> | undefined {
    return effectiveGuardDutyFeatures(this.state, accountId, region);
  }
}
