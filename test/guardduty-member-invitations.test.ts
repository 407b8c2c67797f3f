import fs from 'fs';
import path from 'path';
import { App, Duration, CfnOutput, CfnParameter, CfnResource, CustomResource, Fn, RemovalPolicy, Stack, StackProps, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import { Construct } from 'constructs';
import { GuardDutyMemberInvitations, GuardDutyMemberInvitationsProps, MemberAccount, UnprocessedAccountsAction } from '../lib';

const MEMBERS: MemberAccount[] = [
  { accountId: '222222222222', email: 'workloads@example.com' },
  { accountId: '333333333333', email: 'sandbox@example.com' },
];

const MEMBER_ACTIONS = [
  'guardduty:GetMembers',
  'guardduty:DescribeOrganizationConfiguration',
  'guardduty:CreateMembers',
  'guardduty:InviteMembers',
  'guardduty:DisassociateMembers',
  'guardduty:DeleteMembers',
];

function newStack(props?: StackProps): Stack {
  return new Stack(new App(), 'Administrator', props);
}

function invite(props: Partial<GuardDutyMemberInvitationsProps> = {}, stack: Stack = newStack()): GuardDutyMemberInvitations {
  return new GuardDutyMemberInvitations(stack, 'Members', { members: MEMBERS, ...props });
}

function customResourceProperties(stack: Stack): Record<string, unknown> {
  const resources = Object.values(Template.fromStack(stack).findResources('Custom::GuardDutyMemberInvitations'));
  expect(resources).toHaveLength(1);
  return resources[0].Properties;
}

interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/** The logical ID of the role the handler function runs with. */
function handlerRoleId(stack: Stack): string {
  const functions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } }));
  expect(functions).toHaveLength(1);
  return functions[0].Properties.Role['Fn::GetAtt'][0];
}

/**
 * The statements of the customer managed policies attached to the handler's role (the
 * provider framework's role aside): the role has no inline policy.
 */
function handlerStatements(stack: Stack): Statement[] {
  const template = Template.fromStack(stack);
  const role = template.findResources('AWS::IAM::Role')[handlerRoleId(stack)];
  expect(role.Properties.Policies).toBeUndefined();
  const attached = (role.Properties.ManagedPolicyArns ?? []).map((arn: { Ref?: string }) => arn.Ref);
  return Object.entries(template.findResources('AWS::IAM::ManagedPolicy'))
    .filter(([id]) => attached.includes(id))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement);
}

function guardDutyStatements(stack: Stack): Statement[] {
  return handlerStatements(stack).filter((statement) => [statement.Action].flat().some((action) => action.startsWith('guardduty:')));
}

function resourceLogicalId(construct: GuardDutyMemberInvitations): string {
  const resource = construct.node.findChild('Resource') as CustomResource;
  return Stack.of(construct).getLogicalId(resource.node.defaultChild as CfnResource);
}

describe('the custom resource', () => {
  test('is one Custom::GuardDutyMemberInvitations with the construct ID "Resource"', () => {
    const construct = invite();

    Template.fromStack(Stack.of(construct)).resourceCountIs('Custom::GuardDutyMemberInvitations', 1);
    expect(construct.node.findChild('Resource')).toBeInstanceOf(CustomResource);
  });

  test('is backed by the shared provider framework function', () => {
    const stack = invite().node.scope as Stack;

    Template.fromStack(stack).hasResourceProperties('Custom::GuardDutyMemberInvitations', {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GuardDutyMemberInvitationsProviderframeworkonEvent'), 'Arn'] },
    });
  });

  test('has exactly the properties of the invitation contract', () => {
    const stack = newStack();
    const detector = new guardduty.CfnDetector(stack, 'Detector', { enable: true });
    invite({ detectorId: detector.ref, message: 'Welcome' }, stack);

    expect(Object.keys(customResourceProperties(stack)).sort()).toEqual(
      ['DetectorId', 'DisableEmailNotification', 'MemberList', 'Message', 'OnUnprocessed', 'RemovalPolicy', 'ServiceToken', 'VerificationTimeoutSeconds'],
    );
  });

  test('lists the members as { AccountId, Email }, in order, in the asset the handler reads (never in the template)', () => {
    const stack = invite().node.scope as Stack;
    const assembly = (stack.node.scope as App).synth();
    const key = (customResourceProperties(stack).MemberList as { Key: string }).Key;

    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toContain('@example.com');
    expect(JSON.parse(fs.readFileSync(path.join(assembly.directory, `asset.${key}`), 'utf8'))).toEqual([
      { AccountId: '222222222222', Email: 'workloads@example.com' },
      { AccountId: '333333333333', Email: 'sandbox@example.com' },
    ]);
  });

  test('omits DetectorId when no detector is given, so the handler looks it up', () => {
    const stack = invite().node.scope as Stack;

    expect(customResourceProperties(stack)).not.toHaveProperty('DetectorId');
  });

  test('passes the detector ID given', () => {
    const stack = newStack();
    const detector = new guardduty.CfnDetector(stack, 'Detector', { enable: true });
    invite({ detectorId: detector.ref }, stack);

    expect(customResourceProperties(stack).DetectorId).toEqual({ Ref: 'Detector' });
  });

  test('omits Message by default, so GuardDuty sends its own text', () => {
    const stack = invite().node.scope as Stack;

    expect(customResourceProperties(stack)).not.toHaveProperty('Message');
  });

  test('passes the message given', () => {
    const stack = invite({ message: 'Please accept the invitation.' }).node.scope as Stack;

    expect(customResourceProperties(stack).Message).toBe('Please accept the invitation.');
  });

  test('sends DisableEmailNotification as the string "false" by default', () => {
    const stack = invite().node.scope as Stack;

    expect(customResourceProperties(stack).DisableEmailNotification).toBe('false');
  });

  test('sends DisableEmailNotification as the string "true" when email is disabled', () => {
    const stack = invite({ disableEmailNotification: true }).node.scope as Stack;

    expect(customResourceProperties(stack).DisableEmailNotification).toBe('true');
  });

  test('fails on unprocessed accounts by default (OnUnprocessed "FAIL")', () => {
    const stack = invite().node.scope as Stack;

    expect(customResourceProperties(stack).OnUnprocessed).toBe('FAIL');
  });

  test('passes OnUnprocessed "REPORT" when chosen', () => {
    const stack = invite({ onUnprocessed: UnprocessedAccountsAction.REPORT }).node.scope as Stack;

    expect(customResourceProperties(stack).OnUnprocessed).toBe('REPORT');
  });

  test('retains members by default (RemovalPolicy "RETAIN")', () => {
    const stack = invite().node.scope as Stack;

    expect(customResourceProperties(stack).RemovalPolicy).toBe('RETAIN');
  });

  test('passes RemovalPolicy "DESTROY" when chosen', () => {
    const stack = invite({ removalPolicy: RemovalPolicy.DESTROY }).node.scope as Stack;

    expect(customResourceProperties(stack).RemovalPolicy).toBe('DESTROY');
  });

  test('is always deleted by CloudFormation, so the handler receives the Delete even when members are retained', () => {
    const stack = invite({ removalPolicy: RemovalPolicy.RETAIN }).node.scope as Stack;

    Template.fromStack(stack).hasResource('Custom::GuardDutyMemberInvitations', {
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
    });
  });
});

describe('email verification wait', () => {
  test('waits 15 minutes by default (VerificationTimeoutSeconds "900")', () => {
    expect(customResourceProperties(invite().node.scope as Stack).VerificationTimeoutSeconds).toBe('900');
  });

  test('passes the timeout given, in seconds', () => {
    const stack = invite({ verificationTimeout: Duration.minutes(5) }).node.scope as Stack;
    expect(customResourceProperties(stack).VerificationTimeoutSeconds).toBe('300');
  });

  test('waitForVerification false sends "0": no wait', () => {
    const stack = invite({ waitForVerification: false }).node.scope as Stack;
    expect(customResourceProperties(stack).VerificationTimeoutSeconds).toBe('0');
  });

  test.each([Duration.seconds(30), Duration.minutes(51), Duration.millis(61_500)])('refuses a timeout of %s', (timeout) => {
    expect(() => invite({ verificationTimeout: timeout })).toThrow(/verificationTimeout must be a whole number of seconds from 60 \(1 minute\) to 3000 \(50 minutes\), got /);
  });

  test('the provider polls index.isComplete every 30 seconds for at most an hour, above the longest timeout allowed', () => {
    const template = Template.fromStack(invite().node.scope as Stack);
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.isComplete', Runtime: 'nodejs24.x' });
    const definition = JSON.stringify(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(definition).toMatch(/\\"IntervalSeconds\\":30/);
    expect(definition).toMatch(/\\"MaxAttempts\\":120/);
  });

  test('the waiter state machine logs transitions but never the execution data, which holds the member emails', () => {
    Template.fromStack(invite().node.scope as Stack).hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
    });
  });
});

describe('request size', () => {
  test('fleets that once passed the request limits (5,000 long emails, with the wait) now synthesize: their list goes into an asset', () => {
    const members = Array.from({ length: 5_000 }, (_, i) => ({ accountId: String(200000000000 + i), email: `aws-root+guardduty-member-${200000000000 + i}-security-ops@example.com` }));
    const stack = newStack();
    invite({ members }, stack);

    expect(customResourceProperties(stack)).toHaveProperty('MemberList.AccountCount', '5000');
  });
});

describe('the shared provider', () => {
  test('two constructs in one stack share one handler function and one provider', () => {
    const stack = newStack();
    new GuardDutyMemberInvitations(stack, 'First', { members: MEMBERS });
    new GuardDutyMemberInvitations(stack, 'Second', { members: [{ accountId: '444444444444', email: 'data@example.com' }] });
    const template = Template.fromStack(stack);

    // The handler's two entry points and the provider framework's three functions.
    template.resourceCountIs('AWS::Lambda::Function', 5);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.resourceCountIs('Custom::GuardDutyMemberInvitations', 2);
    const tokens = Object.values(template.findResources('Custom::GuardDutyMemberInvitations')).map((r) => r.Properties.ServiceToken);
    expect(tokens[0]).toEqual(tokens[1]);
  });

  test('each stack has its own provider', () => {
    const app = new App();
    const first = new Stack(app, 'First');
    const second = new Stack(app, 'Second');
    invite({}, first);
    invite({}, second);

    Template.fromStack(first).resourceCountIs('AWS::Lambda::Function', 5);
    Template.fromStack(second).resourceCountIs('AWS::Lambda::Function', 5);
  });

  test('sits at stack level with the construct IDs GuardDutyMemberInvitationsProvider, Handler and Provider, wherever the construct is', () => {
    const stack = newStack();
    new GuardDutyMemberInvitations(new Construct(new Construct(stack, 'Security'), 'GuardDuty'), 'Members', { members: MEMBERS });

    const provider = stack.node.findChild('GuardDutyMemberInvitationsProvider');
    expect(provider.node.tryFindChild('Handler')).toBeDefined();
    expect(provider.node.tryFindChild('Provider')).toBeDefined();
  });

  test('refuses a stack whose construct ID GuardDutyMemberInvitationsProvider is taken by another construct', () => {
    const stack = newStack();
    new Construct(stack, 'GuardDutyMemberInvitationsProvider');

    expect(() => invite({}, stack)).toThrow('The construct ID "GuardDutyMemberInvitationsProvider" is reserved');
  });
});

describe('the handler function', () => {
  test('runs index.handler on Node.js 24 with 256 MB, a 10-minute timeout and JSON logs in its own log group', () => {
    const stack = invite().node.scope as Stack;

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      MemorySize: 256,
      Timeout: 600,
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: Match.stringLikeRegexp('^GuardDutyMemberInvitationsProviderHandlerLogGroup') } },
    });
  });

  test('keeps its log, the record of invited and unprocessed accounts, for one year and after the stack is deleted', () => {
    const template = Template.fromStack(invite().node.scope as Stack);
    const logGroups = template.findResources('AWS::Logs::LogGroup');
    const handlerLogGroup = Object.entries(logGroups).find(([id]) => id.startsWith('GuardDutyMemberInvitationsProviderHandlerLogGroup'))?.[1];

    expect(handlerLogGroup).toMatchObject({ Properties: { RetentionInDays: 365 }, DeletionPolicy: 'Retain' });
  });

  test('runs with a role that has no AWS managed policy (it writes only to its own log group)', () => {
    const stack = invite().node.scope as Stack;
    const handlerRole = Template.fromStack(stack).findResources('AWS::IAM::Role')[handlerRoleId(stack)];

    expect(handlerRole.Properties.ManagedPolicyArns).toEqual([{ Ref: expect.stringMatching(/^GuardDutyMemberInvitationsProviderHandlerRolePolicy/) }]);
    expect(handlerStatements(stack)).toContainEqual({
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^GuardDutyMemberInvitationsProviderHandlerLogGroup/), 'Arn'] },
    });
  });

  test('the provider framework function logs at FATAL only, so the request and its member emails are never logged', () => {
    const stack = invite().node.scope as Stack;

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'framework.onEvent',
      LoggingConfig: Match.objectLike({ ApplicationLogLevel: 'FATAL' }),
    });
  });

  test('the provider framework logs to a log group that expires', () => {
    const stack = invite().node.scope as Stack;

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'framework.onEvent',
      LoggingConfig: Match.objectLike({ LogGroup: { Ref: Match.stringLikeRegexp('^GuardDutyMemberInvitationsProviderProviderLogGroup') } }),
    });
  });

  test('a missing handler bundle is an error that says to run npm run build', () => {
    const existsSync = fs.existsSync;
    const spy = jest.spyOn(fs, 'existsSync').mockImplementation((p) => !String(p).endsWith('member-invitations/index.js') && existsSync(p));
    try {
      expect(() => invite()).toThrow(/handler bundle is missing .*Run `npm run build`/);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('IAM', () => {
  // The GuardDuty Service Authorization Reference lists no resource type for these
  // actions, so IAM only matches them against "*"; the statement is held to the region.
  const inRegion = (region: unknown) => ({ StringEquals: { 'aws:RequestedRegion': region } });

  test('grants exactly the five member actions, on "*" held to the stack\'s region', () => {
    const stack = newStack();
    const detector = new guardduty.CfnDetector(stack, 'Detector', { enable: true });
    invite({ detectorId: detector.ref }, stack);

    expect(guardDutyStatements(stack)).toEqual([
      { Effect: 'Allow', Action: MEMBER_ACTIONS, Resource: '*', Condition: inRegion({ Ref: 'AWS::Region' }) },
    ]);
  });

  test('uses the stack\'s region when it is known', () => {
    const stack = newStack({ env: { account: '111111111111', region: 'eu-west-1' } });
    invite({ detectorId: 'abcdef0123456789abcdef0123456789' }, stack);

    expect(guardDutyStatements(stack)).toEqual([{ Effect: 'Allow', Action: MEMBER_ACTIONS, Resource: '*', Condition: inRegion('eu-west-1') }]);
  });

  test('a looked-up detector adds ListDetectors, and only then', () => {
    const stack = invite().node.scope as Stack;

    expect(guardDutyStatements(stack)).toEqual([
      { Effect: 'Allow', Action: [...MEMBER_ACTIONS, 'guardduty:ListDetectors'], Resource: '*', Condition: inRegion({ Ref: 'AWS::Region' }) },
    ]);
  });

  test('several constructs share one statement, each action once', () => {
    const stack = newStack();
    invite({}, stack);
    new GuardDutyMemberInvitations(stack, 'Other', { members: MEMBERS });
    new GuardDutyMemberInvitations(stack, 'Third', { detectorId: 'f'.repeat(32), members: [{ accountId: '555555555555', email: 'x@example.com' }] });

    expect(guardDutyStatements(stack)).toEqual([
      { Effect: 'Allow', Action: [...MEMBER_ACTIONS, 'guardduty:ListDetectors'], Resource: '*', Condition: inRegion({ Ref: 'AWS::Region' }) },
    ]);
  });
});

describe('outputs', () => {
  test('REPORT adds the outputs UnprocessedAccountIds and UnprocessedAccountCount, read from the resource', () => {
    const construct = invite({ onUnprocessed: UnprocessedAccountsAction.REPORT });
    const stack = Stack.of(construct);
    const resourceId = resourceLogicalId(construct);
    const template = Template.fromStack(stack);

    for (const name of ['UnprocessedAccountIds', 'UnprocessedAccountCount']) {
      const output = construct.node.findChild(name) as CfnOutput;
      expect(output).toBeInstanceOf(CfnOutput);
      template.hasOutput(stack.getLogicalId(output), {
        Description: Match.stringLikeRegexp('.+'),
        Value: { 'Fn::GetAtt': [resourceId, name] },
      });
    }
  });

  test('FAIL adds no outputs', () => {
    const stack = invite({ onUnprocessed: UnprocessedAccountsAction.FAIL }).node.scope as Stack;

    expect(Template.fromStack(stack).findOutputs('*')).toEqual({});
  });
});

describe('attributes', () => {
  test.each([
    ['unprocessedAccountIds', 'UnprocessedAccountIds'],
    ['unprocessedAccountCount', 'UnprocessedAccountCount'],
    ['invitedAccountIds', 'InvitedAccountIds'],
    ['organizationAccountIds', 'OrganizationAccountIds'],
    ['organizationAccountCount', 'OrganizationAccountCount'],
    ['invitationAccountCount', 'InvitationAccountCount'],
    ['suspendedAccountIds', 'SuspendedAccountIds'],
    ['suspendedAccountCount', 'SuspendedAccountCount'],
    ['selectedAccountCount', 'SelectedAccountCount'],
    ['detectorId', 'DetectorId'],
  ] as const)('%s reads the resource attribute %s', (property, attribute) => {
    const construct = invite();
    const stack = Stack.of(construct);
    const resourceId = resourceLogicalId(construct);

    expect(Token.isUnresolved(construct[property])).toBe(true);
    expect(stack.resolve(construct[property])).toEqual({ 'Fn::GetAtt': [resourceId, attribute] });
  });
});

describe('validation', () => {
  const tooShort = { accountId: '12345', email: 'short@example.com' };

  test('requires at least one member', () => {
    expect(() => invite({ members: [] })).toThrow('members must declare at least one account');
  });

  test('an account ID that is not 12 digits is named by its position', () => {
    expect(() => invite({ members: [...MEMBERS, tooShort] })).toThrow('members[2]: account ID "12345" must be exactly 12 digits (it has 5 characters)');
  });

  test('an invalid email is named by its position, with the address', () => {
    expect(() => invite({ members: [{ accountId: '222222222222', email: 'not-an-email' }] })).toThrow(
      'members[0]: email must contain exactly one "@", it has 0 (got "not-an-email")',
    );
  });

  test('an email longer than GuardDuty accepts is refused', () => {
    const email = `${'a'.repeat(60)}@example.com`;

    expect(() => invite({ members: [{ accountId: '222222222222', email }] })).toThrow('members[0]: email must be 1 to 64 characters long');
  });

  test('an account declared twice is named', () => {
    expect(() => invite({ members: [...MEMBERS, { accountId: '222222222222', email: 'again@example.com' }] })).toThrow(
      'declared more than once: 222222222222',
    );
  });

  test('the stack\'s own account cannot be a member', () => {
    const stack = newStack({ env: { account: '222222222222', region: 'us-east-1' } });

    expect(() => invite({}, stack)).toThrow('members[0]: account 222222222222 is the stack\'s own account');
  });

  test('a member that is not an object is named', () => {
    expect(() => invite({ members: [MEMBERS[0], null as unknown as MemberAccount] })).toThrow('members[1]: must be { accountId, email }');
  });

  test.each([
    ['an empty detectorId', '', '"" (0 characters)'],
    ['a detectorId in words', 'not a detector id!', '"not a detector id!" (18 characters)'],
    ['a detectorId shorter than 32 characters', 'abcdef0123456789', '"abcdef0123456789" (16 characters)'],
    ['a detectorId over 264 characters', 'd'.repeat(265), `"${'d'.repeat(64)}…" (265 characters)`],
    ['a detector ARN', `arn:aws:guardduty:us-east-1:111111111111:detector/${'a'.repeat(32)}`, `"arn:aws:guardduty:us-east-1:111111111111:detector/${'a'.repeat(14)}…" (82 characters)`],
  ])('%s is refused, naming the value', (_, detectorId, shown) => {
    expect(() => invite({ detectorId })).toThrow(
      `detectorId must be a GuardDuty detector ID: 32 to 264 letters, digits, "_", "." or "-", as in detector.ref or ListDetectors; got ${shown}`,
    );
  });

  test.each([
    ['GuardDuty\'s 32 hexadecimal digits', '12abc34d567e8fa901bc2d34e56789f0'],
    ['the longest the ARN allows', 'D_.-'.repeat(66)],
  ])('a detectorId of %s is accepted', (_, detectorId) => {
    expect(() => invite({ detectorId })).not.toThrow();
  });

  test('a detectorId that is a token is left for the handler to check', () => {
    const stack = newStack();
    const parameter = new CfnParameter(stack, 'DetectorId');
    expect(() => invite({ detectorId: parameter.valueAsString }, stack)).not.toThrow();
  });

  test('a message that is not a string is refused', () => {
    expect(() => invite({ message: 42 as unknown as string })).toThrow('message must be a string, got number');
  });

  test('a message longer than the handler accepts is refused', () => {
    expect(() => invite({ message: 'x'.repeat(10_001) })).toThrow('message must be at most 10000 characters, it has 10001');
  });

  test.each([
    [RemovalPolicy.SNAPSHOT, 'RemovalPolicy.SNAPSHOT'],
    [RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE, 'RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE'],
  ])('removalPolicy %s is refused, naming the value', (removalPolicy, name) => {
    expect(() => invite({ removalPolicy })).toThrow(`removalPolicy must be RemovalPolicy.RETAIN or RemovalPolicy.DESTROY, got ${name}`);
  });

  test('an onUnprocessed that is not an UnprocessedAccountsAction is refused', () => {
    expect(() => invite({ onUnprocessed: 'IGNORE' as UnprocessedAccountsAction })).toThrow(
      'onUnprocessed must be UnprocessedAccountsAction.FAIL or UnprocessedAccountsAction.REPORT, got "IGNORE"',
    );
  });

  test('every problem is reported in one error, one per line, under the construct path', () => {
    const members = [tooShort, { accountId: '222222222222', email: 'no-at-sign' }];

    expect(() => invite({ members, detectorId: '' })).toThrow(
      [
        'Invalid GuardDutyMemberInvitations props at Administrator/Members:',
        '  members[0]: account ID "12345" must be exactly 12 digits (it has 5 characters)',
        '  members[1]: email must contain exactly one "@", it has 0 (got "no-at-sign")',
        '  detectorId must be a GuardDuty detector ID: 32 to 264 letters, digits, "_", "." or "-", as in detector.ref or ListDetectors; got "" (0 characters)',
      ].join('\n'),
    );
  });

  test('lists at most 20 problems and counts the rest', () => {
    const members = Array.from({ length: 25 }, (_, i) => ({ accountId: String(i), email: `m${i}@example.com` }));

    let message = '';
    try {
      invite({ members });
    } catch (error) {
      message = (error as Error).message;
    }
    const lines = message.split('\n');
    expect(lines).toHaveLength(22);
    expect(lines[20]).toContain('members[19]');
    expect(lines[21]).toBe('  … and 5 more');
  });

  test('values that are tokens are left for the handler to check', () => {
    const stack = newStack();
    const accountId = new CfnParameter(stack, 'MemberAccountId').valueAsString;
    const email = Fn.importValue('MemberEmail');

    expect(() => invite({
      members: [{ accountId, email }, { accountId, email }],
      detectorId: new CfnParameter(stack, 'DetectorId').valueAsString,
      message: new CfnParameter(stack, 'Message').valueAsString,
    }, stack)).not.toThrow();
    expect(customResourceProperties(stack).Members).toEqual([
      { AccountId: { Ref: 'MemberAccountId' }, Email: { 'Fn::ImportValue': 'MemberEmail' } },
      { AccountId: { Ref: 'MemberAccountId' }, Email: { 'Fn::ImportValue': 'MemberEmail' } },
    ]);
  });
});
