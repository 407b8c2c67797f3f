import {
  CreateMembersCommand,
  DeleteMembersCommand,
  DescribeOrganizationConfigurationCommand,
  DisassociateMembersCommand,
  GetMembersCommand,
  GuardDutyClient,
  InviteMembersCommand,
  ListDetectorsCommand,
  UnprocessedAccount as SdkUnprocessedAccount,
} from '@aws-sdk/client-guardduty';
import { MAX_ACCOUNTS_PER_CALL, chunk } from '../../lib/private/member-account-rules';
import { Deadline } from '../shared/deadline';
import { CurrentMember } from './member-plan';
import { DeclaredMember } from './resource-properties';
import { UnprocessedAccount } from '../shared/unprocessed-results';

/**
 * The GuardDuty calls the handler makes, each over any number of accounts: it splits them
 * into calls of at most 50 (the API's limit) and merges the `UnprocessedAccounts` of all
 * calls. Every call runs within the invocation's deadline. Batches go one after
 * another: GuardDuty's rate limit, not latency, bounds a large run, and the SDK's
 * adaptive retry mode paces calls to it. No retry logic lives here.
 */
export interface GuardDutyMembersApi {
  /** The detector of the caller's account and region, if GuardDuty is enabled there. */
  findDetectorId(): Promise<string | undefined>;
  /**
   * Asks for the detector's organization configuration, which GuardDuty gives only to
   * the organization's delegated administrator (organization-reach.ts reads the answer);
   * resolves when it answers, rejects with GuardDuty's error otherwise.
   */
  describeOrganizationConfiguration(detectorId: string): Promise<void>;
  getMembers(detectorId: string, accountIds: readonly string[]): Promise<CurrentMember[]>;
  createMembers(detectorId: string, members: readonly DeclaredMember[]): Promise<UnprocessedAccount[]>;
  inviteMembers(detectorId: string, accountIds: readonly string[], invitation: InvitationText): Promise<UnprocessedAccount[]>;
  disassociateMembers(detectorId: string, accountIds: readonly string[]): Promise<UnprocessedAccount[]>;
  deleteMembers(detectorId: string, accountIds: readonly string[]): Promise<UnprocessedAccount[]>;
}

export interface InvitationText {
  readonly message?: string;
  readonly disableEmailNotification: boolean;
}

export function guardDutyMembersApi(client: GuardDutyClient, deadline: Deadline): GuardDutyMembersApi {
  /** Runs one call per batch of account IDs and collects what GuardDuty did not process. */
  const perBatch = async <T>(
    items: readonly T[],
    call: (batch: T[]) => Promise<{ UnprocessedAccounts?: SdkUnprocessedAccount[] }>,
  ): Promise<UnprocessedAccount[]> => {
    const unprocessed: UnprocessedAccount[] = [];
    for (const batch of chunk(items, MAX_ACCOUNTS_PER_CALL)) {
      const output = await call(batch);
      unprocessed.push(...toUnprocessed(output.UnprocessedAccounts));
    }
    return unprocessed;
  };

  return {
    async findDetectorId() {
      // An account has at most one detector per region; the first page says it.
      const output = await deadline.run('looking up the detector', (abortSignal) =>
        client.send(new ListDetectorsCommand({}), { abortSignal }),
      );
      return output.DetectorIds?.[0];
    },

    async describeOrganizationConfiguration(detectorId) {
      // The first page is enough: whether GuardDuty answers is the whole answer.
      await deadline.run('asking whether this administrator is the delegated one', (abortSignal) =>
        client.send(new DescribeOrganizationConfigurationCommand({ DetectorId: detectorId, MaxResults: 1 }), { abortSignal }),
      );
    },

    async getMembers(detectorId, accountIds) {
      const members: CurrentMember[] = [];
      for (const batch of chunk(accountIds, MAX_ACCOUNTS_PER_CALL)) {
        const output = await deadline.run('reading the member list', (abortSignal) =>
          client.send(new GetMembersCommand({ DetectorId: detectorId, AccountIds: batch }), { abortSignal }),
        );
        // Accounts that are not members come back as UnprocessedAccounts: that is the answer.
        for (const m of output.Members ?? []) {
          if (m.AccountId) {
            const invitedAtMs = m.InvitedAt ? Date.parse(m.InvitedAt) : NaN;
            const updatedAtMs = m.UpdatedAt ? Date.parse(m.UpdatedAt) : NaN;
            members.push({
              accountId: m.AccountId,
              relationshipStatus: m.RelationshipStatus ?? 'Unknown',
              email: m.Email,
              invitedAtMs: Number.isNaN(invitedAtMs) ? undefined : invitedAtMs,
              updatedAtMs: Number.isNaN(updatedAtMs) ? undefined : updatedAtMs,
            });
          }
        }
      }
      return members;
    },

    createMembers: (detectorId, members) =>
      perBatch(members, (batch) =>
        deadline.run('creating members', (abortSignal) =>
          client.send(
            new CreateMembersCommand({
              DetectorId: detectorId,
              AccountDetails: batch.map((m) => ({ AccountId: m.accountId, Email: m.email })),
            }),
            { abortSignal },
          ),
        ),
      ),

    inviteMembers: (detectorId, accountIds, invitation) =>
      perBatch(accountIds, (batch) =>
        deadline.run('inviting members', (abortSignal) =>
          client.send(
            new InviteMembersCommand({
              DetectorId: detectorId,
              AccountIds: batch,
              Message: invitation.message,
              DisableEmailNotification: invitation.disableEmailNotification,
            }),
            { abortSignal },
          ),
        ),
      ),

    disassociateMembers: (detectorId, accountIds) =>
      perBatch(accountIds, (batch) =>
        deadline.run('disassociating members', (abortSignal) =>
          client.send(new DisassociateMembersCommand({ DetectorId: detectorId, AccountIds: batch }), { abortSignal }),
        ),
      ),

    deleteMembers: (detectorId, accountIds) =>
      perBatch(accountIds, (batch) =>
        deadline.run('deleting members', (abortSignal) =>
          client.send(new DeleteMembersCommand({ DetectorId: detectorId, AccountIds: batch }), { abortSignal }),
        ),
      ),
  };
}

function toUnprocessed(entries: SdkUnprocessedAccount[] | undefined): UnprocessedAccount[] {
  return (entries ?? []).map((e) => ({ accountId: e.AccountId ?? 'unknown', result: e.Result ?? 'no reason given' }));
}
