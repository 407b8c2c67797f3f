import {
  Account,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { parentIdProblem } from '../../lib/private/organization-selection-rules';
import { Deadline } from './deadline';
import { HandlerError } from './handler-error';

/**
 * Reads the accounts of an AWS Organization for a handler: every account
 * (`ListAccounts`), or the accounts under a root or OU and every OU below it
 * (`ListOrganizationalUnitsForParent` + `ListAccountsForParent`). Callable from the
 * management account or a delegated administrator (GuardDuty's is registered with
 * Organizations when it is designated).
 *
 * Pages follow `NextToken` until it is absent, never assuming a short page is the last:
 * Organizations documents that it may return fewer items than `MaxResults` with more to
 * come. Every call runs within the invocation's deadline; throttling is the SDK's
 * adaptive retry mode's job.
 *
 * The result carries email addresses: callers must not log it whole.
 */
export interface OrganizationAccount {
  readonly accountId: string;
  readonly email: string;
  /** `State` (ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED, ...), or the retired `Status` from a service that still sends only that. */
  readonly state: string;
}

export interface OrganizationsReader {
  /** Every account of the organization, all pages. */
  listAccounts(): Promise<OrganizationAccount[]>;
  /** The accounts directly in `parentId` and in every OU below it (Organizations nests OUs five deep at most). */
  listAccountsUnder(parentId: string): Promise<OrganizationAccount[]>;
}

/** The most Organizations returns a page. */
const PAGE_SIZE = 20;
/** A listing of more pages than this (100,000 items) is a token that never ends. */
const MAX_PAGES = 5_000;
/** Organizations allows five levels of OUs under the root; deeper means a cycle or a wrong answer. */
const MAX_OU_DEPTH = 5;

/** The rule the construct checks at synth time too (one definition, in lib/private). */
export { parentIdProblem };

/** The client's configuration, as for GuardDuty; the endpoint comes from `AWS_ENDPOINT_URL_ORGANIZATIONS` when set. */
export function createOrganizationsClient(): OrganizationsClient {
  return new OrganizationsClient({
    retryMode: 'adaptive',
    maxAttempts: 10,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000, throwOnRequestTimeout: true },
  });
}

export function organizationsReader(client: OrganizationsClient, deadline: Deadline): OrganizationsReader {
  /** Every item of a paginated listing. */
  async function all<T>(what: string, fetchPage: (nextToken: string | undefined, abortSignal: AbortSignal) => Promise<{ items?: T[]; nextToken?: string }>): Promise<T[]> {
    const items: T[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const output = await deadline.run(what, (abortSignal) => fetchPage(nextToken, abortSignal));
      items.push(...(output.items ?? []));
      nextToken = output.nextToken || undefined;
      if (nextToken === undefined) {
        return items;
      }
    }
    throw new HandlerError(`AWS Organizations kept returning a NextToken after ${MAX_PAGES} pages while ${what}; stopped.`);
  }

  const accountsIn = (parentId: string) =>
    all(`listing the accounts of ${parentId}`, async (NextToken, abortSignal) => {
      const output = await client.send(new ListAccountsForParentCommand({ ParentId: parentId, MaxResults: PAGE_SIZE, NextToken }), { abortSignal });
      return { items: output.Accounts, nextToken: output.NextToken };
    });

  const unitsIn = (parentId: string) =>
    all(`listing the organizational units of ${parentId}`, async (NextToken, abortSignal) => {
      const output = await client.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parentId, MaxResults: PAGE_SIZE, NextToken }), { abortSignal });
      return { items: output.OrganizationalUnits, nextToken: output.NextToken };
    });

  return {
    async listAccounts() {
      const accounts = await all('listing the accounts of the organization', async (NextToken, abortSignal) => {
        const output = await client.send(new ListAccountsCommand({ MaxResults: PAGE_SIZE, NextToken }), { abortSignal });
        return { items: output.Accounts, nextToken: output.NextToken };
      });
      return accounts.flatMap(toOrganizationAccount);
    },

    async listAccountsUnder(parentId) {
      const problem = parentIdProblem(parentId);
      if (problem) {
        throw new HandlerError(`Cannot list the accounts of an organizational unit: ${problem}.`);
      }
      const accounts: OrganizationAccount[] = [];
      const visited = new Set<string>();
      let level = [parentId];
      for (let depth = 0; level.length > 0; depth++) {
        if (depth > MAX_OU_DEPTH) {
          throw new HandlerError(`Organizational units under ${parentId} nest deeper than the ${MAX_OU_DEPTH} levels Organizations allows; stopped.`);
        }
        const next: string[] = [];
        for (const id of level) {
          if (visited.has(id)) {
            continue;
          }
          visited.add(id);
          accounts.push(...(await accountsIn(id)).flatMap(toOrganizationAccount));
          next.push(...(await unitsIn(id)).flatMap((unit) => (unit.Id ? [unit.Id] : [])));
        }
        level = next;
      }
      return accounts;
    },
  };
}

function toOrganizationAccount(account: Account): OrganizationAccount[] {
  if (!account.Id) {
    return [];
  }
  return [{ accountId: account.Id, email: account.Email ?? '', state: account.State ?? account.Status ?? 'UNKNOWN' }];
}
