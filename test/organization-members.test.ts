import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { GuardDutyMemberInvitations, GuardDutyMemberInvitationsProps, GuardDutyMembershipMonitor, OrganizationMembers } from '../lib';

/**
 * `organizationMembers` on GuardDutyMemberInvitations: what the template holds, the
 * Organizations grants, and the synth-time checks (each naming the value and the prop).
 */
const OUTSIDE = { accountId: '222222222222', email: 'outside@example.com' };
const WORKLOADS = 'ou-ab12-11111111';
const SANDBOX = 'ou-ab12-22222222';

function newStack(): Stack {
  return new Stack(new App(), 'Administrator', { env: { account: '111111111111', region: 'eu-west-1' } });
}

function invite(props: Partial<GuardDutyMemberInvitationsProps>, stack: Stack = newStack()): GuardDutyMemberInvitations {
  return new GuardDutyMemberInvitations(stack, 'Members', { detectorId: 'a'.repeat(32), ...props });
}

function resourceProperties(stack: Stack): Record<string, unknown> {
  const resources = Object.values(Template.fromStack(stack).findResources('Custom::GuardDutyMemberInvitations'));
  expect(resources).toHaveLength(1);
  return resources[0].Properties;
}

/** Every statement of the handler role's policies that grants an Organizations action. */
function organizationsStatements(stack: Stack): Array<Record<string, unknown>> {
  return Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>)
    .filter((statement) => [statement.Action].flat().some((action) => String(action).startsWith('organizations:')));
}

describe('the template holds the selection, not the accounts', () => {
  test('OUs, exclusions and the outside accounts', () => {
    const stack = newStack();
    invite({ members: [OUTSIDE], organizationMembers: OrganizationMembers.underOrganizationalUnits([WORKLOADS, SANDBOX], { excludeAccountIds: ['444444444444'] }) }, stack);

    expect(resourceProperties(stack)).toMatchObject({
      MemberList: expect.objectContaining({ AccountCount: '1', FirstAccountIds: OUTSIDE.accountId }),
      OrganizationMembers: { Scope: 'ORGANIZATIONAL_UNITS', ParentIds: [WORKLOADS, SANDBOX], ExcludeAccountIds: ['444444444444'], Refresh: expect.stringMatching(/^[0-9a-f-]{36}$/) },
    });
  });

  test('the whole organization, without members: no ParentIds, an empty Members', () => {
    const stack = newStack();
    invite({ organizationMembers: OrganizationMembers.wholeOrganization() }, stack);

    const properties = resourceProperties(stack);
    expect(properties.Members).toEqual([]);
    expect(properties.OrganizationMembers).toEqual({ Scope: 'ORGANIZATION', Refresh: expect.any(String) });
  });

  test('every synthesis changes Refresh, so every deployment is an Update that lists the organization again', () => {
    const synthesize = () => {
      const stack = newStack();
      invite({ organizationMembers: OrganizationMembers.underOrganizationalUnits([WORKLOADS]) }, stack);
      return (resourceProperties(stack).OrganizationMembers as Record<string, unknown>).Refresh;
    };

    expect(synthesize()).not.toEqual(synthesize());
  });

  test('resolveOnEveryDeployment false: no Refresh, the same properties on every synthesis', () => {
    const synthesize = () => {
      const stack = newStack();
      invite({ organizationMembers: OrganizationMembers.underOrganizationalUnits([WORKLOADS], { resolveOnEveryDeployment: false }) }, stack);
      return resourceProperties(stack);
    };

    expect(synthesize()).toEqual(synthesize());
    expect(synthesize().OrganizationMembers).toEqual({ Scope: 'ORGANIZATIONAL_UNITS', ParentIds: [WORKLOADS] });
  });

  test('the attributes are the custom resource\'s', () => {
    const stack = newStack();
    const members = invite({ organizationMembers: OrganizationMembers.wholeOrganization() }, stack);

    expect(stack.resolve(members.suspendedAccountIds)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Members/), 'SuspendedAccountIds'] });
    expect(stack.resolve(members.suspendedAccountCount)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Members/), 'SuspendedAccountCount'] });
    expect(stack.resolve(members.selectedAccountCount)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Members/), 'SelectedAccountCount'] });
    expect(members.memberAccountIds).toEqual([]);
  });
});

describe('IAM: Organizations reads only for a selection, only those it calls', () => {
  test('no selection: no organizations action', () => {
    const stack = newStack();
    invite({ members: [OUTSIDE] }, stack);

    expect(organizationsStatements(stack)).toEqual([]);
  });

  test('the whole organization: ListAccounts only', () => {
    const stack = newStack();
    invite({ organizationMembers: OrganizationMembers.wholeOrganization() }, stack);

    expect(organizationsStatements(stack)).toEqual([{ Effect: 'Allow', Action: 'organizations:ListAccounts', Resource: '*' }]);
  });

  test('OUs: ListAccountsForParent and ListOrganizationalUnitsForParent only', () => {
    const stack = newStack();
    invite({ organizationMembers: OrganizationMembers.underOrganizationalUnits([WORKLOADS]) }, stack);

    expect(organizationsStatements(stack)).toEqual([
      { Effect: 'Allow', Action: ['organizations:ListAccountsForParent', 'organizations:ListOrganizationalUnitsForParent'], Resource: '*' },
    ]);
  });

  test('several constructs share one statement, each action once', () => {
    const stack = newStack();
    invite({ organizationMembers: OrganizationMembers.underOrganizationalUnits([WORKLOADS]) }, stack);
    new GuardDutyMemberInvitations(stack, 'Sandbox', { detectorId: 'a'.repeat(32), organizationMembers: OrganizationMembers.underOrganizationalUnits([SANDBOX]) });
    new GuardDutyMemberInvitations(stack, 'Everyone', { detectorId: 'a'.repeat(32), organizationMembers: OrganizationMembers.wholeOrganization() });

    expect(organizationsStatements(stack)).toEqual([
      { Effect: 'Allow', Action: ['organizations:ListAccountsForParent', 'organizations:ListOrganizationalUnitsForParent', 'organizations:ListAccounts'], Resource: '*' },
    ]);
  });
});

describe('synth-time checks name the value and where it came from', () => {
  const BAD_SELECTIONS: Array<[string, Partial<GuardDutyMemberInvitationsProps>, string]> = [
    ['neither members nor a selection', { members: undefined }, 'members must be a list of { accountId, email } (or give organizationMembers)'],
    ['an empty members list without a selection', { members: [] }, 'members must declare at least one account (or give organizationMembers)'],
    ['a malformed OU ID', { organizationMembers: OrganizationMembers.underOrganizationalUnits(['ou-ab12-111']) }, 'organizationMembers.parentIds[0]: "ou-ab12-111" is not a root ID (r-xxxx) or an organizational unit ID (ou-xxxx-xxxxxxxx)'],
    ['an OU ID in capitals', { organizationMembers: OrganizationMembers.underOrganizationalUnits([WORKLOADS, 'OU-AB12-33333333']) }, 'organizationMembers.parentIds[1]: "OU-AB12-33333333" is not a root ID'],
    ['a malformed root ID', { organizationMembers: OrganizationMembers.underOrganizationalUnits(['r-ab']) }, 'organizationMembers.parentIds[0]: "r-ab" is not a root ID'],
    ['an account ID where an OU belongs', { organizationMembers: OrganizationMembers.underOrganizationalUnits(['333333333333']) }, 'organizationMembers.parentIds[0]: "333333333333" is not a root ID'],
    ['no OU at all', { organizationMembers: OrganizationMembers.underOrganizationalUnits([]) }, 'organizationMembers.parentIds must name at least one organizational unit or root'],
    ['an OU named twice', { organizationMembers: OrganizationMembers.underOrganizationalUnits([WORKLOADS, SANDBOX, WORKLOADS]) }, 'organizationMembers.parentIds: each organizational unit may be named once; named more than once: ou-ab12-11111111'],
    ['an excluded ID of 11 digits', { organizationMembers: OrganizationMembers.wholeOrganization({ excludeAccountIds: ['44444444444'] }) }, 'organizationMembers.excludeAccountIds[0]: account ID "44444444444" must be exactly 12 digits (it has 11 characters)'],
    ['an account excluded twice', { organizationMembers: OrganizationMembers.wholeOrganization({ excludeAccountIds: ['444444444444', '444444444444'] }) }, 'organizationMembers.excludeAccountIds: each account may be excluded once; excluded more than once: 444444444444'],
    ['an account both declared and excluded', { members: [OUTSIDE], organizationMembers: OrganizationMembers.wholeOrganization({ excludeAccountIds: [OUTSIDE.accountId] }) }, 'organizationMembers.excludeAccountIds excludes 222222222222, which members also declares: an account is either a member or excluded'],
  ];

  test.each(BAD_SELECTIONS)('%s fails cdk synth, naming it', (_, props, message) => {
    expect(() => invite(props)).toThrow(message);
    expect(() => invite(props)).toThrow(/^Invalid GuardDutyMemberInvitations props at Administrator\/Members:/);
  });

  test('a selection alone, and a root ID, are accepted', () => {
    expect(() => invite({ organizationMembers: OrganizationMembers.underOrganizationalUnits(['r-ab12', WORKLOADS]) })).not.toThrow();
  });

  test('OU and account IDs that are tokens are left for the handler to check', () => {
    const stack = newStack();
    const ou = new CfnParameter(stack, 'WorkloadsOu').valueAsString;
    const account = new CfnParameter(stack, 'BreakGlassAccount').valueAsString;

    expect(() => invite({ organizationMembers: OrganizationMembers.underOrganizationalUnits([ou, ou], { excludeAccountIds: [account] }) }, stack)).not.toThrow();
    expect(resourceProperties(stack).OrganizationMembers).toMatchObject({ ParentIds: [{ Ref: 'WorkloadsOu' }, { Ref: 'WorkloadsOu' }], ExcludeAccountIds: [{ Ref: 'BreakGlassAccount' }] });
  });

  test('the membership monitor refuses a selection: its declaration is known only at deploy time', () => {
    const stack = newStack();
    const invitations = invite({ members: [OUTSIDE], organizationMembers: OrganizationMembers.wholeOrganization() }, stack);

    expect(() => new GuardDutyMembershipMonitor(stack, 'Monitor', { invitations })).toThrow(
      'Administrator/Members selects members from AWS Organizations at deploy time (organizationMembers)',
    );
  });
});
