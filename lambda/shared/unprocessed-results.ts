/**
 * GuardDuty answers CreateMembers, InviteMembers, DisassociateMembers, DeleteMembers and
 * GetMembers with `UnprocessedAccounts`: one `{AccountId, Result}` per account it did not
 * act on. Some of those results only say the work was already done; treating them as
 * failures would make every re-run fail. GuardDuty documents no result codes, only
 * sentences, so they are recognised by their wording (as seen from the service).
 */
export type UnprocessedKind =
  /** CreateMembers: the account is already in the member list. */
  | 'already-member'
  /** InviteMembers: the account was already invited or is already associated. */
  | 'already-invited'
  /** Get/Disassociate/Delete: the account is not (or no longer) a member. */
  | 'not-a-member'
  /** Anything else: GuardDuty refused the account, and Result says why. */
  | 'refused';

export interface UnprocessedAccount {
  readonly accountId: string;
  readonly result: string;
}

const PATTERNS: ReadonlyArray<[UnprocessedKind, RegExp]> = [
  // "...the given account ID is already a member or associated member of the current account."
  ['already-member', /already a member|already an associated member/i],
  // "...the current account has already invited or is already the GuardDuty master of the given member account ID."
  ['already-invited', /already invited|already the (guardduty )?(master|administrator) of/i],
  // "...the given account ID is not an associated member of account the current account."
  ['not-a-member', /is not an? (associated )?member|not a member|member .*(not found|does not exist)/i],
];

export function classifyUnprocessed(result: string): UnprocessedKind {
  for (const [kind, pattern] of PATTERNS) {
    if (pattern.test(result)) {
      return kind;
    }
  }
  return 'refused';
}

/** Splits results into those of the given benign kinds and the real refusals. */
export function partitionUnprocessed(
  results: readonly UnprocessedAccount[],
  benign: readonly UnprocessedKind[],
): { benign: UnprocessedAccount[]; refused: UnprocessedAccount[] } {
  const out = { benign: [] as UnprocessedAccount[], refused: [] as UnprocessedAccount[] };
  for (const entry of results) {
    (benign.includes(classifyUnprocessed(entry.result)) ? out.benign : out.refused).push(entry);
  }
  return out;
}
