import {
  AcceptAdministratorInvitationCommand,
  DisassociateFromAdministratorAccountCommand,
  GetAdministratorAccountCommand,
  GuardDutyClient,
  ListDetectorsCommand,
  ListInvitationsCommand,
} from '@aws-sdk/client-guardduty';
import { Deadline } from '../shared/deadline';
import { AdministratorRelationship, ReceivedInvitation } from './acceptance-plan';

/**
 * The GuardDuty calls of the member side, the handler's only I/O. Throttling and 5xx are
 * the SDK's adaptive retry mode's job (see lambda/shared/guardduty-client.ts); no retry
 * logic lives here. Every call refuses to start when the deadline leaves no time, and is
 * aborted when it passes.
 */
export interface GuardDutyAdministratorApi {
  /** The detector of the caller's account and region, if GuardDuty is enabled there. */
  findDetectorId(): Promise<string | undefined>;
  /** The member's administrator, or undefined when it has none. */
  getAdministrator(detectorId: string): Promise<AdministratorRelationship | undefined>;
  /** Every invitation the account has received, all pages. */
  listInvitations(): Promise<ReceivedInvitation[]>;
  acceptInvitation(detectorId: string, administratorAccountId: string, invitationId: string): Promise<void>;
  disassociateFromAdministrator(detectorId: string): Promise<void>;
}

/** ListInvitations returns at most 50 per page; more than 100 pages means a token that never ends. */
const MAX_INVITATION_PAGES = 100;

export function guardDutyAdministratorApi(client: GuardDutyClient, deadline: Deadline): GuardDutyAdministratorApi {
  return {
    async findDetectorId() {
      // An account has at most one detector per region; the first page says it.
      const output = await deadline.run('looking up the detector', (abortSignal) =>
        client.send(new ListDetectorsCommand({}), { abortSignal }),
      );
      return output.DetectorIds?.[0];
    },

    async getAdministrator(detectorId) {
      const output = await deadline.run('reading the administrator account', (abortSignal) =>
        client.send(new GetAdministratorAccountCommand({ DetectorId: detectorId }), { abortSignal }),
      );
      const administrator = output.Administrator;
      if (!administrator?.AccountId) {
        return undefined;
      }
      return { administratorAccountId: administrator.AccountId, relationshipStatus: administrator.RelationshipStatus ?? 'Unknown' };
    },

    async listInvitations() {
      const invitations: ReceivedInvitation[] = [];
      let nextToken: string | undefined;
      for (let page = 0; page < MAX_INVITATION_PAGES; page++) {
        const output = await deadline.run('listing invitations', (abortSignal) =>
          client.send(new ListInvitationsCommand({ MaxResults: 50, NextToken: nextToken }), { abortSignal }),
        );
        for (const invitation of output.Invitations ?? []) {
          if (invitation.AccountId && invitation.InvitationId) {
            const invitedAtMs = invitation.InvitedAt ? Date.parse(invitation.InvitedAt) : NaN;
            invitations.push({
              administratorAccountId: invitation.AccountId,
              invitationId: invitation.InvitationId,
              invitedAtMs: Number.isNaN(invitedAtMs) ? undefined : invitedAtMs,
            });
          }
        }
        nextToken = output.NextToken || undefined;
        if (nextToken === undefined) {
          break;
        }
      }
      return invitations;
    },

    async acceptInvitation(detectorId, administratorAccountId, invitationId) {
      await deadline.run('accepting the invitation', (abortSignal) =>
        client.send(new AcceptAdministratorInvitationCommand({ DetectorId: detectorId, AdministratorId: administratorAccountId, InvitationId: invitationId }), { abortSignal }),
      );
    },

    async disassociateFromAdministrator(detectorId) {
      await deadline.run('disassociating from the administrator', (abortSignal) =>
        client.send(new DisassociateFromAdministratorAccountCommand({ DetectorId: detectorId }), { abortSignal }),
      );
    },
  };
}
