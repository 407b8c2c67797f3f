import { App, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GuardDutyMemberInvitations, GuardDutyMemberInvitationsProps } from '../lib';

// cdk-nag 3 is a policy validation plugin: findings are violations of `validateScope`
// (and fail `app.synth()`), not annotations; acknowledged findings are left out.

const MEMBERS = [{ accountId: '222222222222', email: 'workloads@example.com' }];

type DetectorMode = (stack: Stack) => Partial<GuardDutyMemberInvitationsProps>;
const DETECTOR_MODES: Array<[string, DetectorMode]> = [
  ['a detector in the stack', (stack) => ({ detectorId: new guardduty.CfnDetector(stack, 'Detector', { enable: true }).ref })],
  ['a looked-up detector', () => ({})],
];
const ENVIRONMENTS: Array<[string, StackProps['env']]> = [
  ['env-agnostic', undefined],
  ['with account and region', { account: '111111111111', region: 'us-east-1' }],
];

function administratorStack(mode: DetectorMode, env?: StackProps['env']): Stack {
  const stack = new Stack(new App(), 'Administrator', { env });
  new GuardDutyMemberInvitations(stack, 'Members', { members: MEMBERS, ...mode(stack) });
  return stack;
}

describe.each(DETECTOR_MODES)('AwsSolutionsChecks with %s', (_, mode) => {
  test.each(ENVIRONMENTS)('finds nothing unacknowledged (%s)', (__, env) => {
    const report = new AwsSolutionsChecks().validateScope(administratorStack(mode, env));

    expect(report.violations).toEqual([]);
  });

  test('lets the app synthesize when registered as a validation plugin', () => {
    const stack = administratorStack(mode);
    const app = stack.node.scope as App;
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    expect(() => app.synth()).not.toThrow();
  });
});

test('the acknowledgements cover only their own findings: another wildcard on the handler role is still reported', () => {
  const stack = administratorStack(() => ({}));
  const role = stack.node.findChild('GuardDutyMemberInvitationsProvider').node.findChild('HandlerRole') as iam.Role;
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::reports/*'] }));

  const report = new AwsSolutionsChecks().validateScope(stack);

  expect(report.violations.map((violation) => violation.ruleName)).toEqual(['AwsSolutions-IAM5[Resource::arn:aws:s3:::reports/*]']);
});

test('several constructs acknowledge the handler role\'s one finding once', () => {
  const stack = administratorStack(() => ({}));
  new GuardDutyMemberInvitations(stack, 'MoreMembers', { members: [{ accountId: '333333333333', email: 'sandbox@example.com' }] });
  const role = stack.node.findChild('GuardDutyMemberInvitationsProvider').node.findChild('HandlerRole');

  const acknowledged = role.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.keys(entry.data));

  expect(acknowledged).toEqual([
    'Annotation::AwsSolutions-IAM5[Resource::*]',
  ]);
});
