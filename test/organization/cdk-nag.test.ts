import { App, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GuardDutyDelegatedAdministrator, GuardDutyOrganizationConfiguration, OrganizationAutoEnable } from '../../lib';

const ENVIRONMENTS: Array<[string, StackProps['env']]> = [
  ['env-agnostic', undefined],
  ['with account and region', { account: '999999999999', region: 'us-east-1' }],
];

function managementStack(env?: StackProps['env']): Stack {
  const stack = new Stack(new App(), 'Management', { env });
  new GuardDutyDelegatedAdministrator(stack, 'GuardDutyAdministrator', { adminAccountId: '111111111111' });
  return stack;
}

function delegatedAdministratorStack(env?: StackProps['env'], withDetector = false): Stack {
  const stack = new Stack(new App(), 'Security', { env });
  new GuardDutyOrganizationConfiguration(stack, 'Organization', {
    autoEnableOrganizationMembers: OrganizationAutoEnable.ALL,
    detectorId: withDetector ? new guardduty.CfnDetector(stack, 'Detector', { enable: true }).ref : undefined,
    features: [{ name: 'RUNTIME_MONITORING', autoEnable: OrganizationAutoEnable.ALL, additionalConfiguration: [{ name: 'EKS_ADDON_MANAGEMENT', autoEnable: OrganizationAutoEnable.ALL }] }],
  });
  return stack;
}

describe.each(ENVIRONMENTS)('AwsSolutionsChecks (%s)', (_, env) => {
  test('finds nothing unacknowledged in the management account\'s stack', () => {
    expect(new AwsSolutionsChecks().validateScope(managementStack(env)).violations).toEqual([]);
  });

  test.each([false, true])('finds nothing unacknowledged in the delegated administrator\'s stack (detector in the stack: %s)', (withDetector) => {
    expect(new AwsSolutionsChecks().validateScope(delegatedAdministratorStack(env, withDetector)).violations).toEqual([]);
  });
});

test('both stacks synthesize with cdk-nag registered as a validation plugin', () => {
  for (const stack of [managementStack(), delegatedAdministratorStack()]) {
    const app = stack.node.scope as App;
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  }
});

test('the acknowledgements cover only their own findings: another wildcard on the management account\'s handler role is still reported', () => {
  const stack = managementStack();
  const role = stack.node.findChild('GuardDutyDelegatedAdministratorProvider').node.findChild('HandlerRole') as iam.Role;
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::reports/*'] }));

  const report = new AwsSolutionsChecks().validateScope(stack);

  expect(report.violations.map((violation) => violation.ruleName)).toEqual(['AwsSolutions-IAM5[Resource::arn:aws:s3:::reports/*]']);
});
