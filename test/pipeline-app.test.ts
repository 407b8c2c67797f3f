import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { PIPELINE_REGION, SOURCE_CONNECTION_ARN, buildPipelineApp } from '../bin/pipeline-app';
import { ADMINISTRATOR_ACCOUNT, REGIONS } from '../bin/guardduty-fleet';

/**
 * The pipeline example, tested as users test their own CDK pipelines: synthesize the app
 * (no Docker, no network, no credentials) and assert on the pipeline stack's template and
 * on the stacks of its stages. One synthesis serves every test.
 */
const MEMBER_ACCOUNTS = ['222222222222', '333333333333'];

let outdir: string;
let app: App;
let pipeline: Template;
beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-app-'));
  app = buildPipelineApp({ outdir });
  pipeline = Template.fromStack(app.node.findChild('GuardDutyPipeline') as Stack);
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

function stageStack(stageId: string, stackId: string): Stack {
  return (app.node.findChild('GuardDutyPipeline').node.findChild(stageId) as Stage).node.findChild(stackId) as Stack;
}

test('the pipeline runs in the security account and deploys the administrators\' wave before the members\' wave', () => {
  const stack = app.node.findChild('GuardDutyPipeline') as Stack;
  expect(stack.resolve([stack.account, stack.region])).toEqual([ADMINISTRATOR_ACCOUNT, PIPELINE_REGION]);
  expect(pipelineStages().map((stage) => stage.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Assets', 'Administrators', 'Members']);
});

test('the administrators\' wave deploys the administrator stack of every region, in parallel', () => {
  const wave = pipelineStages().find((stage) => stage.Name === 'Administrators')!;
  const deploys = wave.Actions.filter((action) => action.Name.endsWith('.Deploy'));

  expect(deploys.map((action) => action.Name).sort()).toEqual(REGIONS.map((region) => `Administrator-${region}.GuardDutyAdministrator.Deploy`).sort());
  expect(new Set(deploys.map((action) => action.RunOrder))).toEqual(new Set([2]));
  for (const action of deploys) {
    const region = /^Administrator-(.+)\.GuardDutyAdministrator/.exec(action.Name)![1];
    expect(JSON.stringify(action.RoleArn)).toContain(`:iam::${ADMINISTRATOR_ACCOUNT}:role/cdk-hnb659fds-deploy-role-${ADMINISTRATOR_ACCOUNT}-${region}`);
  }
});

test('the members\' wave deploys every member account in every region, each through its own account\'s deployment role', () => {
  const wave = pipelineStages().find((stage) => stage.Name === 'Members')!;
  const deploys = wave.Actions.filter((action) => action.Name.endsWith('.Deploy'));

  const expected = REGIONS.flatMap((region) => MEMBER_ACCOUNTS.map((account) => `Member-${account}-${region}.GuardDutyMember.Deploy`));
  expect(deploys.map((action) => action.Name).sort()).toEqual(expected.sort());
  for (const action of deploys) {
    const [, account, region] = /^Member-(\d{12})-(.+)\.GuardDutyMember/.exec(action.Name)!;
    expect(JSON.stringify(action.RoleArn)).toContain(`:iam::${account}:role/cdk-hnb659fds-deploy-role-${account}-${region}`);
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
  expect(SOURCE_CONNECTION_ARN).toContain(`:${PIPELINE_REGION}:${ADMINISTRATOR_ACCOUNT}:`);
});

test('each administrator stage invites the CSV\'s members; each member stage accepts the security account\'s invitation', () => {
  for (const region of REGIONS) {
    const administrator = stageStack(`Administrator-${region}`, 'GuardDutyAdministrator');
    expect(administrator.resolve([administrator.account, administrator.region])).toEqual([ADMINISTRATOR_ACCOUNT, region]);
    Template.fromStack(administrator).hasResourceProperties('Custom::GuardDutyMemberInvitations', {
      MemberList: Match.objectLike({ AccountCount: String(MEMBER_ACCOUNTS.length), FirstAccountIds: [...MEMBER_ACCOUNTS].sort().join(',') }),
    });

    for (const account of MEMBER_ACCOUNTS) {
      const member = stageStack(`Member-${account}-${region}`, 'GuardDutyMember');
      expect(member.resolve([member.account, member.region])).toEqual([account, region]);
      Template.fromStack(member).hasResourceProperties('Custom::GuardDutyInvitationAccepter', { AdministratorAccountId: ADMINISTRATOR_ACCOUNT });
    }
  }
});
