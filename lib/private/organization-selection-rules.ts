/**
 * The rules for choosing members from AWS Organizations at deploy time
 * (`OrganizationMembers`), checked once at synth time by the construct and again by the
 * handler, which can be reached by raw events that never went through the construct.
 * Pure functions: no CDK, no SDK.
 */
import { accountIdProblem, duplicateAccountIds } from './member-account-rules';

/** The patterns of the Organizations API's `ParentId`: a root (`r-` + 4 to 32) or an OU (`ou-` + 4 to 32 + `-` + 8 to 32). */
const ROOT_ID = /^r-[0-9a-z]{4,32}$/;
const OU_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;

/** Organizational units (or roots) one selection may name: each is a tree walk of its own at deploy time. */
export const MAX_SELECTED_PARENTS = 100;

/** Why a root or OU ID is not one, naming it; undefined when it is well-formed. */
export function parentIdProblem(parentId: unknown): string | undefined {
  if (typeof parentId !== 'string' || !(ROOT_ID.test(parentId) || OU_ID.test(parentId))) {
    return `${JSON.stringify(parentId)} is not a root ID (r-xxxx) or an organizational unit ID (ou-xxxx-xxxxxxxx)`;
  }
  return undefined;
}

/**
 * What is wrong with the roots/OUs of a selection, each problem naming the value and
 * where it came from (`name[index]`). Values that `isToken` says are deploy-time values
 * are left alone.
 */
export function parentIdsProblems(parentIds: readonly unknown[], name: string, isToken: (value: unknown) => boolean = () => false): string[] {
  if (parentIds.length === 0) {
    return [`${name} must name at least one organizational unit or root`];
  }
  if (parentIds.length > MAX_SELECTED_PARENTS) {
    return [`${name} names ${parentIds.length} organizational units; at most ${MAX_SELECTED_PARENTS} (select a common parent instead: units are read recursively)`];
  }
  const problems: string[] = [];
  const known: string[] = [];
  parentIds.forEach((parentId, index) => {
    if (isToken(parentId)) {
      return;
    }
    const problem = parentIdProblem(parentId);
    if (problem) {
      problems.push(`${name}[${index}]: ${problem}`);
    } else {
      known.push(parentId as string);
    }
  });
  const duplicates = duplicateAccountIds(known);
  if (duplicates.length > 0) {
    problems.push(`${name}: each organizational unit may be named once; named more than once: ${duplicates.join(', ')}`);
  }
  return problems;
}

/**
 * What is wrong with the excluded account IDs: malformed, listed twice, or also declared
 * as an explicit member (`declaredIds`, named by `declaredName`): an account cannot be
 * both brought in and kept out.
 */
export function excludedAccountIdsProblems(
  excludedIds: readonly unknown[],
  name: string,
  declaredIds: readonly string[],
  declaredName: string,
  isToken: (value: unknown) => boolean = () => false,
): string[] {
  const problems: string[] = [];
  const known: string[] = [];
  excludedIds.forEach((accountId, index) => {
    if (isToken(accountId)) {
      return;
    }
    const problem = accountIdProblem(accountId);
    if (problem) {
      problems.push(`${name}[${index}]: ${problem}`);
    } else {
      known.push(accountId as string);
    }
  });
  const duplicates = duplicateAccountIds(known);
  if (duplicates.length > 0) {
    problems.push(`${name}: each account may be excluded once; excluded more than once: ${duplicates.join(', ')}`);
  }
  const excluded = new Set(known);
  const both = [...new Set(declaredIds.filter((accountId) => excluded.has(accountId)))];
  if (both.length > 0) {
    problems.push(`${name} excludes ${both.join(', ')}, which ${declaredName} also declares: an account is either a member or excluded`);
  }
  return problems;
}
