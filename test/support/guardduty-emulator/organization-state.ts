import { createHash } from 'node:crypto';
import { OrganizationPolicies } from './organization-policies';

/**
 * AWS Organizations as the GuardDuty emulator knows it: one organization (a management
 * account, a root, organizational units, accounts) and GuardDuty's organization settings
 * per region (the delegated administrator, its organization configuration, which members
 * it added through the organization, and the features auto-enable applied to them).
 *
 * Pure data; the rules that tie it to GuardDuty's member records live in
 * organization-enrollment.ts and organization-operations.ts.
 */
export type AccountState = 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE' | 'CLOSED';

export interface OrganizationAccount {
  readonly accountId: string;
  readonly email: string;
  readonly name: string;
  state: AccountState;
  /** The root or OU the account sits in. */
  parentId: string;
  /** Epoch milliseconds. */
  readonly joinedAt: number;
}

export interface OrganizationalUnit {
  readonly id: string;
  readonly name: string;
  readonly parentId: string;
}

export interface OrganizationFeatureSetting {
  autoEnable: string;
  readonly additionalConfiguration: Map<string, string>;
}

/** The delegated administrator's organization configuration in one region. */
export interface OrganizationConfiguration {
  autoEnableOrganizationMembers: string;
  readonly features: Map<string, OrganizationFeatureSetting>;
}

export class OrganizationState {
  public organizationId: string | undefined;
  public managementAccountId: string | undefined;
  public rootId: string | undefined;
  public readonly accounts = new Map<string, OrganizationAccount>();
  public readonly organizationalUnits = new Map<string, OrganizationalUnit>();
  /** Region → GuardDuty delegated administrator there. */
  public readonly guardDutyAdministrators = new Map<string, string>();
  /**
   * Accounts registered in Organizations as a delegated administrator for GuardDuty
   * (global, unlike GuardDuty's own per-region setting). They may read the organization.
   */
  public readonly registeredDelegatedAdministrators = new Set<string>();
  /** Service principal → when trusted access was enabled for it (EnableAWSServiceAccess). */
  public readonly trustedServices = new Map<string, number>();
  /** `<adminId>/<region>` → configuration. */
  public readonly configurations = new Map<string, OrganizationConfiguration>();
  /** `<adminId>/<region>/<memberId>`: member records the administrator made through the organization. */
  public readonly addedThroughOrganization = new Set<string>();
  /** `<memberId>/<region>` → feature → ENABLED | DISABLED, as auto-enable left them. */
  public readonly memberFeatures = new Map<string, Map<string, string>>();
  /**
   * The most items an Organizations List call returns, below what MaxResults asks: the
   * service documents that it may return fewer than MaxResults with a NextToken.
   */
  public pageSizeCap = 20;
  /** Organizations policies: service control policies, GuardDuty policies (organization-policies.ts). */
  public readonly policies = new OrganizationPolicies();
  private unitSequence = 0;

  public clear(): void {
    this.organizationId = undefined;
    this.managementAccountId = undefined;
    this.rootId = undefined;
    this.accounts.clear();
    this.organizationalUnits.clear();
    this.guardDutyAdministrators.clear();
    this.registeredDelegatedAdministrators.clear();
    this.trustedServices.clear();
    this.configurations.clear();
    this.addedThroughOrganization.clear();
    this.memberFeatures.clear();
    this.policies.clear();
    this.pageSizeCap = 20;
    this.unitSequence = 0;
  }

  public create(managementAccountId: string, managementEmail: string, now: number): void {
    const suffix = hex(managementAccountId, 10);
    this.organizationId = `o-${suffix}`;
    this.managementAccountId = managementAccountId;
    this.rootId = `r-${suffix.slice(0, 4)}`;
    this.accounts.set(managementAccountId, { accountId: managementAccountId, email: managementEmail, name: 'management', state: 'ACTIVE', parentId: this.rootId, joinedAt: now });
  }

  /** OU IDs look like Organizations': `ou-<root suffix>-<8 characters>`. */
  public addOrganizationalUnit(parentId: string, name: string): OrganizationalUnit {
    this.unitSequence += 1;
    const unit = { id: `ou-${this.rootId!.slice(2)}-${hex(`${parentId}/${name}/${this.unitSequence}`, 8)}`, name, parentId };
    this.organizationalUnits.set(unit.id, unit);
    return unit;
  }

  public isParent(id: string): boolean {
    return id === this.rootId || this.organizationalUnits.has(id);
  }

  /** The root, the OUs down to the account, and the account; undefined for an account outside the organization. */
  public pathOf(accountId: string): string[] | undefined {
    const account = this.accounts.get(accountId);
    if (!account) {
      return undefined;
    }
    const path = [accountId];
    for (let parentId: string | undefined = account.parentId; parentId !== undefined; parentId = this.organizationalUnits.get(parentId)?.parentId) {
      path.unshift(parentId);
    }
    return path;
  }

  public isMember(accountId: string): boolean {
    return this.accounts.has(accountId);
  }

  public configuration(adminId: string, region: string): OrganizationConfiguration {
    const key = `${adminId}/${region}`;
    let configuration = this.configurations.get(key);
    if (!configuration) {
      // The emulator's assumption for a new delegated administrator: nothing auto-enabled
      // until UpdateOrganizationConfiguration says so.
      configuration = { autoEnableOrganizationMembers: 'NONE', features: new Map() };
      this.configurations.set(key, configuration);
    }
    return configuration;
  }

  public arn(kind: 'organization' | 'account' | 'root' | 'ou', id: string): string {
    const management = this.managementAccountId;
    switch (kind) {
      case 'organization':
        return `arn:aws:organizations::${management}:organization/${this.organizationId}`;
      case 'account':
        return `arn:aws:organizations::${management}:account/${this.organizationId}/${id}`;
      case 'root':
        return `arn:aws:organizations::${management}:root/${this.organizationId}/${id}`;
      case 'ou':
        return `arn:aws:organizations::${management}:ou/${this.organizationId}/${id}`;
    }
  }
}

function hex(seed: string, length: number): string {
  return createHash('md5').update(seed).digest('hex').slice(0, length);
}
