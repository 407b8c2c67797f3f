import { ADMINISTRATOR_OPERATIONS } from './administrator-operations';
import { GuardDutyState } from './guardduty-state';
import { OperationContext, OperationHandler, requireOwnDetector } from './operation-context';
import { applyOrganizationConfiguration, enrollThroughOrganization } from './organization-enrollment';
import { paginate } from './pagination';
import { badRequest } from './service-error';
import { UNPROCESSED_RESULT, UnprocessedAccount } from './unprocessed-results';
import { Document } from './wire-codec';

/**
 * GuardDuty in an AWS Organization: the management account designates the delegated
 * administrator per region; the delegated administrator sets the organization
 * configuration and adds organization accounts as members directly (CreateMembers, no
 * invitation).
 *
 * Wordings: ORGANIZATION_ERROR.ANOTHER_ADMINISTRATOR is GuardDuty's own (publicly
 * quoted); the other texts here are the emulator's, in GuardDuty's style, because the
 * service's exact words are not known from public sources. Callers should not match on
 * them.
 */
export const ORGANIZATION_ERROR = {
  ANOTHER_ADMINISTRATOR: 'The request failed because another account is already enabled as GuardDuty delegated administrator for the organization.',
  NOT_MANAGEMENT_ACCOUNT: 'The request is rejected because the current account is not the management account of an organization.',
  NOT_IN_ORGANIZATION: 'The request is rejected because the given account ID is not a member of the organization.',
  NOT_DELEGATED_ADMINISTRATOR: 'The request is rejected because the current account is not the GuardDuty delegated administrator of the organization.',
  NOT_THE_ADMINISTRATOR: 'The request is rejected because the given account ID is not the GuardDuty delegated administrator of the organization.',
} as const;

/** UnprocessedAccounts results for organization accounts (the emulator's wording). */
export const ORGANIZATION_UNPROCESSED_RESULT = {
  ORGANIZATION_ACCOUNT_NOT_INVITABLE:
    'The request is rejected because the given account ID is an organization account added through the organization; add it again with CreateMembers instead of inviting it.',
  ACCOUNT_NOT_ACTIVE: 'The request is rejected because the given account ID is not an active account of the organization.',
  MEMBER_LIMIT_REACHED: 'The request is rejected because the current account already has the maximum number of member accounts (50,000).',
} as const;

export const ORGANIZATION_OPERATIONS: Readonly<Record<string, OperationHandler>> = {
  EnableOrganizationAdminAccount: ({ caller, state }, input) => {
    requireManagementAccount(caller.accountId, state);
    const adminId = String(input.AdminAccountId);
    if (!state.organization.isMember(adminId)) {
      throw badRequest(ORGANIZATION_ERROR.NOT_IN_ORGANIZATION);
    }
    const current = state.organization.guardDutyAdministrators.get(caller.region);
    if (current && current !== adminId) {
      throw badRequest(ORGANIZATION_ERROR.ANOTHER_ADMINISTRATOR);
    }
    // Enabling the account that already holds the role succeeds here (the emulator's
    // choice: the real answer is not documented).
    state.organization.guardDutyAdministrators.set(caller.region, adminId);
    state.organization.registeredDelegatedAdministrators.add(adminId);
    // GuardDuty enables its own trusted access on the caller's behalf (the grants in
    // lib/delegated-administrator-provider.ts are for this).
    if (!state.organization.trustedServices.has('guardduty.amazonaws.com')) {
      state.organization.trustedServices.set('guardduty.amazonaws.com', state.now());
    }
    if (!state.detectorId(adminId, caller.region)) {
      state.addDetector(adminId, caller.region);
    }
    return {};
  },

  /** The real service reports DISABLE_IN_PROGRESS for a while; the emulator removes the role at once. */
  DisableOrganizationAdminAccount: ({ caller, state }, input) => {
    requireManagementAccount(caller.accountId, state);
    if (state.organization.guardDutyAdministrators.get(caller.region) !== input.AdminAccountId) {
      throw badRequest(ORGANIZATION_ERROR.NOT_THE_ADMINISTRATOR);
    }
    state.organization.guardDutyAdministrators.delete(caller.region);
    return {};
  },

  ListOrganizationAdminAccounts: ({ caller, state }, input) => {
    requireManagementAccount(caller.accountId, state);
    const adminId = state.organization.guardDutyAdministrators.get(caller.region);
    return paginate(adminId ? [{ AdminAccountId: adminId, AdminStatus: 'ENABLED' }] : [], 'AdminAccounts', input);
  },

  DescribeOrganizationConfiguration: (context, input) => {
    const configuration = ownConfiguration(context, input);
    const features = [...configuration.features.entries()].map(([name, setting]) => ({
      Name: name,
      AutoEnable: setting.autoEnable,
      AdditionalConfiguration: [...setting.additionalConfiguration.entries()].map(([additional, autoEnable]) => ({ Name: additional, AutoEnable: autoEnable })),
    }));
    const page = paginate(features, 'Features', input);
    return {
      ...page,
      AutoEnableOrganizationMembers: configuration.autoEnableOrganizationMembers,
      // The deprecated boolean GuardDuty still returns beside AutoEnableOrganizationMembers.
      AutoEnable: configuration.autoEnableOrganizationMembers !== 'NONE',
      MemberAccountLimitReached: context.state.members(context.caller.accountId, context.caller.region).size >= MAX_MEMBERS_PER_ADMINISTRATOR,
    };
  },

  UpdateOrganizationConfiguration: (context, input) => {
    const configuration = ownConfiguration(context, input);
    if (typeof input.AutoEnableOrganizationMembers === 'string') {
      configuration.autoEnableOrganizationMembers = input.AutoEnableOrganizationMembers;
    }
    for (const feature of (input.Features as Array<{ Name?: string; AutoEnable?: string; AdditionalConfiguration?: Array<{ Name?: string; AutoEnable?: string }> }>) ?? []) {
      if (!feature.Name) {
        continue;
      }
      const setting = configuration.features.get(feature.Name) ?? { autoEnable: 'NONE', additionalConfiguration: new Map<string, string>() };
      setting.autoEnable = feature.AutoEnable ?? setting.autoEnable;
      for (const additional of feature.AdditionalConfiguration ?? []) {
        if (additional.Name && additional.AutoEnable) {
          setting.additionalConfiguration.set(additional.Name, additional.AutoEnable);
        }
      }
      configuration.features.set(feature.Name, setting);
    }
    applyOrganizationConfiguration(context.state, context.caller.accountId, context.caller.region);
    return {};
  },

  /**
   * From a delegated administrator, organization accounts become members at once
   * (Enabled, no invitation, auto-enable applied), and one that was disassociated is
   * added back. Other accounts, and every call from a non-delegated administrator, take
   * the invitation path.
   */
  CreateMembers: (context, input) => {
    const { accepted, refused } = withinMemberLimit(context, input);
    const processed = accepted.length === 0 ? { UnprocessedAccounts: [] } : createMembers(context, { ...input, AccountDetails: accepted });
    return { UnprocessedAccounts: [...(processed.UnprocessedAccounts as UnprocessedAccount[]), ...refused] };
  },

  /** A member the delegated administrator added through the organization cannot be invited, even once disassociated. */
  InviteMembers: (context, input) => {
    if (!isDelegatedAdministrator(context)) {
      return ADMINISTRATOR_OPERATIONS.InviteMembers(context, input);
    }
    requireOwnDetector(context, input);
    const { state, caller } = context;
    const accountIds = (input.AccountIds as string[]) ?? [];
    const throughOrganization = accountIds.filter((accountId) => state.organization.addedThroughOrganization.has(`${caller.accountId}/${caller.region}/${accountId}`));
    const others = accountIds.filter((accountId) => !throughOrganization.includes(accountId));
    const unprocessed: UnprocessedAccount[] = others.length > 0 ? (ADMINISTRATOR_OPERATIONS.InviteMembers(context, { ...input, AccountIds: others }).UnprocessedAccounts as UnprocessedAccount[]) : [];
    for (const accountId of throughOrganization) {
      const enabled = state.members(caller.accountId, caller.region).get(accountId)?.relationshipStatus === 'Enabled';
      unprocessed.push({ AccountId: accountId, Result: enabled ? UNPROCESSED_RESULT.ALREADY_INVITED : ORGANIZATION_UNPROCESSED_RESULT.ORGANIZATION_ACCOUNT_NOT_INVITABLE });
    }
    return { UnprocessedAccounts: unprocessed };
  },
};

/** CreateMembers once the member limit is applied: see ORGANIZATION_OPERATIONS.CreateMembers. */
function createMembers(context: OperationContext, input: Document): Document {
  const details = (input.AccountDetails as Array<{ AccountId: string; Email: string }>) ?? [];
  if (!isDelegatedAdministrator(context)) {
    return ADMINISTRATOR_OPERATIONS.CreateMembers(context, input);
  }
  requireOwnDetector(context, input);
  const { state, caller } = context;
  const organizationAccounts = details.filter((detail) => state.organization.isMember(detail.AccountId) && detail.AccountId !== caller.accountId);
  const others = details.filter((detail) => !organizationAccounts.includes(detail));
  const unprocessed: UnprocessedAccount[] = others.length > 0 ? (ADMINISTRATOR_OPERATIONS.CreateMembers(context, { ...input, AccountDetails: others }).UnprocessedAccounts as UnprocessedAccount[]) : [];
  const members = state.members(caller.accountId, caller.region);
  for (const { AccountId } of organizationAccounts) {
    const account = state.organization.accounts.get(AccountId)!;
    const existing = members.get(AccountId);
    if (account.state !== 'ACTIVE') {
      unprocessed.push({ AccountId, Result: ORGANIZATION_UNPROCESSED_RESULT.ACCOUNT_NOT_ACTIVE });
    } else if (existing && existing.relationshipStatus === 'Enabled') {
      unprocessed.push({ AccountId, Result: UNPROCESSED_RESULT.ALREADY_MEMBER });
    } else {
      enrollThroughOrganization(state, caller.accountId, caller.region, AccountId);
    }
  }
  return { UnprocessedAccounts: unprocessed };
}

/**
 * An administrator has at most 50,000 members, invited ones included: accounts that are
 * not members yet and would pass the limit are refused, in the order given.
 */
function withinMemberLimit(context: OperationContext, input: Document): { accepted: unknown[]; refused: UnprocessedAccount[] } {
  const details = (input.AccountDetails as Array<{ AccountId: string }>) ?? [];
  const members = context.state.members(context.caller.accountId, context.caller.region);
  let room = MAX_MEMBERS_PER_ADMINISTRATOR - members.size;
  const accepted: unknown[] = [];
  const refused: UnprocessedAccount[] = [];
  for (const detail of details) {
    if (members.has(detail.AccountId) || room > 0) {
      room -= members.has(detail.AccountId) ? 0 : 1;
      accepted.push(detail);
    } else {
      refused.push({ AccountId: detail.AccountId, Result: ORGANIZATION_UNPROCESSED_RESULT.MEMBER_LIMIT_REACHED });
    }
  }
  return { accepted, refused };
}

/** An administrator has at most 50,000 members, invited ones included (GuardDuty quotas). */
export const MAX_MEMBERS_PER_ADMINISTRATOR = 50_000;

function requireManagementAccount(accountId: string, state: GuardDutyState): void {
  if (state.organization.managementAccountId !== accountId) {
    throw badRequest(ORGANIZATION_ERROR.NOT_MANAGEMENT_ACCOUNT);
  }
}

function isDelegatedAdministrator({ caller, state }: OperationContext): boolean {
  return state.organization.guardDutyAdministrators.get(caller.region) === caller.accountId;
}

function ownConfiguration(context: OperationContext, input: Document) {
  requireOwnDetector(context, input);
  if (!isDelegatedAdministrator(context)) {
    throw badRequest(ORGANIZATION_ERROR.NOT_DELEGATED_ADMINISTRATOR);
  }
  return context.state.organization.configuration(context.caller.accountId, context.caller.region);
}
