/**
 * The service control policy of `GuardDutyTamperProtection`: what it denies, to whom, and
 * the limits AWS Organizations puts on it. Pure functions, no CDK, so the emulator's SCP
 * evaluation and the construct's tests read the same document.
 *
 * The actions follow AWS's "Example SCPs for Amazon GuardDuty" (Organizations user guide)
 * narrowed to the calls that take GuardDuty away from the administrator's view, and
 * IAM-GUARDDUTY-1 of aws-samples/aws-iam-permissions-guardrails (StopMonitoringMembers).
 * GuardDuty's actions have no condition key for a request's content (only aws:RequestTag,
 * aws:ResourceTag and aws:TagKeys), so an `UpdateDetector` that disables cannot be told
 * from one that changes the publishing frequency, nor a filter that archives from one
 * that does not: those actions are denied whole.
 */

export interface TamperProtectionStatement {
  readonly sid: string;
  readonly actions: readonly string[];
}

export const TAMPER_PROTECTION_STATEMENTS: readonly TamperProtectionStatement[] = [
  // DisassociateFromMasterAccount is the legacy name of the same call; both are authorized.
  { sid: 'DenyLeavingTheAdministrator', actions: ['guardduty:DisassociateFromAdministratorAccount', 'guardduty:DisassociateFromMasterAccount'] },
  { sid: 'DenyDisablingTheDetector', actions: ['guardduty:DeleteDetector', 'guardduty:UpdateDetector'] },
  { sid: 'DenyRemovingMembers', actions: ['guardduty:DeleteMembers', 'guardduty:DisassociateMembers', 'guardduty:StopMonitoringMembers'] },
  { sid: 'DenyChangingFindingsExport', actions: ['guardduty:DeletePublishingDestination', 'guardduty:UpdatePublishingDestination'] },
  // A filter with the ARCHIVE action is a suppression rule: findings it matches never reach the administrator's default view.
  { sid: 'DenyArchivingFilters', actions: ['guardduty:CreateFilter', 'guardduty:UpdateFilter'] },
  // A trusted IP list or trusted entity set silences findings for what it names; removing a threat list blinds detection.
  {
    sid: 'DenyChangingThreatLists',
    actions: [
      'guardduty:CreateIPSet',
      'guardduty:UpdateIPSet',
      'guardduty:DeleteIPSet',
      'guardduty:CreateTrustedEntitySet',
      'guardduty:UpdateTrustedEntitySet',
      'guardduty:DeleteTrustedEntitySet',
      'guardduty:UpdateThreatIntelSet',
      'guardduty:DeleteThreatIntelSet',
      'guardduty:UpdateThreatEntitySet',
      'guardduty:DeleteThreatEntitySet',
    ],
  },
];

/** Every action the policy denies, in statement order. */
export const TAMPER_PROTECTION_ACTIONS: readonly string[] = TAMPER_PROTECTION_STATEMENTS.flatMap((statement) => statement.actions);

/**
 * AWS Organizations' limit on a service control policy, in characters, whitespace
 * included (Organizations user guide, "Quotas and service limits": 5,120).
 */
export const SCP_MAX_CHARACTERS = 5_120;

/** An IAM role name with an optional path, `*` and `?` allowed (IAM's characters: letters, digits, `+=,.@_-`). */
const ROLE_NAME_PATTERN = /^(?:[\w+=,.@*?-]+\/)*[\w+=,.@*?-]{1,64}$/;
/** A role ARN pattern as `aws:PrincipalArn` compares it: partition and account may be `*`. */
const ROLE_ARN_PATTERN = /^arn:(?:aws[a-z-]*|\*):iam::(?:\d{12}|\*):role\/(?:[\w+=,.@*?-]+\/)*[\w+=,.@*?-]{1,64}$/;

export function exemptRoleNameProblem(name: unknown, where: string): string | undefined {
  if (typeof name !== 'string' || !ROLE_NAME_PATTERN.test(name)) {
    return (
      `${where}: ${JSON.stringify(name)} is not a role name: letters, digits and +=,.@_- (up to 64), ` +
      'optionally after a path (security/GuardDutyAdmin), with * and ? as wildcards'
    );
  }
  return undefined;
}

export function exemptRoleArnProblem(arn: unknown, where: string): string | undefined {
  if (typeof arn !== 'string' || !ROLE_ARN_PATTERN.test(arn)) {
    return (
      `${where}: ${JSON.stringify(arn)} is not an IAM role ARN pattern (arn:aws:iam::111111111111:role/path/Name; ` +
      'partition and account may be *, the path and name may hold * and ?). aws:PrincipalArn of a role session is the role\'s ARN, ' +
      'so name the role, not the assumed-role session'
    );
  }
  return undefined;
}

/** The role ARN pattern a role name stands for: that role in every account of every partition. */
export function roleNamePattern(name: string): string {
  return `arn:*:iam::*:role/${name}`;
}

/**
 * The policy document: one Deny statement per concern on every resource, each held to
 * principals outside the exemptions (`ArnNotLike` on `aws:PrincipalArn`, which matches a
 * role's sessions too).
 */
export function tamperProtectionDocument(exemptPrincipalArns: readonly string[]): Record<string, unknown> {
  const condition = exemptPrincipalArns.length > 0 ? { Condition: { ArnNotLike: { 'aws:PrincipalArn': [...exemptPrincipalArns] } } } : {};
  return {
    Version: '2012-10-17',
    Statement: TAMPER_PROTECTION_STATEMENTS.map((statement) => ({ Sid: statement.sid, Effect: 'Deny', Action: [...statement.actions], Resource: '*', ...condition })),
  };
}

/** The size Organizations counts: the document as CloudFormation sends it, without whitespace. */
export function policySize(document: unknown): number {
  return JSON.stringify(document).length;
}
