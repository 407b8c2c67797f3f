import { CurrentConfiguration, DeclaredConfiguration, planConfigurationUpdate } from '../../lambda/organization-configuration/configuration-diff';

const S3_ALL = { name: 'S3_DATA_EVENTS', autoEnable: 'ALL', additionalConfiguration: [] };
const RUNTIME_NEW = {
  name: 'RUNTIME_MONITORING',
  autoEnable: 'NEW',
  additionalConfiguration: [
    { name: 'EKS_ADDON_MANAGEMENT', autoEnable: 'NEW' },
    { name: 'ECS_FARGATE_AGENT_MANAGEMENT', autoEnable: 'NONE' },
  ],
};

function declared(autoEnableOrganizationMembers: string, ...features: DeclaredConfiguration['features']): DeclaredConfiguration {
  return { autoEnableOrganizationMembers, features };
}

function current(autoEnableOrganizationMembers: string | undefined, ...features: CurrentConfiguration['features']): CurrentConfiguration {
  return { autoEnableOrganizationMembers, features, memberAccountLimitReached: false };
}

test('nothing to update when GuardDuty has the declared configuration', () => {
  expect(planConfigurationUpdate(declared('ALL', S3_ALL, RUNTIME_NEW), current('ALL', S3_ALL, RUNTIME_NEW))).toBeUndefined();
});

test('features and additional configurations GuardDuty has but the declaration leaves out do not count as differences', () => {
  const extraFeature = { name: 'RDS_LOGIN_EVENTS', autoEnable: 'NONE', additionalConfiguration: [] };
  const runtimeWithMore = { ...RUNTIME_NEW, additionalConfiguration: [...RUNTIME_NEW.additionalConfiguration, { name: 'EC2_AGENT_MANAGEMENT', autoEnable: 'ALL' }] };

  expect(planConfigurationUpdate(declared('NEW', RUNTIME_NEW), current('NEW', extraFeature, runtimeWithMore))).toBeUndefined();
});

test('a different AutoEnableOrganizationMembers alone updates only that, with no features', () => {
  const update = planConfigurationUpdate(declared('ALL', S3_ALL), current('NEW', S3_ALL));

  expect(update).toEqual({ autoEnableOrganizationMembers: 'ALL', features: [], changes: [{ setting: 'AutoEnableOrganizationMembers', from: 'NEW', to: 'ALL' }] });
});

test('a feature whose auto-enable differs is sent; unchanged declared features are not', () => {
  const update = planConfigurationUpdate(declared('ALL', S3_ALL, RUNTIME_NEW), current('ALL', { ...S3_ALL, autoEnable: 'NONE' }, RUNTIME_NEW));

  expect(update?.features).toEqual([S3_ALL]);
  expect(update?.autoEnableOrganizationMembers).toBe('ALL');
  expect(update?.changes).toEqual([{ setting: 'S3_DATA_EVENTS', from: 'NONE', to: 'ALL' }]);
});

test('a differing additional configuration sends its feature with all its declared additional configuration', () => {
  const before = { ...RUNTIME_NEW, additionalConfiguration: [{ name: 'EKS_ADDON_MANAGEMENT', autoEnable: 'NONE' }, RUNTIME_NEW.additionalConfiguration[1]] };

  const update = planConfigurationUpdate(declared('ALL', RUNTIME_NEW), current('ALL', before));

  expect(update?.features).toEqual([RUNTIME_NEW]);
  expect(update?.changes).toEqual([{ setting: 'RUNTIME_MONITORING.EKS_ADDON_MANAGEMENT', from: 'NONE', to: 'NEW' }]);
});

test('a feature or additional configuration GuardDuty does not report yet is a difference from "unset"', () => {
  const update = planConfigurationUpdate(declared('NONE', RUNTIME_NEW), current(undefined));

  expect(update?.changes).toEqual([
    { setting: 'AutoEnableOrganizationMembers', from: 'unset', to: 'NONE' },
    { setting: 'RUNTIME_MONITORING', from: 'unset', to: 'NEW' },
    { setting: 'RUNTIME_MONITORING.EKS_ADDON_MANAGEMENT', from: 'unset', to: 'NEW' },
    { setting: 'RUNTIME_MONITORING.ECS_FARGATE_AGENT_MANAGEMENT', from: 'unset', to: 'NONE' },
  ]);
});
