import { OperationHandler, requireOwnDetector, timestamp } from './operation-context';
import { paginate } from './pagination';
import { ACCEPTED } from './relationship-status';
import { badRequest } from './service-error';

/**
 * The member side: the invited account sees its invitations, accepts one, reads and
 * leaves its administrator. Each call changes the administrator's record of the member,
 * which is where the administrator sees the outcome.
 */
export const MEMBER_ACCOUNT_OPERATIONS: Readonly<Record<string, OperationHandler>> = {
  ListInvitations: ({ caller, state }, input) => {
    const pending = state.recordsAbout(caller.accountId, caller.region).filter((record) => record.relationshipStatus === 'Invited');
    const invitations = pending.map((record) => ({
      AccountId: record.administratorId,
      InvitationId: record.invitationId,
      InvitedAt: timestamp(record.invitedAt),
      RelationshipStatus: record.relationshipStatus,
    }));
    return paginate(invitations, 'Invitations', input);
  },

  AcceptAdministratorInvitation: (context, input) => {
    requireOwnDetector(context, input);
    const { caller, state } = context;
    const record = state.members(String(input.AdministratorId), caller.region).get(caller.accountId);
    if (!record || record.relationshipStatus !== 'Invited' || record.invitationId !== input.InvitationId) {
      throw badRequest('The request is rejected because the input invitationId is not valid for the given administrator account.');
    }
    const current = state.administratorOf(caller.accountId, caller.region);
    if (current && current !== input.AdministratorId) {
      throw badRequest('The request is rejected because the current account is already associated with a different administrator account.');
    }
    state.setStatus(record, 'Enabled');
    return {};
  },

  /** Without an administrator the response has no Administrator, as GuardDuty answers `{}`. */
  GetAdministratorAccount: (context, input) => {
    requireOwnDetector(context, input);
    const { caller, state } = context;
    const administratorId = state.administratorOf(caller.accountId, caller.region);
    if (!administratorId) {
      return {};
    }
    const record = state.members(administratorId, caller.region).get(caller.accountId);
    return {
      Administrator: {
        AccountId: administratorId,
        InvitationId: record?.invitationId,
        InvitedAt: timestamp(record?.invitedAt),
        // An external administrator has no record here; it is taken to be an accepted one.
        RelationshipStatus: record?.relationshipStatus ?? 'Enabled',
      },
    };
  },

  /** The administrator then sees the member as Resigned. Without an administrator it is a no-op. */
  DisassociateFromAdministratorAccount: (context, input) => {
    requireOwnDetector(context, input);
    const { caller, state } = context;
    state.externalAdministrators.delete(caller.accountId);
    state
      .recordsAbout(caller.accountId, caller.region)
      .filter((record) => ACCEPTED.includes(record.relationshipStatus))
      .forEach((record) => state.setStatus(record, 'Resigned'));
    return {};
  },
};
