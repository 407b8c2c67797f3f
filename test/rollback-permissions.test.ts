import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { GuardDutyInvitationAccepter, GuardDutyMemberInvitations } from '../lib';

/**
 * Before removing anything (DESTROY), the handlers ask CloudFormation whether the stack
 * is rolling back (lambda/shared/stack-rollback.ts): they may read their own stack's
 * status, nothing else of CloudFormation, and only when some construct can remove.
 */
const DETECTOR = 'd0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5';

function describeStacksStatements(stack: Stack): unknown[] {
  const template = Template.fromStack(stack);
  // The handler role's grants live in a customer managed policy (lib/private/bundled-handler.ts).
  return [...Object.values(template.findResources('AWS::IAM::Policy')), ...Object.values(template.findResources('AWS::IAM::ManagedPolicy'))]
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>)
    .filter((statement) => [statement.Action].flat().some((action) => action.startsWith('cloudformation:')));
}

const readOwnStack = [{ Sid: 'ReadOwnStackStatus', Effect: 'Allow', Action: 'cloudformation:DescribeStacks', Resource: { Ref: 'AWS::StackId' } }];

describe.each([
  ['GuardDutyMemberInvitations', (stack: Stack, id: string, removalPolicy?: RemovalPolicy) =>
    new GuardDutyMemberInvitations(stack, id, { detectorId: DETECTOR, members: [{ accountId: '222222222222', email: 'a@example.com' }], removalPolicy })],
  ['GuardDutyInvitationAccepter', (stack: Stack, id: string, removalPolicy?: RemovalPolicy) =>
    new GuardDutyInvitationAccepter(stack, id, { detectorId: DETECTOR, administratorAccountId: '111111111111', removalPolicy })],
])('%s', (_name, add) => {
  test('with DESTROY, may read its own stack\'s status (once, however many constructs)', () => {
    const stack = new Stack(new App(), 'Stack');
    add(stack, 'One', RemovalPolicy.DESTROY);
    add(stack, 'Two', RemovalPolicy.DESTROY);

    expect(describeStacksStatements(stack)).toEqual(readOwnStack);
  });

  test('with RETAIN only, gets no CloudFormation permission', () => {
    const stack = new Stack(new App(), 'Stack');
    add(stack, 'One');

    expect(describeStacksStatements(stack)).toEqual([]);
  });
});
