import { RemovalPolicy } from 'aws-cdk-lib';
import fc from 'fast-check';
import { GuardDutyMemberInvitationsProps, OrganizationMembers } from '../../lib';
import { FaultOptions, GuardDutyEmulator } from '../support/guardduty-emulator';
import { constructFaultSchedules } from '../support/lifecycle/arbitraries';
import { clearAllFaults, resentWithoutFaults } from '../support/lifecycle/fault-sweep';
import { invitationSnapshot } from '../support/lifecycle/invariants';
import { ADMIN, CONSTRUCT_ID, Deployment, REGION, STACK, account, lifecycleHarness } from '../support/lifecycle/lifecycle-harness';
import { synthesizeInvitations } from '../support/lifecycle/synthesized-stack';

/**
 * A fault sweep over members chosen from AWS Organizations (OrganizationMembers), through
 * aws-cdk-lib's provider framework on the shipped bundle: Organizations throttled, failing
 * and dropping connections while the handler walks the OU tree in pages of a generated
 * size, GuardDuty faulted at the same time, and accounts joining the OU and being
 * suspended between the Create and the next deployment (a new synthesis: an Update).
 * After each step: the handler ended on its own; a success made every active account of
 * the OU a member through the organization (never an invitation) and the outside account
 * invited once; a failure and its rollback left every earlier member in place; Delete
 * with DESTROY leaves none of the declared accounts.
 */
/**
 * Cases run ten at a time in the full run, each on an emulator of its own: they spend most
 * of their time in the SDK's retry back-off, so the machine's two cores are mostly idle
 * (3 lanes left 90% of the CPU idle and the 240 s limit cut the property short).
 */
const h = lifecycleHarness('organization-selection-faults', { lanes: 10 });
const { check, report } = h;

const MANAGEMENT = '999999999999';
const outside = account(900);
const ORGANIZATIONS_CALLS = ['DescribeOrganization', 'ListOrganizationalUnitsForParent', 'ListAccountsForParent', 'ListAccounts'];
const GUARDDUTY_CALLS = ['DescribeOrganizationConfiguration', 'GetMembers', 'CreateMembers', 'InviteMembers', 'DisassociateMembers', 'DeleteMembers'];
const FIRST_ACCOUNT = 400_000_000_000;

interface Fleet {
  /** Accounts in the OU at the Create; `true`: suspended. */
  readonly accounts: readonly boolean[];
  /** Accounts that join a nested OU before the Update. */
  readonly joiners: number;
  /** Indices (mod the fleet) of accounts suspended before the Update. */
  readonly suspendedLater: readonly number[];
  /** Organizations' page size: every listing pages. */
  readonly pageSize: number;
}

const accountIdOf = (n: number) => String(FIRST_ACCOUNT + n);

/** The organization: root with the management account, Workloads (the administrator and the fleet) and Workloads/Nested. */
function seedOrganization(e: GuardDutyEmulator, fleet: Fleet): { workloads: string; nested: string } {
  e.reset();
  const organization = e.organization;
  organization.create(MANAGEMENT);
  const workloads = organization.addOrganizationalUnit('Workloads');
  const nested = organization.addOrganizationalUnit('Nested', workloads);
  organization.addAccount({ accountId: ADMIN, parentId: workloads });
  fleet.accounts.forEach((suspended, i) => organization.addAccount({ accountId: accountIdOf(i), parentId: i % 3 === 2 ? nested : workloads, state: suspended ? 'SUSPENDED' : 'ACTIVE' }));
  organization.capPageSize(fleet.pageSize);
  organization.setGuardDutyAdministrator(REGION, ADMIN);
  e.seedDetector(ADMIN, REGION);
  return { workloads, nested };
}

function setFaults(e: GuardDutyEmulator, faults: { readonly guardDuty: FaultOptions; readonly organizations: FaultOptions }): void {
  e.setFaults(faults.guardDuty);
  e.setOrganizationsFaults(faults.organizations);
}

function statuses(e: GuardDutyEmulator): Record<string, string> {
  return Object.fromEntries(e.members(ADMIN, REGION).map((m) => [m.accountId, m.relationshipStatus]));
}

/**
 * After a success: every active account of the OU (`active`, the administrator left out)
 * is an Enabled member that was never invited, the outside account invited once.
 */
function selectedAreMembers(e: GuardDutyEmulator, active: readonly string[]): void {
  const current = statuses(e);
  expect(active.filter((id) => current[id] !== 'Enabled').map((id) => `${id}:${current[id] ?? 'not a member'}`)).toEqual([]);
  expect(active.filter((id) => e.invitationsSentTo(id) > 0)).toEqual([]);
  expect([current[outside.accountId], e.invitationsSentTo(outside.accountId)]).toEqual(['Invited', 1]);
  report.held('settlesAsDeclared');
}

describe('organization selections under Organizations and GuardDuty faults', () => {
  test('Create, an Update after accounts joined and were suspended, rollbacks and Delete', async () => {
    // The OU IDs are the same after every reset (the emulator numbers them afresh), so
    // the two syntheses made here serve every case: the second is the next deployment.
    const fleetUnits = seedOrganization(h.emulator, { accounts: [], joiners: 0, suspendedLater: [], pageSize: 20 });
    const declaration = (): GuardDutyMemberInvitationsProps => ({
      detectorId: h.detectorId,
      members: [outside],
      organizationMembers: OrganizationMembers.underOrganizationalUnits([fleetUnits.workloads]),
      removalPolicy: RemovalPolicy.DESTROY,
      waitForVerification: false,
    });
    const versions = [declaration(), declaration()].map((props) => synthesizeInvitations({ [CONSTRUCT_ID]: props }, STACK));
    // Deployed on a lane's first case: npm test's few cases use only some of the lanes.
    const deployments = new Map<GuardDutyEmulator, Deployment>();
    const deploymentOn = (lane: GuardDutyEmulator): Deployment => {
      const deployment = deployments.get(lane) ?? h.deployed(versions, STACK, lane, [outside.email], {});
      deployments.set(lane, deployment);
      return deployment;
    };
    const faults = fc.record({ guardDuty: constructFaultSchedules(GUARDDUTY_CALLS), organizations: constructFaultSchedules(ORGANIZATIONS_CALLS) });
    const cases = fc.record({
      fleet: fc.record({
        accounts: fc.array(fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }), { maxLength: 24 }),
        joiners: fc.integer({ min: 0, max: 3 }),
        suspendedLater: fc.array(fc.nat(), { maxLength: 3 }),
        pageSize: fc.integer({ min: 1, max: 20 }),
      }),
      createFaults: faults,
      updateFaults: faults,
      deleteFaults: faults,
    });

    await h.checkLanes('organization selections under faults, with accounts joining and suspended between deployments', cases, async (c, e) => {
      const labels: string[] = [];
      const resource = deploymentOn(e);
      const units = seedOrganization(e, c.fleet);
      expect(units).toEqual(fleetUnits);
      let activeAccounts = c.fleet.accounts.flatMap((suspended, i) => (suspended ? [] : [accountIdOf(i)]));
      const create = resource.events.create(resource.properties[0]);
      setFaults(e, c.createFaults);

      let created = await resource.send(create);
      check.failsCleanlyInTime(created);
      check.transientFaultsAbsorbed(created, c.createFaults.guardDuty, c.createFaults.organizations);
      if (created.response.Status === 'FAILED') {
        labels.push('create failed under faults');
        await resource.followUp(create, created);
        check.failedCreateRemovesWhatItCreated(e, ADMIN, REGION, [...activeAccounts, outside.accountId]);
        created = await resentWithoutFaults(check, e, resource, create);
      }
      selectedAreMembers(e, activeAccounts);

      // Between deployments: accounts join the nested OU, some are suspended.
      const joiners = Array.from({ length: c.fleet.joiners }, (_, i) => accountIdOf(500 + i));
      joiners.forEach((accountId) => e.organization.addAccount({ accountId, parentId: units.nested }));
      const suspendedNow = activeAccounts.length === 0 ? [] : [...new Set(c.fleet.suspendedLater.map((i) => activeAccounts[i % activeAccounts.length]))];
      suspendedNow.forEach((accountId) => e.organization.setAccountState(accountId, 'SUSPENDED'));
      const membersBefore = Object.keys(statuses(e));
      const invitationsBefore = invitationSnapshot(e, ADMIN, REGION, [...membersBefore, ...joiners, outside.accountId]);
      activeAccounts = [...activeAccounts.filter((id) => !suspendedNow.includes(id)), ...joiners];

      const physicalId = created.response.PhysicalResourceId;
      const update = resource.events.update(physicalId, resource.properties[1], resource.properties[0]);
      setFaults(e, c.updateFaults);
      let updated = await resource.send(update);
      check.failsCleanlyInTime(updated);
      check.transientFaultsAbsorbed(updated, c.updateFaults.guardDuty, c.updateFaults.organizations);
      if (updated.response.Status === 'FAILED') {
        labels.push('update failed under faults');
        clearAllFaults(e);
        const rollback = await resource.followUp(update, updated);
        expect(rollback?.response.Status).toBe('SUCCESS');
        check.rollbackKeepsPriorMembers(e, ADMIN, REGION, membersBefore);
        report.held('rollbackLeavesPrior');
        updated = await resentWithoutFaults(check, e, resource, update);
      }
      check.physicalIdStable(updated, physicalId);
      check.noSecondInvitation(e, invitationsBefore);
      selectedAreMembers(e, activeAccounts);
      if (joiners.length > 0 || suspendedNow.length > 0) {
        labels.push('the organization changed between deployments');
      }

      setFaults(e, c.deleteFaults);
      const remove = resource.events.delete(physicalId, resource.properties[1]);
      const deleted = await resource.send(remove);
      check.failsCleanlyInTime(deleted);
      check.transientFaultsAbsorbed(deleted, c.deleteFaults.guardDuty, c.deleteFaults.organizations);
      if (deleted.response.Status === 'FAILED') {
        labels.push('delete failed under faults');
        await resentWithoutFaults(check, e, resource, remove);
      }
      check.destroyLeavesNoMember(e, ADMIN, REGION, [...activeAccounts, outside.accountId]);
      return labels;
    }, { seed: 1_207, numRuns: 400, quickRuns: 3, timeLimitMs: 240_000, construct: 'GuardDutyMemberInvitations', injectsFaults: true });
  }, 330_000);
});
