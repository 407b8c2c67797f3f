import { App, CfnParameter, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { GuardDutyDelegatedAdministrator, GuardDutyDelegatedAdministratorProps } from '../../lib';

const MANAGEMENT = '999999999999';
const SECURITY = '111111111111';

function newStack(env: StackProps['env'] = { account: MANAGEMENT, region: 'eu-west-1' }): Stack {
  return new Stack(new App(), 'Management', { env });
}

function delegate(props: Partial<GuardDutyDelegatedAdministratorProps> = {}, stack: Stack = newStack()): Stack {
  new GuardDutyDelegatedAdministrator(stack, 'GuardDutyAdministrator', { adminAccountId: SECURITY, ...props });
  return stack;
}

type Statement = { Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> };

function statements(stack: Stack): Statement[] {
  const template = Template.fromStack(stack);
  // The handler role's grants live in a customer managed policy (lib/private/bundled-handler.ts).
  return [...Object.entries(template.findResources('AWS::IAM::Policy')), ...Object.entries(template.findResources('AWS::IAM::ManagedPolicy'))]
    .filter(([logicalId, policy]) => `${logicalId}${JSON.stringify(policy.Properties.Roles ?? '')}`.includes('GuardDutyDelegatedAdministratorProviderHandlerRole'))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement)
    .filter((statement: Statement) => ![statement.Action].flat().some((action) => action.startsWith('logs:')));
}

function statementWith(stack: Stack, action: string): Statement | undefined {
  return statements(stack).find((statement) => [statement.Action].flat().includes(action));
}

test('the custom resource carries the account and the removal policy', () => {
  Template.fromStack(delegate({ removalPolicy: RemovalPolicy.DESTROY })).hasResourceProperties('Custom::GuardDutyDelegatedAdministrator', {
    AdminAccountId: SECURITY,
    RemovalPolicy: 'DESTROY',
  });
  Template.fromStack(delegate()).hasResourceProperties('Custom::GuardDutyDelegatedAdministrator', { RemovalPolicy: 'RETAIN' });
});

describe('IAM', () => {
  test('the GuardDuty actions are the delegated-administrator ones, held to the stack\'s region', () => {
    const stack = delegate();
    const guardDuty = statements(stack).flatMap((statement) => [statement.Action].flat()).filter((action) => action.startsWith('guardduty:'));

    expect(guardDuty.sort()).toEqual(['guardduty:DisableOrganizationAdminAccount', 'guardduty:EnableOrganizationAdminAccount', 'guardduty:ListOrganizationAdminAccounts']);
    expect(statementWith(stack, 'guardduty:EnableOrganizationAdminAccount')?.Condition).toEqual({ StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } });
  });

  test('the organizations: actions are exactly the GuardDuty user guide\'s, the two writes held to GuardDuty\'s service principal', () => {
    const stack = delegate();
    const organizations = statements(stack).flatMap((statement) => [statement.Action].flat()).filter((action) => action.startsWith('organizations:'));

    expect(organizations.sort()).toEqual(
      [
        'organizations:DescribeAccount',
        'organizations:DescribeOrganization',
        'organizations:DescribeOrganizationalUnit',
        'organizations:EnableAWSServiceAccess',
        'organizations:ListAWSServiceAccessForOrganization',
        'organizations:ListAccounts',
        'organizations:ListDelegatedAdministrators',
        'organizations:RegisterDelegatedAdministrator',
      ].sort(),
    );
    for (const write of ['organizations:EnableAWSServiceAccess', 'organizations:RegisterDelegatedAdministrator']) {
      expect(statementWith(stack, write)?.Condition).toEqual({ StringEquals: { 'organizations:ServicePrincipal': 'guardduty.amazonaws.com' } });
    }
  });

  test('grants no organization-configuration or member action', () => {
    const actions = statements(delegate()).flatMap((statement) => [statement.Action].flat());
    expect(actions.filter((action) => /OrganizationConfiguration|Members|Detector/.test(action))).toEqual([]);
  });

  test('no iam: action when another account becomes the delegated administrator', () => {
    expect(statementWith(delegate(), 'iam:CreateServiceLinkedRole')).toBeUndefined();
  });

  test('GuardDuty\'s service-linked role only, when the management account designates itself', () => {
    const statement = statementWith(delegate({ adminAccountId: MANAGEMENT }), 'iam:CreateServiceLinkedRole');

    expect(statement).toEqual({
      Action: 'iam:CreateServiceLinkedRole',
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${MANAGEMENT}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty`]] },
      Condition: { StringLike: { 'iam:AWSServiceName': 'guardduty.amazonaws.com' } },
    });
  });

  test('GuardDuty\'s service-linked role too when the stack\'s account is unknown at synth', () => {
    expect(statementWith(delegate({}, newStack({})), 'iam:CreateServiceLinkedRole')).toBeDefined();
  });
});

describe('synth-time checks name the bad value', () => {
  test.each<[string, Partial<GuardDutyDelegatedAdministratorProps>, RegExp]>([
    ['an 11-digit account', { adminAccountId: '11111111111' }, /adminAccountId: account ID "11111111111" must be exactly 12 digits \(it has 11 characters\)/],
    ['an account with a dash', { adminAccountId: '1111-1111-1111' }, /account ID "1111-1111-1111" must be exactly 12 digits/],
    ['a removal policy', { removalPolicy: RemovalPolicy.SNAPSHOT }, /removalPolicy must be RemovalPolicy.RETAIN or RemovalPolicy.DESTROY, got RemovalPolicy.SNAPSHOT/],
    ['malwareProtectionPrerequisites that is not a boolean', { malwareProtectionPrerequisites: 'yes' as unknown as boolean }, /malwareProtectionPrerequisites must be true or false, got "yes"/],
  ])('%s', (_name, props, expected) => {
    expect(() => delegate(props)).toThrow(/^Invalid GuardDutyDelegatedAdministrator props at Management\/GuardDutyAdministrator:/);
    expect(() => delegate(props)).toThrow(expected);
  });

  test('a token account is left to the handler', () => {
    const stack = newStack();
    expect(() => delegate({ adminAccountId: new CfnParameter(stack, 'Admin').valueAsString }, stack)).not.toThrow();
  });
});

// malwareProtectionPrerequisites at synth time; the handler's side is in
// malware-protection-prerequisites-handler.test.ts, the deployment in
// test/lifecycle/malware-protection-prerequisites.test.ts.
describe('malwareProtectionPrerequisites', () => {
  const PRINCIPAL = 'malware-protection.guardduty.amazonaws.com';
  const withPrerequisites = () => delegate({ malwareProtectionPrerequisites: true });

  test('on: the custom resource asks the handler for them; off (the default, or false): the property is absent, so deployed templates do not change', () => {
    Template.fromStack(withPrerequisites()).hasResourceProperties('Custom::GuardDutyDelegatedAdministrator', { MalwareProtectionPrerequisites: 'true' });
    for (const props of [{}, { malwareProtectionPrerequisites: false }]) {
      Template.fromStack(delegate(props)).hasResourceProperties('Custom::GuardDutyDelegatedAdministrator', { MalwareProtectionPrerequisites: Match.absent() });
    }
  });

  test('on: iam:CreateServiceLinkedRole for Malware Protection\'s role only, held to its service name, and EnableAWSServiceAccess for its principal only', () => {
    const stack = withPrerequisites();
    const created = statements(stack).filter((statement) => [statement.Action].flat().includes('iam:CreateServiceLinkedRole'));
    const trusted = statements(stack).filter((statement) => [statement.Action].flat().includes('organizations:EnableAWSServiceAccess'));

    expect(created).toContainEqual({
      Effect: 'Allow',
      Action: 'iam:CreateServiceLinkedRole',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${MANAGEMENT}:role/aws-service-role/${PRINCIPAL}/AWSServiceRoleForAmazonGuardDutyMalwareProtection`]] },
      Condition: { StringEquals: { 'iam:AWSServiceName': PRINCIPAL } },
    });
    expect(trusted.map((statement) => statement.Condition)).toContainEqual({ StringEquals: { 'organizations:ServicePrincipal': PRINCIPAL } });
  });

  test('never a grant to undo them (DisableAWSServiceAccess, DeleteServiceLinkedRole), and off: no grant for Malware Protection at all', () => {
    const actions = statements(withPrerequisites()).flatMap((statement) => [statement.Action].flat());

    expect(actions).not.toContain('organizations:DisableAWSServiceAccess');
    expect(actions).not.toContain('iam:DeleteServiceLinkedRole');
    expect(JSON.stringify(statements(delegate()))).not.toContain(PRINCIPAL);
  });
});
