import { App, Stack, Stage } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  AwsPartition,
  FindingPublishingFrequency,
  GuardDutyOrganizationRollout,
  GuardDutyOrganizationRolloutProps,
  IRolloutStackPlacement,
  MemberAccount,
  OrganizationAutoEnable,
  OrganizationMembers,
  RolloutStackRole,
} from '../../lib';

const MANAGEMENT = '999999999999';
const ADMINISTRATOR = '111111111111';
const OUTSIDE: MemberAccount[] = [
  { accountId: '444444444444', email: 'aws-root+partner@example.com' },
  { accountId: '555555555555', email: 'aws-root+shop@example.com' },
];
const REGIONS = ['us-east-1', 'eu-west-1'];

// Without the built-in CloudFormation validation, a fifth of each synthesis: the test of
// the stacks' contents below keeps it.
function rollout(props: Partial<GuardDutyOrganizationRolloutProps> = {}, scope: Construct = new App()): GuardDutyOrganizationRollout {
  return new GuardDutyOrganizationRollout(scope, 'GuardDuty', {
    managementAccountId: MANAGEMENT,
    administratorAccountId: ADMINISTRATOR,
    autoEnableOrganizationMembers: OrganizationAutoEnable.NEW,
    organizationMembers: OrganizationMembers.wholeOrganization(),
    members: OUTSIDE,
    regions: REGIONS,
    ...props,
  });
}
type Construct = App | Stage;

function synthError(props: Partial<GuardDutyOrganizationRolloutProps>): string {
  try {
    rollout(props);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the rollout to fail synth');
}

// One synthesis per app (a second synth() returns the same assembly); Template.fromStack
// would synthesize the whole app again for every stack.
const templateOf = (stack: Stack) => Template.fromJSON(Stage.of(stack)!.synth().getStackArtifact(stack.artifactId).template);

const dependencyIds = (stack: Stack) => stack.dependencies.map((dependency) => dependency.node.path);

test('one stack per account and region, each in its own environment and named after its role', () => {
  const guardDuty = rollout();

  expect(guardDuty.regions).toEqual(REGIONS);
  expect(guardDuty.stacks).toHaveLength(REGIONS.length * (2 + OUTSIDE.length));
  for (const region of REGIONS) {
    const management = guardDuty.managementStack(region);
    const administrator = guardDuty.administratorStack(region);
    expect([management.account, management.region, management.stackName]).toEqual([MANAGEMENT, region, `GuardDuty-Management-${region}`]);
    expect([administrator.account, administrator.region, administrator.stackName]).toEqual([ADMINISTRATOR, region, `GuardDuty-Administrator-${region}`]);
    for (const { accountId } of OUTSIDE) {
      const member = guardDuty.memberStack(accountId, region);
      expect([member.account, member.region, member.stackName]).toEqual([accountId, region, `GuardDuty-Member-${accountId}-${region}`]);
    }
  }
});

test('the management stack designates the administrator; the administrator stack configures the organization, then invites its members', () => {
  const guardDuty = rollout({}, new App());

  templateOf(guardDuty.managementStack('eu-west-1')).hasResourceProperties('Custom::GuardDutyDelegatedAdministrator', { AdminAccountId: ADMINISTRATOR });
  const administrator = templateOf(guardDuty.administratorStack('eu-west-1'));
  administrator.hasResourceProperties('Custom::GuardDutyOrganizationConfiguration', { AutoEnableOrganizationMembers: 'NEW' });
  administrator.hasResource('Custom::GuardDutyMemberInvitations', {
    Properties: Match.objectLike({ OrganizationMembers: Match.objectLike({ Scope: 'ORGANIZATION' }), MemberList: Match.objectLike({ AccountCount: '2' }) }),
    DependsOn: Match.arrayWith([Match.stringLikeRegexp('OrganizationConfiguration')]),
  });
  // The delegated administrator's detector comes with the designation: none declared.
  administrator.resourceCountIs('AWS::GuardDuty::Detector', 0);

  expect(Object.values(administrator.findResources('Custom::GuardDutyMemberInvitations'))[0].Properties.DisableEmailNotification).toBe('false');
  const member = templateOf(guardDuty.memberStack('444444444444', 'eu-west-1'));
  member.resourceCountIs('AWS::GuardDuty::Detector', 1);
  member.hasResourceProperties('Custom::GuardDutyInvitationAccepter', { AdministratorAccountId: ADMINISTRATOR, DetectorId: { Ref: Match.stringLikeRegexp('Detector') } });
});

test('each region is ordered management, administrator, outside accounts, and no region waits for another', () => {
  const guardDuty = rollout();

  for (const region of REGIONS) {
    expect(dependencyIds(guardDuty.managementStack(region))).toEqual([]);
    expect(dependencyIds(guardDuty.administratorStack(region))).toEqual([guardDuty.managementStack(region).node.path]);
    for (const { accountId } of OUTSIDE) {
      expect(dependencyIds(guardDuty.memberStack(accountId, region))).toEqual([guardDuty.administratorStack(region).node.path]);
    }
  }
});

test('a region override changes that region only', () => {
  const guardDuty = rollout({
    features: [{ name: 'S3_DATA_EVENTS', autoEnable: OrganizationAutoEnable.NEW }],
    regionOverrides: [
      {
        region: 'eu-west-1',
        autoEnableOrganizationMembers: OrganizationAutoEnable.ALL,
        features: [{ name: 'RDS_LOGIN_EVENTS', autoEnable: OrganizationAutoEnable.ALL }],
        organizationMembers: OrganizationMembers.underOrganizationalUnits(['ou-ab12-eu000001']),
        excludeMemberAccountIds: ['555555555555'],
      },
    ],
  });

  const configuration = (region: string) => templateOf(guardDuty.administratorStack(region)).findResources('Custom::GuardDutyOrganizationConfiguration');
  expect(Object.values(configuration('us-east-1'))[0].Properties).toMatchObject({ AutoEnableOrganizationMembers: 'NEW', Features: [{ Name: 'S3_DATA_EVENTS' }] });
  expect(Object.values(configuration('eu-west-1'))[0].Properties).toMatchObject({ AutoEnableOrganizationMembers: 'ALL', Features: [{ Name: 'RDS_LOGIN_EVENTS' }] });
  templateOf(guardDuty.administratorStack('eu-west-1')).hasResourceProperties('Custom::GuardDutyMemberInvitations', {
    OrganizationMembers: Match.objectLike({ ParentIds: ['ou-ab12-eu000001'] }),
    MemberList: Match.objectLike({ AccountCount: '1', FirstAccountIds: '444444444444' }),
  });
  // The excluded outside account has no stack in that region, and keeps the other's.
  expect(() => guardDuty.memberStack('555555555555', 'eu-west-1')).toThrow(/no stack for account 555555555555 in eu-west-1/);
  expect(guardDuty.memberStack('555555555555', 'us-east-1').region).toBe('us-east-1');
});

test('the finding publishing frequency reaches every region\'s organization configuration, an override\'s in its region, and nothing without one', () => {
  const guardDuty = rollout({
    findingPublishingFrequency: FindingPublishingFrequency.FIFTEEN_MINUTES,
    regionOverrides: [{ region: 'eu-west-1', findingPublishingFrequency: FindingPublishingFrequency.ONE_HOUR }],
  });
  const frequencyIn = (target: GuardDutyOrganizationRollout, region: string) =>
    Object.values(templateOf(target.administratorStack(region)).findResources('Custom::GuardDutyOrganizationConfiguration'))[0].Properties.FindingPublishingFrequency;

  expect(frequencyIn(guardDuty, 'us-east-1')).toBe('FIFTEEN_MINUTES');
  expect(frequencyIn(guardDuty, 'eu-west-1')).toBe('ONE_HOUR');
  // Without the prop the detector's frequency is left alone: no property, so the handler neither reads nor writes it.
  expect(frequencyIn(rollout(), 'us-east-1')).toBeUndefined();
  expect(synthError({ findingPublishingFrequency: 'HOURLY' as FindingPublishingFrequency })).toMatch(/findingPublishingFrequency.*HOURLY/);
});

test('stacks go to the scopes given, one Stage per pipeline wave, with no dependency across stages', () => {
  const app = new App();
  const [management, administrators, members] = ['Management', 'Administrators', 'Members'].map((id) => new Stage(app, id));
  const guardDuty = rollout({ managementScope: management, administratorScope: administrators, memberScope: members }, app);

  expect(guardDuty.managementStacks.every((stack) => Stage.of(stack) === management)).toBe(true);
  expect(guardDuty.administratorStacks.every((stack) => Stage.of(stack) === administrators)).toBe(true);
  expect(guardDuty.memberStacks.every((stack) => Stage.of(stack) === members)).toBe(true);
  expect(guardDuty.stacks.flatMap(dependencyIds)).toEqual([]);
  expect(guardDuty.administratorStack('us-east-1').stackName).toBe('Administrators-GuardDuty-Administrator-us-east-1');
  app.synth();
});

test('a placement puts each stack where it says: here, one Stage per outside account', () => {
  const app = new App();
  const stages = new Map<string, Stage>();
  const stageFor = (id: string) => stages.get(id) ?? stages.set(id, new Stage(app, id)).get(id)!;
  const placement: IRolloutStackPlacement = {
    scopeFor: (role, _region, accountId) => stageFor(role === RolloutStackRole.MEMBER ? `Member-${accountId}` : role),
  };
  const guardDuty = rollout({ placement, stackNamePrefix: 'GuardDuty' }, app);

  for (const { accountId } of OUTSIDE) {
    expect(REGIONS.map((region) => Stage.of(guardDuty.memberStack(accountId, region))?.node.id)).toEqual(REGIONS.map(() => `Member-${accountId}`));
  }
  expect(guardDuty.administratorStacks.map((stack) => Stage.of(stack)?.node.id)).toEqual(REGIONS.map(() => 'Administrator'));
  expect(guardDuty.memberStack('444444444444', 'us-east-1').stackName).toBe('GuardDuty-Member-444444444444-us-east-1');
  expect(() => rollout({ placement, memberScope: stageFor('Other') }, new App())).toThrow(/give either placement or managementScope\/administratorScope\/memberScope, not both/);
});

test('the monitors are added in every region; outside accounts with GuardDuty already on get no detector; no invitation email', () => {
  const guardDuty = rollout({ organizationMembers: undefined, membershipMonitor: { healing: true }, administratorMonitor: {}, memberDetectors: false, disableEmailNotification: true });

  for (const region of REGIONS) {
    expect(guardDuty.memberInvitations(region)?.node.tryFindChild('Monitor')).toBeDefined();
    expect(guardDuty.invitationAccepter('444444444444', region).node.tryFindChild('Monitor')).toBeDefined();
    templateOf(guardDuty.administratorStack(region)).hasResourceProperties('Custom::GuardDutyMemberInvitations', { DisableEmailNotification: 'true' });
    const member = templateOf(guardDuty.memberStack('444444444444', region));
    member.resourceCountIs('AWS::GuardDuty::Detector', 0);
    expect(Object.values(member.findResources('Custom::GuardDutyInvitationAccepter'))[0].Properties.DetectorId).toBeUndefined();
  }
});

test('without members there are no invitations and no outside stacks', () => {
  const guardDuty = rollout({ organizationMembers: undefined, members: undefined });

  expect(guardDuty.memberInvitations('us-east-1')).toBeUndefined();
  expect(guardDuty.memberStacks).toEqual([]);
  expect(guardDuty.stacks).toHaveLength(4);
});

test('China and GovCloud take their own partition\'s regions, and their ARNs', () => {
  const china = rollout({ partition: AwsPartition.CHINA, regions: undefined, members: undefined });
  expect(china.regions).toEqual(['cn-north-1', 'cn-northwest-1']);
  expect(rollout({ partition: AwsPartition.GOV_CLOUD, regions: undefined, members: undefined }).regions).toEqual(['us-gov-east-1', 'us-gov-west-1']);
  expect(synthError({ partition: AwsPartition.CHINA })).toMatch(/regions: us-east-1 is in partition aws, not in the rollout's partition aws-cn/);
  // No commercial ARN written in: every ARN takes its partition from the deployment.
  const template = JSON.stringify(templateOf(china.administratorStack('cn-north-1')).toJSON());
  expect(template).not.toMatch(/arn:aws:/);
  expect(template).toContain('"Ref":"AWS::Partition"');
});

describe('a declaration that cannot deploy fails synth, naming the value', () => {
  test.each([
    [{ regions: ['us-east-1', 'us-east-7'] }, /regions: "us-east-7" is not an AWS region aws-cdk-lib knows/],
    [{ regions: ['us-east-1', 'us-east-1'] }, /regions: "us-east-1" is listed more than once/],
    [{ excludeRegions: ['us-east-1'] }, /regions: us-east-1 is also in excludeRegions/],
    [{ managementAccountId: '99999999999' }, /managementAccountId: .*99999999999/],
    [{ regionOverrides: [{ region: 'ap-south-1' }] }, /regionOverrides: "ap-south-1" is not one of the rollout's regions \(us-east-1, eu-west-1\)/],
    [{ regionOverrides: [{ region: 'us-east-1' }, { region: 'us-east-1' }] }, /regionOverrides: us-east-1 has more than one override/],
    [{ regionOverrides: [{ region: 'us-east-1', excludeMemberAccountIds: ['666666666666'] }] }, /excludeMemberAccountIds names 666666666666, which is not one of the rollout's members/],
    [{ membershipMonitor: {} }, /membershipMonitor: the monitor compares GuardDuty's members with a list known at synth/],
    [{ members: [{ accountId: ADMINISTRATOR, email: 'aws-root+security@example.com' }] }, /members: 111111111111 is the rollout's administratorAccountId/],
    [{ members: [{ accountId: MANAGEMENT, email: 'aws-root+management@example.com' }] }, /members: 999999999999 is the rollout's managementAccountId/],
  ])('%#: %j', (props, message) => {
    expect(synthError(props)).toMatch(message);
  });

  test('a regional resource handed to every region\'s monitor', () => {
    const topic = sns.Topic.fromTopicArn(new Stack(), 'Topic', 'arn:aws:sns:us-east-1:111111111111:alarms');
    expect(synthError({ administratorMonitor: { alarmTopic: topic } })).toMatch(/administratorMonitor.alarmTopic: a resource of one region cannot serve the monitors of every region/);
  });
});

test('asking for a region the rollout does not cover names its regions', () => {
  expect(() => rollout().administratorStack('ap-south-1')).toThrow('GuardDuty has no stack for ap-south-1; its regions are us-east-1, eu-west-1');
});
