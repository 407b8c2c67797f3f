import { ATTRIBUTE } from '../../lib/private/invitation-contract';
import { truncateUtf8 } from '../shared/handler-error';
import { CurrentMember, invitedSince } from './member-plan';
import { WayIn, wayIn } from './organization-association';
import { UnprocessedAccount } from '../shared/unprocessed-results';

/** Where every declared account ended up in one run: each account in exactly one list. */
export interface InvitationOutcome {
  readonly detectorId: string;
  /** Invited by this run. */
  readonly invited: readonly string[];
  /** Associated by this run without an invitation: through the organization (organization-association.ts). Absent: none. */
  readonly associated?: readonly string[];
  /**
   * Already members; left as they were, with their relationship status and how they came
   * in (`wayIn` absent: by invitation).
   */
  readonly alreadyMembers: ReadonlyArray<{ readonly accountId: string; readonly relationshipStatus: string; readonly wayIn?: WayIn }>;
  /** Declared accounts GuardDuty did not process, and undeclared ones it would not remove. */
  readonly unprocessed: readonly UnprocessedAccount[];
  /** Members taken out because the declaration dropped them (Update with DESTROY). */
  readonly removed: readonly string[];
}

/**
 * CloudFormation rejects a custom-resource response over 4,096 bytes, and the resource
 * then hangs until it times out. The envelope (stack ARN, request ID, logical and
 * physical IDs) takes up to about 1,000 bytes, so each of the three ID lists gets at most
 * 700 bytes (about 50 IDs) and the whole Data stays under 2,400 bytes. The full lists
 * go to the log.
 */
export const MAX_ID_LIST_BYTES = 700;

/** The custom resource's attributes (`Fn::GetAtt`). */
export function responseData(outcome: InvitationOutcome): Record<string, string> {
  return {
    [ATTRIBUTE.DETECTOR_ID]: truncateUtf8(outcome.detectorId, 300),
    [ATTRIBUTE.INVITED_ACCOUNT_IDS]: boundedList(outcome.invited, MAX_ID_LIST_BYTES),
    [ATTRIBUTE.INVITED_ACCOUNT_COUNT]: String(outcome.invited.length),
    [ATTRIBUTE.UNPROCESSED_ACCOUNT_IDS]: boundedList(outcome.unprocessed.map((u) => u.accountId), MAX_ID_LIST_BYTES),
    [ATTRIBUTE.UNPROCESSED_ACCOUNT_COUNT]: String(outcome.unprocessed.length),
    [ATTRIBUTE.ALREADY_MEMBER_ACCOUNT_COUNT]: String(outcome.alreadyMembers.length),
    ...wayInData(outcome),
  };
}

/**
 * Which way the declared members came in: through the organization (associated by this
 * run, or members before it that were never invited) or by invitation (sent by this run
 * or an earlier one). Unprocessed accounts are in neither.
 */
function wayInData(outcome: InvitationOutcome): Record<string, string> {
  const throughOrganization = [...(outcome.associated ?? []), ...outcome.alreadyMembers.filter((m) => m.wayIn === 'organization').map((m) => m.accountId)];
  const byInvitation = outcome.invited.length + outcome.alreadyMembers.filter((m) => m.wayIn !== 'organization').length;
  return {
    [ATTRIBUTE.ASSOCIATED_ACCOUNT_COUNT]: String(outcome.associated?.length ?? 0),
    [ATTRIBUTE.ORGANIZATION_ACCOUNT_IDS]: boundedList(throughOrganization, MAX_ID_LIST_BYTES),
    [ATTRIBUTE.ORGANIZATION_ACCOUNT_COUNT]: String(throughOrganization.length),
    [ATTRIBUTE.INVITATION_ACCOUNT_COUNT]: String(byInvitation),
  };
}

/**
 * Joins items with commas within `maxBytes` UTF-8 bytes. When they do not all fit, the
 * last element says how many were left out ("… and 412 more"), so a truncated list is
 * never mistaken for a complete one. `total` counts items not passed in (already cut
 * from an earlier list). The loop stops at the budget, so its cost is bounded by it.
 */
export function boundedList(items: readonly string[], maxBytes: number, separator = ',', total = items.length): string {
  const render = (kept: readonly string[]) => {
    const left = total - kept.length;
    return [...kept, ...(left > 0 ? [`… and ${left} more`] : [])].join(separator);
  };
  const kept: string[] = [];
  for (const item of items) {
    if (Buffer.byteLength(render([...kept, item]), 'utf8') > maxBytes) {
      break;
    }
    kept.push(item);
  }
  return render(kept);
}

/** Groups unprocessed accounts by GuardDuty's reason, largest group first. */
export function groupByReason(unprocessed: readonly UnprocessedAccount[]): Array<{ reason: string; accountIds: string[] }> {
  const groups = new Map<string, string[]>();
  for (const u of unprocessed) {
    groups.set(u.result, [...(groups.get(u.result) ?? []), u.accountId]);
  }
  return [...groups.entries()]
    .map(([reason, accountIds]) => ({ reason, accountIds }))
    .sort((a, b) => b.accountIds.length - a.accountIds.length);
}

const MAX_REASON_BYTES = 200;
const MAX_REASONS_LISTED = 4;
const FAILURE_IDS_BYTES = 200;

/**
 * The reason CloudFormation shows when accounts were left unprocessed and the policy is
 * FAIL: how many, on which detector, grouped by GuardDuty's reason with a few account IDs
 * each, and what to do. Bounded (HandlerError caps it again) so that it fits in the
 * response whatever the number of accounts.
 */
export function failureMessage(outcome: InvitationOutcome, declaredCount: number, cleanedUp: readonly string[]): string {
  const groups = groupByReason(outcome.unprocessed);
  const listed = groups.slice(0, MAX_REASONS_LISTED).map(
    (g) => `${truncateUtf8(g.reason, MAX_REASON_BYTES)} [${boundedList(g.accountIds, FAILURE_IDS_BYTES, ', ')}]`,
  );
  const otherReasons = groups.length > MAX_REASONS_LISTED ? ` (+${groups.length - MAX_REASONS_LISTED} other reasons)` : '';
  const cleanup = cleanedUp.length > 0 ? ` The ${cleanedUp.length} members this run created were deleted again.` : '';
  return (
    `GuardDuty did not process ${outcome.unprocessed.length} of ${declaredCount} declared accounts on detector ${outcome.detectorId}: ` +
    `${listed.join('; ')}${otherReasons}.${cleanup} The handler's log lists every account. ` +
    'Fix or remove those accounts, or set onUnprocessed to REPORT to deploy anyway and read them from the UnprocessedAccountIds attribute.'
  );
}

/**
 * Adds accounts to the unprocessed attributes of a response isComplete builds on
 * (onEvent's Data): the dropped accounts GuardDuty refused to remove, which were
 * declared by the previous properties only, so no other count changes.
 */
export function withUndeclaredUnprocessed(data: Readonly<Record<string, string>>, accountIds: readonly string[]): Record<string, string> {
  if (accountIds.length === 0) {
    return { ...data };
  }
  const listed = listedIds(data[ATTRIBUTE.UNPROCESSED_ACCOUNT_IDS]);
  const count = Number(data[ATTRIBUTE.UNPROCESSED_ACCOUNT_COUNT] ?? 0) + accountIds.length;
  return {
    ...data,
    [ATTRIBUTE.UNPROCESSED_ACCOUNT_IDS]: boundedList([...listed, ...accountIds], MAX_ID_LIST_BYTES, ',', Math.max(count, listed.length + accountIds.length)),
    [ATTRIBUTE.UNPROCESSED_ACCOUNT_COUNT]: String(count),
  };
}

/**
 * The outcome of a run that went on over several invocations, read from GuardDuty's state
 * once its last pass is done: no single invocation saw all its work, so the accounts the
 * run invited are those whose invitation GuardDuty stamped at or after the run began
 * (to the second, as `InvitedAt` is), and the accounts the last pass could not process
 * are unprocessed. Every declared account ends in exactly one list.
 */
export function outcomeFromState(
  detectorId: string,
  declaredIds: readonly string[],
  members: readonly CurrentMember[],
  sinceMs: number,
  unprocessed: readonly UnprocessedAccount[],
): InvitationOutcome {
  const byId = new Map(members.map((m) => [m.accountId, m]));
  const refused = new Set(unprocessed.map((u) => u.accountId));
  const invited: string[] = [];
  const associated: string[] = [];
  const alreadyMembers: Array<{ accountId: string; relationshipStatus: string; wayIn: WayIn }> = [];
  const notReached: UnprocessedAccount[] = [];
  for (const accountId of declaredIds) {
    const member = byId.get(accountId);
    if (refused.has(accountId)) {
      continue;
    }
    if (!member) {
      notReached.push({ accountId, result: 'not a member after the run: the run did not reach it. Deploy again.' });
    } else if (invitedSince(member, sinceMs)) {
      invited.push(accountId);
    } else if (wayIn(member) === 'organization' && changedSince(member, sinceMs)) {
      associated.push(accountId);
    } else {
      alreadyMembers.push({ accountId, relationshipStatus: member.relationshipStatus, wayIn: wayIn(member) });
    }
  }
  return { detectorId, invited, associated, alreadyMembers, unprocessed: [...unprocessed, ...notReached], removed: [] };
}

/**
 * Whether GuardDuty last changed the member after the run began (`UpdatedAt`, to the
 * second like `InvitedAt`): an organization member the run associated. That CreateMembers
 * moves `UpdatedAt` is assumed (the API reference calls it the member's last-updated
 * time); a member it did not move counts as already a member, in the same way in.
 */
function changedSince(member: CurrentMember, sinceMs: number): boolean {
  return member.updatedAtMs !== undefined && member.updatedAtMs >= sinceMs - 1_000;
}

/** The account IDs of a bounded list attribute, without its "… and N more" element. */
export function listedIds(list: string | undefined): string[] {
  return (list ?? '').split(',').filter((s) => s.length > 0 && !s.startsWith('…'));
}
