import {
  AcceptAdministratorInvitationCommand,
  DisassociateFromAdministratorAccountCommand,
  GetAdministratorAccountCommand,
  GuardDutyClient,
  ListDetectorsCommand,
  ListInvitationsCommand,
} from '@aws-sdk/client-guardduty';
import { mockClient } from 'aws-sdk-client-mock';

export const MEMBER_DETECTOR = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';

/** GuardDuty's answer to a detector the caller does not own (or that no longer exists). */
export function detectorNotOwned(): Error {
  return Object.assign(new Error('The request is rejected because the input detectorId is not owned by the current account.'), { name: 'BadRequestException' });
}

/**
 * A stateful stand-in for the member side of one account's GuardDuty, behind
 * aws-sdk-client-mock: its detector, its administrator and the invitations it has
 * received. The HTTP-level emulator covers the wire protocol (see the journey test).
 */
export class FakeMemberGuardDuty {
  public readonly mock = mockClient(GuardDutyClient);
  public detectorIds: string[] = [MEMBER_DETECTOR];
  public administrator?: { accountId: string; relationshipStatus: string };
  public invitations: Array<{ AccountId: string; InvitationId: string; InvitedAt: string; RelationshipStatus: string }> = [];
  private sequence = 0;

  constructor() {
    const gd = this.mock;
    gd.on(ListDetectorsCommand).callsFake(() => ({ DetectorIds: this.detectorIds }));
    gd.on(GetAdministratorAccountCommand).callsFake((input) => {
      this.requireDetector(input.DetectorId);
      return this.administrator
        ? { Administrator: { AccountId: this.administrator.accountId, RelationshipStatus: this.administrator.relationshipStatus, InvitationId: 'inv' } }
        : {};
    });
    gd.on(ListInvitationsCommand).callsFake((input) => {
      const start = input.NextToken ? Number(input.NextToken) : 0;
      const end = start + (input.MaxResults ?? 50);
      return { Invitations: this.invitations.slice(start, end), NextToken: end < this.invitations.length ? String(end) : undefined };
    });
    gd.on(AcceptAdministratorInvitationCommand).callsFake((input) => {
      this.requireDetector(input.DetectorId);
      const index = this.invitations.findIndex((i) => i.AccountId === input.AdministratorId && i.InvitationId === input.InvitationId);
      if (index < 0) {
        throw Object.assign(new Error('The request is rejected because the input invitationId is not valid for the given administrator account.'), { name: 'BadRequestException' });
      }
      if (this.administrator && ['Enabled', 'Disabled'].includes(this.administrator.relationshipStatus)) {
        throw Object.assign(new Error('The request is rejected because the current account is already associated with a different administrator account.'), { name: 'BadRequestException' });
      }
      this.invitations.splice(index, 1);
      this.administrator = { accountId: input.AdministratorId!, relationshipStatus: 'Enabled' };
      return {};
    });
    gd.on(DisassociateFromAdministratorAccountCommand).callsFake((input) => {
      this.requireDetector(input.DetectorId);
      this.administrator = undefined;
      return {};
    });
  }

  /** The administrator sends an invitation (as InviteMembers does, once the email is verified). */
  public invite(administratorAccountId: string): string {
    this.sequence += 1;
    const invitationId = `invitation-${this.sequence}-from-${administratorAccountId}`;
    this.invitations.push({ AccountId: administratorAccountId, InvitationId: invitationId, InvitedAt: new Date(Date.now() + this.sequence).toISOString(), RelationshipStatus: 'Invited' });
    return invitationId;
  }

  public associate(administratorAccountId: string, relationshipStatus = 'Enabled'): void {
    this.administrator = { accountId: administratorAccountId, relationshipStatus };
  }

  public restore(): void {
    this.mock.restore();
  }

  private requireDetector(detectorId: string | undefined): void {
    if (!detectorId || !this.detectorIds.includes(detectorId)) {
      throw detectorNotOwned();
    }
  }
}
