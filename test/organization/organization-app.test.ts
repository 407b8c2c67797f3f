import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  CONTRACTOR_LAB_ACCOUNT,
  ENABLED_OPT_IN_REGIONS,
  EXCLUDED_ACCOUNT,
  MANAGEMENT_ACCOUNT,
  OUTSIDE_ACCOUNTS,
  SECURITY_ACCOUNT,
  WORKLOAD_UNITS,
  buildOrganizationApp,
} from '../../bin/organization-app';
import { GuardDutyOrganizationRollout } from '../../lib';
import { knownRegions } from '../../lib/private/region-resolution';

// The regions the example means: every commercial region enabled by default, and the one opt-in region it enabled.
const EXPECTED_REGIONS = [...knownRegions().filter((region) => region.partition === 'aws' && !region.optIn).map((region) => region.name), ...ENABLED_OPT_IN_REGIONS].sort();

let outdir: string;
let rollout: GuardDutyOrganizationRollout;
let assembly: cxapi.CloudAssembly;
beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'organization-app-'));
  const app = buildOrganizationApp({ outdir, builtinCloudFormationValidation: false });
  rollout = app.node.findChild('GuardDuty') as GuardDutyOrganizationRollout;
  // One synthesis for every template (Template.fromStack would synthesize the app again per stack).
  assembly = app.synth();
});
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

const templateOf = (stack: Stack) => Template.fromJSON(assembly.getStackArtifact(stack.artifactId).template);

test('every commercial region enabled by default, plus the opt-in region the organization enabled', () => {
  expect(EXPECTED_REGIONS.length).toBeGreaterThanOrEqual(17);
  expect(rollout.regions).toEqual(EXPECTED_REGIONS);
  // Per region: management, administrator, and the outside accounts (one fewer where the contractor lab has not enabled the region).
  expect(rollout.stacks).toHaveLength(EXPECTED_REGIONS.length * (2 + OUTSIDE_ACCOUNTS.length) - ENABLED_OPT_IN_REGIONS.length);
});

test('in each region the management account designates the security account, which configures the organization and declares its whole fleet', () => {
  for (const region of rollout.regions) {
    const management = rollout.managementStack(region);
    const administrator = rollout.administratorStack(region);
    expect([management.account, management.region]).toEqual([MANAGEMENT_ACCOUNT, region]);
    expect([administrator.account, administrator.region]).toEqual([SECURITY_ACCOUNT, region]);
    templateOf(management).hasResourceProperties('Custom::GuardDutyDelegatedAdministrator', { AdminAccountId: SECURITY_ACCOUNT, RemovalPolicy: 'RETAIN' });
    const template = templateOf(administrator);
    template.hasResourceProperties('Custom::GuardDutyOrganizationConfiguration', {
      AutoEnableOrganizationMembers: 'NEW',
      Features: [Match.objectLike({ Name: 'S3_DATA_EVENTS' }), Match.objectLike({ Name: 'RUNTIME_MONITORING' })],
    });
    // One fleet: the workload OUs' accounts, read from Organizations at deploy time, and the outside accounts.
    const invited = OUTSIDE_ACCOUNTS.map((member) => member.accountId).filter((accountId) => !(ENABLED_OPT_IN_REGIONS.includes(region) && accountId === CONTRACTOR_LAB_ACCOUNT));
    template.hasResourceProperties('Custom::GuardDutyMemberInvitations', {
      MemberList: Match.objectLike({ AccountCount: String(invited.length), FirstAccountIds: invited.sort().join(',') }),
      OrganizationMembers: { Scope: 'ORGANIZATIONAL_UNITS', ParentIds: WORKLOAD_UNITS, ExcludeAccountIds: [EXCLUDED_ACCOUNT] },
      OnUnprocessed: 'REPORT',
    });
    // The delegated administrator's detector exists once it is designated: no CfnDetector here.
    template.resourceCountIs('AWS::GuardDuty::Detector', 0);
    expect(administrator.dependencies).toEqual([management]);
  }
});

test('each outside account accepts in every region it enabled, after the administrator of that region', () => {
  for (const region of rollout.regions) {
    for (const { accountId } of OUTSIDE_ACCOUNTS) {
      if (ENABLED_OPT_IN_REGIONS.includes(region) && accountId === CONTRACTOR_LAB_ACCOUNT) {
        expect(() => rollout.memberStack(accountId, region)).toThrow(/no stack for account/);
        continue;
      }
      const member = rollout.memberStack(accountId, region);
      expect([member.account, member.region, member.stackName]).toEqual([accountId, region, `GuardDuty-Member-${accountId}-${region}`]);
      const template = templateOf(member);
      template.resourceCountIs('AWS::GuardDuty::Detector', 1);
      template.hasResourceProperties('Custom::GuardDutyInvitationAccepter', { AdministratorAccountId: SECURITY_ACCOUNT });
      template.resourceCountIs('AWS::Scheduler::Schedule', 1);
      expect(member.dependencies).toEqual([rollout.administratorStack(region)]);
    }
  }
});

test('every stack is cdk-nag clean', () => {
  // app.synth() in beforeAll ran the app's AwsSolutions checks over every stack and would
  // have failed on any finding; checked again here for the regions whose stacks differ
  // (the first, and the override's), not for all of them, which would double the time.
  for (const region of [rollout.regions[0], ...ENABLED_OPT_IN_REGIONS]) {
    for (const stack of rollout.stacks.filter((candidate) => candidate.region === region)) {
      expect({ stack: stack.stackName, violations: new AwsSolutionsChecks().validateScope(stack).violations }).toEqual({ stack: stack.stackName, violations: [] });
    }
  }
});
