import { VERIFICATION_FAILED_REASON, judgeVerification, withVerificationResults } from '../../lambda/member-invitations/email-verification';
import fc from 'fast-check';
import { CurrentMember, invitedSince } from '../../lambda/member-invitations/member-plan';

const since = Date.parse('2026-11-26T10:00:00Z');
const member = (accountId: string, relationshipStatus: string, invitedAtMs?: number): CurrentMember => ({ accountId, relationshipStatus, invitedAtMs });
const window = { sinceMs: since, deadlineMs: since + 600_000, nowMs: since + 1_000 };

describe('judgeVerification', () => {
  test('is not settled while a declared account is still being verified', () => {
    const verdict = judgeVerification([member('111111111111', 'EmailVerificationInProgress', since + 5)], window);
    expect(verdict).toEqual({ settled: false, pending: ['111111111111'], unprocessed: [] });
  });

  test('waits for an invitation of an earlier run too, so the attributes describe settled accounts', () => {
    const verdict = judgeVerification([member('111111111111', 'EmailVerificationInProgress', since - 5)], window);
    expect(verdict.settled).toBe(false);
  });

  test('counts failed verifications as unprocessed with an actionable reason, saying whose invitation it was', () => {
    const verdict = judgeVerification(
      [member('111111111111', 'EmailVerificationFailed', since + 5), member('222222222222', 'Invited', since + 5), member('333333333333', 'EmailVerificationFailed', since - 5_000)],
      window,
    );
    expect(verdict).toEqual({
      settled: true,
      pending: [],
      unprocessed: [
        { accountId: '111111111111', result: VERIFICATION_FAILED_REASON, invitedByThisRun: true },
        { accountId: '333333333333', result: VERIFICATION_FAILED_REASON, invitedByThisRun: false },
      ],
    });
    expect(VERIFICATION_FAILED_REASON).toMatch(/root user email/);
  });

  test('an invitation GuardDuty stamped to the second, before a run that began later in that second, is the run\'s own', () => {
    // The run began 700 ms into a second and sent the invitation 200 ms later; InvitedAt says the whole second.
    const verdict = judgeVerification([member('111111111111', 'EmailVerificationFailed', since)], { ...window, sinceMs: since + 700 });
    expect(verdict.unprocessed).toEqual([{ accountId: '111111111111', result: VERIFICATION_FAILED_REASON, invitedByThisRun: true }]);
  });

  test('judges "invited by this run" exactly as the plan and the outcome do (invitedSince)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5_000, max: 5_000 }), fc.option(fc.integer({ min: -5_000, max: 5_000 }), { nil: undefined }), (sinceOffset, invitedOffset) => {
        const failed = member('111111111111', 'EmailVerificationFailed', invitedOffset === undefined ? undefined : since + invitedOffset);
        const verdict = judgeVerification([failed], { ...window, sinceMs: since + sinceOffset });
        expect(verdict.unprocessed[0].invitedByThisRun).toBe(invitedSince(failed, since + sinceOffset));
      }),
    );
  });

  test('gives up at the deadline, reporting the accounts still pending', () => {
    const verdict = judgeVerification([member('111111111111', 'EmailVerificationInProgress', since + 5)], { ...window, nowMs: since + 600_000 });
    expect(verdict.settled).toBe(true);
    expect(verdict.unprocessed).toEqual([{ accountId: '111111111111', result: expect.stringMatching(/did not finish within 10 minutes/), invitedByThisRun: true }]);
  });
});

describe('withVerificationResults', () => {
  const data = {
    InvitedAccountIds: '111111111111,222222222222',
    InvitedAccountCount: '2',
    AlreadyMemberAccountCount: '1',
    UnprocessedAccountIds: '333333333333',
    UnprocessedAccountCount: '1',
    DetectorId: 'd'.repeat(32),
  };

  test('moves an account this run invited from the invited attributes to the unprocessed ones', () => {
    expect(withVerificationResults(data, [{ accountId: '111111111111', result: 'x', invitedByThisRun: true }])).toEqual({
      ...data,
      InvitedAccountIds: '222222222222',
      InvitedAccountCount: '1',
      UnprocessedAccountIds: '333333333333,111111111111',
      UnprocessedAccountCount: '2',
    });
  });

  test('moves an account an earlier run invited out of the already-member count', () => {
    expect(withVerificationResults(data, [{ accountId: '444444444444', result: 'x', invitedByThisRun: false }])).toMatchObject({
      InvitedAccountCount: '2',
      AlreadyMemberAccountCount: '0',
      UnprocessedAccountIds: '333333333333,444444444444',
      UnprocessedAccountCount: '2',
    });
  });

  test('the reported lists decide where a failed account was counted, whatever its invitation time says, while they are complete', () => {
    // An earlier run invited 444444444444 within the second before this run began: its time reads as this run's.
    expect(withVerificationResults(data, [{ accountId: '444444444444', result: 'x', invitedByThisRun: true }])).toMatchObject({
      InvitedAccountIds: '111111111111,222222222222',
      InvitedAccountCount: '2',
      AlreadyMemberAccountCount: '0',
    });
    // This run invited 222222222222 in the second its start fell in: its time reads as earlier.
    expect(withVerificationResults(data, [{ accountId: '222222222222', result: 'x', invitedByThisRun: false }])).toMatchObject({
      InvitedAccountIds: '111111111111',
      InvitedAccountCount: '1',
      AlreadyMemberAccountCount: '1',
    });
  });

  test('does not count twice an account onEvent already reported unprocessed', () => {
    expect(withVerificationResults(data, [{ accountId: '333333333333', result: 'x', invitedByThisRun: false }])).toEqual(data);
  });

  test('keeps the counts right when the lists were already cut', () => {
    const cut = { InvitedAccountIds: '111111111111,… and 99 more', InvitedAccountCount: '100', UnprocessedAccountIds: '… and 500 more', UnprocessedAccountCount: '500' };
    const merged = withVerificationResults(cut, [{ accountId: '999999999999', result: 'x', invitedByThisRun: true }]);
    expect(merged).toMatchObject({ InvitedAccountCount: '99', UnprocessedAccountCount: '501' });
    expect(merged.UnprocessedAccountIds).toBe('999999999999,… and 500 more');
    expect(merged.InvitedAccountIds).toBe('111111111111,… and 98 more');
  });
});
