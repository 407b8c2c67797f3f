import { RemovalPolicy } from 'aws-cdk-lib';
import { GuardDutyOrganizationPolicy, GuardDutyOrganizationPolicyProps, GuardDutyPolicyFeature } from '../../lib';
import { account, lifecycleHarness } from '../support/lifecycle/lifecycle-harness';
import { CREATE_FAILED_MARKER } from '../support/lifecycle/provider-framework';
import { StackSettings, synthesizeStack } from '../support/lifecycle/synthesized-stack';

/**
 * GuardDutyOrganizationPolicy's two custom resources through a resource's life: the
 * policy type on the root (Custom::OrganizationsPolicyType) and the policy
 * (Custom::GuardDutyOrganizationPolicy), from the shipped organization-policy bundle
 * behind aws-cdk-lib's provider framework, against the emulator's AWS Organizations,
 * which also answers each account's effective policy per Region.
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

describe('the policy (Custom::GuardDutyOrganizationPolicy), through the provider framework', () => {
  /** The stack's policy resource across versions, after its policy type resource has enabled the type. */
  async function policyDeployment(versions: GuardDutyOrganizationPolicyProps[]) {
    const type = policyTypeDeployment([versions[0]]);
    expect((await type.send(type.events.create(type.properties[0]))).response.Status).toBe('SUCCESS');
    const settings = stackIn(MANAGEMENT);
    const synthesized = versions.map((props) => synthesizeStack(settings, 'Custom::GuardDutyOrganizationPolicy', (stack) => new GuardDutyOrganizationPolicy(stack, 'GuardDutyPolicy', props)));
    return deployed(synthesized, settings, h.emulator, [], {});
  }
  const policies = () => h.emulator.organization.policiesOfType(TYPE);
  const withRegionBlock = () => declaration({ regions: [{ region: 'eu-west-1', enable: [FOUNDATIONAL, RDS_LOGIN_EVENTS] }] });

  report.scenario('Create: the policy is created and attached; the accounts under the OU get the default block everywhere and the Region block where there is one, accounts elsewhere nothing', async () => {
    const resource = await policyDeployment([withRegionBlock()]);

    const created = await resource.send(resource.events.create(resource.properties[0]));

    expect(created.response).toMatchObject({ Status: 'SUCCESS', Data: { PolicyId: created.response.PhysicalResourceId, PolicyArn: expect.stringContaining('/guardduty_policy/') } });
    expect(policies()).toEqual([expect.objectContaining({ id: created.response.PhysicalResourceId, name: 'GuardDutyOrganizationPolicy', targetIds: [units.workloads] })]);
    for (const accountId of [WORKLOAD, OTHER_WORKLOAD]) {
      expect(h.emulator.organization.effectiveGuardDutyFeatures(accountId, REGION)).toEqual({ foundational: 'ENABLED', s3_data_events: 'ENABLED' });
      // The Region block replaces the default whole: S3 Protection is not inherited there.
      expect(h.emulator.organization.effectiveGuardDutyFeatures(accountId, 'eu-west-1')).toEqual({ foundational: 'ENABLED', rds_login_events: 'ENABLED' });
    }
    expect(h.emulator.organization.effectiveGuardDutyFeatures(SECURITY, REGION)).toBeUndefined();
  });

  report.scenario('Create repeated (a CloudFormation retry): the policy of that name is found, not created twice; same physical ID', async () => {
    const resource = await policyDeployment([declaration()]);
    const created = await resource.send(resource.events.create(resource.properties[0]));

    const retried = await resource.send(resource.events.create(resource.properties[0]));

    check.physicalIdStable(retried, created.response.PhysicalResourceId);
    expect(policies()).toHaveLength(1);
    expect(h.emulator.organizationsCalls().filter((call) => call.operation === 'CreatePolicy')).toHaveLength(1);
  });

  report.scenario('Update changing one field (a Region block added): same physical ID, the document updated, the targets untouched', async () => {
    const resource = await policyDeployment([declaration(), withRegionBlock()]);
    const created = await resource.send(resource.events.create(resource.properties[0]));

    const updated = await resource.send(resource.events.update(created.response.PhysicalResourceId, resource.properties[1], resource.properties[0]));

    check.physicalIdStable(updated, created.response.PhysicalResourceId);
    expect(h.emulator.organization.effectiveGuardDutyFeatures(WORKLOAD, 'eu-west-1')).toEqual({ foundational: 'ENABLED', rds_login_events: 'ENABLED' });
    expect(h.emulator.organizationsCalls().filter((call) => /^(Attach|Detach)Policy$/.test(call.operation))).toHaveLength(1);
  });

  report.scenario('Delete with DESTROY (the default) detaches and deletes the policy; with RETAIN it stays attached, no call', async () => {
    const destroyed = await policyDeployment([declaration()]);
    const created = await destroyed.send(destroyed.events.create(destroyed.properties[0]));
    expect((await destroyed.send(destroyed.events.delete(created.response.PhysicalResourceId, destroyed.properties[0]))).response.Status).toBe('SUCCESS');
    expect(policies()).toEqual([]);
    expect(h.emulator.organization.effectiveGuardDutyFeatures(WORKLOAD, REGION)).toBeUndefined();

    const retained = await policyDeployment([declaration({ removalPolicy: RemovalPolicy.RETAIN })]);
    const kept = await retained.send(retained.events.create(retained.properties[0]));
    const calls = h.emulator.organizationsCalls().length;
    expect((await retained.send(retained.events.delete(kept.response.PhysicalResourceId, retained.properties[0]))).response.Status).toBe('SUCCESS');
    expect(h.emulator.organizationsCalls()).toHaveLength(calls);
    expect(policies()).toEqual([expect.objectContaining({ id: kept.response.PhysicalResourceId, targetIds: [units.workloads] })]);
  });

  report.scenario('an Update to a target that does not exist fails; the rollback Update puts the policy back on its old targets', async () => {
    const resource = await policyDeployment([declaration(), declaration({ targetIds: ['ou-ab12-missing01'] })]);
    const created = await resource.send(resource.events.create(resource.properties[0]));
    const update = resource.events.update(created.response.PhysicalResourceId, resource.properties[1], resource.properties[0]);

    const failed = await resource.send(update);

    expect(failed.response.Status).toBe('FAILED');
    expect(failed.response.Reason).toMatch(/TargetNotFoundException/);
    const rollback = await resource.followUp(update, failed);
    expect(rollback?.response.Status).toBe('SUCCESS');
    expect(policies()).toEqual([expect.objectContaining({ targetIds: [units.workloads] })]);
  });
});

describe('bad input reaches the shipped handler through the framework', () => {
  const BAD_PROPERTIES: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a feature the type does not know', { Content: { guardduty: { default: { s3_logs: { status: { '@@assign': 'ENABLED' } } } } } }, /"s3_logs" is not a GuardDuty policy feature: valid values are foundational/],
    ['a block that is no Region', { Content: { guardduty: { Europe: { foundational: { status: { '@@assign': 'ENABLED' } } } } } }, /Content block "Europe" is neither "default" nor a Region name/],
    ['no block at all', { Content: { guardduty: {} } }, /Content must be \{"guardduty": \{\.\.\.\}\} with at least one block/],
    ['a malformed OU ID', { TargetIds: ['ou-ab12'] }, /TargetIds\[0\]: "ou-ab12" is not a root ID/],
    ['an empty name', { Name: '' }, /Name must be 1 to 128 characters/],
    ['RemovalPolicy SNAPSHOT', { RemovalPolicy: 'SNAPSHOT' }, /RemovalPolicy must be one of RETAIN, DESTROY/],
  ];

  report.test(`each of ${BAD_PROPERTIES.length} bad policy properties fails the Create with a HandlerError naming it, before any Organizations call`, async () => {
    const settings = stackIn(MANAGEMENT);
    const resource = deployed(
      [synthesizeStack(settings, 'Custom::GuardDutyOrganizationPolicy', (stack) => new GuardDutyOrganizationPolicy(stack, 'GuardDutyPolicy', declaration()))],
      settings,
      h.emulator,
      [],
      {},
    );
    for (const [, overrides, reason] of BAD_PROPERTIES) {
      const calls = h.emulator.organizationsCalls().length;

      const failed = await resource.send(resource.events.create({ ...resource.properties[0], ...overrides }));

      expect(failed.response.Status).toBe('FAILED');
      expect(failed.error?.errorType).toBe('HandlerError');
      expect(failed.response.Reason).toMatch(reason);
      check.physicalIdStable(failed, CREATE_FAILED_MARKER);
      expect(h.emulator.organizationsCalls()).toHaveLength(calls);
      report.badInputTried('`test/lifecycle/organization-policy.test.ts`: the shipped organization policy handler, a Create through aws-cdk-lib\'s provider framework');
    }
  });
});
