import {
  AdministratorRelationship,
  ReceivedInvitation,
  conflictMessage,
  invitationTimeoutMessage,
  isAssociatedWith,
  needsInvitations,
  planAcceptance,
} from '../../lambda/invitation-accepter/acceptance-plan';

const ADMIN = '111111111111';
const OTHER = '333333333333';
const declared = { administratorAccountId: ADMIN };

function administrator(administratorAccountId: string, relationshipStatus: string): AdministratorRelationship {
  return { administratorAccountId, relationshipStatus };
}

function invitation(administratorAccountId: string, invitationId: string, invitedAtMs?: number): ReceivedInvitation {
  return { administratorAccountId, invitationId, invitedAtMs };
}

describe('planAcceptance', () => {
  test.each(['Enabled', 'Disabled'])('already associated with the declared administrator (%s): done, whatever the invitations', (status) => {
    expect(planAcceptance(administrator(ADMIN, status), [invitation(ADMIN, 'new')], declared)).toEqual({ kind: 'done', relationshipStatus: status });
  });

  test('no administrator and an invitation from the declared one: accept it', () => {
    expect(planAcceptance(undefined, [invitation(OTHER, 'theirs'), invitation(ADMIN, 'ours')], declared)).toEqual({ kind: 'accept', invitationId: 'ours' });
  });

  test('several invitations from the declared administrator: accept the newest', () => {
    const invitations = [invitation(ADMIN, 'first', 1_000), invitation(ADMIN, 'latest', 3_000), invitation(ADMIN, 'second', 2_000)];

    expect(planAcceptance(undefined, invitations, declared)).toEqual({ kind: 'accept', invitationId: 'latest' });
  });

  test('no invitation from the declared administrator: wait', () => {
    expect(planAcceptance(undefined, [invitation(OTHER, 'theirs')], declared)).toEqual({ kind: 'wait' });
    expect(planAcceptance(undefined, [], declared)).toEqual({ kind: 'wait' });
  });

  test.each(['Invited', 'Removed', 'Resigned', 'EmailVerificationInProgress'])(
    'a relationship in status %s ties nothing: the invitation is accepted',
    (status) => {
      expect(planAcceptance(administrator(OTHER, status), [invitation(ADMIN, 'ours')], declared)).toEqual({ kind: 'accept', invitationId: 'ours' });
      expect(planAcceptance(administrator(ADMIN, status), [invitation(ADMIN, 'ours')], declared)).toEqual({ kind: 'accept', invitationId: 'ours' });
    },
  );

  test.each(['Enabled', 'Disabled'])('associated (%s) with another administrator: a conflict naming it, even with our invitation waiting', (status) => {
    expect(planAcceptance(administrator(OTHER, status), [invitation(ADMIN, 'ours')], declared)).toEqual({
      kind: 'conflict',
      currentAdministratorAccountId: OTHER,
      relationshipStatus: status,
    });
  });

  describe('on an Update from a previous administrator', () => {
    const moving = { administratorAccountId: ADMIN, previousAdministratorAccountId: OTHER };

    test('associated with the previous one and invited by the new one: switch', () => {
      expect(planAcceptance(administrator(OTHER, 'Enabled'), [invitation(ADMIN, 'ours')], moving)).toEqual({
        kind: 'switch',
        invitationId: 'ours',
        fromAdministratorAccountId: OTHER,
      });
    });

    test('not invited by the new one yet: wait, staying with the previous one meanwhile', () => {
      expect(planAcceptance(administrator(OTHER, 'Enabled'), [], moving)).toEqual({ kind: 'wait' });
    });

    test('associated with a third administrator: still a conflict', () => {
      expect(planAcceptance(administrator('444444444444', 'Enabled'), [invitation(ADMIN, 'ours')], moving)).toMatchObject({ kind: 'conflict' });
    });
  });
});

describe('needsInvitations', () => {
  test('not when associated with the declared administrator or with a foreign one', () => {
    expect(needsInvitations(administrator(ADMIN, 'Enabled'), declared)).toBe(false);
    expect(needsInvitations(administrator(OTHER, 'Enabled'), declared)).toBe(false);
  });

  test('when there is no association, or one the resource may leave', () => {
    expect(needsInvitations(undefined, declared)).toBe(true);
    expect(needsInvitations(administrator(ADMIN, 'Resigned'), declared)).toBe(true);
    expect(needsInvitations(administrator(OTHER, 'Enabled'), { ...declared, previousAdministratorAccountId: OTHER })).toBe(true);
  });
});

test('isAssociatedWith needs both the administrator and an associated status', () => {
  expect(isAssociatedWith(administrator(ADMIN, 'Enabled'), ADMIN)).toBe(true);
  expect(isAssociatedWith(administrator(ADMIN, 'Resigned'), ADMIN)).toBe(false);
  expect(isAssociatedWith(administrator(OTHER, 'Enabled'), ADMIN)).toBe(false);
  expect(isAssociatedWith(undefined, ADMIN)).toBe(false);
});

describe('messages', () => {
  const where = { accountId: '222222222222', region: 'eu-west-1', detectorId: 'd'.repeat(32) };

  test('a conflict names both administrators, the account, and how to resolve it', () => {
    const message = conflictMessage({ currentAdministratorAccountId: OTHER, relationshipStatus: 'Enabled' }, ADMIN, where);

    expect(message).toContain(`Account 222222222222 is already associated with GuardDuty administrator account ${OTHER}`);
    expect(message).toContain(`not with ${ADMIN}, the administratorAccountId declared`);
    expect(message).toContain(`aws guardduty disassociate-from-administrator-account --detector-id ${'d'.repeat(32)}`);
  });

  test('a timeout says no invitation arrived, from whom, for how long, and what to check', () => {
    const message = invitationTimeoutMessage(ADMIN, 900, where);

    expect(message).toContain(`No GuardDuty invitation from administrator account ${ADMIN} reached account 222222222222 in eu-west-1 within 15 minutes`);
    expect(message).toMatch(/administrator has not invited this account/);
    expect(message).toMatch(/root user email/);
  });
});
