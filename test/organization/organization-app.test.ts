import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  BREAK_GLASS_ROLE,
  CONTRACTOR_LAB_ACCOUNT,
  ENABLED_OPT_IN_REGIONS,
  EXAMPLE_FINDINGS_KEY_ARN,
  EXCLUDED_ACCOUNT,
  FINDINGS_BUCKET_NAME,
  FINDINGS_REGION,
  LOG_ARCHIVE_ACCOUNT,
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
let findingsArchive: Stack;
let organizationPolicies: Stack;
beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'organization-app-'));
  // With cdk.json's context (its feature flags), as `npm run synth:organization` synthesizes it.
  const { context } = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8'));
  const app = buildOrganizationApp({ outdir, context });
  rollout = app.node.findChild('GuardDuty') as GuardDutyOrganizationRollout;
  // The organization-wide stacks, under the rollout for `cdk deploy 'GuardDuty/*'`.
  findingsArchive = rollout.node.findChild(`FindingsArchive-${FINDINGS_REGION}`) as Stack;
  organizationPolicies = rollout.node.findChild('OrganizationPolicies-us-east-1') as Stack;
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
  // And once for the organization: the findings archive and the Organizations policies.
  expect(assembly.stacks.map((artifact) => artifact.stackName).sort()).toEqual(
    [...rollout.stacks.map((stack) => stack.stackName), 'GuardDuty-FindingsArchive-us-east-1', 'GuardDuty-OrganizationPolicies-us-east-1'].sort(),
  );
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
      FindingPublishingFrequency: 'FIFTEEN_MINUTES',
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
    // After the management stack of its region, and after the findings archive its export writes to.
    expect(administrator.dependencies).toEqual([management, findingsArchive]);
  }
});

test('the findings archive: one bucket and key in the log-archive account, allowing the security account\'s detector of every region', () => {
  expect([findingsArchive.account, findingsArchive.region, findingsArchive.stackName]).toEqual([LOG_ARCHIVE_ACCOUNT, FINDINGS_REGION, 'GuardDuty-FindingsArchive-us-east-1']);
  expect(findingsArchive.dependencies).toEqual([]);
  const template = templateOf(findingsArchive);
  template.resourceCountIs('AWS::S3::Bucket', 1);
  template.hasResourceProperties('AWS::S3::Bucket', { BucketName: FINDINGS_BUCKET_NAME });
  template.resourceCountIs('AWS::KMS::Key', 1);
  // cdk.json's @aws-cdk/core:enablePartitionLiterals writes the partition as "aws".
  const detectors = rollout.regions.map((region) => `arn:aws:guardduty:${region}:${SECURITY_ACCOUNT}:detector/*`);
  const fromTheDetectors = { StringEquals: { 'aws:SourceAccount': SECURITY_ACCOUNT }, ArnLike: { 'aws:SourceArn': Match.arrayEquals(detectors) } };
  // eu-central-2 is opt-in: its detector writes as GuardDuty's regional service principal.
  const principals = { Service: ['guardduty.amazonaws.com', 'guardduty.eu-central-2.amazonaws.com'] };
  template.hasResourceProperties('AWS::S3::BucketPolicy', {
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({ Sid: 'AllowGuardDutyPutObject', Principal: principals, Condition: fromTheDetectors, Resource: Match.objectLike({ 'Fn::Join': ['', [Match.anyValue(), '/guardduty/*']] }) }),
      ]),
    },
  });
  template.hasResourceProperties('AWS::KMS::Key', {
    KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowGuardDutyGenerateDataKey', Principal: principals, Condition: fromTheDetectors })]) },
  });
  // What the administrators need once it is deployed: the key's ARN (KMS makes its ID).
  template.hasOutput('FindingsKeyArn', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FindingsKey'), 'Arn'] } });
});

test('every region exports its findings to the central bucket, under guardduty/, with the central key', () => {
  for (const region of rollout.regions) {
    const template = templateOf(rollout.administratorStack(region));
    template.resourceCountIs('AWS::GuardDuty::PublishingDestination', 1);
    template.hasResourceProperties('AWS::GuardDuty::PublishingDestination', {
      DetectorId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrganizationConfiguration'), 'DetectorId'] },
      DestinationType: 'S3',
      DestinationProperties: {
        DestinationArn: `arn:aws:s3:::${FINDINGS_BUCKET_NAME}/guardduty/`,
        KmsKeyArn: EXAMPLE_FINDINGS_KEY_ARN,
      },
    });
    // The bucket and the key stay in the archive: nothing of them is made here.
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
  }
  expect(EXAMPLE_FINDINGS_KEY_ARN).toMatch(new RegExp(`^arn:aws:kms:${FINDINGS_REGION}:${LOG_ARCHIVE_ACCOUNT}:key/`));
  // The export constructs' warnings (the bucket and key policies are not written in these stacks) are acknowledged: the archive writes them.
  const warnings = assembly.stacks.flatMap((artifact) => artifact.messages).filter((message) => message.level === 'warning');
  expect(warnings.map((message) => message.entry.data)).toEqual([]);
});

test('once, from the management account: a GuardDuty organization policy and the tamper protection on the workload OUs', () => {
  expect([organizationPolicies.account, organizationPolicies.region, organizationPolicies.stackName]).toEqual([MANAGEMENT_ACCOUNT, 'us-east-1', 'GuardDuty-OrganizationPolicies-us-east-1']);
  expect(organizationPolicies.dependencies).toEqual([]);
  const template = templateOf(organizationPolicies);
  template.resourceCountIs('Custom::GuardDutyOrganizationPolicy', 1);
  template.hasResourceProperties('Custom::GuardDutyOrganizationPolicy', {
    TargetIds: WORKLOAD_UNITS,
    Content: { guardduty: { default: { foundational: { status: { '@@assign': 'ENABLED' } }, s3_data_events: { status: { '@@assign': 'ENABLED' } } } } },
  });
  template.resourceCountIs('AWS::Organizations::Policy', 1);
  template.hasResourceProperties('AWS::Organizations::Policy', {
    Type: 'SERVICE_CONTROL_POLICY',
    TargetIds: WORKLOAD_UNITS,
    Content: {
      Statement: Match.arrayWith([
        Match.objectLike({ Sid: 'DenyLeavingTheAdministrator', Effect: 'Deny', Condition: { ArnNotLike: { 'aws:PrincipalArn': [`arn:*:iam::*:role/${BREAK_GLASS_ROLE}`] } } }),
      ]),
    },
  });
  // Organizations policies are global: no region has a policy stack of its own.
  for (const stack of rollout.stacks) {
    templateOf(stack).resourceCountIs('AWS::Organizations::Policy', 0);
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
  // (the first, and the override's), not for all of them, which would double the time,
  // and for the organization-wide stacks.
  const checked = [findingsArchive, organizationPolicies, ...rollout.stacks.filter((stack) => [rollout.regions[0], ...ENABLED_OPT_IN_REGIONS].includes(stack.region))];
  for (const stack of checked) {
    expect({ stack: stack.stackName, violations: new AwsSolutionsChecks().validateScope(stack).violations }).toEqual({ stack: stack.stackName, violations: [] });
  }
});
