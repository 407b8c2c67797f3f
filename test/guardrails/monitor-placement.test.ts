import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { GuardDutyInvitationAccepter, GuardDutyMemberInvitations, GuardDutyMemberInvitationsProps } from '../../lib';
import { newStack, removeTestAssemblies } from '../monitor/monitor-stacks';

afterAll(removeTestAssemblies);

const MEMBERS = [{ accountId: '222222222222', email: 'workloads@example.com' }];
const VPC_ACCESS = 'service-role/AWSLambdaVPCAccessExecutionRole';

function invitations(stack: Stack, props: Partial<GuardDutyMemberInvitationsProps> = {}): GuardDutyMemberInvitations {
  return new GuardDutyMemberInvitations(stack, 'Members', { members: MEMBERS, detectorId: 'abcdef0123456789abcdef0123456789', ...props });
}

/** The properties of the one resource of `type` whose logical ID starts with `prefix`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a template's properties, read as JSON
type Properties = Record<string, any>;
function only(stack: Stack, type: string, prefix: string): { Properties: Properties } {
  const found = Object.entries(Template.fromStack(stack).findResources(type)).filter(([id]) => id.startsWith(prefix));
  expect(found).toHaveLength(1);
  return found[0][1] as { Properties: Properties };
}

const checkFunction = (stack: Stack, prefix = 'MembersMonitor') => only(stack, 'AWS::Lambda::Function', `${prefix}Function`).Properties;
const checkLogGroup = (stack: Stack, prefix = 'MembersMonitor') => only(stack, 'AWS::Logs::LogGroup', `${prefix}LogGroup`).Properties;
const checkRolePolicies = (stack: Stack, prefix = 'MembersMonitor') => JSON.stringify(only(stack, 'AWS::IAM::Role', `${prefix}Role`).Properties.ManagedPolicyArns);

test('vpc, vpcSubnets, securityGroups and logEncryptionKey given to addMonitor() place the check function and its log group', () => {
  const stack = newStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
  const securityGroup = new ec2.SecurityGroup(stack, 'MonitorSg', { vpc });
  const key = new kms.Key(stack, 'LogKey');
  invitations(stack).addMonitor({ vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, securityGroups: [securityGroup], logEncryptionKey: key });

  expect(checkFunction(stack).VpcConfig).toEqual({
    SubnetIds: stack.resolve(vpc.privateSubnets.map((subnet) => subnet.subnetId)),
    SecurityGroupIds: [stack.resolve(securityGroup.securityGroupId)],
  });
  expect(checkLogGroup(stack).KmsKeyId).toEqual(stack.resolve(key.keyArn));
  expect(checkRolePolicies(stack)).toContain(VPC_ACCESS);
  Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
    KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'logs.eu-west-1.amazonaws.com' } })]) },
  });
});

test('without options, a monitor runs where the construct it watches runs, with its key', () => {
  const stack = newStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
  const securityGroup = new ec2.SecurityGroup(stack, 'FunctionsSg', { vpc });
  const key = new kms.Key(stack, 'LogKey');
  invitations(stack, { vpc, vpcSubnets: { availabilityZones: [vpc.availabilityZones[0]] }, securityGroups: [securityGroup], logEncryptionKey: key }).addMonitor();

  expect(checkFunction(stack).VpcConfig).toEqual({
    SubnetIds: [stack.resolve(vpc.privateSubnets[0].subnetId)],
    SecurityGroupIds: [stack.resolve(securityGroup.securityGroupId)],
  });
  expect(checkLogGroup(stack).KmsKeyId).toEqual(stack.resolve(key.keyArn));
});

test('the member side\'s monitor inherits the accepter\'s placement too', () => {
  const stack = newStack('Member', { account: '222222222222', region: 'eu-west-1' });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
  const key = new kms.Key(stack, 'LogKey');
  new GuardDutyInvitationAccepter(stack, 'Administrator', { administratorAccountId: '111111111111', vpc, logEncryptionKey: key }).addMonitor();

  expect(checkFunction(stack, 'AdministratorMonitor').VpcConfig.SubnetIds).toEqual(stack.resolve(vpc.privateSubnets.map((subnet) => subnet.subnetId)));
  expect(checkLogGroup(stack, 'AdministratorMonitor').KmsKeyId).toEqual(stack.resolve(key.keyArn));
});

test('a monitor given its own vpc takes neither the subnets nor the security groups of the watched construct\'s VPC', () => {
  const stack = newStack();
  const providersVpc = new ec2.Vpc(stack, 'ProvidersVpc', { maxAzs: 2 });
  const monitorVpc = new ec2.Vpc(stack, 'MonitorVpc', { maxAzs: 2 });
  invitations(stack, {
    vpc: providersVpc,
    vpcSubnets: { availabilityZones: [providersVpc.availabilityZones[0]] },
    securityGroups: [new ec2.SecurityGroup(stack, 'ProvidersSg', { vpc: providersVpc })],
  }).addMonitor({ vpc: monitorVpc });

  const vpcConfig = checkFunction(stack).VpcConfig;
  expect(vpcConfig.SubnetIds).toEqual(stack.resolve(monitorVpc.privateSubnets.map((subnet) => subnet.subnetId)));
  // The security group Lambda's construct makes for a function in a VPC without one.
  expect(vpcConfig.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^MembersMonitorFunctionSecurityGroup/), 'GroupId'] }]);
});

test('without any placement, the check runs outside a VPC with CloudWatch Logs\' own encryption and no VPC policy', () => {
  const stack = newStack();
  invitations(stack).addMonitor();

  expect(checkFunction(stack).VpcConfig).toBeUndefined();
  expect(checkLogGroup(stack).KmsKeyId).toBeUndefined();
  expect(checkRolePolicies(stack)).not.toContain(VPC_ACCESS);
});

test('the check is traced, and reserves no concurrency by default', () => {
  const stack = newStack();
  invitations(stack).addMonitor();

  expect(checkFunction(stack)).toMatchObject({ TracingConfig: { Mode: 'Active' } });
  expect(checkFunction(stack).ReservedConcurrentExecutions).toBeUndefined();
});

test('with reserveConcurrency the check runs one at a time, asked for itself or inherited from the watched construct', () => {
  const own = newStack();
  invitations(own).addMonitor({ reserveConcurrency: true });
  const inherited = newStack();
  invitations(inherited, { reserveConcurrency: true }).addMonitor();

  expect(checkFunction(own).ReservedConcurrentExecutions).toBe(1);
  expect(checkFunction(inherited).ReservedConcurrentExecutions).toBe(1);
});

describe('bad placement fails at synth, naming the monitor and the value', () => {
  test('public subnets', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
    const members = invitations(stack);

    expect(() => members.addMonitor({ vpc, vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } })).toThrow(
      /Invalid GuardDutyMembershipMonitor props at Administrator\/Members\/Monitor:\n {2}vpc Administrator\/Vpc with vpcSubnets \{ subnetType Public \} selects public subnets/,
    );
  });

  test('security groups without a VPC, neither given nor inherited', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
    const members = invitations(stack);

    expect(() => members.addMonitor({ securityGroups: [new ec2.SecurityGroup(stack, 'Sg', { vpc })] })).toThrow(
      /at Administrator\/Members\/Monitor:\n {2}securityGroups is set without vpc/,
    );
  });

  test('a key of another region, on the member side', () => {
    const stack = newStack('Member', { account: '222222222222', region: 'eu-west-1' });
    const accepter = new GuardDutyInvitationAccepter(stack, 'Administrator', { administratorAccountId: '111111111111' });

    expect(() => accepter.addMonitor({ logEncryptionKey: kms.Key.fromKeyArn(stack, 'UsKey', 'arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab') })).toThrow(
      /Invalid GuardDutyAdministratorMonitor props at Member\/Administrator\/Monitor:\n {2}logEncryptionKey: Member\/UsKey is in region us-east-1 \(by its ARN\), but Member\/Administrator\/Monitor is in region eu-west-1/,
    );
  });
});
