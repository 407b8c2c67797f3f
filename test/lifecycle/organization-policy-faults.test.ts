import { RemovalPolicy } from 'aws-cdk-lib';
import fc from 'fast-check';
import { GuardDutyOrganizationPolicy, GuardDutyOrganizationPolicyProps, GuardDutyPolicyFeature } from '../../lib';
import { GuardDutyEmulator } from '../support/guardduty-emulator';
import { constructFaultSchedules } from '../support/lifecycle/arbitraries';
import { clearAllFaults, resentWithoutFaults } from '../support/lifecycle/fault-sweep';
import { Deployment, REGION, lifecycleHarness } from '../support/lifecycle/lifecycle-harness';
import { Delivery } from '../support/lifecycle/provider-framework';
import { StackSettings, SynthesizedStack, synthesizeStack } from '../support/lifecycle/synthesized-stack';

/**
 * A fault sweep over GuardDutyOrganizationPolicy, through aws-cdk-lib's provider framework
 * on the shipped organization-policy bundle, from the management account: its policy type
 * on the root (Custom::OrganizationsPolicyType) and its policy
 * (Custom::GuardDutyOrganizationPolicy). Each case puts faults on Organizations' endpoint
 * where its schedule says and walks a stack's life as CloudFormation sends it: the type
 * enabled, the policy created, updated to another declaration, deleted, the type's
 * Delete; a failed request gets its rollback and then the redeployment once the faults
 * stop. After each step: the policy is as declared and there is one of it, a rollback
 * left the old declaration, and neither Delete removes what the stack did not create
 * (a type found enabled stays enabled, a retained policy stays attached).
 */
/** Eight cases at a time in the full run: like the other sweeps, they wait in the SDK's back-off. */
const h = lifecycleHarness('organization-policy-faults', { lanes: 8 });
const { report, check } = h;

const MANAGEMENT = '999999999999';
const SECURITY = '710000000071';
const WORKLOAD = '720000000072';
const TYPE = 'GUARDDUTY_POLICY';
const STACK_SETTINGS: StackSettings = { account: MANAGEMENT, region: REGION, stackName: 'guardduty-organization-policy' };
const TYPE_CALLS = ['ListRoots', 'EnablePolicyType', 'DisablePolicyType'];
const POLICY_CALLS = ['ListPolicies', 'CreatePolicy', 'UpdatePolicy', 'ListTargetsForPolicy', 'AttachPolicy', 'DetachPolicy', 'DeletePolicy'];
const { FOUNDATIONAL, S3_DATA_EVENTS, RDS_LOGIN_EVENTS } = GuardDutyPolicyFeature;

interface Units {
  readonly security: string;
  readonly workloads: string;
}

/** root ── Security (one account) └─ Workloads (one account); OU IDs are the same after every reset. */
function newOrganization(e: GuardDutyEmulator): Units {
  e.reset();
  const organization = e.organization;
  organization.create(MANAGEMENT);
  const units = { security: organization.addOrganizationalUnit('Security'), workloads: organization.addOrganizationalUnit('Workloads') };
  organization.addAccount({ accountId: SECURITY, parentId: units.security });
  organization.addAccount({ accountId: WORKLOAD, parentId: units.workloads });
  return units;
}

/** Three declarations of one policy (same name), so a case is a Create of one and an Update to another. */
function declarations(units: Units): Array<Pick<GuardDutyOrganizationPolicyProps, 'targetIds' | 'allRegions' | 'regions' | 'description'>> {
  return [
    { targetIds: [units.workloads], allRegions: { enable: [FOUNDATIONAL, S3_DATA_EVENTS] } },
    { targetIds: [units.workloads, units.security], allRegions: { enable: [FOUNDATIONAL] }, regions: [{ region: 'eu-west-1', enable: [FOUNDATIONAL, RDS_LOGIN_EVENTS] }] },
    { targetIds: [units.security], allRegions: { enable: [FOUNDATIONAL], disable: [S3_DATA_EVENTS] }, description: 'Security OU only' },
  ];
}

interface Variant {
  readonly removalPolicy: RemovalPolicy;
  readonly disablePolicyTypeOnDelete: boolean;
}

interface Synthesized {
  readonly type: SynthesizedStack;
  readonly policy: SynthesizedStack[];
}

describe('GuardDutyOrganizationPolicy under faults', () => {
  let units: Units | undefined;
  const synthesized = new Map<string, Synthesized>();
  const deployments = new Map<string, { readonly type: Deployment; readonly policy: Deployment }>();

  /** Synthesized once per variant, deployed once per lane and variant (its Lambda containers kept warm across cases). */
  function deploymentFor(e: GuardDutyEmulator, variant: Variant) {
    const variantKey = `${variant.removalPolicy}/${variant.disablePolicyTypeOnDelete}`;
    const key = `${h.lanes.indexOf(e)}/${variantKey}`;
    const known = deployments.get(key);
    if (known) {
      return known;
    }
    const stacks = synthesized.get(variantKey) ?? synthesize(variant);
    synthesized.set(variantKey, stacks);
    const deployment = { type: h.deployed([stacks.type], STACK_SETTINGS, e, [], {}), policy: h.deployed(stacks.policy, STACK_SETTINGS, e, [], {}) };
    deployments.set(key, deployment);
    return deployment;
  }

  function synthesize(variant: Variant): Synthesized {
    const versions = declarations(units!).map((declared) => ({ ...declared, ...variant }));
    const build = (resourceType: string, props: GuardDutyOrganizationPolicyProps) => synthesizeStack(STACK_SETTINGS, resourceType, (stack) => new GuardDutyOrganizationPolicy(stack, 'GuardDutyPolicy', props));
    return { type: build('Custom::OrganizationsPolicyType', versions[0]), policy: versions.map((props) => build('Custom::GuardDutyOrganizationPolicy', props)) };
  }

  /** What Organizations holds of the policies of the type: name, document and targets (sorted). */
  const heldPolicies = (e: GuardDutyEmulator) => e.organization.policiesOfType(TYPE).map((p) => ({ name: p.name, content: p.content, targetIds: [...p.targetIds].sort() }));
  /** The one policy as the template's properties at `index` declare it. */
  const declaredPolicy = (deployment: Deployment, index: number) => {
    const properties = deployment.properties[index] as { Name: string; Content: unknown; TargetIds: string[] };
    return [{ name: properties.Name, content: properties.Content, targetIds: [...properties.TargetIds].sort() }];
  };

  /** A request under `faults`: its checks, and on failure CloudFormation's follow-up (the rollback) once they stop, then the redeployment. */
  async function underFaults(e: GuardDutyEmulator, resource: Deployment, event: Parameters<Deployment['send']>[0], faults: Parameters<GuardDutyEmulator['setOrganizationsFaults']>[0], afterRollback?: () => void): Promise<{ delivery: Delivery; failed: boolean }> {
    e.setOrganizationsFaults(faults);
    const delivery = await resource.send(event);
    check.failsCleanlyInTime(delivery);
    check.transientFaultsAbsorbed(delivery, faults);
    if (delivery.response.Status !== 'FAILED') {
      return { delivery, failed: false };
    }
    clearAllFaults(e);
    const rollback = await resource.followUp(event, delivery);
    if (rollback) {
      expect(rollback.response).toMatchObject({ Status: 'SUCCESS' });
    }
    afterRollback?.();
    return { delivery: await resentWithoutFaults(check, e, resource, event), failed: true };
  }

  test('type, Create, Update, rollback, redeployment and both Deletes: as declared on success, the old declaration after a rollback, nothing found removed', async () => {
    const indices = fc.integer({ min: 0, max: 2 });
    const cases = fc
      .record({
        typeBefore: fc.boolean(),
        removalPolicy: fc.constantFrom(RemovalPolicy.DESTROY, RemovalPolicy.RETAIN),
        disablePolicyTypeOnDelete: fc.boolean(),
        first: indices,
        second: indices,
        typeFaults: constructFaultSchedules(TYPE_CALLS, 3),
        createFaults: constructFaultSchedules(POLICY_CALLS, 5),
        updateFaults: constructFaultSchedules(POLICY_CALLS, 6),
        deleteFaults: constructFaultSchedules(POLICY_CALLS, 4),
        typeDeleteFaults: constructFaultSchedules(TYPE_CALLS, 2),
      })
      .filter((c) => c.first !== c.second);
    await h.checkLanes('the organization policy and its type under Organizations faults', cases, async (c, e) => {
      const labels: string[] = [];
      const laneUnits = newOrganization(e);
      units ??= laneUnits;
      // The templates name the OUs: a lane whose OU IDs differ would deploy someone else's targets.
      expect(laneUnits).toEqual(units);
      if (c.typeBefore) {
        e.organization.enablePolicyType(TYPE);
      }
      const { type, policy } = deploymentFor(e, { removalPolicy: c.removalPolicy, disablePolicyTypeOnDelete: c.disablePolicyTypeOnDelete });

      // The policy type on the root.
      const enable = type.events.create(type.properties[0]);
      const typeCreated = await underFaults(e, type, enable, c.typeFaults, () => {
        if (c.typeBefore) {
          expect(e.organization.policyTypeStatus(TYPE)).toBe('ENABLED');
          report.held('rollbackLeavesPrior');
        }
      });
      const typeId = typeCreated.delivery.response.PhysicalResourceId;
      const enabledByStack = typeId.endsWith(':enabled');
      labels.push(typeCreated.failed ? 'type create failed under faults' : `type ${enabledByStack ? 'enabled' : 'found'}`);
      expect(e.organization.policyTypeStatus(TYPE)).toBe('ENABLED');
      // Found enabled is never recorded as enabled by the stack: its Delete would disable it.
      if (c.typeBefore) {
        expect(typeId).toMatch(/:found$/);
      }
      report.held('settlesAsDeclared');

      // The policy: Create, then an Update to another declaration.
      const create = policy.events.create(policy.properties[c.first]);
      const created = await underFaults(e, policy, create, c.createFaults);
      if (created.failed) {
        labels.push('policy create failed under faults');
      }
      const policyId = created.delivery.response.PhysicalResourceId;
      expect(heldPolicies(e)).toEqual(declaredPolicy(policy, c.first));
      report.held('settlesAsDeclared');

      const update = policy.events.update(policyId, policy.properties[c.second], policy.properties[c.first]);
      const updated = await underFaults(e, policy, update, c.updateFaults, () => {
        expect(heldPolicies(e)).toEqual(declaredPolicy(policy, c.first));
        report.held('rollbackLeavesPrior');
      });
      if (updated.failed) {
        labels.push('policy update failed under faults');
      }
      check.physicalIdStable(updated.delivery, policyId);
      expect(heldPolicies(e)).toEqual(declaredPolicy(policy, c.second));
      report.held('settlesAsDeclared');

      // The Deletes, policy first (it depends on the type).
      const callsBeforeDelete = e.organizationsCalls().length;
      const deleted = await underFaults(e, policy, policy.events.delete(policyId, policy.properties[c.second]), c.deleteFaults);
      if (c.removalPolicy === RemovalPolicy.RETAIN) {
        expect(deleted.failed).toBe(false);
        expect(e.organizationsCalls()).toHaveLength(callsBeforeDelete);
        expect(heldPolicies(e)).toEqual(declaredPolicy(policy, c.second));
        report.held('deleteLeavesWhatItFound');
      } else {
        if (deleted.failed) {
          labels.push('policy delete failed under faults');
        }
        expect(heldPolicies(e)).toEqual([]);
        report.held('settlesAsDeclared');
      }

      const typeDeleted = await underFaults(e, type, type.events.delete(typeId, type.properties[0]), c.typeDeleteFaults);
      if (typeDeleted.failed) {
        labels.push('type delete failed under faults');
      }
      // Only a type this stack enabled, with disablePolicyTypeOnDelete, is disabled (after a
      // failure, the redeployed Delete's read of the root may have moved PENDING_DISABLE on to off).
      if (c.disablePolicyTypeOnDelete && enabledByStack) {
        expect(typeDeleted.failed ? ['PENDING_DISABLE', undefined] : ['PENDING_DISABLE']).toContain(e.organization.policyTypeStatus(TYPE));
        report.held('settlesAsDeclared');
      } else {
        expect(e.organization.policyTypeStatus(TYPE)).toBe('ENABLED');
        report.held('deleteLeavesWhatItFound');
      }
      return labels;
    }, { seed: 20_261_208, numRuns: 320, quickRuns: 3, timeLimitMs: 240_000, construct: 'GuardDutyOrganizationPolicy', injectsFaults: true });
  }, 330_000);
});
