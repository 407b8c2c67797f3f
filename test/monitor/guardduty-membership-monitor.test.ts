import * as fs from 'fs';
import * as path from 'path';
import { Duration, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { GuardDutyMemberInvitations, GuardDutyMembershipMonitor, GuardDutyMembershipMonitorOptions, MemberAccount } from '../../lib';
import { newStack, removeTestAssemblies, stagedAssetOf } from './monitor-stacks';

const MEMBERS: MemberAccount[] = [
  { accountId: '333333333333', email: 'sandbox@example.com' },
  { accountId: '222222222222', email: 'workloads@example.com' },
];

afterAll(removeTestAssemblies);

function monitored(options: GuardDutyMembershipMonitorOptions = {}, members: MemberAccount[] = MEMBERS, stack: Stack = newStack()) {
  const invitations = new GuardDutyMemberInvitations(stack, 'Members', { members });
  const monitor = invitations.addMonitor(options);
  return { stack, invitations, monitor, template: Template.fromStack(stack) };
}

/** The statements of the monitor role's policies: its customer managed policy, and any inline one. */
function monitorStatements(template: Template): Array<{ Action: string | string[]; Resource: unknown; Condition?: unknown }> {
  const roles = Object.entries(template.findResources('AWS::IAM::Role')).filter(([id]) => id.startsWith('MembersMonitorRole'));
  expect(roles).toHaveLength(1);
  const [roleId, role] = roles[0];
  const attached = new Set((role.Properties.ManagedPolicyArns ?? []).map((arn: unknown) => JSON.stringify(arn)));
  const managed = Object.entries(template.findResources('AWS::IAM::ManagedPolicy'))
    .filter(([id]) => attached.has(JSON.stringify({ Ref: id })))
    .map(([, policy]) => policy);
  const inline = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]));
  return [...managed, ...inline].flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

function guardDutyActions(template: Template): string[] {
  return monitorStatements(template)
    .flatMap((statement) => [statement.Action].flat())
    .filter((action) => action.startsWith('guardduty:'));
}

describe('the schedule', () => {
  test('runs the check every 6 hours by default, through EventBridge Scheduler, retrying a failed check twice within the hour', () => {
    const { template } = monitored();

    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(6 hours)',
      Target: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MembersMonitorFunction'), 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 } },
    });
  });

  test('takes another interval', () => {
    monitored({ checkInterval: Duration.minutes(30) }).template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(30 minutes)' });
  });
});

describe('the function', () => {
  test('runs Node.js 24 with the detector the invitations used, the grace period, and no healing setting by default', () => {
    const { template } = monitored();

    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Environment: { Variables: { DETECTOR_ID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Members'), 'DetectorId'] }, GRACE_PERIOD_SECONDS: '604800' } },
    });
    const variables = Object.values(template.findResources('AWS::Lambda::Function')).find((fn) => fn.Properties.Environment?.Variables?.GRACE_PERIOD_SECONDS)?.Properties.Environment.Variables;
    expect(Object.keys(variables)).toEqual(['DETECTOR_ID', 'GRACE_PERIOD_SECONDS']);
  });

  test('is packaged with declaration.json: the account IDs, sorted, and nothing else (no email)', () => {
    const { stack } = monitored();
    const asset = stagedAssetOf(stack, 'MembersMonitorFunction');

    expect(fs.readdirSync(asset).sort()).toEqual(['declaration.json', 'index.js']);
    const declaration = fs.readFileSync(path.join(asset, 'declaration.json'), 'utf8');
    expect(JSON.parse(declaration)).toEqual({ accountIds: ['222222222222', '333333333333'] });
    expect(declaration).not.toContain('@');
  });

  test('a changed declaration is new code, so the deployment updates the function', () => {
    const code = (members: MemberAccount[]) => monitored({}, members).template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler', Environment: Match.anyValue() } });
    const s3Key = (resources: Record<string, Record<string, unknown>>) => Object.values(resources).map((fn) => (fn.Properties as { Code: { S3Key: unknown } }).Code.S3Key);

    const before = s3Key(code(MEMBERS));
    const same = s3Key(code([...MEMBERS]));
    const after = s3Key(code([...MEMBERS, { accountId: '444444444444', email: 'new@example.com' }]));

    expect(same).toEqual(before);
    expect(after).not.toEqual(before);
  });
});

describe('IAM', () => {
  test('without healing, the monitor may only list members, on "*" held to the stack\'s region', () => {
    const { template } = monitored();

    expect(guardDutyActions(template)).toEqual(['guardduty:ListMembers']);
    expect(monitorStatements(template).find((s) => s.Action === 'guardduty:ListMembers')).toMatchObject({ Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } });
  });

  test('with healing, it may also invite, and gets the re-invitation interval', () => {
    const { template } = monitored({ healing: true, reinviteInterval: Duration.days(14) });

    expect(guardDutyActions(template).sort()).toEqual(['guardduty:InviteMembers', 'guardduty:ListMembers']);
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ REINVITE_INTERVAL_SECONDS: '1209600' }) } });
  });

  test('the role writes only to the monitor\'s own log group', () => {
    const logStatements = monitorStatements(monitored().template).filter((s) => [s.Action].flat().some((a) => a.startsWith('logs:')));

    expect(logStatements).toEqual([expect.objectContaining({ Resource: { 'Fn::GetAtt': [expect.stringMatching(/^MembersMonitorLogGroup/), 'Arn'] } })]);
  });
});

describe('alarms', () => {
  test('the drift alarm fires at one declared account not Enabled past the grace period, per check interval, keeping its state without data', () => {
    const { template } = monitored();

    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'GuardDutyMembers',
      MetricName: 'NotEnabledPastGracePeriod',
      Dimensions: [{ Name: 'Monitor', Value: { Ref: Match.stringLikeRegexp('^MembersMonitorFunction') } }],
      Statistic: 'Maximum',
      Period: 21600,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'ignore',
    });
  });

  test('a failed check raises its own alarm', () => {
    monitored().template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/Lambda', MetricName: 'Errors', Threshold: 1 });
  });

  test('an undeclared-members alarm only on request; every alarm notifies the topic given, raised and cleared', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Topic');
    const { template } = monitored({ alarmOnUndeclaredMembers: true, alarmTopic: topic }, MEMBERS, stack);

    template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'UndeclaredMembers' });
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties).toMatchObject({ AlarmActions: [{ Ref: expect.stringMatching(/^Topic/) }], OKActions: [{ Ref: expect.stringMatching(/^Topic/) }] });
    }
    expect(monitored().template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'UndeclaredMembers' } })).toEqual({});
  });
});

describe('the dashboard', () => {
  function dashboardBody(template: Template): string {
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    return JSON.stringify(dashboard.Properties.DashboardBody);
  }

  test('shows counts by status over time, the drift metrics and a table of the drifted accounts from the monitor\'s log', () => {
    const body = dashboardBody(monitored().template);

    expect(body).toContain('Declared accounts by relationship status');
    for (const status of ['Enabled', 'Invited', 'Resigned', 'Removed', 'Disabled', 'EmailVerificationFailed', 'NotAMember']) {
      expect(body).toContain(`\\"RelationshipStatus\\",\\"${status}\\"`);
    }
    expect(body).toContain('NotEnabledPastGracePeriod');
    expect(body).toContain('filter message = \\\\\\"drifted account\\\\\\"');
    expect(body).toMatch(/SOURCE '",\{"Ref":"MembersMonitorLogGroup/);
  });

  test('has no email address anywhere', () => {
    expect(dashboardBody(monitored().template)).not.toMatch(/[\w.+-]+@[\w-]+\.\w+/);
  });
});

describe('bad input is rejected at synth, naming the value', () => {
  test.each<[string, GuardDutyMembershipMonitorOptions, RegExp]>([
    ['checkInterval too short', { checkInterval: Duration.minutes(5) }, /checkInterval must be whole minutes from 15 minutes to 1 day, got 5 minutes/],
    ['checkInterval not whole minutes', { checkInterval: Duration.seconds(1_000) }, /checkInterval must be whole minutes .*, got 16 minutes 40 seconds/],
    ['checkInterval too long', { checkInterval: Duration.days(2) }, /checkInterval .* got 2 days/],
    ['gracePeriod too short', { gracePeriod: Duration.minutes(30) }, /gracePeriod must be whole seconds from 1 hour to 90 days, got 30 minutes/],
    ['reinviteInterval under a day', { healing: true, reinviteInterval: Duration.hours(12) }, /reinviteInterval must be whole seconds from 1 day to 90 days, got 12 hours/],
    ['reinviteInterval without healing', { reinviteInterval: Duration.days(3) }, /reinviteInterval \(3 days\) is set but healing is off/],
  ])('%s', (_, options, message) => {
    expect(() => monitored(options)).toThrow(message);
  });

  test('every problem in one error, with the construct path', () => {
    expect(() => monitored({ checkInterval: Duration.minutes(1), gracePeriod: Duration.days(100) })).toThrow(/^Invalid GuardDutyMembershipMonitor props at Administrator\/Members\/Monitor:\n {2}checkInterval.*\n {2}gracePeriod.*got 100 days$/);
  });

  test('account IDs only known at deploy time: the monitor needs them at synth', () => {
    const stack = newStack();
    const invitations = new GuardDutyMemberInvitations(stack, 'Members', { members: [{ accountId: Token.asString({ Ref: 'AccountParameter' }), email: 'a@example.com' }] });

    expect(() => new GuardDutyMembershipMonitor(stack, 'Monitor', { invitations })).toThrow(/members\[0\]\.accountId of Administrator\/Members is a deploy-time value/);
  });
});
