import { App, CfnParameter, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import { FindingPublishingFrequency, GuardDutyOrganizationConfiguration, GuardDutyOrganizationConfigurationProps, OrganizationAutoEnable } from '../../lib';

function newStack(): Stack {
  return new Stack(new App(), 'DelegatedAdministrator', { env: { account: '111111111111', region: 'eu-west-1' } });
}

function configure(props: Partial<GuardDutyOrganizationConfigurationProps> = {}, stack: Stack = newStack()): Stack {
  new GuardDutyOrganizationConfiguration(stack, 'Organization', { autoEnableOrganizationMembers: OrganizationAutoEnable.NEW, ...props });
  return stack;
}

function resourceProperties(stack: Stack): Record<string, unknown> {
  const resources = Object.values(Template.fromStack(stack).findResources('Custom::GuardDutyOrganizationConfiguration'));
  expect(resources).toHaveLength(1);
  return resources[0].Properties;
}

function handlerStatements(stack: Stack): Array<{ Action: string | string[]; Resource: unknown; Condition?: unknown }> {
  const template = Template.fromStack(stack);
  // The handler role's grants live in a customer managed policy (lib/private/bundled-handler.ts).
  return [...Object.entries(template.findResources('AWS::IAM::Policy')), ...Object.entries(template.findResources('AWS::IAM::ManagedPolicy'))]
    .filter(([logicalId, policy]) => `${logicalId}${JSON.stringify(policy.Properties.Roles ?? '')}`.includes('GuardDutyOrganizationConfigurationProviderHandlerRole'))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement);
}

function actionsOf(stack: Stack): string[] {
  return handlerStatements(stack)
    .flatMap((statement) => [statement.Action].flat())
    // Logs and X-Ray (tracing, lib/private/bundled-handler.ts) are every handler's; the test is about GuardDuty's.
    .filter((action) => !action.startsWith('logs:') && !action.startsWith('xray:'))
    .sort();
}

function synthError(props: Partial<GuardDutyOrganizationConfigurationProps>): string {
  try {
    configure(props);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the construct to throw');
}

describe('the custom resource', () => {
  test('carries the declared configuration in the contract\'s property names', () => {
    const stack = newStack();
    const detector = new guardduty.CfnDetector(stack, 'Detector', { enable: true });
    configure(
      {
        autoEnableOrganizationMembers: OrganizationAutoEnable.ALL,
        detectorId: detector.ref,
        features: [
          { name: 'S3_DATA_EVENTS', autoEnable: OrganizationAutoEnable.ALL },
          {
            name: 'RUNTIME_MONITORING',
            autoEnable: OrganizationAutoEnable.NEW,
            additionalConfiguration: [{ name: 'EC2_AGENT_MANAGEMENT', autoEnable: OrganizationAutoEnable.NONE }],
          },
        ],
        removalPolicy: RemovalPolicy.DESTROY,
      },
      stack,
    );

    expect(resourceProperties(stack)).toEqual({
      ServiceToken: expect.anything(),
      DetectorId: { Ref: 'Detector' },
      AutoEnableOrganizationMembers: 'ALL',
      Features: [
        { Name: 'S3_DATA_EVENTS', AutoEnable: 'ALL' },
        { Name: 'RUNTIME_MONITORING', AutoEnable: 'NEW', AdditionalConfiguration: [{ Name: 'EC2_AGENT_MANAGEMENT', AutoEnable: 'NONE' }] },
      ],
      RemovalPolicy: 'DESTROY',
    });
  });

  test('defaults: no features, RETAIN, the detector looked up', () => {
    expect(resourceProperties(configure())).toEqual({ ServiceToken: expect.anything(), AutoEnableOrganizationMembers: 'NEW', Features: [], RemovalPolicy: 'RETAIN' });
  });

  test('runs the bundled handler on Node.js 24, one provider for every configuration in the stack', () => {
    const stack = configure();
    new GuardDutyOrganizationConfiguration(stack, 'Again', { autoEnableOrganizationMembers: OrganizationAutoEnable.ALL, detectorId: 'abc'.repeat(11) });

    const template = Template.fromStack(stack);
    template.resourceCountIs('Custom::GuardDutyOrganizationConfiguration', 2);
    template.resourcePropertiesCountIs('AWS::Lambda::Function', { Handler: 'index.handler', Runtime: 'nodejs24.x' }, 1);
  });
});

describe('IAM', () => {
  test('grants only DescribeOrganizationConfiguration and UpdateOrganizationConfiguration, held to the stack\'s region, when the detector is given', () => {
    const stack = configure({ detectorId: 'abc'.repeat(11) });

    expect(actionsOf(stack)).toEqual(['guardduty:DescribeOrganizationConfiguration', 'guardduty:UpdateOrganizationConfiguration']);
    expect(handlerStatements(stack).find((statement) => [statement.Action].flat().includes('guardduty:UpdateOrganizationConfiguration'))).toMatchObject({
      Resource: '*',
      Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
    });
  });

  test('adds ListDetectors only when the detector is looked up', () => {
    expect(actionsOf(configure())).toEqual(['guardduty:DescribeOrganizationConfiguration', 'guardduty:ListDetectors', 'guardduty:UpdateOrganizationConfiguration']);
  });

  test('grants no organizations: action and no delegated-administrator action', () => {
    const actions = actionsOf(configure());
    expect(actions.filter((action) => action.startsWith('organizations:') || /OrganizationAdminAccount/.test(action))).toEqual([]);
  });
});

describe('synth-time checks name the bad value and the valid choices', () => {
  test.each<[string, Partial<GuardDutyOrganizationConfigurationProps>, RegExp]>([
    ['an unknown auto-enable value', { autoEnableOrganizationMembers: 'SOME' as OrganizationAutoEnable }, /autoEnableOrganizationMembers "SOME" is not valid: valid values are NEW, ALL, NONE/],
    ['a lower-case feature name', { features: [{ name: 's3_data_events', autoEnable: OrganizationAutoEnable.ALL }] }, /features\[0\]\.name "s3_data_events" is not a GuardDuty organization feature: valid values are S3_DATA_EVENTS, EKS_AUDIT_LOGS, .*AI_PROTECTION/],
    ['a retired data source name', { features: [{ name: 'S3_LOGS', autoEnable: OrganizationAutoEnable.ALL }] }, /features\[0\]\.name "S3_LOGS" is not a GuardDuty organization feature/],
    ['a feature auto-enable value', { features: [{ name: 'EKS_AUDIT_LOGS', autoEnable: 'YES' as OrganizationAutoEnable }] }, /features\[0\]\.autoEnable "YES" is not valid: valid values are NEW, NONE, ALL/],
    [
      'an unknown additional configuration',
      { features: [{ name: 'RUNTIME_MONITORING', autoEnable: OrganizationAutoEnable.ALL, additionalConfiguration: [{ name: 'LAMBDA_AGENT', autoEnable: OrganizationAutoEnable.ALL }] }] },
      /features\[0\]\.additionalConfiguration\[0\]\.name "LAMBDA_AGENT" is not a GuardDuty additional configuration: valid values are EKS_ADDON_MANAGEMENT, ECS_FARGATE_AGENT_MANAGEMENT, EC2_AGENT_MANAGEMENT/,
    ],
    [
      'an additional configuration of another feature',
      { features: [{ name: 'EKS_RUNTIME_MONITORING', autoEnable: OrganizationAutoEnable.ALL, additionalConfiguration: [{ name: 'EC2_AGENT_MANAGEMENT', autoEnable: OrganizationAutoEnable.ALL }] }] },
      /EC2_AGENT_MANAGEMENT does not belong to EKS_RUNTIME_MONITORING: EKS_RUNTIME_MONITORING takes EKS_ADDON_MANAGEMENT/,
    ],
    [
      'an additional configuration on a feature that has none',
      { features: [{ name: 'S3_DATA_EVENTS', autoEnable: OrganizationAutoEnable.ALL, additionalConfiguration: [{ name: 'EKS_ADDON_MANAGEMENT', autoEnable: OrganizationAutoEnable.ALL }] }] },
      /EKS_ADDON_MANAGEMENT does not belong to S3_DATA_EVENTS: S3_DATA_EVENTS has no additional configuration/,
    ],
    [
      'a feature declared twice',
      { features: [{ name: 'S3_DATA_EVENTS', autoEnable: OrganizationAutoEnable.ALL }, { name: 'S3_DATA_EVENTS', autoEnable: OrganizationAutoEnable.NONE }] },
      /features\[1\]\.name S3_DATA_EVENTS is declared more than once/,
    ],
    ['an empty detector ID', { detectorId: '' }, /detectorId must be a GuardDuty detector ID: 32 to 264 .*got "" \(0 characters\)/],
    ['a removal policy GuardDuty has no meaning for', { removalPolicy: RemovalPolicy.SNAPSHOT }, /removalPolicy must be RemovalPolicy.RETAIN or RemovalPolicy.DESTROY, got RemovalPolicy.SNAPSHOT/],
  ])('%s', (_name, props, expected) => {
    const message = synthError(props);
    expect(message).toMatch(/^Invalid GuardDutyOrganizationConfiguration props at DelegatedAdministrator\/Organization:/);
    expect(message).toMatch(expected);
  });

  test('every problem is reported at once', () => {
    const message = synthError({
      autoEnableOrganizationMembers: 'X' as OrganizationAutoEnable,
      features: [{ name: 'Y', autoEnable: 'Z' as OrganizationAutoEnable }],
    });
    expect(message.split('\n')).toHaveLength(4);
  });

  test('tokens are left to the handler', () => {
    const stack = newStack();
    const mode = new CfnParameter(stack, 'Mode').valueAsString as OrganizationAutoEnable;
    expect(() => configure({ autoEnableOrganizationMembers: mode, features: [{ name: new CfnParameter(stack, 'Feature').valueAsString, autoEnable: mode }] }, stack)).not.toThrow();
    expect(resourceProperties(stack)).toMatchObject({ AutoEnableOrganizationMembers: { Ref: 'Mode' }, Features: [{ Name: { Ref: 'Feature' }, AutoEnable: { Ref: 'Mode' } }] });
  });
});

test('the provider framework\'s function is the service token', () => {
  Template.fromStack(configure()).hasResourceProperties('Custom::GuardDutyOrganizationConfiguration', {
    ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GuardDutyOrganizationConfigurationProviderframeworkonEvent'), 'Arn'] },
  });
});

describe('findingPublishingFrequency', () => {
  test('reaches the resource as GuardDuty\'s value, and the handler may read and update the detector, in its region only', () => {
    const stack = configure({ findingPublishingFrequency: FindingPublishingFrequency.FIFTEEN_MINUTES });

    expect(resourceProperties(stack).FindingPublishingFrequency).toBe('FIFTEEN_MINUTES');
    expect(actionsOf(stack)).toEqual(expect.arrayContaining(['guardduty:GetDetector', 'guardduty:UpdateDetector']));
    const statement = handlerStatements(stack).find((s) => [s.Action].flat().includes('guardduty:UpdateDetector'));
    expect(statement?.Condition).toEqual({ StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } });
  });

  test('without it the resource carries none and the handler may not touch the detector', () => {
    const stack = configure();

    expect(resourceProperties(stack)).not.toHaveProperty('FindingPublishingFrequency');
    expect(actionsOf(stack)).not.toEqual(expect.arrayContaining(['guardduty:UpdateDetector']));
    expect(actionsOf(stack)).not.toEqual(expect.arrayContaining(['guardduty:GetDetector']));
  });

  test('a value that is not GuardDuty\'s fails synth with the valid ones', () => {
    expect(synthError({ findingPublishingFrequency: 'DAILY' as FindingPublishingFrequency })).toMatch(/findingPublishingFrequency must be one of FIFTEEN_MINUTES, ONE_HOUR, SIX_HOURS, got "DAILY"/);
  });
});
