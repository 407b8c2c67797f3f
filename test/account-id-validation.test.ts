import { App, Stack } from 'aws-cdk-lib';
import { GuardDutyInvitationAccepter, GuardDutyMemberInvitations } from '../lib';

/**
 * An AWS account ID is exactly 12 digits. One digit too many or too few is the typo a
 * fleet list is most likely to carry, so both constructs refuse it at synth, naming the
 * value and where it came from.
 */
const DETECTOR = 'd0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5';
const stack = () => new Stack(new App(), 'Stack');

describe.each(['1234567890123', '12345678901', '12345678901a'])('the account ID %s', (accountId) => {
  test('in members[] fails synth, naming the value and its position', () => {
    expect(() => new GuardDutyMemberInvitations(stack(), 'Members', {
      detectorId: DETECTOR,
      members: [{ accountId: '222222222222', email: 'a@example.com' }, { accountId, email: 'b@example.com' }],
    })).toThrow(new RegExp(`members\\[1\\].*${accountId}.*12 digits`, 's'));
  });

  test('as administratorAccountId fails synth, naming the value', () => {
    expect(() => new GuardDutyInvitationAccepter(stack(), 'Accepter', { detectorId: DETECTOR, administratorAccountId: accountId }))
      .toThrow(new RegExp(`administratorAccountId.*${accountId}.*12 digits`, 's'));
  });
});
