import { CLOCK_SKEW_MS, VERIFICATION_FAILED_REASON, judgeVerification, withVerificationResults } from '../../lambda/member-invitations/email-verification';
import { CurrentMember } from '../../lambda/member-invitations/member-plan';

const since = Date.parse('2026-11-26T10:00:00Z');
const member = (accountId: string, relationshipStatus: string, invitedAtMs?: number): CurrentMember => ({ accountId, relationshipStatus, invitedAtMs });

describe('judgeVerification', () => {
  test('is not settled while an account this run invited is still being verified', () => {
    const verdict = judgeVerification([member('111111111111', 'EmailVerificationInProgress', since + 5)], { sinceMs: since, deadlineMs: since + 600_000, nowMs: since + 1_000 });
    expect(verdict).toEqual({ settled: false, pending: ['111111111111'], unprocessed: [] });
  });

  test('counts failed verifications of this run as unprocessed, with an actionable reason', () => {
    const verdict = judgeVerification(
      [member('111111111111', 'EmailVerificationFailed', since + 5), member('222222222222', 'Invited', since + 5)],
      { sinceMs: since, deadlineMs: since + 600_000, nowMs: since + 1_000 },
    );
    expect(verdict).toEqual({ settled: true, pending: [], unprocessed: [{ accountId: '111111111111', result: VERIFICATION_FAILED_REASON }] });
    expect(VERIFICATION_FAILED_REASON).toMatch(/root user email/);
  });

  test('ignores invitations older than the run (they were reported as already members)', () => {
    const verdict = judgeVerification([member('111111111111', 'EmailVerificationInProgress', since - CLOCK_SKEW_MS - 1)], { sinceMs: since, deadlineMs: since + 1, nowMs: since });
    expect(verdict).toEqual({ settled: true, pending: [], unprocessed: [] });
  });

  test('gives up at the deadline, reporting the accounts still pending', () => {
    const verdict = judgeVerification([member('111111111111', 'EmailVerificationInProgress', since + 5)], { sinceMs: since, deadlineMs: since + 600_000, nowMs: since + 600_000 });
    expect(verdict.settled).toBe(true);
    expect(verdict.unprocessed).toEqual([{ accountId: '111111111111', result: expect.stringMatching(/did not finish within 10 minutes/) }]);
  });
});

describe('withVerificationResults', () => {
  test('moves failed accounts from the invited attributes to the unprocessed ones', () => {
    const data = { InvitedAccountIds: '111111111111,222222222222', InvitedAccountCount: '2', UnprocessedAccountIds: '333333333333', UnprocessedAccountCount: '1', DetectorId: 'd' };
    expect(withVerificationResults(data, [{ accountId: '111111111111', result: 'x' }])).toEqual({
      InvitedAccountIds: '222222222222',
      InvitedAccountCount: '1',
      UnprocessedAccountIds: '333333333333,111111111111',
      UnprocessedAccountCount: '2',
      DetectorId: 'd',
    });
  });

  test('keeps the counts right when the lists were already cut', () => {
    const data = { InvitedAccountIds: '111111111111,… and 99 more', InvitedAccountCount: '100', UnprocessedAccountIds: '… and 500 more', UnprocessedAccountCount: '500' };
    const merged = withVerificationResults(data, [{ accountId: '999999999999', result: 'x' }]);
    expect(merged).toMatchObject({ InvitedAccountCount: '99', UnprocessedAccountCount: '501' });
    expect(merged.UnprocessedAccountIds).toBe('999999999999,… and 500 more');
    expect(merged.InvitedAccountIds).toBe('111111111111,… and 98 more');
  });
});
