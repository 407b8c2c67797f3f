import { App, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GuardDutyInvitationAccepter, GuardDutyInvitationAccepterProps } from '../../lib';

// cdk-nag 3 is a policy validation plugin: findings are violations of `validateScope`
// (and fail `app.synth()`), not annotations; acknowledged findings are left out.

type Mode = (stack: Stack) => Partial<GuardDutyInvitationAccepterProps>;
const MODES: Array<[string, Mode]> = [
  ['a detector in the stack, RETAIN', (stack) => ({ detectorId: new guardduty.CfnDetector(stack, 'Detector', { enable: true }).ref })],
  ['a looked-up detector, DESTROY', () => ({ removalPolicy: RemovalPolicy.DESTROY })],
];
const ENVIRONMENTS: Array<[string, StackProps['env']]> = [
  ['env-agnostic', undefined],
  ['with account and region', { account: '222222222222', region: 'us-east-1' }],
];

function memberStack(mode: Mode, env?: StackProps['env']): Stack {
  const stack = new Stack(new App(), 'Member', { env });
  new GuardDutyInvitationAccepter(stack, 'Administrator', { administratorAccountId: '111111111111', ...mode(stack) });
  return stack;
}

describe.each(MODES)('AwsSolutionsChecks with %s', (_, mode) => {
  test.each(ENVIRONMENTS)('finds nothing unacknowledged (%s)', (__, env) => {
    expect(new AwsSolutionsChecks().validateScope(memberStack(mode, env)).violations).toEqual([]);
  });
});

test('lets the app synthesize when registered as a validation plugin', () => {
  const stack = memberStack(() => ({}));
  const app = stack.node.scope as App;
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

  expect(() => app.synth()).not.toThrow();
});

test('the acknowledgement covers only its own finding: another wildcard on the handler role is still reported', () => {
  const stack = memberStack(() => ({}));
  const role = stack.node.findChild('GuardDutyInvitationAccepterProvider').node.findChild('HandlerRole') as iam.Role;
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::reports/*'] }));

  expect(new AwsSolutionsChecks().validateScope(stack).violations.map((violation) => violation.ruleName)).toEqual(['AwsSolutions-IAM5[Resource::arn:aws:s3:::reports/*]']);
});

test('the handler role acknowledges one finding, with its reason, however many constructs', () => {
  const stack = memberStack(() => ({}));
  new GuardDutyInvitationAccepter(stack, 'Second', { administratorAccountId: '444444444444', removalPolicy: RemovalPolicy.DESTROY });
  const role = stack.node.findChild('GuardDutyInvitationAccepterProvider').node.findChild('HandlerRole');

  const acknowledged = role.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.entries(entry.data as Record<string, string>));

  expect(acknowledged).toEqual([['Annotation::AwsSolutions-IAM5[Resource::*]', expect.stringMatching(/support no resource-level permissions.*own account.*region/)]]);
});
