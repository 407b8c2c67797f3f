import { App, CfnParameter, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GuardDutyOrganizationPolicy, GuardDutyOrganizationPolicyProps, GuardDutyPolicyFeature } from '../../lib';

const WORKLOADS = 'ou-ab12-workloads1';
const { FOUNDATIONAL, S3_DATA_EVENTS, EKS_AUDIT_LOGS, RDS_LOGIN_EVENTS } = GuardDutyPolicyFeature;

function newStack(): Stack {
  return new Stack(new App(), 'Management', { env: { account: '999999999999', region: 'us-east-1' } });
}

function declare(props: Partial<GuardDutyOrganizationPolicyProps> = {}, stack: Stack = newStack(), id = 'GuardDutyPolicy'): Stack {
  new GuardDutyOrganizationPolicy(stack, id, { targetIds: [WORKLOADS], allRegions: { enable: [FOUNDATIONAL, S3_DATA_EVENTS] }, ...props });
  return stack;
}

function content(stack: Stack): Record<string, unknown> {
  const policies = Object.values(Template.fromStack(stack).findResources('Custom::GuardDutyOrganizationPolicy'));
  expect(policies).toHaveLength(1);
  return policies[0].Properties.Content;
}

type Statement = { Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> };

function handlerStatements(stack: Stack): Statement[] {
  const template = Template.fromStack(stack);
  return [...Object.entries(template.findResources('AWS::IAM::Policy')), ...Object.entries(template.findResources('AWS::IAM::ManagedPolicy'))]
    .filter(([logicalId, policy]) => `${logicalId}${JSON.stringify(policy.Properties.Roles ?? '')}`.includes('GuardDutyOrganizationPolicyProviderHandlerRole'))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement)
    .filter((statement: Statement) => ![statement.Action].flat().some((action) => action.startsWith('logs:')));
}

describe('the policy', () => {
  test('a custom resource, not AWS::Organizations::Policy (whose Type does not take GUARDDUTY_POLICY), created after the policy type is enabled', () => {
    const template = Template.fromStack(declare({ targetIds: [WORKLOADS, '222222222222'] }));
    template.resourceCountIs('AWS::Organizations::Policy', 0);
    template.hasResource('Custom::GuardDutyOrganizationPolicy', {
      Properties: { Name: 'GuardDutyOrganizationPolicy', TargetIds: [WORKLOADS, '222222222222'], RemovalPolicy: 'DESTROY' },
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('^GuardDutyPolicyType')]),
    });
    template.hasResourceProperties('Custom::OrganizationsPolicyType', { PolicyType: 'GUARDDUTY_POLICY', RemovalPolicy: 'RETAIN' });
    Template.fromStack(declare({ removalPolicy: RemovalPolicy.RETAIN })).hasResourceProperties('Custom::GuardDutyOrganizationPolicy', { RemovalPolicy: 'RETAIN' });
  });

  test('the default block and a Region block, each feature as enabled or disabled', () => {
    const stack = declare({ allRegions: { enable: [FOUNDATIONAL, S3_DATA_EVENTS] }, regions: [{ region: 'eu-west-1', enable: [FOUNDATIONAL], disable: [S3_DATA_EVENTS, EKS_AUDIT_LOGS] }] });
    expect(content(stack)).toEqual({
      guardduty: {
        default: { foundational: { status: { '@@assign': 'ENABLED' } }, s3_data_events: { status: { '@@assign': 'ENABLED' } } },
        'eu-west-1': { foundational: { status: { '@@assign': 'ENABLED' } }, s3_data_events: { status: { '@@assign': 'DISABLED' } }, eks_audit_logs: { status: { '@@assign': 'DISABLED' } } },
      },
    });
  });

  test('Region blocks alone: no default block, the other Regions unmanaged', () => {
    const stack = declare({ allRegions: undefined, regions: [{ region: 'ap-southeast-2', enable: [FOUNDATIONAL, RDS_LOGIN_EVENTS] }] });
    expect(Object.keys((content(stack) as { guardduty: object }).guardduty)).toEqual(['ap-southeast-2']);
  });

  test('two policies in one stack share one policy type resource and one provider', () => {
    const stack = declare();
    declare({ targetIds: ['ou-ab12-sandbox01'] }, stack, 'SandboxPolicy');
    const template = Template.fromStack(stack);
    template.resourceCountIs('Custom::GuardDutyOrganizationPolicy', 2);
    template.resourceCountIs('Custom::OrganizationsPolicyType', 1);
  });
});

describe('IAM: only what the handler calls', () => {
  test('each action on the narrowest resource: the root, GuardDuty policies, targets; CreatePolicy and EnablePolicyType held to the type; no DisablePolicyType by default', () => {
    const statements = handlerStatements(declare());
    const join = (suffix: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:organizations::*:${suffix}`]] });
    const heldToType = { StringEquals: { 'organizations:PolicyType': 'GUARDDUTY_POLICY' } };
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: ['organizations:ListRoots', 'organizations:ListPolicies'], Resource: '*' }),
        expect.objectContaining({ Action: 'organizations:CreatePolicy', Resource: '*', Condition: heldToType }),
        expect.objectContaining({ Action: 'organizations:EnablePolicyType', Resource: join('root/o-*/r-*'), Condition: heldToType }),
        expect.objectContaining({ Action: ['organizations:UpdatePolicy', 'organizations:DeletePolicy', 'organizations:ListTargetsForPolicy'], Resource: join('policy/o-*/guardduty_policy/p-*') }),
        expect.objectContaining({
          Action: ['organizations:AttachPolicy', 'organizations:DetachPolicy'],
          Resource: [join('policy/o-*/guardduty_policy/p-*'), join('root/o-*/r-*'), join('ou/o-*/ou-*'), join('account/o-*/*')],
        }),
      ]),
    );
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions).not.toContain('organizations:DisablePolicyType');
    expect(actions.filter((action) => action.startsWith('organizations:')).sort()).toEqual(
      ['AttachPolicy', 'CreatePolicy', 'DeletePolicy', 'DetachPolicy', 'EnablePolicyType', 'ListPolicies', 'ListRoots', 'ListTargetsForPolicy', 'UpdatePolicy'].map((a) => `organizations:${a}`),
    );
  });

  test('disablePolicyTypeOnDelete adds DisablePolicyType, for the type only, and DESTROY on the resource', () => {
    const stack = declare({ disablePolicyTypeOnDelete: true });
    expect(handlerStatements(stack)).toEqual(
      expect.arrayContaining([expect.objectContaining({ Action: 'organizations:DisablePolicyType', Condition: { StringEquals: { 'organizations:PolicyType': 'GUARDDUTY_POLICY' } } })]),
    );
    Template.fromStack(stack).hasResourceProperties('Custom::OrganizationsPolicyType', { RemovalPolicy: 'DESTROY' });
  });

  test.each([
    ['a token (AWS::Partition)', {}],
    ['a literal, as cdk.json\'s @aws-cdk/core:enablePartitionLiterals writes it', { '@aws-cdk/core:enablePartitionLiterals': true }],
  ])('the wildcards are acknowledged for cdk-nag with the partition as %s', (_, context) => {
    const stack = declare({ disablePolicyTypeOnDelete: true }, new Stack(new App({ context }), 'Management', { env: { account: '999999999999', region: 'us-east-1' } }));
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });

  test('two policies of a stack that disagree on disablePolicyTypeOnDelete fail, naming both', () => {
    const stack = declare();
    expect(() => declare({ disablePolicyTypeOnDelete: true }, stack, 'Other')).toThrow(
      /Management\/Other: disablePolicyTypeOnDelete is true, but Management\/GuardDutyPolicy set it false/,
    );
  });
});

describe('bad input at synth, with the valid choices', () => {
  test.each([
    [{ allRegions: undefined, regions: undefined }, /the policy has no block: give allRegions \(every Region\), regions \(single Regions\), or both/],
    [{ allRegions: { enable: ['s3_logs' as GuardDutyPolicyFeature] } }, /allRegions.enable\[0\]: "s3_logs" is not a GuardDuty policy feature: valid values are foundational, s3_data_events, eks_audit_logs, ebs_malware_protection, rds_login_events, lambda_network_logs, ai_protection/],
    [{ allRegions: { enable: [FOUNDATIONAL], disable: [FOUNDATIONAL] } }, /allRegions: foundational is named in enable and in disable; name each feature once/],
    [{ allRegions: {} }, /allRegions names no feature/],
    [{ regions: [{ region: 'Europe', enable: [FOUNDATIONAL] }] }, /regions\[0\]: "Europe" is not a Region name/],
    [{ regions: [{ region: 'default', enable: [FOUNDATIONAL] }] }, /regions\[0\]: "default" is not a Region name .*use allRegions for the default block/],
    [{ regions: [{ region: 'eu-west-1', enable: [FOUNDATIONAL] }, { region: 'eu-west-1', enable: [S3_DATA_EVENTS] }] }, /regions\[1\]: eu-west-1 has a block already/],
    [{ targetIds: ['ou-x'] }, /targetIds\[0\]: "ou-x" is not a root ID/],
    [{ policyName: '' }, /policyName must be 1 to 128 characters, got ""/],
    [{ removalPolicy: RemovalPolicy.SNAPSHOT }, /removalPolicy must be RemovalPolicy.RETAIN or RemovalPolicy.DESTROY, got RemovalPolicy.SNAPSHOT/],
  ])('%j', (props, message) => {
    expect(() => declare(props as Partial<GuardDutyOrganizationPolicyProps>)).toThrow(message);
  });

  test('deploy-time targets are left to AWS Organizations', () => {
    const stack = newStack();
    expect(() => declare({ targetIds: [new CfnParameter(stack, 'Target').valueAsString] }, stack)).not.toThrow();
  });
});
