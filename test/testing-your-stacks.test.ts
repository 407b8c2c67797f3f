import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import { GuardDutyInvitationAccepter, GuardDutyMemberInvitations, UnprocessedAccountsAction } from '../lib';

/**
 * What the README's "Testing your stacks" section shows, one behaviour a test. The README's
 * snippets themselves run as written in test/packaging/readme-snippets.test.ts. `new App()` writes into CDK_OUTDIR, a temp folder
 * removed after the tests.
 */
let outdir: string;
beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'testing-your-stacks-'));
  process.env.CDK_OUTDIR = outdir;
});
afterAll(() => {
  delete process.env.CDK_OUTDIR;
  fs.rmSync(outdir, { recursive: true, force: true });
});

function securityStack() {
  const app = new App();
  const stack = new Stack(app, 'Security', { env: { account: '111111111111', region: 'us-east-1' } });
  const detector = new guardduty.CfnDetector(stack, 'Detector', { enable: true });
  const members = new GuardDutyMemberInvitations(stack, 'Members', {
    detectorId: detector.ref,
    members: [{ accountId: '222222222222', email: 'aws-root+workloads@example.com' }],
    onUnprocessed: UnprocessedAccountsAction.REPORT,
  });
  new CfnOutput(stack, 'GuardDutyUnprocessedAccounts', { value: members.unprocessedAccountIds });
  return { stack, detector, members };
}

test('the administrator side: one Custom::GuardDutyMemberInvitations with the declared members', () => {
  const { stack, detector } = securityStack();

  const template = Template.fromStack(stack);
  template.hasResourceProperties('Custom::GuardDutyMemberInvitations', {
    DetectorId: { Ref: stack.getLogicalId(detector) },
    // The list itself is in an asset, out of the template: its count and first IDs are here.
    MemberList: Match.objectLike({ AccountCount: '1', FirstAccountIds: '222222222222' }),
    DisableEmailNotification: 'false',
    OnUnprocessed: 'REPORT',
    RemovalPolicy: 'RETAIN',
    VerificationTimeoutSeconds: '900',
  });
  template.resourceCountIs('Custom::GuardDutyMemberInvitations', 1);
});

test('the attributes are Fn::GetAtt tokens of the custom resource', () => {
  const { stack, members } = securityStack();

  expect(stack.resolve(members.unprocessedAccountCount)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Members/), 'UnprocessedAccountCount'] });
  Template.fromStack(stack).hasOutput('GuardDutyUnprocessedAccounts', {
    Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Members'), 'UnprocessedAccountIds'] },
  });
});

test('with REPORT the construct adds two outputs, named from its construct ID and a hash', () => {
  const { stack } = securityStack();

  expect(Object.keys(Template.fromStack(stack).findOutputs('*'))).toEqual(
    expect.arrayContaining([expect.stringMatching(/^MembersUnprocessedAccountIds[0-9A-F]{8}$/), expect.stringMatching(/^MembersUnprocessedAccountCount[0-9A-F]{8}$/)]),
  );
});

test('the member side: one Custom::GuardDutyInvitationAccepter naming the administrator', () => {
  const { stack } = securityStack();
  const app = stack.node.root as App;

  const memberStack = new Stack(app, 'Workloads', { env: { account: '222222222222', region: 'us-east-1' } });
  const memberDetector = new guardduty.CfnDetector(memberStack, 'Detector', { enable: true });
  const accepter = new GuardDutyInvitationAccepter(memberStack, 'Administrator', { administratorAccountId: '111111111111', detectorId: memberDetector.ref });

  Template.fromStack(memberStack).hasResourceProperties('Custom::GuardDutyInvitationAccepter', {
    AdministratorAccountId: '111111111111',
    DetectorId: { Ref: memberStack.getLogicalId(memberDetector) },
    InvitationTimeoutSeconds: '900',
    RemovalPolicy: 'RETAIN',
  });
  expect(memberStack.resolve(accepter.relationshipStatus)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Administrator/), 'RelationshipStatus'] });
});

test('a mistake in the props fails synth, naming the value', () => {
  const { stack } = securityStack();

  expect(() => new GuardDutyMemberInvitations(stack, 'Typo', { members: [{ accountId: '22222222222', email: 'x@example.com' }] })).toThrow(
    'account ID "22222222222" must be exactly 12 digits',
  );
});
