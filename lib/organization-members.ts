/**
 * Options for an `OrganizationMembers` selection.
 */
export interface OrganizationMembersOptions {
  /**
   * Accounts of the selection to leave out (12-digit IDs), for example a sandbox OU's
   * break-glass account. An account excluded here must not be declared in `members` too.
   *
   * @default - no account is excluded
   */
  readonly excludeAccountIds?: string[];

  /**
   * Whether every deployment lists the organization again. CloudFormation calls the
   * handler only when the resource's properties change; with `true` the construct adds
   * a value that changes on every synthesis, so every `cdk deploy` is an Update that
   * brings in the accounts that joined the selected units since the last one (`cdk diff`
   * then always shows that one property changing). With `false`, new accounts come in on
   * the next deployment that changes the construct's properties.
   *
   * @default true
   */
  readonly resolveOnEveryDeployment?: boolean;
}

/**
 * Member accounts chosen from AWS Organizations when the stack deploys, rather than
 * listed in the app: every account of the organization, or every account under some
 * organizational units (recursively), minus some accounts. The template holds the
 * selection, not the accounts; the handler lists them, with their emails, from
 * Organizations on every deployment, and skips (and reports) accounts that are not
 * ACTIVE. Give it to `GuardDutyMemberInvitations` as `organizationMembers`.
 *
 * The administrator account must be able to read the organization: the management
 * account, or a delegated administrator (designating GuardDuty's delegated administrator
 * registers it with Organizations).
 *
 * @example
 * OrganizationMembers.underOrganizationalUnits(['ou-ab12-11111111', 'ou-ab12-22222222'], {
 *   excludeAccountIds: ['444444444444'],
 * });
 */
export class OrganizationMembers {
  /**
   * Every account of the organization (`organizations:ListAccounts`), the management
   * account included: exclude it with `excludeAccountIds` if it should not be a member.
   */
  public static wholeOrganization(options: OrganizationMembersOptions = {}): OrganizationMembers {
    return new OrganizationMembers(undefined, options);
  }

  /**
   * Every account in these organizational units and in every unit below them
   * (`organizations:ListOrganizationalUnitsForParent` and `ListAccountsForParent`). A root
   * ID (`r-xxxx`) is accepted too and means every account under it.
   *
   * @param parentIds OU IDs (`ou-xxxx-xxxxxxxx`) or root IDs (`r-xxxx`), each once
   */
  public static underOrganizationalUnits(parentIds: string[], options: OrganizationMembersOptions = {}): OrganizationMembers {
    return new OrganizationMembers([...parentIds], options);
  }

  /**
   * The organizational units (or roots) whose accounts are selected, recursively; absent
   * for the whole organization.
   */
  public readonly parentIds?: string[];

  /** Accounts left out of the selection. */
  public readonly excludeAccountIds: string[];

  /** Whether every deployment lists the organization again. */
  public readonly resolveOnEveryDeployment: boolean;

  private constructor(parentIds: string[] | undefined, options: OrganizationMembersOptions) {
    this.parentIds = parentIds;
    this.excludeAccountIds = [...(options.excludeAccountIds ?? [])];
    this.resolveOnEveryDeployment = options.resolveOnEveryDeployment ?? true;
  }
}
