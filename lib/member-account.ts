/**
 * An AWS account to bring into GuardDuty as a member of the administrator's detector.
 */
export interface MemberAccount {
  /**
   * The member account's 12-digit ID.
   */
  readonly accountId: string;

  /**
   * The email address of the member account's root user.
   *
   * GuardDuty checks it against the account: an address that does not match leaves the
   * member in `EmailVerificationFailed`. It is sent with the invitation and never logged
   * by the handler.
   */
  readonly email: string;
}
