import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { GuardDutyOrganizationPolicy, GuardDutyOrganizationPolicyProps, GuardDutyPolicyFeature } from '../../lib';
import { account, lifecycleHarness } from '../support/lifecycle/lifecycle-harness';
import { CREATE_FAILED_MARKER } from '../support/lifecycle/provider-framework';
import { StackSettings, synthesizeStack } from '../support/lifecycle/synthesized-stack';

/**
 * GuardDutyOrganizationPolicy's policy type resource (Custom::OrganizationsPolicyType)
 * through a resource's life: the shipped policy-type bundle behind aws-cdk-lib's provider
 * framework, against the emulator's AWS Organizations. The policy itself is an
 * AWS::Organizations::Policy, which the harness does not deploy: the last scenario puts
 * its synthesized content into the emulated organization, as CloudFormation would, and
 * reads the effective policy per account and Region.
 *
 * The organization: root ── Security (the delegated administrator) └─ Workloads (two accounts).
 */
const h = lifecycleHarness('organization-policy');
const { report, check, deployed } = h;

const MANAGEMENT = '999999999999';
const SECURITY = account(71).accountId;
const [WORKLOAD, OTHER_WORKLOAD] = [account(72).accountId, account(73).accountId];
const REGION = 'us-east-1';
const TYPE = 'GUARDDUTY_POLICY';
const { FOUNDATIONAL, S3_DATA_EVENTS, RDS_LOGIN_EVENTS } = GuardDutyPolicyFeature;
const stackIn = (accountId: string): StackSettings => ({ account: accountId, region: REGION, stackName: 'guardduty-organization-policy' });

let units: { security: string; workloads: string };

beforeEach(() => {
  const organization = h.emulator.organization;
  organization.create(MANAGEMENT);
  units = { security: organization.addOrganizationalUnit('Security'), workloads: organization.addOrganizationalUnit('Workloads') };
  organization.addAccount({ accountId: SECURITY, parentId: units.security });
  organization.addAccount({ accountId: WORKLOAD, parentId: units.workloads });
  organization.addAccount({ accountId: OTHER_WORKLOAD, parentId: units.workloads });
});

function declaration(extra: Partial<GuardDutyOrganizationPolicyProps> = {}): GuardDutyOrganizationPolicyProps {
  return { targetIds: [units.workloads], allRegions: { enable: [FOUNDATIONAL, S3_DATA_EVENTS] }, ...extra };
}

/** One policy type resource across versions of the app, deployed from `accountId`. */
function policyTypeDeployment(versions: GuardDutyOrganizationPolicyProps[], accountId = MANAGEMENT) {
  const settings = stackIn(accountId);
  const synthesized = versions.map((props) => synthesizeStack(settings, 'Custom::OrganizationsPolicyType', (stack) => new GuardDutyOrganizationPolicy(stack, 'GuardDutyPolicy', props)));
  return deployed(synthesized, settings, h.emulator, [], {});
}

const writes = () => h.emulator.organizationsCalls().filter((call) => /^(Enable|Disable)PolicyType$/.test(call.operation)).length;
const physicalId = (origin: string) => `organizations-policy-type:${h.emulator.organization.rootId}:${TYPE}:${origin}`;

describe('the policy type on the root, through the provider framework', () => {
  report.scenario('Create with the type off: enables it, isComplete waits through PENDING_ENABLE to ENABLED, and the physical ID records that this resource enabled it', async () => {
    const resource = policyTypeDeployment([declaration()]);

    const created = await resource.send(resource.events.create(resource.properties[0]));

    expect(created.response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: physicalId('enabled'), Data: { RootId: h.emulator.organization.rootId, PolicyTypeStatus: 'ENABLED' } });
    expect(created.isCompletePolls).toBe(2);
    expect(h.emulator.organization.policyTypeStatus(TYPE)).toBe('ENABLED');
    expect(writes()).toBe(1);
  });

  report.scenario('Create repeated (a CloudFormation retry): the type is on, so no write; the retry cannot tell it enabled the type and records it as found', async () => {
    const resource = policyTypeDeployment([declaration()]);
    await resource.send(resource.events.create(resource.properties[0]));

    const retried = await resource.send(resource.events.create(resource.properties[0]));

    expect(retried.response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: physicalId('found') });
    expect(writes()).toBe(1);
  });

  report.scenario('Update changing one field (disablePolicyTypeOnDelete): same physical ID, no write', async () => {
    const resource = policyTypeDeployment([declaration(), declaration({ disablePolicyTypeOnDelete: true })]);
    const created = await resource.send(resource.events.create(resource.properties[0]));

    const updated = await resource.send(resource.events.update(created.response.PhysicalResourceId, resource.properties[1], resource.properties[0]));

    check.physicalIdStable(updated, physicalId('enabled'));
    expect(updated.response.Status).toBe('SUCCESS');
    expect(writes()).toBe(1);
  });

  report.scenario('Delete without disablePolicyTypeOnDelete (RETAIN): the type stays enabled, no call', async () => {
    const resource = policyTypeDeployment([declaration()]);
    const created = await resource.send(resource.events.create(resource.properties[0]));
    const calls = h.emulator.organizationsCalls().length;

    const deleted = await resource.send(resource.events.delete(created.response.PhysicalResourceId, resource.properties[0]));

    expect(deleted.response.Status).toBe('SUCCESS');
    expect(h.emulator.organizationsCalls()).toHaveLength(calls);
    expect(h.emulator.organization.policyTypeStatus(TYPE)).toBe('ENABLED');
  });

  report.scenario('Delete with disablePolicyTypeOnDelete (DESTROY): disables the type this resource enabled; one it found enabled is left alone', async () => {
    const resource = policyTypeDeployment([declaration({ disablePolicyTypeOnDelete: true })]);
    const created = await resource.send(resource.events.create(resource.properties[0]));

    const deleted = await resource.send(resource.events.delete(created.response.PhysicalResourceId, resource.properties[0]));

    expect(deleted.response.Status).toBe('SUCCESS');
    expect(h.emulator.organization.policyTypeStatus(TYPE)).toBe('PENDING_DISABLE');

    h.emulator.organization.enablePolicyType(TYPE);
    const other = policyTypeDeployment([declaration({ disablePolicyTypeOnDelete: true })]);
    const found = await other.send(other.events.create(other.properties[0]));
    expect(found.response.PhysicalResourceId).toBe(physicalId('found'));
    await other.send(other.events.delete(found.response.PhysicalResourceId, other.properties[0]));
    expect(h.emulator.organization.policyTypeStatus(TYPE)).toBe('ENABLED');
  });
});

describe('who may run it', () => {
  report.scenario('a delegated administrator with Organizations policy delegation enables the type', async () => {
    h.emulator.organization.delegatePolicyManagement(SECURITY);
    const resource = policyTypeDeployment([declaration()], SECURITY);

    const created = await resource.send(resource.events.create(resource.properties[0]));

    expect(created.response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: physicalId('enabled') });
  });

  report.scenario('an account without the delegation: Create fails naming what is missing; the rollback Delete makes no call', async () => {
    h.emulator.organization.setGuardDutyAdministrator(REGION, SECURITY); // may read the organization, not manage its policies
    const resource = policyTypeDeployment([declaration()], SECURITY);

    const refused = await resource.send(resource.events.create(resource.properties[0]));

    expect(refused.response.Status).toBe('FAILED');
    expect(refused.response.Reason).toMatch(
      new RegExp(`AWS Organizations refused EnablePolicyType for GUARDDUTY_POLICY from account ${SECURITY}: run GuardDutyOrganizationPolicy from the organization's management account, or from a delegated administrator`),
    );
    expect(h.emulator.organization.policyTypeStatus(TYPE)).toBeUndefined();
    const calls = h.emulator.organizationsCalls().length;

    const rollback = await resource.followUp(resource.events.create(resource.properties[0]), refused);

    expect(rollback?.response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: expect.stringContaining(CREATE_FAILED_MARKER) });
    expect(h.emulator.organizationsCalls()).toHaveLength(calls);
  });
});

describe('the policy in the organization', () => {
  report.scenario('the synthesized content attached to an OU: the accounts under it get the default block everywhere, and a Region block where there is one; accounts elsewhere get nothing', async () => {
    const props = declaration({ regions: [{ region: 'eu-west-1', enable: [FOUNDATIONAL, RDS_LOGIN_EVENTS] }] });
    const resource = policyTypeDeployment([props]);
    await resource.send(resource.events.create(resource.properties[0]));
    const stack = new Stack(new App(), 'Management');
    new GuardDutyOrganizationPolicy(stack, 'GuardDutyPolicy', props);
    const [policy] = Object.values(Template.fromStack(stack).findResources('AWS::Organizations::Policy'));

    h.emulator.organization.attachPolicy(policy.Properties.Type as string, policy.Properties.Content, [units.workloads]);

    for (const accountId of [WORKLOAD, OTHER_WORKLOAD]) {
      expect(h.emulator.organization.effectiveGuardDutyFeatures(accountId, REGION)).toEqual({ foundational: 'ENABLED', s3_data_events: 'ENABLED' });
      // The Region block replaces the default whole: S3 Protection is not inherited there.
      expect(h.emulator.organization.effectiveGuardDutyFeatures(accountId, 'eu-west-1')).toEqual({ foundational: 'ENABLED', rds_login_events: 'ENABLED' });
    }
    expect(h.emulator.organization.effectiveGuardDutyFeatures(SECURITY, REGION)).toBeUndefined();
  });
});
