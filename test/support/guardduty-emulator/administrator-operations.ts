import { MemberRecord } from './guardduty-state';
import { OperationContext, OperationHandler, requireOwnDetector, timestamp } from './operation-context';
import { paginate } from './pagination';
import { INVITATION_OUTSTANDING, LISTED_AS_ASSOCIATED, STILL_ASSOCIATED } from './relationship-status';
import { badRequest } from './service-error';
import { UNPROCESSED_RESULT, UnprocessedAccount } from './unprocessed-results';
import { Document } from './wire-codec';

/**
 * The administrator side: its detector and the members of that detector. Member
 * operations process each account on its own and report refusals as UnprocessedAccounts
 * rather than failing the call, as GuardDuty does.
 */
export const ADMINISTRATOR_OPERATIONS: Readonly<Record<string, OperationHandler>> = {
  ListDetectors: ({ caller, state }, input) => paginate([state.detectorId(caller.accountId, caller.region)].filter(Boolean), 'DetectorIds', input),

  CreateDetector: ({ caller, state }) => {
    if (state.detectorId(caller.accountId, caller.region)) {
      throw badRequest('The request is rejected because a detector already exists for the current account.');
    }
    return { DetectorId: state.addDetector(caller.accountId, caller.region) };
  },

  CreateMembers: (context, input) => {
    const members = ownMembers(context, input);
    const details = input.AccountDetails as Array<{ AccountId: string; Email: string }>;
    return eachAccount(
      details.map((detail) => detail.AccountId),
      (accountId, i) => {
        if (accountId === context.caller.accountId) {
          return UNPROCESSED_RESULT.SELF;
        }
        if (members.has(accountId)) {
          return UNPROCESSED_RESULT.ALREADY_MEMBER;
        }
        const now = context.state.now();
        members.set(accountId, { accountId, email: details[i].Email, relationshipStatus: 'Created', administratorId: context.caller.accountId, updatedAt: now });
        return undefined;
      },
    );
  },

  InviteMembers: (context, input) => {
    const members = ownMembers(context, input);
    const { caller, state } = context;
    return eachAccount(input.AccountIds as string[], (accountId) => {
      const member = members.get(accountId);
      if (accountId === caller.accountId) {
        return UNPROCESSED_RESULT.SELF;
      }
      if (!member) {
        return UNPROCESSED_RESULT.NOT_A_MEMBER;
      }
      const administrator = state.administratorOf(accountId, caller.region);
      if (administrator && administrator !== caller.accountId) {
        return UNPROCESSED_RESULT.OTHER_ADMINISTRATOR;
      }
      if (INVITATION_OUTSTANDING.includes(member.relationshipStatus)) {
        return UNPROCESSED_RESULT.ALREADY_INVITED;
      }
      state.invite(member);
      return undefined;
    });
  },

  GetMembers: (context, input) => {
    const members = ownMembers(context, input);
    const found = (input.AccountIds as string[]).flatMap((accountId) => members.get(accountId) ?? []);
    const { UnprocessedAccounts } = eachAccount(input.AccountIds as string[], (accountId) => (members.has(accountId) ? undefined : UNPROCESSED_RESULT.NOT_A_MEMBER));
    return { Members: found.map((member) => memberView(context, member)), UnprocessedAccounts };
  },

  ListMembers: (context, input) => {
    // onlyAssociated is a string in the model; GuardDuty defaults it to true.
    const onlyAssociated = String(input.OnlyAssociated ?? 'true').toLowerCase() !== 'false';
    const listed = [...ownMembers(context, input).values()].filter((member) => !onlyAssociated || LISTED_AS_ASSOCIATED.includes(member.relationshipStatus));
    // Only the page is rendered: rendering every member for each page made listing
    // 50,000 members quadratic in the emulator.
    const page = paginate(listed, 'Members', input);
    return { ...page, Members: (page.Members as MemberRecord[]).map((member) => memberView(context, member)) };
  },

  DisassociateMembers: (context, input) => {
    const members = ownMembers(context, input);
    return eachAccount(input.AccountIds as string[], (accountId) => {
      const member = members.get(accountId);
      if (!member) {
        return UNPROCESSED_RESULT.NOT_A_MEMBER;
      }
      context.state.setStatus(member, 'Removed');
      return undefined;
    });
  },

  DeleteMembers: (context, input) => {
    const members = ownMembers(context, input);
    return eachAccount(input.AccountIds as string[], (accountId) => {
      const member = members.get(accountId);
      if (!member) {
        return UNPROCESSED_RESULT.NOT_A_MEMBER;
      }
      if (STILL_ASSOCIATED.includes(member.relationshipStatus)) {
        return UNPROCESSED_RESULT.STILL_ASSOCIATED;
      }
      members.delete(accountId);
      return undefined;
    });
  },
};

function ownMembers(context: OperationContext, input: Document): Map<string, MemberRecord> {
  requireOwnDetector(context, input);
  return context.state.members(context.caller.accountId, context.caller.region);
}

/** Applies `process` to each account; a returned text is that account's refusal. */
function eachAccount(accountIds: readonly string[], process: (accountId: string, index: number) => string | undefined): { UnprocessedAccounts: UnprocessedAccount[] } {
  const UnprocessedAccounts: UnprocessedAccount[] = [];
  accountIds.forEach((accountId, index) => {
    const result = process(accountId, index);
    if (result) {
      UnprocessedAccounts.push({ AccountId: accountId, Result: result });
    }
  });
  return { UnprocessedAccounts };
}

/** A member as GetMembers and ListMembers show it; DetectorId is the member's own detector. */
function memberView({ state, caller }: OperationContext, member: MemberRecord): Document {
  return {
    AccountId: member.accountId,
    DetectorId: state.detectorId(member.accountId, caller.region),
    // GuardDuty still returns the deprecated MasterId beside AdministratorId, and the model requires it.
    MasterId: member.administratorId,
    AdministratorId: member.administratorId,
    Email: member.email,
    RelationshipStatus: member.relationshipStatus,
    InvitedAt: timestamp(member.invitedAt),
    UpdatedAt: timestamp(member.updatedAt),
  };
}
