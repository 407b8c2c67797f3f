/**
 * The content of a GuardDuty organization policy (`GUARDDUTY_POLICY`), checked at synth
 * and rendered. Pure functions, no CDK, shared with the emulator.
 *
 * From the AWS Organizations user guide ("Amazon GuardDuty policy syntax and examples",
 * "Amazon GuardDuty policies"): an optional `default` block for every Region where
 * GuardDuty is available plus optional blocks keyed by Region name; at least one block;
 * a Region block replaces the default for its Region whole (features left out of it are
 * not inherited); a Region in neither is left unmanaged. The keys are those of the
 * "GuardDuty policy feature mapping" table.
 *
 * `renderGuardDutyPolicy` holds the one part not read from the guide's text here: how a
 * feature's setting is written inside a block (`{ "<key>": { "status": { "@@assign":
 * "ENABLED" } } }` under a top-level `guardduty` key, after the declarative-policy
 * `@@assign` operator the guide says the type follows). Check it against the guide's
 * examples before relying on it; it is one function so that a correction is one change.
 */
import { GuardDutyPolicyFeature } from '../guardduty-policy-feature';

export const GUARDDUTY_POLICY_FEATURES: readonly string[] = Object.values(GuardDutyPolicyFeature);

/** The block that applies to every Region without a block of its own. */
export const DEFAULT_BLOCK = 'default';
const REGION_PATTERN = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

export interface PolicyBlockInput {
  readonly enable?: readonly unknown[];
  readonly disable?: readonly unknown[];
}

/** Every problem of one block (`where` names it: `allRegions`, `regions[1]`), valid choices included. */
export function policyBlockProblems(block: PolicyBlockInput, where: string): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const [list, values] of [['enable', block.enable ?? []], ['disable', block.disable ?? []]] as const) {
    values.forEach((feature, index) => {
      if (typeof feature !== 'string' || !GUARDDUTY_POLICY_FEATURES.includes(feature)) {
        problems.push(`${where}.${list}[${index}]: ${JSON.stringify(feature)} is not a GuardDuty policy feature: valid values are ${GUARDDUTY_POLICY_FEATURES.join(', ')}`);
        return;
      }
      const earlier = seen.get(feature);
      if (earlier) {
        problems.push(`${where}: ${feature} is named in ${earlier} and in ${list}; name each feature once`);
      }
      seen.set(feature, list);
    });
  }
  if (seen.size === 0 && problems.length === 0) {
    problems.push(`${where} names no feature: enable or disable at least one (${GUARDDUTY_POLICY_FEATURES.join(', ')}), or leave the block out`);
  }
  return problems;
}

export function regionNameProblem(region: unknown, where: string): string | undefined {
  if (typeof region !== 'string' || !REGION_PATTERN.test(region)) {
    return `${where}: ${JSON.stringify(region)} is not a Region name (eu-west-1, us-gov-west-1); use allRegions for the default block`;
  }
  return undefined;
}

/** One Region block, or the default one. */
export interface PolicyBlock extends PolicyBlockInput {
  /** A Region name, or `default`. */
  readonly key: string;
}

/** The policy's document, `default` first, then the Regions in the order given. */
export function renderGuardDutyPolicy(blocks: readonly PolicyBlock[]): Record<string, unknown> {
  const settings = (block: PolicyBlockInput) =>
    Object.fromEntries([
      ...(block.enable ?? []).map((feature) => [feature as string, { status: { '@@assign': 'ENABLED' } }]),
      ...(block.disable ?? []).map((feature) => [feature as string, { status: { '@@assign': 'DISABLED' } }]),
    ]);
  const ordered = [...blocks.filter((block) => block.key === DEFAULT_BLOCK), ...blocks.filter((block) => block.key !== DEFAULT_BLOCK)];
  return { guardduty: Object.fromEntries(ordered.map((block) => [block.key, settings(block)])) };
}

/**
 * The features a rendered policy turns on and off in `region`: its Region block if it has
 * one (which replaces the default whole), else the default block, else none (the Region
 * is unmanaged). The reading the emulator uses for an account's effective policy.
 */
export function featuresInRegion(content: unknown, region: string): Record<string, string> | undefined {
  const blocks = (content as { guardduty?: Record<string, Record<string, { status?: { '@@assign'?: string } }>> })?.guardduty ?? {};
  const block = blocks[region] ?? blocks[DEFAULT_BLOCK];
  if (!block) {
    return undefined;
  }
  return Object.fromEntries(Object.entries(block).map(([feature, value]) => [feature, String(value?.status?.['@@assign'])]));
}

/**
 * What is wrong with a rendered policy document (the handler's second check, for
 * properties that did not come through the construct): the same rules, on its JSON form.
 */
export function renderedPolicyProblems(content: unknown): string[] {
  const blocks = (content as { guardduty?: unknown } | undefined)?.guardduty;
  if (!blocks || typeof blocks !== 'object' || Array.isArray(blocks) || Object.keys(blocks).length === 0) {
    return ['Content must be {"guardduty": {...}} with at least one block: "default", a Region name, or both'];
  }
  const problems: string[] = [];
  for (const [key, block] of Object.entries(blocks as Record<string, unknown>)) {
    if (key !== DEFAULT_BLOCK && regionNameProblem(key, key) !== undefined) {
      problems.push(`Content block ${JSON.stringify(key)} is neither "default" nor a Region name`);
      continue;
    }
    const entries = Object.entries((block ?? {}) as Record<string, { status?: { '@@assign'?: unknown } }>);
    if (entries.length === 0) {
      problems.push(`Content block ${key} names no feature`);
    }
    for (const [feature, setting] of entries) {
      if (!GUARDDUTY_POLICY_FEATURES.includes(feature)) {
        problems.push(`Content block ${key}: ${JSON.stringify(feature)} is not a GuardDuty policy feature: valid values are ${GUARDDUTY_POLICY_FEATURES.join(', ')}`);
      } else if (!['ENABLED', 'DISABLED'].includes(String(setting?.status?.['@@assign']))) {
        problems.push(`Content block ${key}: ${feature} must be {"status": {"@@assign": "ENABLED" | "DISABLED"}}, got ${JSON.stringify(setting)}`);
      }
    }
  }
  return problems;
}
