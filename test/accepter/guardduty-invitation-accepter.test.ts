import fs from 'fs';
import { App, CfnParameter, CfnResource, CustomResource, Duration, RemovalPolicy, Stack, StackProps, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import { Construct } from 'constructs';
import { GuardDutyInvitationAccepter, GuardDutyInvitationAccepterProps, GuardDutyMemberInvitations } from '../../lib';

const ADMIN = '111111111111';
const ACCEPT_ACTIONS = ['guardduty:GetAdministratorAccount', 'guardduty:ListInvitations', 'guardduty:AcceptAdministratorInvitation'];
const IN_STACK_REGION = { StringEquals: { 'aws:RequestedRegion': { Ref: 'AWS::Region' } } };

function newStack(props?: StackProps): Stack {
  return new Stack(new App(), 'Member', props);
}

function accept(props: Partial<GuardDutyInvitationAccepterProps> = {}, stack: Stack = newStack()): GuardDutyInvitationAccepter {
  return new GuardDutyInvitationAccepter(stack, 'Administrator', { administratorAccountId: ADMIN, ...props });
}

function stackOf(construct: Construct): Stack {
  return Stack.of(construct);
}

function resourceProperties(stack: Stack): Record<string, unknown> {
  const resources = Object.values(Template.fromStack(stack).findResources('Custom::GuardDutyInvitationAccepter'));
  expect(resources).toHaveLength(1);
  return resources[0].Properties;
}

/** The logical ID of the role the accepter's handler runs with. */
function handlerRoleId(stack: Stack): string {
  const functions = Object.entries(Template.fromStack(stack).findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } }));
  const [, handler] = functions.find(([id]) => id.startsWith('GuardDutyInvitationAccepterProvider'))!;
  return handler.Properties.Role['Fn::GetAtt'][0];
}

function guardDutyStatements(stack: Stack): unknown[] {
  const template = Template.fromStack(stack);
  const attached = (template.findResources('AWS::IAM::Role')[handlerRoleId(stack)].Properties.ManagedPolicyArns ?? []).map((arn: { Ref?: string }) => arn.Ref);
  return Object.entries(template.findResources('AWS::IAM::ManagedPolicy'))
    .filter(([id]) => attached.includes(id))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement)
    .filter((statement) => [statement.Action].flat().some((action: string) => action.startsWith('guardduty:')));
}

function resourceLogicalId(construct: GuardDutyInvitationAccepter): string {
  const resource = construct.node.findChild('Resource') as CustomResource;
  return Stack.of(construct).getLogicalId(resource.node.defaultChild as CfnResource);
}

describe('the custom resource', () => {
  test('is one Custom::GuardDutyInvitationAccepter with the construct ID "Resource", backed by the shared provider', () => {
    const construct = accept();

    expect(construct.node.findChild('Resource')).toBeInstanceOf(CustomResource);
    Template.fromStack(stackOf(construct)).hasResourceProperties('Custom::GuardDutyInvitationAccepter', {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GuardDutyInvitationAccepterProviderframeworkonEvent'), 'Arn'] },
    });
  });

  test('has exactly the properties of the accepter contract', () => {
    const stack = newStack();
    const detector = new guardduty.CfnDetector(stack, 'Detector', { enable: true });
    accept({ detectorId: detector.ref }, stack);

    expect(resourceProperties(stack)).toEqual({
      ServiceToken: expect.anything(),
      AdministratorAccountId: ADMIN,
      DetectorId: { Ref: 'Detector' },
      InvitationTimeoutSeconds: '900',
      RemovalPolicy: 'RETAIN',
    });
  });

  test('omits DetectorId when no detector is given, so the handler looks it up', () => {
    expect(resourceProperties(stackOf(accept()))).not.toHaveProperty('DetectorId');
  });

  test('passes the invitation timeout in seconds', () => {
    expect(resourceProperties(stackOf(accept({ invitationTimeout: Duration.minutes(5) }))).InvitationTimeoutSeconds).toBe('300');
  });

  test('passes RemovalPolicy "DESTROY" when chosen', () => {
    expect(resourceProperties(stackOf(accept({ removalPolicy: RemovalPolicy.DESTROY }))).RemovalPolicy).toBe('DESTROY');
  });

  test('is always deleted by CloudFormation, so the handler receives the Delete even when the relationship is retained', () => {
    Template.fromStack(stackOf(accept({ removalPolicy: RemovalPolicy.RETAIN }))).hasResource('Custom::GuardDutyInvitationAccepter', {
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
    });
  });

  test.each([
    ['administratorAccountId', 'AdministratorAccountId'],
    ['relationshipStatus', 'RelationshipStatus'],
    ['detectorId', 'DetectorId'],
  ] as const)('the attribute %s reads the resource attribute %s', (property, attribute) => {
    const construct = accept();

    expect(Token.isUnresolved(construct[property])).toBe(true);
    expect(stackOf(construct).resolve(construct[property])).toEqual({ 'Fn::GetAtt': [resourceLogicalId(construct), attribute] });
  });
});

describe('the shared provider', () => {
  test('two accepters in one stack share one handler, one isComplete function and one provider', () => {
    const stack = newStack();
    accept({}, stack);
    new GuardDutyInvitationAccepter(stack, 'Other', { administratorAccountId: '444444444444', detectorId: 'abc'.repeat(11) });
    const template = Template.fromStack(stack);

    // The handler's two entry points and the provider framework's three functions.
    template.resourceCountIs('AWS::Lambda::Function', 5);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    const tokens = Object.values(template.findResources('Custom::GuardDutyInvitationAccepter')).map((r) => r.Properties.ServiceToken);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toEqual(tokens[1]);
  });

  test('each stack has its own provider', () => {
    const app = new App();
    const first = new Stack(app, 'First');
    const second = new Stack(app, 'Second');
    accept({}, first);
    accept({}, second);

    Template.fromStack(first).resourceCountIs('AWS::Lambda::Function', 5);
    Template.fromStack(second).resourceCountIs('AWS::Lambda::Function', 5);
  });

  test('sits at stack level with the construct IDs GuardDutyInvitationAccepterProvider, Handler, IsCompleteHandler and Provider', () => {
    const stack = newStack();
    new GuardDutyInvitationAccepter(new Construct(new Construct(stack, 'Security'), 'GuardDuty'), 'Administrator', { administratorAccountId: ADMIN });

    const provider = stack.node.findChild('GuardDutyInvitationAccepterProvider');
    for (const id of ['Handler', 'IsCompleteHandler', 'Provider']) {
      expect(provider.node.tryFindChild(id)).toBeDefined();
    }
  });

  test('refuses a stack whose construct ID GuardDutyInvitationAccepterProvider is taken by another construct', () => {
    const stack = newStack();
    new Construct(stack, 'GuardDutyInvitationAccepterProvider');

    expect(() => accept({}, stack)).toThrow('The construct ID "GuardDutyInvitationAccepterProvider" is reserved for the GuardDuty invitation accepter provider');
  });

  test('lives beside the member invitations provider without sharing its role', () => {
    const stack = newStack();
    accept({}, stack);
    new GuardDutyMemberInvitations(stack, 'Members', { members: [{ accountId: '555555555555', email: 'a@example.com' }] });

    expect(stack.node.tryFindChild('GuardDutyInvitationAccepterProvider')).toBeDefined();
    expect(stack.node.tryFindChild('GuardDutyMemberInvitationsProvider')).toBeDefined();
    expect(guardDutyStatements(stack).flatMap((s) => [(s as { Action: string | string[] }).Action].flat())).not.toContain('guardduty:GetMembers');
  });

  test('the provider polls index.isComplete every 30 seconds for at most an hour, above the longest timeout allowed', () => {
    const template = Template.fromStack(stackOf(accept()));

    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.isComplete', Runtime: 'nodejs24.x' });
    const definition = JSON.stringify(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(definition).toMatch(/\\"IntervalSeconds\\":30/);
    expect(definition).toMatch(/\\"MaxAttempts\\":120/);
  });
});

describe('the handler function', () => {
  test('runs index.handler on Node.js 24 with 256 MB, a 2-minute timeout and JSON logs in its own log group', () => {
    Template.fromStack(stackOf(accept())).hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      MemorySize: 256,
      Timeout: 120,
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: Match.stringLikeRegexp('^GuardDutyInvitationAccepterProviderHandlerLogGroup') } },
    });
  });

  test('both entry points run the accepter bundle, not the member invitations one', () => {
    const stack = newStack();
    accept({}, stack);
    new GuardDutyMemberInvitations(stack, 'Members', { members: [{ accountId: '555555555555', email: 'a@example.com' }] });
    const code = (provider: string, handler: string) =>
      Object.entries(Template.fromStack(stack).findResources('AWS::Lambda::Function', { Properties: { Handler: handler } }))
        .find(([id]) => id.startsWith(provider))![1].Properties.Code.S3Key;

    expect(code('GuardDutyInvitationAccepterProvider', 'index.handler')).toEqual(code('GuardDutyInvitationAccepterProvider', 'index.isComplete'));
    expect(code('GuardDutyInvitationAccepterProvider', 'index.handler')).not.toEqual(code('GuardDutyMemberInvitationsProvider', 'index.handler'));
  });

  test('runs with a role that has no AWS managed policy, only its own', () => {
    const stack = stackOf(accept());

    expect(Template.fromStack(stack).findResources('AWS::IAM::Role')[handlerRoleId(stack)].Properties.ManagedPolicyArns).toEqual([
      { Ref: expect.stringMatching(/^GuardDutyInvitationAccepterProviderHandlerRolePolicy/) },
    ]);
  });

  test('a missing handler bundle is an error that says to run npm run build', () => {
    const existsSync = fs.existsSync;
    const spy = jest.spyOn(fs, 'existsSync').mockImplementation((p) => !String(p).endsWith('invitation-accepter/index.js') && existsSync(p));
    try {
      expect(() => accept()).toThrow(/GuardDuty invitation accepter handler bundle is missing .*Run `npm run build`/);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('IAM', () => {
  test('with a detector and RETAIN: reads the administrator, lists and accepts invitations, in the stack\'s region only', () => {
    const stack = newStack();
    accept({ detectorId: new guardduty.CfnDetector(stack, 'Detector', { enable: true }).ref }, stack);

    expect(guardDutyStatements(stack)).toEqual([{ Effect: 'Allow', Action: ACCEPT_ACTIONS, Resource: '*', Condition: IN_STACK_REGION }]);
  });

  test('a looked-up detector adds ListDetectors', () => {
    expect(guardDutyStatements(stackOf(accept()))).toEqual([
      { Effect: 'Allow', Action: [...ACCEPT_ACTIONS, 'guardduty:ListDetectors'], Resource: '*', Condition: IN_STACK_REGION },
    ]);
  });

  test('DESTROY adds DisassociateFromAdministratorAccount; RETAIN never can leave the administrator', () => {
    expect(guardDutyStatements(stackOf(accept({ detectorId: 'abc'.repeat(11), removalPolicy: RemovalPolicy.DESTROY })))).toEqual([
      { Effect: 'Allow', Action: [...ACCEPT_ACTIONS, 'guardduty:DisassociateFromAdministratorAccount'], Resource: '*', Condition: IN_STACK_REGION },
    ]);
  });

  test('several constructs add each action once, to one statement', () => {
    const stack = newStack();
    accept({ removalPolicy: RemovalPolicy.DESTROY }, stack);
    new GuardDutyInvitationAccepter(stack, 'Second', { administratorAccountId: '444444444444', removalPolicy: RemovalPolicy.DESTROY });

    expect(guardDutyStatements(stack)).toEqual([
      {
        Effect: 'Allow',
        Action: [...ACCEPT_ACTIONS, 'guardduty:ListDetectors', 'guardduty:DisassociateFromAdministratorAccount'],
        Resource: '*',
        Condition: IN_STACK_REGION,
      },
    ]);
  });

  test('uses the stack\'s region in the condition when it is known', () => {
    const stack = newStack({ env: { account: '222222222222', region: 'eu-west-1' } });
    accept({}, stack);

    expect(guardDutyStatements(stack)).toEqual([expect.objectContaining({ Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } })]);
  });
});

describe('validation', () => {
  test.each([
    ['11 digits', '11111111111', 'administratorAccountId: account ID "11111111111" must be exactly 12 digits (it has 11 characters)'],
    ['letters', 'security', 'administratorAccountId: account ID "security" must be exactly 12 digits (it has 8 characters)'],
    ['empty', '', 'administratorAccountId: account ID "" must be exactly 12 digits (it has 0 characters)'],
  ])('an administratorAccountId of %s is refused, naming the value', (_, administratorAccountId, message) => {
    expect(() => accept({ administratorAccountId })).toThrow(message);
  });

  test('the stack\'s own account cannot be its administrator', () => {
    const stack = newStack({ env: { account: ADMIN, region: 'us-east-1' } });

    expect(() => accept({}, stack)).toThrow('administratorAccountId 111111111111 is the stack\'s own account');
  });

  test.each([
    ['an empty detectorId', '', '"" (0 characters)'],
    ['a detectorId in words', 'not a detector id!', '"not a detector id!" (18 characters)'],
    ['a detectorId over 264 characters', 'd'.repeat(265), `"${'d'.repeat(64)}…" (265 characters)`],
  ])('%s is refused, naming the value', (_, detectorId, shown) => {
    expect(() => accept({ detectorId })).toThrow(
      `detectorId must be a GuardDuty detector ID: 32 to 264 letters, digits, "_", "." or "-", as in detector.ref or ListDetectors; got ${shown}`,
    );
  });

  test('a detectorId of GuardDuty\'s 32 hexadecimal digits is accepted', () => {
    expect(() => accept({ detectorId: '12abc34d567e8fa901bc2d34e56789f0' })).not.toThrow();
  });

  test.each([Duration.seconds(30), Duration.minutes(51), Duration.millis(61_500)])('refuses an invitation timeout of %s', (invitationTimeout) => {
    expect(() => accept({ invitationTimeout })).toThrow(/invitationTimeout must be a whole number of seconds from 60 \(1 minute\) to 3000 \(50 minutes\), got /);
  });

  test.each([Duration.minutes(1), Duration.minutes(50)])('accepts an invitation timeout of %s', (invitationTimeout) => {
    expect(() => accept({ invitationTimeout })).not.toThrow();
  });

  test.each([
    [RemovalPolicy.SNAPSHOT, 'RemovalPolicy.SNAPSHOT'],
    [RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE, 'RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE'],
  ])('removalPolicy %s is refused, naming the value', (removalPolicy, name) => {
    expect(() => accept({ removalPolicy })).toThrow(`removalPolicy must be RemovalPolicy.RETAIN or RemovalPolicy.DESTROY, got ${name}`);
  });

  test('every problem is reported in one error, one per line, under the construct path', () => {
    expect(() => accept({ administratorAccountId: '123', detectorId: '', invitationTimeout: Duration.hours(2) })).toThrow(
      [
        'Invalid GuardDutyInvitationAccepter props at Member/Administrator:',
        '  administratorAccountId: account ID "123" must be exactly 12 digits (it has 3 characters)',
        '  detectorId must be a GuardDuty detector ID: 32 to 264 letters, digits, "_", "." or "-", as in detector.ref or ListDetectors; got "" (0 characters)',
        '  invitationTimeout must be a whole number of seconds from 60 (1 minute) to 3000 (50 minutes), got 2 hours',
      ].join('\n'),
    );
  });

  test('values that are tokens are left for the handler to check', () => {
    const stack = newStack();
    const administratorAccountId = new CfnParameter(stack, 'AdministratorAccountId').valueAsString;

    expect(() => accept({ administratorAccountId, detectorId: new CfnParameter(stack, 'DetectorId').valueAsString }, stack)).not.toThrow();
    expect(resourceProperties(stack)).toMatchObject({ AdministratorAccountId: { Ref: 'AdministratorAccountId' }, DetectorId: { Ref: 'DetectorId' } });
  });
});
