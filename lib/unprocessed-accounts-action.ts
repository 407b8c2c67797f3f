/**
 * What a deployment does when GuardDuty leaves accounts unprocessed: it refuses to
 * create or invite them and names a reason for each (for example "the account is
 * already associated with a different administrator account").
 */
export enum UnprocessedAccountsAction {
  /**
   * The deployment fails, naming the accounts GuardDuty did not process and its reason
   * for each.
   */
  FAIL = 'FAIL',

  /**
   * The deployment succeeds. The construct's attributes and two stack outputs
   * (`UnprocessedAccountIds`, `UnprocessedAccountCount`) carry the unprocessed accounts,
   * and the handler's log has GuardDuty's reason for each.
   */
  REPORT = 'REPORT',
}
