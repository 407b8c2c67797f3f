import { GuardDutyOrganizationRollout, OrganizationAutoEnable, OrganizationMembers } from '../../lib';
import { isWriteOperation } from '../support/guardduty-emulator';
import { ADMIN, account, lifecycleHarness } from '../support/lifecycle/lifecycle-harness';
import { AppOutcome, deploymentFailed } from '../support/lifecycle/stack-deployment';
import { synthesizeApp } from '../support/lifecycle/synthesized-stack';

/**
 * A GuardDuty organization in three regions from one declaration
 * (GuardDutyOrganizationRollout), deployed through aws-cdk-lib's provider framework: per
 * region the management stack (the delegated administrator), then the administrator
 * stack (the organization configuration, then the organization's accounts as members,
 * and one outside account invited), then the outside account's stack (the accepter).
 * Each region's handlers reach that region's GuardDuty endpoint; each region is checked
 * on its own. One region denies GuardDuty (a service control policy, say): its management
 * stack fails and its administrator stack is not deployed, while the other two converge;
 * once the denial is lifted, the rerun deploys that region and changes nothing elsewhere.
 */
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-northeast-1'];
const [FIRST, OVERRIDDEN, DENIED] = REGIONS;
const h = lifecycleHarness('three-regions', { regions: REGIONS });
const { report } = h;
const OUTSIDE_STACK = (region: string) => `GuardDuty-Member-${outside.accountId}-${region}`;

const MANAGEMENT = '999999999999';
const [workload, platform] = [account(81).accountId, account(82).accountId];
const outside = account(83);

let workloads: string;

beforeEach(() => {
  const organization = h.emulator.organization;
  organization.create(MANAGEMENT);
  workloads = organization.addOrganizationalUnit('Workloads');
  organization.addAccount({ accountId: ADMIN, parentId: workloads });
  organization.addAccount({ accountId: workload, parentId: workloads });
  organization.addAccount({ accountId: platform, parentId: workloads });
  // GuardDuty already enabled in the outside account (memberDetectors: false): the accepter finds its detector.
  REGIONS.forEach((region) => h.emulator.seedDetector(outside.accountId, region));
});

/** The app as `cdk synth` makes it, anew for each deployment (a new synthesis is a new selection `Refresh`). */
function synthesize() {
  return synthesizeApp((app) => new GuardDutyOrganizationRollout(app, 'GuardDuty', {
    managementAccountId: MANAGEMENT,
    administratorAccountId: ADMIN,
    autoEnableOrganizationMembers: OrganizationAutoEnable.NEW,
    features: [{ name: 'S3_DATA_EVENTS', autoEnable: OrganizationAutoEnable.NEW }],
    organizationMembers: OrganizationMembers.underOrganizationalUnits([workloads]),
    members: [outside],
    memberDetectors: false,
    regions: REGIONS,
    regionOverrides: [{ region: OVERRIDDEN, autoEnableOrganizationMembers: OrganizationAutoEnable.ALL }],
  }));
}

/** What GuardDuty holds in one region, read from the emulator's state (no call in the log). */
function inRegion(region: string) {
  return {
    delegatedAdministrator: h.emulator.organization.guardDutyAdministrator(region),
    configuration: h.emulator.organization.organizationConfiguration(ADMIN, region),
    members: Object.fromEntries(h.emulator.members(ADMIN, region).map((m) => [m.accountId, m.relationshipStatus])),
  };
}

/**
 * A region converged: the OU's accounts are members (with auto-enable ALL every
 * organization account, the management account too), and the outside account accepted.
 */
function converged(autoEnable: 'NEW' | 'ALL') {
  return {
    delegatedAdministrator: ADMIN,
    configuration: { autoEnableOrganizationMembers: autoEnable, features: { S3_DATA_EVENTS: 'NEW' } },
    members: { [workload]: 'Enabled', [platform]: 'Enabled', [outside.accountId]: 'Enabled', ...(autoEnable === 'ALL' ? { [MANAGEMENT]: 'Enabled' } : {}) },
  };
}

const NOTHING = { delegatedAdministrator: undefined, configuration: undefined, members: {} };

/** Per stack: its result, or `not deployed`. */
function results(outcome: AppOutcome): Record<string, string> {
  return Object.fromEntries(Object.entries(outcome).map(([name, stack]) => [name, stack?.result ?? 'not deployed']));
}

describe('one declaration, three regions', () => {
  report.scenario('each region converges on its own; a region that denies GuardDuty fails alone, and the rerun fixes only that region', async () => {
    const app = h.app([outside.email]);
    h.region(DENIED).setFaults({ accessDenied: { probability: 1 } });

    const first = await app.deploy(synthesize());

    expect(results(first)).toEqual({
      [`GuardDuty-Management-${FIRST}`]: 'CREATE_COMPLETE',
      [`GuardDuty-Management-${OVERRIDDEN}`]: 'CREATE_COMPLETE',
      [`GuardDuty-Management-${DENIED}`]: 'ROLLBACK_COMPLETE',
      [`GuardDuty-Administrator-${FIRST}`]: 'CREATE_COMPLETE',
      [`GuardDuty-Administrator-${OVERRIDDEN}`]: 'CREATE_COMPLETE',
      [`GuardDuty-Administrator-${DENIED}`]: 'not deployed',
      [OUTSIDE_STACK(FIRST)]: 'CREATE_COMPLETE',
      [OUTSIDE_STACK(OVERRIDDEN)]: 'CREATE_COMPLETE',
      [OUTSIDE_STACK(DENIED)]: 'not deployed',
    });
    expect(first[`GuardDuty-Management-${DENIED}`]?.failureReason).toMatch(/AccessDeniedException/);
    expect(inRegion(FIRST)).toEqual(converged('NEW'));
    expect(inRegion(OVERRIDDEN)).toEqual(converged('ALL'));
    expect(inRegion(DENIED)).toEqual(NOTHING);
    // In each converged region: the delegated administrator, the configuration, the members
    // (the OU's accounts created, the outside account created and invited), then the outside
    // account's acceptance. Where auto-enable is ALL, the emulator enrolls the organization's
    // accounts at once (GuardDuty takes up to 24 hours): CreateMembers carries the outside account alone.
    const REGION_WRITES = ['EnableOrganizationAdminAccount', 'UpdateOrganizationConfiguration', 'CreateMembers', 'InviteMembers', 'AcceptAdministratorInvitation'];
    expect(h.region(FIRST).writeCalls().map((call) => call.operation)).toEqual(REGION_WRITES);
    expect(h.region(OVERRIDDEN).writeCalls().map((call) => call.operation)).toEqual(REGION_WRITES);
    const created = (region: string) => h.region(region).writeCalls().filter((call) => call.operation === 'CreateMembers').map((call) => call.accountCount);
    expect([created(FIRST), created(OVERRIDDEN)]).toEqual([[3], [1]]);
    expect(h.region(DENIED).writeCalls().every((call) => call.fault === 'access-denied')).toBe(true);

    // The denial is lifted; the same app is deployed again.
    h.region(DENIED).clearFaults();
    const callsBefore = Object.fromEntries(REGIONS.map((region) => [region, h.region(region).calls().length]));

    const rerun = await app.deploy(synthesize());

    expect(results(rerun)).toEqual({
      [`GuardDuty-Management-${FIRST}`]: 'NO_CHANGES',
      [`GuardDuty-Management-${OVERRIDDEN}`]: 'NO_CHANGES',
      [`GuardDuty-Management-${DENIED}`]: 'CREATE_COMPLETE',
      // Only the members resource changes (the selection is read again at every deployment)...
      [`GuardDuty-Administrator-${FIRST}`]: 'UPDATE_COMPLETE',
      [`GuardDuty-Administrator-${OVERRIDDEN}`]: 'UPDATE_COMPLETE',
      [`GuardDuty-Administrator-${DENIED}`]: 'CREATE_COMPLETE',
      [OUTSIDE_STACK(FIRST)]: 'NO_CHANGES',
      [OUTSIDE_STACK(OVERRIDDEN)]: 'NO_CHANGES',
      [OUTSIDE_STACK(DENIED)]: 'CREATE_COMPLETE',
    });
    expect(REGIONS.map(inRegion)).toEqual([converged('NEW'), converged('ALL'), converged('NEW')]);
    // ...and writes nothing in the regions that had converged.
    for (const region of [FIRST, OVERRIDDEN]) {
      const calls = h.region(region).calls().slice(callsBefore[region]);
      expect(calls.length).toBeGreaterThan(0);
      expect(calls.filter((call) => isWriteOperation(call.operation)).map((call) => call.operation)).toEqual([]);
    }
    expect(h.region(DENIED).calls().slice(callsBefore[DENIED]).filter((call) => isWriteOperation(call.operation)).map((call) => call.operation)).toEqual(REGION_WRITES);
    expect(Object.values(rerun).some(deploymentFailed)).toBe(false);
  });
});
