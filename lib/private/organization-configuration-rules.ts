import {
  ADDITIONAL_CONFIGURATIONS_OF_FEATURE,
  AUTO_ENABLE_MEMBERS_VALUES,
  ORG_FEATURE_ADDITIONAL_CONFIGURATION_NAMES,
  ORG_FEATURE_NAMES,
  ORG_FEATURE_STATUS_VALUES,
  OrgFeatureName,
} from './organization-enums';

/**
 * The checks on an organization configuration that both the construct (at synth) and the
 * handler (at deploy, for events that never went through the construct) apply. Pure: no
 * CDK, no SDK. Each problem names the bad value, where it was, and the valid choices.
 *
 * The input is the template's shape; `names` says how to call each field in messages, so
 * the construct speaks of `features[0].name` and the handler of `Features[0].Name`.
 */
export interface FieldNames {
  readonly autoEnableOrganizationMembers: string;
  readonly features: string;
  readonly name: string;
  readonly autoEnable: string;
  readonly additionalConfiguration: string;
}

export const PROPERTY_NAMES: FieldNames = {
  autoEnableOrganizationMembers: 'AutoEnableOrganizationMembers',
  features: 'Features',
  name: 'Name',
  autoEnable: 'AutoEnable',
  additionalConfiguration: 'AdditionalConfiguration',
};

/** Values that are still tokens at synth are skipped by `isUnresolved`; the handler checks them. */
export function organizationConfigurationProblems(
  autoEnableOrganizationMembers: unknown,
  features: unknown,
  names: FieldNames,
  isUnresolved: (value: unknown) => boolean = () => false,
): string[] {
  const problems: string[] = [];
  if (!isUnresolved(autoEnableOrganizationMembers)) {
    problems.push(...choiceProblems(autoEnableOrganizationMembers, names.autoEnableOrganizationMembers, AUTO_ENABLE_MEMBERS_VALUES));
  }
  if (features === undefined || isUnresolved(features)) {
    return problems;
  }
  if (!Array.isArray(features)) {
    return [...problems, `${names.features} must be a list, got ${show(features)}`];
  }
  const seen = new Set<string>();
  features.forEach((feature: unknown, i) => {
    const where = `${names.features}[${i}]`;
    if (!isRecord(feature)) {
      problems.push(`${where} must be an object with ${names.name} and ${names.autoEnable}, got ${show(feature)}`);
      return;
    }
    const name = feature[names.name];
    const nameProblems = isUnresolved(name) ? [] : choiceProblems(name, `${where}.${names.name}`, ORG_FEATURE_NAMES, 'GuardDuty organization feature');
    problems.push(...nameProblems);
    if (typeof name === 'string' && nameProblems.length === 0) {
      if (seen.has(name)) {
        problems.push(`${where}.${names.name} ${name} is declared more than once`);
      }
      seen.add(name);
    }
    if (!isUnresolved(feature[names.autoEnable])) {
      problems.push(...choiceProblems(feature[names.autoEnable], `${where}.${names.autoEnable}`, ORG_FEATURE_STATUS_VALUES));
    }
    const known = nameProblems.length === 0 && typeof name === 'string' ? (name as OrgFeatureName) : undefined;
    problems.push(...additionalConfigurationProblems(feature[names.additionalConfiguration], where, known, names, isUnresolved));
  });
  return problems;
}

function additionalConfigurationProblems(value: unknown, featureWhere: string, feature: OrgFeatureName | undefined, names: FieldNames, isUnresolved: (value: unknown) => boolean): string[] {
  if (value === undefined || isUnresolved(value)) {
    return [];
  }
  const where = `${featureWhere}.${names.additionalConfiguration}`;
  if (!Array.isArray(value)) {
    return [`${where} must be a list, got ${show(value)}`];
  }
  const problems: string[] = [];
  const seen = new Set<string>();
  value.forEach((entry: unknown, i) => {
    const at = `${where}[${i}]`;
    if (!isRecord(entry)) {
      problems.push(`${at} must be an object with ${names.name} and ${names.autoEnable}, got ${show(entry)}`);
      return;
    }
    const name = entry[names.name];
    const nameProblems = isUnresolved(name)
      ? []
      : choiceProblems(name, `${at}.${names.name}`, ORG_FEATURE_ADDITIONAL_CONFIGURATION_NAMES, 'GuardDuty additional configuration');
    problems.push(...nameProblems);
    if (feature && typeof name === 'string' && nameProblems.length === 0) {
      const allowed = ADDITIONAL_CONFIGURATIONS_OF_FEATURE[feature];
      if (!allowed.includes(name as never)) {
        problems.push(
          `${at}.${names.name} ${name} does not belong to ${feature}: ` +
            (allowed.length === 0 ? `${feature} has no additional configuration` : `${feature} takes ${allowed.join(', ')}`),
        );
      }
      if (seen.has(name)) {
        problems.push(`${at}.${names.name} ${name} is declared more than once in ${feature}`);
      }
      seen.add(name);
    }
    if (!isUnresolved(entry[names.autoEnable])) {
      problems.push(...choiceProblems(entry[names.autoEnable], `${at}.${names.autoEnable}`, ORG_FEATURE_STATUS_VALUES));
    }
  });
  return problems;
}

function choiceProblems(value: unknown, where: string, choices: readonly string[], what?: string): string[] {
  if (typeof value === 'string' && choices.includes(value)) {
    return [];
  }
  const kind = what ? ` is not a ${what}` : '';
  return [`${where} ${show(value)}${kind || ' is not valid'}: valid values are ${choices.join(', ')}`];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value as the messages show it: strings quoted and cut short, everything else by kind. */
export function show(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  }
  if (Array.isArray(value)) {
    return `a list of ${value.length}`;
  }
  if (value === null || value === undefined) {
    return String(value);
  }
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
