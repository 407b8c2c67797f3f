import { GuardDutyClient, InviteMembersCommand, ListMembersCommand } from '@aws-sdk/client-guardduty';
import { MAX_ACCOUNTS_PER_CALL, chunk } from '../../lib/private/member-account-rules';
import { Deadline } from '../shared/deadline';
import { ListedMember } from './membership-drift';

/**
 * The monitor's GuardDuty calls. Throttling and 5xx are the SDK's adaptive retry mode's
 * job (lambda/shared/guardduty-client.ts); every call runs within the check's deadline.
 */
export interface GuardDutyMemberListApi {
  /** Every member of the detector, associated or not, all pages. */
  listMembers(detectorId: string): Promise<ListedMember[]>;
  /** Invites the accounts, 50 a call; returns what GuardDuty did not process. */
  inviteMembers(detectorId: string, accountIds: readonly string[]): Promise<{ accountId: string; result: string }[]>;
}

/** ListMembers returns at most 50 members a page (MaxResults in the API model). */
export const LIST_MEMBERS_PAGE_SIZE = 50;
/**
 * Far above GuardDuty's 50,000 members per administrator (1,000 pages): a NextToken
 * that never ends fails the check instead of running until the deadline.
 */
const MAX_PAGES = 2_000;

export function guardDutyMemberListApi(client: GuardDutyClient, deadline: Deadline): GuardDutyMemberListApi {
  return {
    async listMembers(detectorId) {
      const members: ListedMember[] = [];
      let nextToken: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const output = await deadline.run('listing the members', (abortSignal) =>
          // OnlyAssociated defaults to true, which hides Created, Invited, Removed,
          // Resigned ... members: exactly the drift this check is for.
          client.send(new ListMembersCommand({ DetectorId: detectorId, OnlyAssociated: 'false', MaxResults: LIST_MEMBERS_PAGE_SIZE, NextToken: nextToken }), { abortSignal }),
        );
        for (const member of output.Members ?? []) {
          if (member.AccountId) {
            // The member's Email is dropped here: nothing after this point can log it.
            members.push({
              accountId: member.AccountId,
              relationshipStatus: member.RelationshipStatus ?? 'Unknown',
              invitedAtMs: epochMs(member.InvitedAt),
              updatedAtMs: epochMs(member.UpdatedAt),
            });
          }
        }
        nextToken = output.NextToken || undefined;
        if (nextToken === undefined) {
          return members;
        }
      }
      throw new Error(`ListMembers returned a NextToken after ${MAX_PAGES} pages (${members.length} members); GuardDuty allows at most 50,000 members.`);
    },

    async inviteMembers(detectorId, accountIds) {
      const unprocessed: { accountId: string; result: string }[] = [];
      for (const batch of chunk(accountIds, MAX_ACCOUNTS_PER_CALL)) {
        const output = await deadline.run('re-inviting members', (abortSignal) =>
          client.send(new InviteMembersCommand({ DetectorId: detectorId, AccountIds: batch }), { abortSignal }),
        );
        unprocessed.push(...(output.UnprocessedAccounts ?? []).map((e) => ({ accountId: e.AccountId ?? 'unknown', result: e.Result ?? 'no reason given' })));
      }
      return unprocessed;
    },
  };
}

function epochMs(timestamp: string | undefined): number | undefined {
  const ms = timestamp ? Date.parse(timestamp) : NaN;
  return Number.isNaN(ms) ? undefined : ms;
}
