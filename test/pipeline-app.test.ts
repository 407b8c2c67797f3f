import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  CONTRACTOR_LAB_ACCOUNT,
  ENABLED_OPT_IN_REGIONS,
  EXAMPLE_FINDINGS_KEY_ARN,
  FINDINGS_BUCKET_NAME,
  LOG_ARCHIVE_ACCOUNT,
  MANAGEMENT_ACCOUNT,
  OUTSIDE_ACCOUNTS,
  SECURITY_ACCOUNT,
  WORKLOAD_UNITS,
} from '../bin/guardduty-organization';
import { GuardDutyPipelineStack, MAX_ACTIONS_PER_STAGE, PIPELINE_REGION, SOURCE_CONNECTION_ARN, buildPipelineApp } from '../bin/pipeline-app';

/**
 * The pipeline example, tested as users test their own CDK pipelines: synthesize the app
 * (no Docker, no network, no credentials) and assert on the pipeline stack's template and
 * on the stacks of its stages. One synthesis serves every test.
 */
let outdir: string;
let stack: GuardDutyPipelineStack;
let pipeline: Template;
beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-app-'));
  const app: App = buildPipelineApp({ outdir });
  stack = app.node.findChild('GuardDutyPipeline') as GuardDutyPipelineStack;
  pipeline = Template.fromStack(stack);
});
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

interface PipelineStage {
  readonly Name: string;
  readonly Actions: Array<{ Name: string; RunOrder?: number; RoleArn?: unknown; Region?: string; Configuration?: Record<string, unknown> }>;
}

function pipelineStages(): PipelineStage[] {
  const [resource] = Object.values(pipeline.findResources('AWS::CodePipeline::Pipeline'));
  return resource.Properties.Stages;
}

/** The deploy actions of a wave: of its one CodePipeline stage, or of the parts CDK Pipelines split it in past 50 actions. */
function deploysOf(waveName: string): Array<{ stackName: string; region: string; role: string; runOrder?: number }> {
  return pipelineStages()
    .filter((stage) => stage.Name === waveName || stage.Name.startsWith(`${waveName}.`))
    .flatMap((stage) => stage.Actions)
    .filter((action) => action.Name.endsWith('.Deploy'))
    .map((action) => ({ stackName: String(action.Configuration?.StackName), // An action in the pipeline's own region names none.
      region: action.Region ?? PIPELINE_REGION, role: JSON.stringify(action.RoleArn), runOrder: action.RunOrder }));
}

test('the pipeline runs in the security account: management (with the archive and the policies) first, then the administrators, then the outside accounts', () => {
  expect(stack.resolve([stack.account, stack.region])).toEqual([SECURITY_ACCOUNT, PIPELINE_REGION]);
  const names = pipelineStages().map((stage) => stage.Name);
  expect(names.slice(0, 6)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Assets', 'Management', 'Administrators']);
  // The outside accounts' wave, two actions per stack, in parts of at most 50 actions.
  expect(names.slice(6)).toEqual(['Members.1', 'Members.2', 'Members.3']);
});

test('every CodePipeline stage stays within 50 actions', () => {
  for (const stage of pipelineStages()) {
    expect({ stage: stage.Name, fits: stage.Actions.length <= MAX_ACTIONS_PER_STAGE }).toEqual({ stage: stage.Name, fits: true });
  }
});

test('the management wave deploys the management stack of every region, the findings archive and the organization\'s policies, in parallel, each through its account\'s role', () => {
  const deploys = deploysOf('Management');
  const organizationWide = [
    { stackName: 'GuardDuty-FindingsArchive-us-east-1', account: LOG_ARCHIVE_ACCOUNT },
    { stackName: 'GuardDuty-OrganizationPolicies-us-east-1', account: MANAGEMENT_ACCOUNT },
  ];
  expect(deploys.map((deploy) => deploy.stackName).sort()).toEqual(
    [...stack.rollout.regions.map((region) => `GuardDuty-Management-${region}`), ...organizationWide.map((expected) => expected.stackName)].sort(),
  );
  // Every stack's change set is made, then executed, together: the regions deploy in parallel.
  expect(new Set(deploys.map((deploy) => deploy.runOrder))).toEqual(new Set([2]));
  for (const deploy of deploys) {
    const account = organizationWide.find((expected) => expected.stackName === deploy.stackName)?.account ?? MANAGEMENT_ACCOUNT;
    expect(deploy.role).toContain(`:iam::${account}:role/cdk-hnb659fds-deploy-role-${account}-${deploy.region}`);
  }
  // The archive is in the first wave, before any administrator's export to it.
  expect(organizationWide.map((expected) => expected.stackName)).toEqual([stack.organization.findingsArchiveStack.stackName, stack.organization.organizationPoliciesStack.stackName]);
});

test('the administrators\' wave deploys the security account\'s stack of every region, in parallel', () => {
  const deploys = deploysOf('Administrators');
  expect(deploys.map((deploy) => deploy.region)).toEqual(stack.rollout.regions);
  // Every stack's change set is made, then executed, together: the regions deploy in parallel.
  expect(new Set(deploys.map((deploy) => deploy.runOrder))).toEqual(new Set([2]));
  for (const deploy of deploys) {
    expect(deploy.stackName).toBe(`GuardDuty-Administrator-${deploy.region}`);
    expect(deploy.role).toContain(`:iam::${SECURITY_ACCOUNT}:role/cdk-hnb659fds-deploy-role-${SECURITY_ACCOUNT}-${deploy.region}`);
  }
});

test('each outside account\'s wave deploys its stack of every region it enabled, through its own account\'s role', () => {
  const deploys = deploysOf('Members');
  expect(deploys).toHaveLength(stack.rollout.memberStacks.length);
  for (const { accountId } of OUTSIDE_ACCOUNTS) {
    const own = deploys.filter((deploy) => deploy.stackName.startsWith(`GuardDuty-Member-${accountId}-`));
    const regions = stack.rollout.regions.filter((region) => !(accountId === CONTRACTOR_LAB_ACCOUNT && ENABLED_OPT_IN_REGIONS.includes(region)));
    expect(own.map((deploy) => deploy.region).sort()).toEqual([...regions].sort());
    for (const deploy of own) {
      expect(deploy.stackName).toBe(`GuardDuty-Member-${accountId}-${deploy.region}`);
      expect(deploy.role).toContain(`:iam::${accountId}:role/cdk-hnb659fds-deploy-role-${accountId}-${deploy.region}`);
    }
  }
});

test('the source is the repository through a CodeConnections connection', () => {
  pipeline.hasResourceProperties('AWS::CodePipeline::Pipeline', {
    Stages: Match.arrayWith([
      Match.objectLike({
        Name: 'Source',
        Actions: [Match.objectLike({ ActionTypeId: Match.objectLike({ Provider: 'CodeStarSourceConnection' }), Configuration: Match.objectLike({ ConnectionArn: SOURCE_CONNECTION_ARN }) })],
      }),
    ]),
  });
  expect(SOURCE_CONNECTION_ARN).toContain(`:${PIPELINE_REGION}:${SECURITY_ACCOUNT}:`);
});

test('the stages hold the organization\'s stacks: the administrators invite, the outside accounts accept', () => {
  const templateOf = (target: Stack) => Template.fromJSON(Stage.of(target)!.synth().getStackArtifact(target.artifactId).template);
  for (const region of [PIPELINE_REGION, ...ENABLED_OPT_IN_REGIONS]) {
    templateOf(stack.rollout.managementStack(region)).hasResourceProperties('Custom::GuardDutyDelegatedAdministrator', { AdminAccountId: SECURITY_ACCOUNT });
    templateOf(stack.rollout.administratorStack(region)).resourceCountIs('Custom::GuardDutyMemberInvitations', 1);
    templateOf(stack.rollout.memberStack(OUTSIDE_ACCOUNTS[0].accountId, region)).hasResourceProperties('Custom::GuardDutyInvitationAccepter', { AdministratorAccountId: SECURITY_ACCOUNT });
  }
  // Every region's administrator exports to the archive's bucket, with its key.
  for (const region of stack.rollout.regions) {
    templateOf(stack.rollout.administratorStack(region)).hasResourceProperties('AWS::GuardDuty::PublishingDestination', {
      DestinationProperties: { DestinationArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${FINDINGS_BUCKET_NAME}/guardduty/`]] }, KmsKeyArn: EXAMPLE_FINDINGS_KEY_ARN },
    });
  }
  templateOf(stack.organization.findingsArchiveStack).hasResourceProperties('AWS::S3::Bucket', { BucketName: FINDINGS_BUCKET_NAME });
  const policies = templateOf(stack.organization.organizationPoliciesStack);
  policies.hasResourceProperties('Custom::GuardDutyOrganizationPolicy', { TargetIds: WORKLOAD_UNITS });
  policies.hasResourceProperties('AWS::Organizations::Policy', { Type: 'SERVICE_CONTROL_POLICY', TargetIds: WORKLOAD_UNITS });
  // No dependency across stages (the CDK refuses them): the waves order the stacks.
  const organizationWide = [stack.organization.findingsArchiveStack, stack.organization.organizationPoliciesStack];
  expect([...organizationWide, ...stack.rollout.stacks].flatMap((target) => target.dependencies)).toEqual([]);
});
