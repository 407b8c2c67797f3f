import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { GuardDutyAdministratorMonitor, GuardDutyInvitationAccepter } from '../../lib';
import { newStack, removeTestAssemblies } from './monitor-stacks';

afterAll(removeTestAssemblies);

function memberStack(checkInterval?: Duration) {
  const stack = newStack('Member', { account: '222222222222', region: 'eu-west-1' });
  const accepter = new GuardDutyInvitationAccepter(stack, 'Administrator', { administratorAccountId: '111111111111' });
  const monitor = accepter.addMonitor({ checkInterval });
  return { stack, accepter, monitor, template: Template.fromStack(stack) };
}

test('the member\'s monitor reads the administrator and detector the accepter used, and may do nothing else in GuardDuty', () => {
  const { template } = memberStack();

  template.hasResourceProperties('AWS::Lambda::Function', {
    Environment: {
      Variables: {
        DETECTOR_ID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Administrator'), 'DetectorId'] },
        ADMINISTRATOR_ACCOUNT_ID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Administrator'), 'AdministratorAccountId'] },
      },
    },
  });
  template.hasResourceProperties('AWS::IAM::Role', {
    ManagedPolicyArns: [{ Ref: Match.stringLikeRegexp('^AdministratorMonitorRolePolicy') }],
  });
  template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
    PolicyDocument: {
      Statement: Match.arrayWith([
        { Effect: 'Allow', Action: ['guardduty:GetAdministratorAccount', 'guardduty:GetDetector'], Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } },
      ]),
    },
  });
  template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(6 hours)' });
});

test('its alarm fires at the first check that finds the membership or the detector gone', () => {
  memberStack().template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    Namespace: 'GuardDutyMembers',
    MetricName: 'MembershipDrift',
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    Period: 21600,
  });
});

test('a check interval out of range is rejected at synth, naming the value', () => {
  expect(() => memberStack(Duration.hours(36))).toThrow(/Invalid GuardDutyAdministratorMonitor props at Member\/Administrator\/Monitor:\n {2}checkInterval must be whole minutes from 15 minutes to 1 day, got 1 day 12 hours/);
});

test('is a construct of its own as well', () => {
  const { stack, accepter } = memberStack();

  expect(new GuardDutyAdministratorMonitor(stack, 'Another', { accepter }).checkFunction).toBeDefined();
});
