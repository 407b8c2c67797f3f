/**
 * What an AWS Organizations policy may be attached to (`TargetIds` of
 * `AWS::Organizations::Policy`, `TargetId` of `AttachPolicy`): a root, an organizational
 * unit or an account. Checked at synth by the policy constructs; pure functions, no CDK.
 */
import { accountIdProblem, duplicateAccountIds } from './member-account-rules';
import { parentIdProblem } from './organization-selection-rules';

/** Why `targetId` is not a root, OU or account ID, naming it; undefined when it is one. */
export function policyTargetProblem(targetId: unknown): string | undefined {
  if (typeof targetId === 'string' && (parentIdProblem(targetId) === undefined || accountIdProblem(targetId) === undefined)) {
    return undefined;
  }
  return `${JSON.stringify(targetId)} is not a root ID (r-xxxx), an organizational unit ID (ou-xxxx-xxxxxxxx) or an account ID (12 digits)`;
}

/**
 * Every problem of a target list, each naming the value and its place (`name[index]`).
 * Values `isToken` says are deploy-time values are left to AWS Organizations.
 */
export function policyTargetsProblems(targetIds: readonly unknown[] | undefined, name: string, isToken: (value: unknown) => boolean): string[] {
  if (targetIds === undefined || targetIds.length === 0) {
    return [`${name} must name at least one root, organizational unit or account: a policy attached to nothing does nothing`];
  }
  const problems: string[] = [];
  const known: string[] = [];
  targetIds.forEach((targetId, index) => {
    if (isToken(targetId)) {
      return;
    }
    const problem = policyTargetProblem(targetId);
    if (problem) {
      problems.push(`${name}[${index}]: ${problem}`);
    } else {
      known.push(targetId as string);
    }
  });
  const duplicates = duplicateAccountIds(known);
  if (duplicates.length > 0) {
    problems.push(`${name}: each target may be named once; named more than once: ${duplicates.join(', ')}`);
  }
  return problems;
}
