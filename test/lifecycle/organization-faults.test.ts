import { RemovalPolicy } from 'aws-cdk-lib';
import fc from 'fast-check';
import { FindingPublishingFrequency, GuardDutyDelegatedAdministrator, GuardDutyOrganizationConfiguration, GuardDutyOrganizationConfigurationProps, OrganizationAutoEnable } from '../../lib';
import { FaultOptions, GuardDutyEmulator } from '../support/guardduty-emulator';
import { constructFaultSchedules } from '../support/lifecycle/arbitraries';
import { clearAllFaults, resentWithoutFaults } from '../support/lifecycle/fault-sweep';
import { ADMIN, CONSTRUCT_ID, Deployment, REGION, STACK, lifecycleHarness } from '../support/lifecycle/lifecycle-harness';
import { StackSettings, synthesizeStack } from '../support/lifecycle/synthesized-stack';

/**
 * Fault sweeps over the organization side, through aws-cdk-lib's provider framework on
 * the shipped bundles: GuardDutyDelegatedAdministrator from the management account
 * (GuardDuty's delegation calls, and Organizations' trusted access for Malware
 * Protection) and GuardDutyOrganizationConfiguration from the delegated administrator.
 * Each case puts faults where its schedule says (one to four at fixed calls, or drawn at
 * random), sends what CloudFormation sends (the request, the rollback after a failure,
 * the redeployment once the faults stop, the Delete), and checks after each step that
 * the handler ended on its own, that a success left GuardDuty and Organizations as
 * declared, and that a failure and its rollback left what was there before.
 */
/**
 * Cases run ten at a time in the full run, each on an emulator of its own: they spend most
 * of their time in the SDK's retry back-off. With three lanes the run left 90% of the CPU
 * idle and the 240 s limit stopped both properties at 252 and 312 of 432 cases; with ten
 * both finished in 308 s, 5.6 GiB RSS across the Lambda containers' processes.
 */
const h = lifecycleHarness('organization-faults', { lanes: 10 });
const { report, check } = h;

const MANAGEMENT = '999999999999';
const MALWARE_PROTECTION = 'malware-protection.guardduty.amazonaws.com';
const MANAGEMENT_STACK: StackSettings = { account: MANAGEMENT, region: REGION, stackName: 'organization-guardduty-delegated-administrator' };
const DELEGATION_CALLS = ['ListOrganizationAdminAccounts', 'EnableOrganizationAdminAccount', 'DisableOrganizationAdminAccount'];
const TRUSTED_ACCESS_CALLS = ['ListAWSServiceAccessForOrganization', 'EnableAWSServiceAccess'];
const CONFIGURATION_CALLS = ['ListDetectors', 'DescribeOrganizationConfiguration', 'UpdateOrganizationConfiguration', 'GetDetector', 'UpdateDetector'];

function newOrganization(e: GuardDutyEmulator): void {
  e.reset();
  e.organization.create(MANAGEMENT);
  e.organization.addAccount({ accountId: ADMIN });
}

function setFaults(e: GuardDutyEmulator, guardDuty: FaultOptions, organizations: FaultOptions = {}): void {
  e.setFaults(guardDuty);
  e.setOrganizationsFaults(organizations);
}

describe('GuardDutyDelegatedAdministrator under faults', () => {
  const variants = new Map<string, Deployment>();
  /** One deployment per (Malware Protection prerequisites, removal policy), its Lambda containers kept warm across cases. */
  function delegation(e: GuardDutyEmulator, malwareProtectionPrerequisites: boolean, removalPolicy: RemovalPolicy): Deployment {
    const key = `${h.lanes.indexOf(e)}/${malwareProtectionPrerequisites}/${removalPolicy}`;
    if (!variants.has(key)) {
      const synthesized = synthesizeStack(MANAGEMENT_STACK, 'Custom::GuardDutyDelegatedAdministrator', (stack) => {
        new GuardDutyDelegatedAdministrator(stack, 'GuardDutyAdministrator', { adminAccountId: ADMIN, malwareProtectionPrerequisites, removalPolicy });
      });
      variants.set(key, h.deployed([synthesized], MANAGEMENT_STACK, e, [], {}));
    }
    return variants.get(key)!;
  }

  const delegated = (e: GuardDutyEmulator) => e.organization.guardDutyAdministrator(REGION);
  const trusted = (e: GuardDutyEmulator) => e.organization.trustedServicePrincipals().includes(MALWARE_PROTECTION);

  test('Create, rollback, redeployment and Delete: as declared on success, what was there before after a failure', async () => {
    const cases = fc.record({
      delegatedBefore: fc.boolean(),
      trustedBefore: fc.boolean(),
      malwareProtectionPrerequisites: fc.boolean(),
      removalPolicy: fc.constantFrom(RemovalPolicy.DESTROY, RemovalPolicy.RETAIN),
      createFaults: constructFaultSchedules(DELEGATION_CALLS, 3),
      organizationsFaults: constructFaultSchedules(TRUSTED_ACCESS_CALLS, 3),
      deleteFaults: constructFaultSchedules(DELEGATION_CALLS, 3),
    });
    await h.checkLanes('the delegated administrator under GuardDuty and Organizations faults', cases, async (c, e) => {
      const labels: string[] = [];
      newOrganization(e);
      if (c.delegatedBefore) {
        e.organization.setGuardDutyAdministrator(REGION, ADMIN);
      }
      if (c.trustedBefore) {
        e.organization.enableTrustedAccess(MALWARE_PROTECTION);
      }
      const resource = delegation(e, c.malwareProtectionPrerequisites, c.removalPolicy);
      const create = resource.events.create(resource.properties[0]);
      setFaults(e, c.createFaults, c.organizationsFaults);

      let created = await resource.send(create);
      check.failsCleanlyInTime(created);
      check.transientFaultsAbsorbed(created, c.createFaults, c.organizationsFaults);
      if (created.response.Status === 'FAILED') {
        labels.push('create failed under faults');
        await resource.followUp(create, created);
        // Nothing that was there before the failed Create is gone after its rollback.
        expect({ delegated: c.delegatedBefore ? delegated(e) : ADMIN, trusted: c.trustedBefore ? trusted(e) : true }).toEqual({ delegated: ADMIN, trusted: true });
        report.held('rollbackLeavesPrior');
        created = await resentWithoutFaults(check, e, resource, create);
      }
      expect(created.response).toMatchObject({ PhysicalResourceId: `guardduty-delegated-administrator:${ADMIN}`, Data: { AdminAccountId: ADMIN, AdminStatus: 'ENABLED' } });
      expect({ delegated: delegated(e), trusted: trusted(e) }).toEqual({ delegated: ADMIN, trusted: c.malwareProtectionPrerequisites || c.trustedBefore });
      report.held('settlesAsDeclared');

      setFaults(e, c.deleteFaults);
      const callsBefore = e.callCount();
      const remove = resource.events.delete(created.response.PhysicalResourceId, resource.properties[0]);
      const deleted = await resource.send(remove);
      check.failsCleanlyInTime(deleted);
      check.transientFaultsAbsorbed(deleted, c.deleteFaults);
      if (c.removalPolicy === RemovalPolicy.RETAIN) {
        check.retainMakesNoCall(deleted, callsBefore, e);
      } else if (deleted.response.Status === 'FAILED') {
        labels.push('delete failed under faults');
        await resentWithoutFaults(check, e, resource, remove);
      }
      // DESTROY removes the delegation; trusted access and the role stay with either policy.
      expect({ delegated: delegated(e), trusted: trusted(e) }).toEqual({ delegated: c.removalPolicy === RemovalPolicy.DESTROY ? undefined : ADMIN, trusted: c.malwareProtectionPrerequisites || c.trustedBefore });
      report.held('settlesAsDeclared');
      return labels;
    }, { seed: 20_261_207, numRuns: 432, quickRuns: 3, timeLimitMs: 240_000, construct: 'GuardDutyDelegatedAdministrator', injectsFaults: true });
  }, 330_000);
});

describe('GuardDutyOrganizationConfiguration under faults', () => {
  /** Four declarations of one construct, so a case is a Create of one and an Update to another. */
  const DECLARATIONS: GuardDutyOrganizationConfigurationProps[] = [
    { autoEnableOrganizationMembers: OrganizationAutoEnable.NEW, features: [{ name: 'S3_DATA_EVENTS', autoEnable: OrganizationAutoEnable.NEW }] },
    { autoEnableOrganizationMembers: OrganizationAutoEnable.ALL, features: [{ name: 'S3_DATA_EVENTS', autoEnable: OrganizationAutoEnable.ALL }, { name: 'EKS_AUDIT_LOGS', autoEnable: OrganizationAutoEnable.NONE }], findingPublishingFrequency: FindingPublishingFrequency.ONE_HOUR },
    { autoEnableOrganizationMembers: OrganizationAutoEnable.NONE, findingPublishingFrequency: FindingPublishingFrequency.FIFTEEN_MINUTES },
    { autoEnableOrganizationMembers: OrganizationAutoEnable.NEW, features: [{ name: 'EKS_AUDIT_LOGS', autoEnable: OrganizationAutoEnable.NEW }, { name: 'S3_DATA_EVENTS', autoEnable: OrganizationAutoEnable.NONE }] },
  ];
  const resources = new Map<GuardDutyEmulator, Deployment>();
  function configuration(e: GuardDutyEmulator): Deployment {
    const resource = resources.get(e) ?? h.deployed(
      DECLARATIONS.map((props) => synthesizeStack(STACK, 'Custom::GuardDutyOrganizationConfiguration', (scope) => {
        new GuardDutyOrganizationConfiguration(scope, CONSTRUCT_ID, { ...props, removalPolicy: RemovalPolicy.DESTROY });
      })),
      STACK,
      e,
      [],
      {},
    );
    resources.set(e, resource);
    return resource;
  }

  /** What GuardDuty holds that the declaration names: auto-enable, each declared feature, the frequency when declared. */
  function asDeclaredIn(e: GuardDutyEmulator, index: number) {
    const declared = DECLARATIONS[index];
    const current = e.organization.organizationConfiguration(ADMIN, REGION);
    return {
      autoEnable: current?.autoEnableOrganizationMembers,
      features: Object.fromEntries((declared.features ?? []).map((feature) => [feature.name, current?.features[feature.name]])),
      frequency: declared.findingPublishingFrequency && e.findingPublishingFrequency(ADMIN, REGION),
    };
  }
  function declaredAs(index: number) {
    const declared = DECLARATIONS[index];
    return {
      autoEnable: declared.autoEnableOrganizationMembers,
      features: Object.fromEntries((declared.features ?? []).map((feature) => [feature.name, feature.autoEnable])),
      frequency: declared.findingPublishingFrequency,
    };
  }

  test('Create, Update, its rollback, redeployment and Delete: as declared on success, the old properties\' after a rollback', async () => {
    const indices = fc.integer({ min: 0, max: DECLARATIONS.length - 1 });
    const cases = fc.record({
      first: indices,
      second: indices,
      createFaults: constructFaultSchedules(CONFIGURATION_CALLS, 5),
      updateFaults: constructFaultSchedules(CONFIGURATION_CALLS, 5),
      deleteFaults: constructFaultSchedules(CONFIGURATION_CALLS, 3),
    }).filter((c) => c.first !== c.second);
    await h.checkLanes('the organization configuration under GuardDuty faults', cases, async (c, e) => {
      const labels: string[] = [];
      newOrganization(e);
      e.organization.setGuardDutyAdministrator(REGION, ADMIN);
      e.seedDetector(ADMIN, REGION);
      const deployment = configuration(e);
      const create = deployment.events.create(deployment.properties[c.first]);
      setFaults(e, c.createFaults);

      let created = await deployment.send(create);
      check.failsCleanlyInTime(created);
      check.transientFaultsAbsorbed(created, c.createFaults);
      if (created.response.Status === 'FAILED') {
        labels.push('create failed under faults');
        await deployment.followUp(create, created);
        created = await resentWithoutFaults(check, e, deployment, create);
      }
      expect(asDeclaredIn(e, c.first)).toEqual(declaredAs(c.first));
      report.held('settlesAsDeclared');

      const physicalId = created.response.PhysicalResourceId;
      const update = deployment.events.update(physicalId, deployment.properties[c.second], deployment.properties[c.first]);
      setFaults(e, c.updateFaults);
      let updated = await deployment.send(update);
      check.failsCleanlyInTime(updated);
      check.transientFaultsAbsorbed(updated, c.updateFaults);
      if (updated.response.Status === 'FAILED') {
        labels.push('update failed under faults');
        // CloudFormation's Update back to the old properties, once the faults have passed.
        clearAllFaults(e);
        const rollback = await deployment.followUp(update, updated);
        expect(rollback?.response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: physicalId });
        expect(asDeclaredIn(e, c.first)).toEqual(declaredAs(c.first));
        report.held('rollbackLeavesPrior');
        updated = await resentWithoutFaults(check, e, deployment, update);
      }
      check.physicalIdStable(updated, physicalId);
      expect(asDeclaredIn(e, c.second)).toEqual(declaredAs(c.second));
      report.held('settlesAsDeclared');

      setFaults(e, c.deleteFaults);
      const remove = deployment.events.delete(physicalId, deployment.properties[c.second]);
      const deleted = await deployment.send(remove);
      check.failsCleanlyInTime(deleted);
      check.transientFaultsAbsorbed(deleted, c.deleteFaults);
      if (deleted.response.Status === 'FAILED') {
        labels.push('delete failed under faults');
        await resentWithoutFaults(check, e, deployment, remove);
      }
      // DESTROY stops auto-enable; the members and feature settings already made stay.
      expect(e.organization.organizationConfiguration(ADMIN, REGION)?.autoEnableOrganizationMembers).toBe('NONE');
      report.held('settlesAsDeclared');
      return labels;
    }, { seed: 7_072_026, numRuns: 432, quickRuns: 3, timeLimitMs: 240_000, construct: 'GuardDutyOrganizationConfiguration', injectsFaults: true });
  }, 330_000);
});
