import {
  ADDITIONAL_CONFIGURATIONS_OF_FEATURE,
  AUTO_ENABLE_MEMBERS_VALUES,
  ORG_FEATURE_ADDITIONAL_CONFIGURATION_NAMES,
  ORG_FEATURE_NAMES,
  ORG_FEATURE_STATUS_VALUES,
} from '../../lib/private/organization-enums';
import { OrganizationAutoEnable } from '../../lib';
import { ServiceModel } from '../support/guardduty-emulator';

/**
 * The construct and the handler check values against a table copied from the GuardDuty
 * API model, which is not shipped. These tests fail when the two disagree, e.g. after
 * the vendored model is updated with a new feature.
 */
const model = ServiceModel.load();
const enumOf = (shape: string) => model.shape(shape).enum;

test.each([
  ['AutoEnableMembers', AUTO_ENABLE_MEMBERS_VALUES],
  ['OrgFeatureStatus', ORG_FEATURE_STATUS_VALUES],
  ['OrgFeature', ORG_FEATURE_NAMES],
  ['OrgFeatureAdditionalConfiguration', ORG_FEATURE_ADDITIONAL_CONFIGURATION_NAMES],
])('the table of %s holds exactly the model\'s values', (shape, table) => {
  expect([...table].sort()).toEqual([...enumOf(shape)!].sort());
});

test('the shapes the table copies are the ones UpdateOrganizationConfiguration takes', () => {
  expect(model.shapeAt('UpdateOrganizationConfiguration', 'AutoEnableOrganizationMembers').enum).toEqual(enumOf('AutoEnableMembers'));
  expect(model.shapeAt('UpdateOrganizationConfiguration', 'Features', 'member', 'Name').enum).toEqual(enumOf('OrgFeature'));
  expect(model.shapeAt('UpdateOrganizationConfiguration', 'Features', 'member', 'AutoEnable').enum).toEqual(enumOf('OrgFeatureStatus'));
  expect(model.shapeAt('UpdateOrganizationConfiguration', 'Features', 'member', 'AdditionalConfiguration', 'member', 'Name').enum).toEqual(
    enumOf('OrgFeatureAdditionalConfiguration'),
  );
});

test('every feature of the model says which additional configuration it takes, naming only the model\'s', () => {
  expect(Object.keys(ADDITIONAL_CONFIGURATIONS_OF_FEATURE).sort()).toEqual([...ORG_FEATURE_NAMES].sort());
  for (const names of Object.values(ADDITIONAL_CONFIGURATIONS_OF_FEATURE)) {
    names.forEach((name) => expect(ORG_FEATURE_ADDITIONAL_CONFIGURATION_NAMES).toContain(name));
  }
});

test('the public OrganizationAutoEnable enum offers exactly the values both AutoEnableMembers and OrgFeatureStatus accept', () => {
  const values = Object.values(OrganizationAutoEnable).sort();
  expect(values).toEqual([...AUTO_ENABLE_MEMBERS_VALUES].sort());
  expect(values).toEqual([...ORG_FEATURE_STATUS_VALUES].sort());
});
