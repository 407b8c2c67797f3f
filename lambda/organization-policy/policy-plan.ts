/**
 * What to do about the policy itself: pure functions of the declared policy and what
 * AWS Organizations reports.
 */

/** The targets to attach and to detach, to go from `current` to `desired` (each in the declared order). */
export function attachmentChanges(desired: readonly string[], current: readonly string[]): { attach: string[]; detach: string[] } {
  return { attach: desired.filter((target) => !current.includes(target)), detach: current.filter((target) => !desired.includes(target)) };
}

/**
 * Policy content as Organizations compares it: the same document, whatever the key order
 * or spacing, is no change (an Update that changes only targets or the removal policy
 * sends no UpdatePolicy).
 */
export function sameDocument(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonical).join(',')}]`;
  }
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
