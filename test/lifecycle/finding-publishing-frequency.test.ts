import { EnableOrganizationAdminAccountCommand, GuardDutyClient } from '@aws-sdk/client-guardduty';
import { RemovalPolicy } from 'aws-cdk-lib';
import { FindingPublishingFrequency, GuardDutyOrganizationConfiguration, OrganizationAutoEnable } from '../../lib';
import { ADMIN, CONSTRUCT_ID, REGION, STACK, lifecycleHarness } from '../support/lifecycle/lifecycle-harness';
import { synthesizeStack } from '../support/lifecycle/synthesized-stack';

/**
 * The delegated administrator's finding publishing frequency, set by the shipped
 * organization-configuration bundle through aws-cdk-lib's provider framework against the
 * emulator: GuardDuty made that detector (EnableOrganizationAdminAccount), so no
 * CfnDetector can carry the setting.
 */
const h = lifecycleHarness('finding-publishing-frequency');
const { report, deployed } = h;
const MANAGEMENT = '999999999999';
const RESOURCE_TYPE = 'Custom::GuardDutyOrganizationConfiguration';

async function delegate(): Promise<void> {
  h.emulator.organization.create(MANAGEMENT);
  h.emulator.organization.addAccount({ accountId: ADMIN });
  const management = new GuardDutyClient({ ...h.emulator.clientConfig(MANAGEMENT, REGION), maxAttempts: 1 });
  await management.send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: ADMIN }));
  management.destroy();
}

function resource(...frequencies: Array<FindingPublishingFrequency | undefined>) {
  const versions = frequencies.map((findingPublishingFrequency) =>
    synthesizeStack(STACK, RESOURCE_TYPE, (scope) => {
      new GuardDutyOrganizationConfiguration(scope, CONSTRUCT_ID, { autoEnableOrganizationMembers: OrganizationAutoEnable.NEW, findingPublishingFrequency, removalPolicy: RemovalPolicy.DESTROY });
    }),
  );
  return deployed(versions, STACK, h.emulator, [], {});
}

const detectorUpdates = () => h.emulator.calls().filter((call) => call.operation === 'UpdateDetector').length;

report.scenario('Create sets the frequency, a repeated Create writes nothing, an Update changes it, a Delete with DESTROY leaves it', async () => {
  await delegate();
  const deployment = resource(FindingPublishingFrequency.ONE_HOUR, FindingPublishingFrequency.FIFTEEN_MINUTES);

  const created = await deployment.send(deployment.events.create(deployment.properties[0]));
  expect(created.response).toMatchObject({ Status: 'SUCCESS', Data: { Updated: 'true' } });
  expect(h.emulator.findingPublishingFrequency(ADMIN, REGION)).toBe('ONE_HOUR');

  const updatesBefore = detectorUpdates();
  const repeated = await deployment.send(deployment.events.create(deployment.properties[0]));
  expect(repeated.response).toMatchObject({ Status: 'SUCCESS', Data: { Updated: 'false' } });
  expect(detectorUpdates()).toBe(updatesBefore);

  const updated = await deployment.send(deployment.events.update(created.response.PhysicalResourceId!, deployment.properties[1], deployment.properties[0]));
  expect(updated.response.Status).toBe('SUCCESS');
  expect(h.emulator.findingPublishingFrequency(ADMIN, REGION)).toBe('FIFTEEN_MINUTES');

  const deleted = await deployment.send(deployment.events.delete(updated.response.PhysicalResourceId!, deployment.properties[1]));
  expect(deleted.response.Status).toBe('SUCCESS');
  expect(h.emulator.findingPublishingFrequency(ADMIN, REGION)).toBe('FIFTEEN_MINUTES');
});

report.scenario('without findingPublishingFrequency the detector is neither read nor changed', async () => {
  await delegate();
  const deployment = resource(undefined);

  const created = await deployment.send(deployment.events.create(deployment.properties[0]));

  expect(created.response.Status).toBe('SUCCESS');
  expect(h.emulator.calls().filter((call) => ['GetDetector', 'UpdateDetector'].includes(call.operation))).toEqual([]);
  expect(h.emulator.findingPublishingFrequency(ADMIN, REGION)).toBe('SIX_HOURS');
});

report.scenario('a frequency that is not GuardDuty\'s fails the Create in the handler, naming the valid values, before any GuardDuty call', async () => {
  await delegate();
  const deployment = resource(FindingPublishingFrequency.ONE_HOUR);
  const callsBefore = h.emulator.calls().length;

  const failed = await deployment.send(deployment.events.create({ ...deployment.properties[0], FindingPublishingFrequency: 'DAILY' }));

  expect(failed.response.Status).toBe('FAILED');
  expect(failed.response.Reason).toMatch(/FindingPublishingFrequency must be one of FIFTEEN_MINUTES, ONE_HOUR, SIX_HOURS, got "DAILY"/);
  expect(h.emulator.calls().length).toBe(callsBefore);
});
