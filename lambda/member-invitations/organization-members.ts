import { ATTRIBUTE, ORGANIZATION_MEMBERS_SCOPES, OrganizationMembersScope } from '../../lib/private/invitation-contract';
import { MAX_DECLARED_MEMBERS, accountIdProblem, emailProblem } from '../../lib/private/member-account-rules';
import { excludedAccountIdsProblems, parentIdsProblems } from '../../lib/private/organization-selection-rules';
import { HandlerError } from '../shared/handler-error';
import { Logger } from '../shared/logger';
import { OrganizationAccount, OrganizationsReader } from '../shared/organizations-api';
import { boundedList } from './outcome-report';
import { DeclaredMember } from './resource-properties';

/**
 * `OrganizationMembers`: members chosen from AWS Organizations at deploy time. The
 * template holds the selection; this module lists the organization and adds the
 * selected accounts to `Members`, so that everything after it (validation, planning,
 * removal) reads one declared fleet, whichever way each account was declared.
 *
 * Decisions, also in the README:
 * - An account in both `Members` and the selection is declared once, with the email of
 *   `Members`: the user wrote it on purpose.
 * - The administrator's own account is skipped: it cannot be its own member.
 * - The management account is selected like any other account when the selection
 *   reaches it (the whole organization does); exclude it to leave it out.
 * - Accounts that are not ACTIVE (SUSPENDED, PENDING_CLOSURE, ...) are skipped and
 *   reported: GuardDuty cannot enable them.
 * - Old properties (an Update's, a Delete's) are resolved against the organization as
 *   it is now, so an account that left the selected units since is declared by neither
 *   the old nor the new selection, and an Update never removes it for that reason.
 */
export interface OrganizationSelection {
  readonly scope: OrganizationMembersScope;
  /** Roots or OUs, with ORGANIZATIONAL_UNITS. */
  readonly parentIds: readonly string[];
  readonly excludeAccountIds: readonly string[];
}

/** What the selection came to in one resolution: the part of the outcome Organizations decides. */
export interface SelectionReport {
  /** Active accounts selected, after exclusions (those also in `Members` included). */
  readonly selectedCount: number;
  /** Selected accounts skipped because Organizations says they are not ACTIVE. */
  readonly suspended: readonly string[];
}

export interface SelectedMembers extends SelectionReport {
  /** The selected accounts to add to `Members` (not those already there). */
  readonly members: readonly DeclaredMember[];
  readonly excludedCount: number;
}

const WHERE = 'OrganizationMembers';

/**
 * Parses the `OrganizationMembers` property. `declaredIds` are the accounts `Members`
 * declares, which must not be excluded too. Throws a HandlerError naming each bad value.
 */
export function parseOrganizationSelection(raw: unknown, declaredIds: readonly string[]): OrganizationSelection {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new HandlerError(`Invalid GuardDutyMemberInvitations properties: ${WHERE} must be an object {Scope, ParentIds?, ExcludeAccountIds?}.`);
  }
  const { Scope: scope, ParentIds: parentIds, ExcludeAccountIds: excluded } = raw as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof scope !== 'string' || !(ORGANIZATION_MEMBERS_SCOPES as readonly string[]).includes(scope)) {
    problems.push(`${WHERE}.Scope must be one of ${ORGANIZATION_MEMBERS_SCOPES.join(', ')}, got ${JSON.stringify(scope)?.slice(0, 40)}`);
  }
  if (scope === 'ORGANIZATIONAL_UNITS') {
    if (!Array.isArray(parentIds)) {
      problems.push(`${WHERE}.ParentIds must be a list of organizational unit or root IDs with Scope ORGANIZATIONAL_UNITS`);
    } else {
      problems.push(...parentIdsProblems(parentIds, `${WHERE}.ParentIds`));
    }
  } else if (parentIds !== undefined) {
    problems.push(`${WHERE}.ParentIds is only for Scope ORGANIZATIONAL_UNITS`);
  }
  if (excluded !== undefined && !Array.isArray(excluded)) {
    problems.push(`${WHERE}.ExcludeAccountIds must be a list of account IDs`);
  } else {
    problems.push(...excludedAccountIdsProblems((excluded as unknown[] | undefined) ?? [], `${WHERE}.ExcludeAccountIds`, declaredIds, 'Members'));
  }
  if (problems.length > 0) {
    throw new HandlerError(`Invalid GuardDutyMemberInvitations properties: ${problems.join('; ')}.`);
  }
  return {
    scope: scope as OrganizationMembersScope,
    parentIds: scope === 'ORGANIZATIONAL_UNITS' ? (parentIds as string[]) : [],
    excludeAccountIds: (excluded as string[] | undefined) ?? [],
  };
}

/**
 * The members a selection adds, from the accounts Organizations listed (in its order,
 * each account once). Pure.
 */
export function selectMembers(
  accounts: readonly OrganizationAccount[],
  selection: OrganizationSelection,
  declaredIds: ReadonlySet<string>,
  administratorAccountId: string | undefined,
): SelectedMembers {
  const excluded = new Set(selection.excludeAccountIds);
  const seen = new Set<string>();
  const members: DeclaredMember[] = [];
  const suspended: string[] = [];
  let selectedCount = 0;
  let excludedCount = 0;
  for (const account of accounts) {
    if (seen.has(account.accountId) || account.accountId === administratorAccountId) {
      continue;
    }
    seen.add(account.accountId);
    if (excluded.has(account.accountId)) {
      excludedCount += 1;
    } else if (account.state !== 'ACTIVE') {
      suspended.push(account.accountId);
    } else {
      selectedCount += 1;
      if (!declaredIds.has(account.accountId)) {
        members.push(usableMember(account));
      }
    }
  }
  return { members, suspended, selectedCount, excludedCount };
}

function usableMember(account: OrganizationAccount): DeclaredMember {
  const problem = accountIdProblem(account.accountId) ?? emailProblem(account.email);
  if (problem) {
    throw new HandlerError(`AWS Organizations listed account ${JSON.stringify(account.accountId).slice(0, 40)}, which ${WHERE} selects, with an unusable value: ${problem}.`);
  }
  return { accountId: account.accountId, email: account.email };
}

/** Where the handler reads the organization, and who it is. */
export interface OrganizationSource {
  readonly reader: () => OrganizationsReader;
  /** The administrator's account, from the stack's ARN; skipped when selected. */
  readonly administratorAccountId: string | undefined;
  /** One CloudFormation request: its invocations share one listing per container. */
  readonly requestId: string;
  readonly log: Logger;
}

/** The properties with the whole declared fleet in `Members`, and what resolving it learned. */
export interface DeclaredFleet {
  readonly properties: unknown;
  readonly selection?: SelectionReport;
  /** Every account of the organization, when the selection listed all of it (Scope ORGANIZATION): organization-reach.ts. */
  readonly organizationAccountIds?: ReadonlySet<string>;
}

/**
 * The properties with the selected accounts added to `Members`, and what the selection
 * came to; properties without `OrganizationMembers` are returned as they are. Throws a
 * HandlerError naming the bad value, or what Organizations said when it cannot be read.
 */
export async function withOrganizationMembers(raw: unknown, source: OrganizationSource): Promise<DeclaredFleet> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || (raw as Record<string, unknown>).OrganizationMembers === undefined) {
    return { properties: raw };
  }
  const props = raw as Record<string, unknown>;
  const explicit = Array.isArray(props.Members) ? (props.Members as unknown[]) : props.Members === undefined ? [] : undefined;
  if (explicit === undefined) {
    // Not a list: the properties' own validation names it.
    return { properties: raw };
  }
  const declaredIds = explicit.flatMap((entry) => {
    const accountId = (entry as Record<string, unknown> | null)?.AccountId;
    return typeof accountId === 'string' ? [accountId] : [];
  });
  const selection = parseOrganizationSelection(props.OrganizationMembers, declaredIds);
  const accounts = await listSelected(selection, source);
  const selected = selectMembers(accounts, selection, new Set(declaredIds), source.administratorAccountId);
  const total = explicit.length + selected.members.length;
  if (total > MAX_DECLARED_MEMBERS) {
    throw new HandlerError(
      `${WHERE} selects ${selected.members.length} accounts besides the ${explicit.length} of Members: ${total} in all, more than the ${MAX_DECLARED_MEMBERS} members GuardDuty allows an administrator. ` +
        'Narrow the selection (organizational units, excluded accounts) or split it over several administrators.',
    );
  }
  source.log.info('organization members selected', {
    scope: selection.scope,
    parentIds: selection.parentIds,
    selected: selected.selectedCount,
    alsoInMembers: selected.selectedCount - selected.members.length,
    excluded: selected.excludedCount,
    suspended: selected.suspended,
  });
  return {
    properties: { ...props, Members: [...explicit, ...selected.members.map((m) => ({ AccountId: m.accountId, Email: m.email }))] },
    selection: { selectedCount: selected.selectedCount, suspended: selected.suspended },
    // Only a listing of the whole organization says that an account is not in it.
    ...(selection.scope === 'ORGANIZATION' ? { organizationAccountIds: new Set(accounts.map((a) => a.accountId)) } : {}),
  };
}

/** At most about 20 IDs: the response keeps its 4,096-byte bound next to the other lists (outcome-report.ts). */
export const MAX_SUSPENDED_LIST_BYTES = 260;

/** The selection's attributes, added to the response of the run that resolved it. */
export function selectionData(selection: SelectionReport | undefined): Record<string, string> {
  return {
    [ATTRIBUTE.SUSPENDED_ACCOUNT_IDS]: boundedList(selection?.suspended ?? [], MAX_SUSPENDED_LIST_BYTES),
    [ATTRIBUTE.SUSPENDED_ACCOUNT_COUNT]: String(selection?.suspended.length ?? 0),
    [ATTRIBUTE.SELECTED_ACCOUNT_COUNT]: String(selection?.selectedCount ?? 0),
  };
}

/**
 * The listing, once per request and container: isComplete polls (every 30 s) and an
 * Update's old and new properties resolve the same selection, and must see one fleet
 * rather than list the organization again each time. A listing that failed is not kept.
 */
let cache: { requestId: string; listings: Map<string, Promise<OrganizationAccount[]>> } | undefined;

async function listSelected(selection: OrganizationSelection, source: OrganizationSource): Promise<OrganizationAccount[]> {
  if (cache?.requestId !== source.requestId) {
    cache = { requestId: source.requestId, listings: new Map() };
  }
  const listings = cache.listings;
  const key = `${selection.scope}:${[...selection.parentIds].sort().join(',')}`;
  let listing = listings.get(key);
  if (!listing) {
    listing = readOrganization(selection, source.reader());
    listings.set(key, listing);
    listing.catch(() => listings.delete(key));
  }
  return listing;
}

async function readOrganization(selection: OrganizationSelection, reader: OrganizationsReader): Promise<OrganizationAccount[]> {
  try {
    if (selection.scope === 'ORGANIZATION') {
      return await reader.listAccounts();
    }
    const accounts: OrganizationAccount[] = [];
    for (const parentId of selection.parentIds) {
      accounts.push(...(await reader.listAccountsUnder(parentId)));
    }
    return accounts;
  } catch (error) {
    if (error instanceof HandlerError) {
      throw error;
    }
    const e = error as { name?: string; message?: string };
    const what = selection.scope === 'ORGANIZATION' ? 'the accounts of the organization' : `the accounts under ${selection.parentIds.join(', ')}`;
    throw new HandlerError(
      `Could not list ${what} for ${WHERE} (${e.name ?? 'Error'}: ${e.message ?? String(error)}). ` +
        'The administrator account must be the organization\'s management account or a delegated administrator (as GuardDuty\'s is), and each ID must be a root or OU of that organization.',
    );
  }
}

/** Test hook: forget the listings of this container. */
export function clearOrganizationListings(): void {
  cache = undefined;
}
