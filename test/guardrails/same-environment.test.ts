import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Fn, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  GuardDutyAdministratorMonitor,
  GuardDutyDelegatedAdministrator,
  GuardDutyInvitationAccepter,
  GuardDutyMemberInvitations,
  GuardDutyMembershipMonitor,
  GuardDutyOrganizationConfiguration,
  OrganizationAutoEnable,
} from '../../lib';

// Things from another region or account, handed to a construct, fail `cdk synth` naming
// both environments and the prop (without the check, aws-cdk-lib quietly makes a
// cross-region export and the deployment fails, or worse, succeeds and never works).

const US = { account: '111111111111', region: 'us-east-1' };
const EU = { account: '111111111111', region: 'eu-west-1' };
const OTHER_ACCOUNT = { account: '999999999999', region: 'us-east-1' };
const MEMBERS = [{ accountId: '222222222222', email: 'workloads@example.com' }];

const outdirs: string[] = [];
afterAll(() => outdirs.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** An app with one stack per environment given (environment-agnostic for `undefined`). */
function stacks(...envs: Array<{ account: string; region: string } | undefined>): Stack[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'guardduty-members-environment-'));
  outdirs.push(outdir);
  const app = new App({ outdir });
  return envs.map((env, index) => new Stack(app, `Stack${index + 1}`, { env }));
}

describe('a detector of another stack, given as detectorId', () => {
  test('GuardDutyMemberInvitations: a detector of another region fails synth, naming both regions, the prop and the fix', () => {
    const [us, eu] = stacks(US, EU);
    const detector = new guardduty.CfnDetector(eu, 'Detector', { enable: true });

    expect(() => new GuardDutyMemberInvitations(us, 'Members', { members: MEMBERS, detectorId: detector.ref })).toThrow(
      'Invalid GuardDutyMemberInvitations props at Stack1/Members:\n' +
        '  detectorId: Stack2/Detector is in region eu-west-1 (in stack Stack2), but Stack1/Members is in region us-east-1 (stack Stack1): ' +
        'a GuardDuty detector belongs to one account and region, and the handler calls GuardDuty in the stack\'s own account and region, where that detector does not exist. ' +
        'Create it in a stack of region us-east-1, or put Stack1/Members in a stack of region eu-west-1',
    );
  });

  test('GuardDutyInvitationAccepter: a detector of another account fails synth, naming both accounts', () => {
    const [member, other] = stacks({ account: '222222222222', region: 'us-east-1' }, OTHER_ACCOUNT);
    const detector = new guardduty.CfnDetector(other, 'Detector', { enable: true });

    expect(() => new GuardDutyInvitationAccepter(member, 'Accepter', { administratorAccountId: '111111111111', detectorId: detector.attrId })).toThrow(
      /detectorId: Stack2\/Detector is in account 999999999999 \(in stack Stack2\), but Stack1\/Accepter is in account 222222222222 \(stack Stack1\).*Create it in a stack of account 222222222222/,
    );
  });

  test('GuardDutyOrganizationConfiguration: a reference wrapped in an intrinsic is followed, and a detector of another account and region names both', () => {
    const [us, elsewhere] = stacks(US, { account: '999999999999', region: 'eu-west-1' });
    const detector = new guardduty.CfnDetector(elsewhere, 'Detector', { enable: true });

    expect(
      () => new GuardDutyOrganizationConfiguration(us, 'Configuration', { autoEnableOrganizationMembers: OrganizationAutoEnable.ALL, detectorId: Fn.select(0, [detector.ref]) }),
    ).toThrow(/detectorId: Stack2\/Detector is in account 999999999999 and region eu-west-1 .* but Stack1\/Configuration is in account 111111111111 and region us-east-1/);
  });

  test('a detector of another stack in the same account and region passes (an ordinary cross-stack reference)', () => {
    const [us, alsoUs] = stacks(US, US);
    const detector = new guardduty.CfnDetector(alsoUs, 'Detector', { enable: true });

    expect(() => new GuardDutyMemberInvitations(us, 'Members', { members: MEMBERS, detectorId: detector.ref })).not.toThrow();
  });

  test('environment-agnostic stacks pass: their regions are known at deploy time only', () => {
    const [agnostic, eu, alsoAgnostic] = stacks(undefined, EU, undefined);
    const euDetector = new guardduty.CfnDetector(eu, 'Detector', { enable: true });
    const agnosticDetector = new guardduty.CfnDetector(alsoAgnostic, 'Detector', { enable: true });

    expect(() => new GuardDutyMemberInvitations(agnostic, 'FromEu', { members: MEMBERS, detectorId: euDetector.ref })).not.toThrow();
    expect(() => new GuardDutyMemberInvitations(eu, 'FromAgnostic', { members: MEMBERS, detectorId: agnosticDetector.ref })).not.toThrow();
  });
});

describe('provider placement of another environment: vpc, vpcSubnets, securityGroups, logEncryptionKey', () => {
  const constructs = [
    ['GuardDutyMemberInvitations', (stack: Stack, props: object) => new GuardDutyMemberInvitations(stack, 'Construct', { members: MEMBERS, ...props })],
    ['GuardDutyInvitationAccepter', (stack: Stack, props: object) => new GuardDutyInvitationAccepter(stack, 'Construct', { administratorAccountId: '333333333333', ...props })],
    [
      'GuardDutyOrganizationConfiguration',
      (stack: Stack, props: object) => new GuardDutyOrganizationConfiguration(stack, 'Construct', { autoEnableOrganizationMembers: OrganizationAutoEnable.ALL, ...props }),
    ],
    ['GuardDutyDelegatedAdministrator', (stack: Stack, props: object) => new GuardDutyDelegatedAdministrator(stack, 'Construct', { adminAccountId: '444444444444', ...props })],
  ] as const;

  test.each(constructs)('%s: a VPC of another region fails synth, naming both regions', (kind, create) => {
    const [us, eu] = stacks(US, EU);
    const vpc = new ec2.Vpc(eu, 'Vpc', { maxAzs: 2 });

    expect(() => create(us, { vpc })).toThrow(
      new RegExp(`Invalid ${kind} props at Stack1/Construct:\\n {2}vpc: Stack2/Vpc is in region eu-west-1 \\(in stack Stack2\\), but Stack1/Construct is in region us-east-1 .*imported in this stack`),
    );
  });

  test('a subnet of another region, chosen in vpcSubnets.subnets, names its index', () => {
    const [us, eu] = stacks(US, EU);
    const usVpc = new ec2.Vpc(us, 'Vpc', { maxAzs: 2 });
    const euVpc = new ec2.Vpc(eu, 'Vpc', { maxAzs: 2 });

    expect(() => constructs[0][1](us, { vpc: usVpc, vpcSubnets: { subnets: [usVpc.privateSubnets[0], euVpc.privateSubnets[0]] } })).toThrow(
      /vpcSubnets\.subnets\[1\]: Stack2\/Vpc\/PrivateSubnet1 is in region eu-west-1/,
    );
  });

  test('a security group of another account names its index and both accounts', () => {
    const [us, other] = stacks(US, OTHER_ACCOUNT);
    const vpc = new ec2.Vpc(us, 'Vpc', { maxAzs: 2 });
    const theirs = ec2.SecurityGroup.fromSecurityGroupId(other, 'TheirSg', 'sg-0123456789abcdef0');

    expect(() => constructs[1][1](us, { vpc, securityGroups: [new ec2.SecurityGroup(us, 'Sg', { vpc }), theirs] })).toThrow(
      /securityGroups\[1\]: Stack2\/TheirSg is in account 999999999999 \(in stack Stack2\), but Stack1\/Construct is in account 111111111111/,
    );
  });

  test('a key of another region, created in another stack or imported by its ARN', () => {
    const [us, eu, alsoUs] = stacks(US, EU, US);
    const euKey = new kms.Key(eu, 'Key');
    const importedKey = kms.Key.fromKeyArn(alsoUs, 'Imported', 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab');

    expect(() => constructs[2][1](us, { logEncryptionKey: euKey })).toThrow(/logEncryptionKey: Stack2\/Key is in region eu-west-1 \(in stack Stack2\).*CloudWatch Logs encrypts/);
    expect(() => constructs[3][1](alsoUs, { logEncryptionKey: importedKey })).toThrow(/logEncryptionKey: Stack3\/Imported is in region eu-west-1 \(by its ARN\)/);
  });

  test('a VPC, security group and key of the same environment pass, from another stack or an environment-agnostic one', () => {
    const [us, alsoUs, agnostic] = stacks(US, US, undefined);
    const vpc = new ec2.Vpc(alsoUs, 'Vpc', { maxAzs: 2 });
    const securityGroup = new ec2.SecurityGroup(alsoUs, 'Sg', { vpc });
    const agnosticKey = new kms.Key(agnostic, 'Key');

    expect(() => constructs[0][1](us, { vpc, securityGroups: [securityGroup], logEncryptionKey: new kms.Key(alsoUs, 'Key') })).not.toThrow();
    expect(() => constructs[1][1](alsoUs, { logEncryptionKey: agnosticKey })).not.toThrow();
  });
});

describe('monitors: the watched construct and alarmTopic', () => {
  test('GuardDutyMembershipMonitor: invitations of another region fail synth, naming both regions', () => {
    const [us, eu] = stacks(US, EU);
    const invitations = new GuardDutyMemberInvitations(eu, 'Members', { members: MEMBERS });

    expect(() => new GuardDutyMembershipMonitor(us, 'Monitor', { invitations })).toThrow(
      /Invalid GuardDutyMembershipMonitor props at Stack1\/Monitor:\n {2}invitations: Stack2\/Members is in region eu-west-1 \(in stack Stack2\), but Stack1\/Monitor is in region us-east-1/,
    );
  });

  test('GuardDutyAdministratorMonitor: an accepter of another account fails synth, naming both accounts', () => {
    const [member, other] = stacks({ account: '222222222222', region: 'us-east-1' }, OTHER_ACCOUNT);
    const accepter = new GuardDutyInvitationAccepter(other, 'Accepter', { administratorAccountId: '111111111111' });

    expect(() => new GuardDutyAdministratorMonitor(member, 'Monitor', { accepter })).toThrow(
      /accepter: Stack2\/Accepter is in account 999999999999 \(in stack Stack2\), but Stack1\/Monitor is in account 222222222222/,
    );
  });

  test('an alarm topic of another region fails synth for both monitors, from another stack or imported by its ARN', () => {
    const [us, eu] = stacks(US, EU);
    const euTopic = new sns.Topic(eu, 'Topic');
    const importedTopic = sns.Topic.fromTopicArn(us, 'Imported', 'arn:aws:sns:eu-west-1:111111111111:guardduty-alarms');
    const invitations = new GuardDutyMemberInvitations(us, 'Members', { members: MEMBERS });
    const accepter = new GuardDutyInvitationAccepter(us, 'Accepter', { administratorAccountId: '333333333333' });

    expect(() => invitations.addMonitor({ alarmTopic: euTopic })).toThrow(/alarmTopic: Stack2\/Topic is in region eu-west-1 \(in stack Stack2\).*CloudWatch alarms notify only SNS topics of their own region/);
    expect(() => accepter.addMonitor({ alarmTopic: importedTopic })).toThrow(/alarmTopic: Stack1\/Imported is in region eu-west-1 \(by its ARN\), but Stack1\/Accepter\/Monitor is in region us-east-1/);
  });

  test('a monitor\'s own vpc of another region fails synth, naming the monitor', () => {
    const [us, eu] = stacks(US, EU);
    const invitations = new GuardDutyMemberInvitations(us, 'Members', { members: MEMBERS });

    expect(() => invitations.addMonitor({ vpc: new ec2.Vpc(eu, 'Vpc', { maxAzs: 2 }) })).toThrow(
      /Invalid GuardDutyMembershipMonitor props at Stack1\/Members\/Monitor:\n {2}vpc: Stack2\/Vpc is in region eu-west-1 \(in stack Stack2\), but Stack1\/Members\/Monitor is in region us-east-1/,
    );
  });

  test('an alarm topic of another account in the same region passes: its topic policy decides', () => {
    const [us] = stacks(US);
    const theirTopic = sns.Topic.fromTopicArn(us, 'Theirs', 'arn:aws:sns:us-east-1:999999999999:guardduty-alarms');

    expect(() => new GuardDutyMemberInvitations(us, 'Members', { members: MEMBERS }).addMonitor({ alarmTopic: theirTopic })).not.toThrow();
  });

  test('monitors in environment-agnostic stacks pass whatever region the topic names', () => {
    const [agnostic] = stacks(undefined);
    const topic = sns.Topic.fromTopicArn(agnostic, 'Topic', 'arn:aws:sns:eu-west-1:111111111111:guardduty-alarms');

    expect(() => new GuardDutyMemberInvitations(agnostic, 'Members', { members: MEMBERS }).addMonitor({ alarmTopic: topic })).not.toThrow();
  });
});
