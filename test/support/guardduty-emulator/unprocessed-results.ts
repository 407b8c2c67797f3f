/**
 * The `Result` text of an UnprocessedAccount, per refusal. The first three are GuardDuty's
 * own wording (the typo "of account the current account" included), which callers match
 * on; the others are the emulator's, worded in the same style.
 */
export const UNPROCESSED_RESULT = {
  ALREADY_MEMBER: 'The request is rejected because the given account ID is already a member or associated member of the current account.',
  ALREADY_INVITED: 'The request is rejected because the current account has already invited or is already the GuardDuty master of the given member account ID.',
  NOT_A_MEMBER: 'The request is rejected because the given account ID is not an associated member of account the current account.',
  SELF: 'The request is rejected because the current account cannot add itself as a member.',
  OTHER_ADMINISTRATOR: 'The request is rejected because the given account ID is already associated with a different administrator account.',
  STILL_ASSOCIATED: 'The request is rejected because the given account ID is still associated; disassociate it first.',
} as const;

export interface UnprocessedAccount {
  readonly AccountId: string;
  readonly Result: string;
}
