import { Caller } from './caller-identity';
import { GuardDutyState } from './guardduty-state';
import { OrganizationAccount } from './organization-state';
import { ServiceError } from './service-error';
import { rootView, settlePendingPolicyTypes } from './organizations-policy-operations';

/**
 * The AWS Organizations operations the GuardDuty handlers call (JSON 1.1 protocol, target
 * prefix `AWSOrganizationsV20161128`). The Organizations API model is not vendored; the
 * shapes are hand-written from `@aws-sdk/client-organizations`' types: `Account`
 * (`Id`, `Arn`, `Email`, `Name`, `State`, `JoinedMethod`, `JoinedTimestamp` in epoch
 * seconds), `OrganizationalUnit`, `Root`, `Organization`. `Account.Status` is not
 * returned: the SDK documents its retirement on September 9, 2026, in favour of `State`.
 *
 * Pagination as the service does it: `MaxResults` 1 to 20, an opaque `NextToken`, and
 * pages that may hold fewer items than asked with a token still to follow (the emulator's
 * `pageSizeCap`).
 */
export type OrganizationsInput = Record<string, unknown>;
export type OrganizationsHandler = (caller: Caller, state: GuardDutyState, input: OrganizationsInput) => Record<string, unknown>;

/** Errors as Organizations names them; the messages are the emulator's unless noted. */
export function organizationsError(type: string, message: string, reason?: string): ServiceError {
  const error = new ServiceError(type, 400, message);
  return Object.assign(error, { reason });
}

export const ORGANIZATIONS_OPERATIONS: Readonly<Record<string, OrganizationsHandler>> = {
  DescribeOrganization: (caller, state) => {
    requireMember(caller, state);
    const organization = state.organization;
    const management = organization.accounts.get(organization.managementAccountId!);
    return {
      Organization: {
        Id: organization.organizationId,
        Arn: organization.arn('organization', organization.organizationId!),
        FeatureSet: 'ALL',
        MasterAccountArn: organization.arn('account', organization.managementAccountId!),
        MasterAccountId: organization.managementAccountId,
        MasterAccountEmail: management?.email,
      },
    };
  },

  ListRoots: (caller, state, input) => {
    requireReader(caller, state);
    const root = rootView(state);
    settlePendingPolicyTypes(state);
    return page([root], 'Roots', input, state, 'ListRoots');
  },

  ListAccounts: (caller, state, input) => {
    requireReader(caller, state);
    const accounts = [...state.organization.accounts.values()].map((account) => accountView(state, account));
    return page(accounts, 'Accounts', input, state, 'ListAccounts');
  },

  ListAccountsForParent: (caller, state, input) => {
    requireReader(caller, state);
    const parentId = requireParent(state, input);
    const accounts = [...state.organization.accounts.values()].filter((account) => account.parentId === parentId).map((account) => accountView(state, account));
    return page(accounts, 'Accounts', input, state, `ListAccountsForParent/${parentId}`);
  },

  /**
   * Trusted access, management account only. Enabling a service that is trusted already
   * succeeds and keeps its date, as the service does.
   */
  EnableAWSServiceAccess: (caller, state, input) => {
    requireManagementAccount(caller, state);
    const principal = input.ServicePrincipal;
    if (typeof principal !== 'string' || !/^[\w+=,.@-]*$/.test(principal) || principal.length < 1 || principal.length > 128) {
      throw organizationsError('InvalidInputException', 'You must specify a valid ServicePrincipal.', 'INVALID_INPUT');
    }
    if (!state.organization.trustedServices.has(principal)) {
      state.organization.trustedServices.set(principal, state.now());
    }
    return {};
  },

  ListAWSServiceAccessForOrganization: (caller, state, input) => {
    requireManagementAccount(caller, state);
    const services = [...state.organization.trustedServices.entries()].map(([principal, enabledAt]) => ({ ServicePrincipal: principal, DateEnabled: Math.floor(enabledAt / 1000) }));
    return page(services, 'EnabledServicePrincipals', input, state, 'ListAWSServiceAccessForOrganization');
  },

  ListOrganizationalUnitsForParent: (caller, state, input) => {
    requireReader(caller, state);
    const parentId = requireParent(state, input);
    const units = [...state.organization.organizationalUnits.values()]
      .filter((unit) => unit.parentId === parentId)
      .map((unit) => ({ Id: unit.id, Arn: state.organization.arn('ou', unit.id), Name: unit.name }));
    return page(units, 'OrganizationalUnits', input, state, `ListOrganizationalUnitsForParent/${parentId}`);
  },
};

function accountView(state: GuardDutyState, account: OrganizationAccount): Record<string, unknown> {
  return {
    Id: account.accountId,
    Arn: state.organization.arn('account', account.accountId),
    Email: account.email,
    Name: account.name,
    State: account.state,
    JoinedMethod: account.accountId === state.organization.managementAccountId ? 'CREATED' : 'INVITED',
    JoinedTimestamp: Math.floor(account.joinedAt / 1000),
  };
}

/** Any account of the organization may describe it ("Your account is not a member of an organization." is the service's wording). */
function requireMember(caller: Caller, state: GuardDutyState): void {
  if (!state.organization.organizationId || !state.organization.isMember(caller.accountId)) {
    throw organizationsError('AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.');
  }
}

/** Listing needs the management account, a registered delegated administrator, or an account delegated policy management. */
function requireReader(caller: Caller, state: GuardDutyState): void {
  requireMember(caller, state);
  const organization = state.organization;
  if (caller.accountId !== organization.managementAccountId && !organization.registeredDelegatedAdministrators.has(caller.accountId) && !organization.policies.delegatedPolicyManagers.has(caller.accountId)) {
    throw organizationsError('AccessDeniedException', 'You don\'t have permissions to access this resource.');
  }
}

/** Trusted access is the management account's to read and change (a delegated administrator may not). */
function requireManagementAccount(caller: Caller, state: GuardDutyState): void {
  requireMember(caller, state);
  if (caller.accountId !== state.organization.managementAccountId) {
    throw organizationsError('AccessDeniedException', 'You don\'t have permissions to access this resource.');
  }
}

function requireParent(state: GuardDutyState, input: OrganizationsInput): string {
  const parentId = input.ParentId;
  if (typeof parentId !== 'string' || parentId.length === 0) {
    throw organizationsError('InvalidInputException', 'You must specify a value for ParentId.', 'INPUT_REQUIRED');
  }
  if (!state.organization.isParent(parentId)) {
    throw organizationsError('ParentNotFoundException', 'We can\'t find a root or OU with the ParentId that you specified.');
  }
  return parentId;
}

/**
 * One page of `items`. The token names the listing it belongs to, so a token from one
 * listing is refused by another, as an opaque service token would be.
 */
function page(items: readonly unknown[], listName: string, input: OrganizationsInput, state: GuardDutyState, listing: string): Record<string, unknown> {
  const maxResults = input.MaxResults ?? 20;
  if (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 1 || maxResults > 20) {
    const reason = typeof maxResults === 'number' && maxResults < 1 ? 'MIN_VALUE_EXCEEDED' : 'MAX_VALUE_EXCEEDED';
    throw organizationsError('InvalidInputException', `MaxResults must be from 1 to 20, got ${JSON.stringify(maxResults)}.`, reason);
  }
  const start = input.NextToken === undefined ? 0 : decodeToken(String(input.NextToken), listing);
  const end = Math.min(start + Math.min(maxResults, state.organization.pageSizeCap), items.length);
  return { [listName]: items.slice(start, end), NextToken: end < items.length ? encodeToken(listing, end) : undefined };
}

function encodeToken(listing: string, offset: number): string {
  return Buffer.from(JSON.stringify({ listing, offset })).toString('base64');
}

function decodeToken(token: string, listing: string): number {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64').toString()) as { listing?: unknown; offset?: unknown };
    if (decoded.listing === listing && typeof decoded.offset === 'number') {
      return decoded.offset;
    }
  } catch {
    // Not one of ours: refused below.
  }
  throw organizationsError('InvalidInputException', 'The NextToken is not valid for this request.', 'INVALID_NEXT_TOKEN');
}
