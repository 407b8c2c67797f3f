import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { GuardDutyInvitationAccepter, GuardDutyMemberInvitations } from '../../lib';

test.each([
  ['default props', (_: Stack) => ({})],
  ['a VPC', (stack: Stack) => ({ vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 }) })],
])('a permissions boundary applied to the stack is on every role both constructs create (%s)', (_, placement) => {
  const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'us-east-1' } });
  const boundary = new iam.ManagedPolicy(stack, 'Boundary', { statements: [new iam.PolicyStatement({ actions: ['guardduty:*', 'logs:*'], resources: ['*'] })] });
  iam.PermissionsBoundary.of(stack).apply(boundary);

  const settings = placement(stack);
  new GuardDutyMemberInvitations(stack, 'Members', { members: [{ accountId: '222222222222', email: 'workloads@example.com' }], ...settings });
  new GuardDutyInvitationAccepter(stack, 'Accepter', { administratorAccountId: '333333333333', ...settings });

  const roles = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'));
  // Per provider: the handler's role, the framework's onEvent, isComplete and onTimeout
  // roles, and the waiter state machine's role.
  expect(roles).toHaveLength(10);
  for (const role of roles) {
    expect(role.Properties.PermissionsBoundary).toEqual({ Ref: expect.stringMatching(/^Boundary/) });
  }
});
