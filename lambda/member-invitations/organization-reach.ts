import { OutOfTimeError } from '../shared/deadline';

/**
 * Which new members CreateMembers may have associated through the organization, and so
 * must be read again before the invitations (organization-association.ts). Reading every
 * new member again costs one GetMembers per 50 accounts: a quarter of a fresh run's calls.
 * Two facts, each known without that read, make it unnecessary:
 * - Only the organization's GuardDuty delegated administrator gets members through the
 *   organization. GuardDuty's DescribeOrganizationConfiguration answers only for it and
 *   refuses every other administrator with a BadRequestException, so one call per
 *   invocation (made beside CreateMembers, so it costs no time) tells whether any account
 *   can be associated. An invitation-only fleet then costs 3 calls per 50 accounts.
 * - An `OrganizationMembers` selection of the whole organization lists every account of
 *   it: a declared account that is not in that listing is not an organization account.
 * Any other answer, or none, is read as "may be associated" and the accounts are read
 * again, as before. A wrong guess is caught after the fact too: an invitation GuardDuty
 * refuses for an account that was not read again sends that account to a read, and an
 * `Enabled` one is reported associated (reconcile-members.ts).
 */
export type Delegation = 'delegated' | 'not-delegated' | 'unknown';

/**
 * What DescribeOrganizationConfiguration's outcome says. Throttling and 5xx are retried by
 * the SDK before they get here; whatever still fails (AccessDenied from a role without the
 * action, an endpoint that is down) says nothing, so it is 'unknown'.
 */
export function delegationFrom(outcome: { readonly answered: true } | { readonly error: unknown }): Delegation {
  if ('answered' in outcome) {
    return 'delegated';
  }
  return (outcome.error as { name?: string } | undefined)?.name === 'BadRequestException' ? 'not-delegated' : 'unknown';
}

/** The accounts among `createdIds` to read again after CreateMembers. Pure. */
export function accountsToReread(
  createdIds: readonly string[],
  delegation: Delegation,
  organizationAccountIds: ReadonlySet<string> | undefined,
): string[] {
  if (delegation === 'not-delegated') {
    return [];
  }
  return organizationAccountIds ? createdIds.filter((id) => organizationAccountIds.has(id)) : [...createdIds];
}

/** What an invocation knows about the organization's reach, asked at most once. */
export interface OrganizationReach {
  /** Starts the probe (if it has not started) and waits for it; never rejects but with OutOfTimeError. */
  delegation(): Promise<Delegation>;
  /** Every account of the organization, when the run listed all of it (an ORGANIZATION selection). */
  readonly organizationAccountIds?: ReadonlySet<string>;
}

/**
 * The reach of one invocation: `probe` (DescribeOrganizationConfiguration on the detector)
 * runs on the first `delegation()` only, and every later batch of the invocation reuses
 * its answer. Running out of time in the probe is the invocation's end, as for any call.
 */
export function organizationReach(probe: () => Promise<unknown>, organizationAccountIds?: ReadonlySet<string>): OrganizationReach {
  let answer: Promise<Delegation | OutOfTimeError> | undefined;
  return {
    organizationAccountIds,
    async delegation() {
      answer ??= probe().then(
        () => delegationFrom({ answered: true }),
        (error: unknown) => (error instanceof OutOfTimeError ? error : delegationFrom({ error })),
      );
      const settled = await answer;
      if (settled instanceof OutOfTimeError) {
        throw settled;
      }
      return settled;
    },
  };
}
