import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { GuardDutyOrganizationRollout, OrganizationAutoEnable, OrganizationMembers } from '../../lib';
import { knownRegions } from '../../lib/private/region-resolution';

/**
 * The rollout over every commercial region aws-cdk-lib knows (opt-in ones declared
 * enabled), synthesized once: what each region gets, and that no region reaches into
 * another.
 */
const MANAGEMENT = '999999999999';
const ADMINISTRATOR = '111111111111';
const OUTSIDE = '444444444444';
const COMMERCIAL = knownRegions().filter((region) => region.partition === 'aws');
const ALL_REGION_NAMES = COMMERCIAL.map((region) => region.name);

type Template = { Resources: Record<string, { Type: string; Properties?: unknown }>; Outputs?: Record<string, { Export?: unknown }> };
type Role = 'Management' | 'Administrator' | 'Member';
interface Synthesized {
  readonly role: Role;
  readonly region: string;
  readonly account: string;
  readonly template: Template;
  readonly dependencies: string[];
}

let outdir: string;
let rollout: GuardDutyOrganizationRollout;
let stacks: Synthesized[];

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'every-region-'));
  // The built-in CloudFormation validation would take half the time, over templates that differ
  // from one region to the next only by the region's name (the tests below show it).
  // Weak cross-stack references, as cdk.json sets them: a reference across regions would
  // then be an Fn::GetStackOutput (with strong ones, CrossRegionExport writer and reader
  // resources); the test below looks for both.
  const app = new App({ outdir, context: { '@aws-cdk/core:defaultCrossStackReferences': 'weak' } });
  rollout = new GuardDutyOrganizationRollout(app, 'GuardDuty', {
    managementAccountId: MANAGEMENT,
    administratorAccountId: ADMINISTRATOR,
    autoEnableOrganizationMembers: OrganizationAutoEnable.NEW,
    features: [{ name: 'S3_DATA_EVENTS', autoEnable: OrganizationAutoEnable.NEW }],
    organizationMembers: OrganizationMembers.wholeOrganization(),
    members: [{ accountId: OUTSIDE, email: 'aws-root+partner@example.com' }],
    enabledOptInRegions: COMMERCIAL.filter((region) => region.optIn).map((region) => region.name),
    administratorMonitor: {},
  });
  const assembly = app.synth();
  const roleOf = new Map(rollout.stacks.map((stack) => [stack.artifactId, stack.stackName.split('-')[1] as Role]));
  const nameOf = new Map(rollout.stacks.map((stack) => [stack.artifactId, stack.stackName]));
  stacks = assembly.stacks.map((artifact: cxapi.CloudFormationStackArtifact) => ({
    role: roleOf.get(artifact.id)!,
    region: artifact.environment.region,
    account: artifact.environment.account,
    template: artifact.template,
    dependencies: artifact.dependencies.filter((dependency) => !dependency.id.endsWith('.assets')).map((dependency) => nameOf.get(dependency.id) ?? dependency.id),
  }));
});
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

const ofRole = (role: Role) => stacks.filter((stack) => stack.role === role);
const tally = (template: Template) =>
  Object.values(template.Resources).reduce<Record<string, number>>((counts, resource) => ({ ...counts, [resource.Type]: (counts[resource.Type] ?? 0) + 1 }), {});
const iamOf = (template: Template) => Object.values(template.Resources).filter((resource) => resource.Type.startsWith('AWS::IAM::'));

test('every commercial region, opt-in ones included, gets a management, an administrator and an outside member stack', () => {
  expect(ALL_REGION_NAMES.length).toBeGreaterThanOrEqual(30);
  expect([...rollout.regions].sort()).toEqual([...ALL_REGION_NAMES].sort());
  expect(stacks).toHaveLength(ALL_REGION_NAMES.length * 3);
  for (const role of ['Management', 'Administrator', 'Member'] as const) {
    expect(ofRole(role).map((stack) => stack.region).sort()).toEqual([...ALL_REGION_NAMES].sort());
  }
  expect(new Set(ofRole('Management').map((stack) => stack.account))).toEqual(new Set([MANAGEMENT]));
  expect(new Set(ofRole('Administrator').map((stack) => stack.account))).toEqual(new Set([ADMINISTRATOR]));
  expect(new Set(ofRole('Member').map((stack) => stack.account))).toEqual(new Set([OUTSIDE]));
});

test('each role\'s stack holds the same resources in every region', () => {
  const expected: Record<Role, number> = { Management: 20, Administrator: 40, Member: 30 };
  for (const role of ['Management', 'Administrator', 'Member'] as const) {
    const [first, ...rest] = ofRole(role);
    expect(Object.values(tally(first.template)).reduce((sum, count) => sum + count, 0)).toBe(expected[role]);
    for (const stack of rest) {
      expect({ region: stack.region, resources: tally(stack.template) }).toEqual({ region: stack.region, resources: tally(first.template) });
    }
  }
  expect(tally(ofRole('Management')[0].template)['Custom::GuardDutyDelegatedAdministrator']).toBe(1);
  expect(tally(ofRole('Administrator')[0].template)).toMatchObject({ 'Custom::GuardDutyOrganizationConfiguration': 1, 'Custom::GuardDutyMemberInvitations': 1 });
  expect(tally(ofRole('Member')[0].template)).toMatchObject({ 'AWS::GuardDuty::Detector': 1, 'Custom::GuardDutyInvitationAccepter': 1 });
});

test('no stack references another stack: no import, no stack output read, no export, no cross-region reference resource', () => {
  for (const stack of stacks) {
    const text = JSON.stringify(stack.template);
    expect({ region: stack.region, references: text.match(/Fn::ImportValue|Fn::GetStackOutput/g) }).toEqual({ region: stack.region, references: null });
    expect(Object.values(stack.template.Outputs ?? {}).filter((output) => output.Export !== undefined)).toEqual([]);
    expect(Object.values(stack.template.Resources).filter((resource) => /CrossRegion|ExportsWriter|ExportsReader/i.test(resource.Type))).toEqual([]);
  }
});

test('each stack depends only on the stack before it in its own region', () => {
  for (const stack of stacks) {
    const expected = { Management: [], Administrator: [`GuardDuty-Management-${stack.region}`], Member: [`GuardDuty-Administrator-${stack.region}`] }[stack.role];
    expect({ region: stack.region, role: stack.role, dependencies: stack.dependencies }).toEqual({ region: stack.region, role: stack.role, dependencies: expected });
  }
});

test('IAM in each stack names only its own region and account, and is the same in every region', () => {
  const regionPattern = new RegExp(`\\b(${ALL_REGION_NAMES.join('|')})\\b`, 'g');
  for (const role of ['Management', 'Administrator', 'Member'] as const) {
    const normalized = new Set<string>();
    for (const stack of ofRole(role)) {
      const iam = JSON.stringify(iamOf(stack.template));
      expect({ region: stack.region, regions: [...new Set(iam.match(regionPattern) ?? [])] }).toEqual({ region: stack.region, regions: [stack.region] });
      const accounts = new Set(iam.match(/\b\d{12}\b/g) ?? []);
      accounts.delete(stack.account);
      // An outside member's accepter may name the administrator it accepts, and nothing else.
      if (role === 'Member') {
        accounts.delete(ADMINISTRATOR);
      }
      expect({ region: stack.region, otherAccounts: [...accounts] }).toEqual({ region: stack.region, otherAccounts: [] });
      normalized.add(iam.split(stack.region).join('REGION').replace(/[0-9a-f]{64}/g, 'HASH'));
    }
    expect({ role, variants: normalized.size }).toEqual({ role, variants: 1 });
  }
});
