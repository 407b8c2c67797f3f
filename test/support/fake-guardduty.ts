import {
  CreateMembersCommand,
  DeleteMembersCommand,
  DescribeOrganizationConfigurationCommand,
  DisassociateMembersCommand,
  GetMembersCommand,
  GuardDutyClient,
  InviteMembersCommand,
  ListDetectorsCommand,
  UnprocessedAccount,
} from '@aws-sdk/client-guardduty';
import { mockClient } from 'aws-sdk-client-mock';
import { forgetFinishedBatches } from '../../lambda/member-invitations/streamed-pass';
import { forgetRead } from '../../lambda/member-invitations/verification-memory';

/** GuardDuty's wording for the results the handler must recognise. */
export const RESULT = {
  ALREADY_MEMBER: 'The request is rejected because the given account ID is already a member or associated member of the current account.',
  ALREADY_INVITED: 'The request is rejected because the current account has already invited or is already the GuardDuty master of the given member account ID.',
  NOT_A_MEMBER: 'The request is rejected because the given account ID is not an associated member of account the current account.',
  OTHER_ADMINISTRATOR: 'The request is rejected because the given account ID is already associated with a different administrator account.',
  STILL_ASSOCIATED: 'The request is rejected because the given account ID is still associated; disassociate it first.',
} as const;

/** The fake's own wording (the service's is not known from public sources). */
export const ORGANIZATION_ACCOUNT_NOT_INVITABLE = 'The request is rejected because the given account ID is an organization account; add it with CreateMembers.';

/** The emulator's wording (test/support/guardduty-emulator/organization-operations.ts). */
export const NOT_DELEGATED_ADMINISTRATOR = 'The request is rejected because the current account is not the GuardDuty delegated administrator of the organization.';

/**
 * A stateful stand-in for one administrator's detector, behind aws-sdk-client-mock:
 * enough GuardDuty semantics for the handler's unit tests (members and their
 * relationship statuses, UnprocessedAccounts results). The HTTP-level emulator in
 * test/support/guardduty-emulator covers the wire protocol and faults.
 */
export class FakeGuardDuty {
  public readonly mock = mockClient(GuardDutyClient);
  public readonly members = new Map<string, { email: string; status: string; invitedAt?: string }>();
  public readonly invitationsSent = new Map<string, number>();
  /** Accounts GuardDuty refuses to invite, with the result it gives. */
  public readonly refuseInvite = new Map<string, string>();
  public readonly refuseCreate = new Map<string, string>();
  /**
   * Accounts of the organization when this administrator is its GuardDuty delegated
   * administrator: CreateMembers associates them at once (Enabled, never invited; a
   * Removed one too), and InviteMembers refuses them.
   */
  public readonly organizationAccounts = new Set<string>();
  /**
   * Whether DescribeOrganizationConfiguration answers (it does only for the delegated
   * administrator; others get a BadRequestException). Unset: when organizationAccounts has
   * any. Set it to test a probe whose answer is wrong about what CreateMembers then does.
   */
  public delegatedAdministrator?: boolean;
  public detectorIds: string[] = ['d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5'];
  /** The status InviteMembers leaves a member in (GuardDuty verifies the email first). */
  public verificationStatus = 'Invited';

  /** GetMembers as this detector answers it: for a test that stubs one answer and falls back to this. */
  public readonly getMembers = (input: { AccountIds?: string[] }) => ({
    Members: (input.AccountIds ?? []).filter((id: string) => this.members.has(id)).map((id: string) => ({
      AccountId: id,
      Email: this.members.get(id)!.email,
      RelationshipStatus: this.members.get(id)!.status,
      InvitedAt: this.members.get(id)!.invitedAt,
      MasterId: '123456789012',
      UpdatedAt: '2026-11-26T00:00:00Z',
    })),
    UnprocessedAccounts: (input.AccountIds ?? []).filter((id: string) => !this.members.has(id)).map((id: string) => ({ AccountId: id, Result: RESULT.NOT_A_MEMBER })),
  });

  constructor() {
    // A fresh GuardDuty stands for a fresh container: the handler's memories of earlier
    // polls (streamed-pass.ts, verification-memory.ts) must not carry from one test to the next.
    forgetFinishedBatches();
    forgetRead();
    const gd = this.mock;
    gd.on(ListDetectorsCommand).callsFake(() => ({ DetectorIds: this.detectorIds }));
    gd.on(GetMembersCommand).callsFake(this.getMembers);
    gd.on(DescribeOrganizationConfigurationCommand).callsFake(() => {
      if (!(this.delegatedAdministrator ?? this.organizationAccounts.size > 0)) {
        throw Object.assign(new Error(NOT_DELEGATED_ADMINISTRATOR), { name: 'BadRequestException' });
      }
      return { AutoEnableOrganizationMembers: 'NONE', MemberAccountLimitReached: false };
    });
    gd.on(CreateMembersCommand).callsFake((input) =>
      this.perAccount((input.AccountDetails ?? []).map((d: { AccountId?: string; Email?: string }) => d.AccountId!), (id: string) => {
        const refusal = this.refuseCreate.get(id);
        if (refusal) {
          return refusal;
        }
        if (this.organizationAccounts.has(id) && this.members.get(id)?.status !== 'Enabled') {
          this.members.set(id, { email: this.members.get(id)?.email ?? `org+${id}@example.com`, status: 'Enabled' });
          return undefined;
        }
        if (this.members.has(id)) {
          return RESULT.ALREADY_MEMBER;
        }
        this.members.set(id, { email: input.AccountDetails!.find((d: { AccountId?: string; Email?: string }) => d.AccountId === id)!.Email!, status: 'Created' });
        return undefined;
      }),
    );
    gd.on(InviteMembersCommand).callsFake((input) =>
      this.perAccount(input.AccountIds ?? [], (id) => {
        const member = this.members.get(id);
        if (!member) {
          return RESULT.NOT_A_MEMBER;
        }
        const refusal = this.refuseInvite.get(id) ?? (this.organizationAccounts.has(id) ? ORGANIZATION_ACCOUNT_NOT_INVITABLE : undefined);
        if (refusal) {
          return refusal;
        }
        if (['Invited', 'Enabled', 'EmailVerificationInProgress'].includes(member.status)) {
          return RESULT.ALREADY_INVITED;
        }
        member.status = this.verificationStatus;
        member.invitedAt = new Date().toISOString();
        this.invitationsSent.set(id, (this.invitationsSent.get(id) ?? 0) + 1);
        return undefined;
      }),
    );
    gd.on(DisassociateMembersCommand).callsFake((input) =>
      this.perAccount(input.AccountIds ?? [], (id) => {
        const member = this.members.get(id);
        if (!member) {
          return RESULT.NOT_A_MEMBER;
        }
        member.status = 'Removed';
        return undefined;
      }),
    );
    gd.on(DeleteMembersCommand).callsFake((input) =>
      this.perAccount(input.AccountIds ?? [], (id) => {
        const member = this.members.get(id);
        if (!member) {
          return RESULT.NOT_A_MEMBER;
        }
        if (['Invited', 'Enabled'].includes(member.status)) {
          return RESULT.STILL_ASSOCIATED;
        }
        this.members.delete(id);
        return undefined;
      }),
    );
  }

  public seed(accountId: string, status: string, email = `security+${accountId}@example.com`): void {
    // A member past Created was invited, unless it came in through the organization.
    const invited = status !== 'Created' && !this.organizationAccounts.has(accountId);
    this.members.set(accountId, { email, status, invitedAt: invited ? '2026-01-05T00:00:00Z' : undefined });
  }

  public status(accountId: string): string | undefined {
    return this.members.get(accountId)?.status;
  }

  public totalInvitations(): number {
    return [...this.invitationsSent.values()].reduce((a, b) => a + b, 0);
  }

  /** Account IDs per call of the given command, in call order. */
  public batches(command: new (input: never) => unknown): string[][] {
    return this.mock.commandCalls(command as never).map((call) => {
      const input = (call.args[0] as { input: unknown }).input as { AccountIds?: string[]; AccountDetails?: Array<{ AccountId: string }> };
      return input.AccountIds ?? input.AccountDetails?.map((d) => d.AccountId) ?? [];
    });
  }

  public restore(): void {
    this.mock.restore();
  }

  private perAccount(ids: string[], apply: (id: string) => string | undefined): { UnprocessedAccounts: UnprocessedAccount[] } {
    if (ids.length > 50) {
      throw Object.assign(new Error('1 validation error detected: accountIds must have at most 50 items'), { name: 'BadRequestException' });
    }
    const unprocessed: UnprocessedAccount[] = [];
    for (const id of ids) {
      const result = apply(id);
      if (result) {
        unprocessed.push({ AccountId: id, Result: result });
      }
    }
    return { UnprocessedAccounts: unprocessed };
  }
}
