import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import {
  GuardDutyDelegatedAdministrator,
  GuardDutyDelegatedAdministratorProps,
  GuardDutyInvitationAccepter,
  GuardDutyInvitationAccepterProps,
  GuardDutyMemberInvitations,
  GuardDutyMemberInvitationsProps,
  GuardDutyOrganizationConfiguration,
  GuardDutyOrganizationConfigurationProps,
  OrganizationAutoEnable,
} from '../../lib';

const ENV = { account: '111111111111', region: 'us-east-1' };
const MEMBERS = [{ accountId: '222222222222', email: 'workloads@example.com' }];

function newStack(id = 'Stack'): Stack {
  return new Stack(new App(), id, { env: ENV });
}
function invite(stack: Stack, id: string, props: Partial<GuardDutyMemberInvitationsProps> = {}): GuardDutyMemberInvitations {
  return new GuardDutyMemberInvitations(stack, id, { members: MEMBERS, detectorId: 'abcdef0123456789abcdef0123456789', ...props });
}
function accept(stack: Stack, id: string, props: Partial<GuardDutyInvitationAccepterProps> = {}): GuardDutyInvitationAccepter {
  return new GuardDutyInvitationAccepter(stack, id, { administratorAccountId: '333333333333', detectorId: 'abcdef0123456789abcdef0123456789', ...props });
}

function configure(stack: Stack, id: string, props: Partial<GuardDutyOrganizationConfigurationProps> = {}): GuardDutyOrganizationConfiguration {
  return new GuardDutyOrganizationConfiguration(stack, id, { autoEnableOrganizationMembers: OrganizationAutoEnable.ALL, detectorId: 'abcdef0123456789abcdef0123456789', ...props });
}
function delegate(stack: Stack, id: string, props: Partial<GuardDutyDelegatedAdministratorProps> = {}): GuardDutyDelegatedAdministrator {
  return new GuardDutyDelegatedAdministrator(stack, id, { adminAccountId: '444444444444', ...props });
}

const functions = (stack: Stack) => Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
const logGroups = (stack: Stack) => Object.values(Template.fromStack(stack).findResources('AWS::Logs::LogGroup'));

describe.each([
  ['GuardDutyMemberInvitations', invite],
  ['GuardDutyInvitationAccepter', accept],
  ['GuardDutyOrganizationConfiguration', configure],
  ['GuardDutyDelegatedAdministrator', delegate],
] as const)('%s', (_, create) => {
  test('vpc, vpcSubnets and securityGroups reach every function: the two entry points and the framework\'s three', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
    const securityGroup = new ec2.SecurityGroup(stack, 'FunctionsSg', { vpc });
    create(stack, 'Construct', { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, securityGroups: [securityGroup] });

    const privateSubnets = stack.resolve(vpc.privateSubnets.map((subnet) => subnet.subnetId));
    expect(functions(stack)).toHaveLength(5);
    for (const fn of functions(stack)) {
      expect(fn.Properties.VpcConfig).toEqual({ SubnetIds: privateSubnets, SecurityGroupIds: [stack.resolve(securityGroup.securityGroupId)] });
    }
  });

  test('logEncryptionKey encrypts every log group, and a key of the same stack lets CloudWatch Logs of its region use it', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'LogKey');
    create(stack, 'Construct', { logEncryptionKey: key });

    expect(logGroups(stack)).toHaveLength(3);
    for (const logGroup of logGroups(stack)) {
      expect(logGroup.Properties.KmsKeyId).toEqual(stack.resolve(key.keyArn));
    }
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Principal: { Service: 'logs.us-east-1.amazonaws.com' },
            Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
            Resource: '*',
            Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:us-east-1:111111111111:log-group:*']] } } },
          },
        ]),
      },
    });
  });

  test('an imported key is used as it is: its policy is its owner\'s', () => {
    const stack = newStack();
    const key = kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    create(stack, 'Construct', { logEncryptionKey: key });

    expect(logGroups(stack).map((logGroup) => logGroup.Properties.KmsKeyId)).toEqual(new Array(3).fill(key.keyArn));
    Template.fromStack(stack).resourceCountIs('AWS::KMS::Key', 0);
  });

  /** Each function's reserved concurrency, by its role in the provider. */
  const reservedConcurrency = (stack: Stack) =>
    Object.fromEntries(
      Object.entries(Template.fromStack(stack).findResources('AWS::Lambda::Function')).map(([id, fn]) => {
        expect(fn.Properties).toMatchObject({ TracingConfig: { Mode: 'Active' }, MemorySize: expect.any(Number) });
        const name = /(Handler|IsCompleteHandler|framework(?:onEvent|isComplete|onTimeout))[0-9A-F]{8}$/.exec(id)![1];
        return [name, fn.Properties.ReservedConcurrentExecutions];
      }),
    );

  test('by default every function is traced and sized, and none reserves concurrency (a new account\'s quota of 10 allows no reservation)', () => {
    const stack = newStack();
    create(stack, 'Construct');

    expect(reservedConcurrency(stack)).toEqual({
      Handler: undefined,
      IsCompleteHandler: undefined,
      frameworkonEvent: undefined,
      frameworkisComplete: undefined,
      frameworkonTimeout: undefined,
    });
    Template.fromStack(stack).hasResourceProperties('AWS::StepFunctions::StateMachine', { TracingConfiguration: { Enabled: true } });
  });

  test('reserveConcurrency reserves 21 executions: 3 on each function of the run path, 5 on each of the poll path', () => {
    const stack = newStack();
    create(stack, 'Construct', { reserveConcurrency: true });

    // The run path (CloudFormation -> framework onEvent -> handler) and the poll path
    // (waiter -> framework isComplete -> isComplete handler, and onTimeout).
    expect(reservedConcurrency(stack)).toEqual({
      Handler: 3,
      IsCompleteHandler: 5,
      frameworkonEvent: 3,
      frameworkisComplete: 5,
      frameworkonTimeout: 5,
    });
  });

  test('a construct asking for reserveConcurrency when the stack\'s first did not fails, naming both', () => {
    const stack = newStack();
    create(stack, 'First');

    expect(() => create(stack, 'Second', { reserveConcurrency: true })).toThrow(
      /reserveConcurrency: Stack\/Second asks for true; Stack\/First set false \(the default\)/,
    );
  });

  test('constructs of one stack that ask for the same settings share the provider', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
    const key = new kms.Key(stack, 'LogKey');
    create(stack, 'First', { vpc, logEncryptionKey: key });
    create(stack, 'Second', { vpc, logEncryptionKey: key, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } });

    expect(functions(stack)).toHaveLength(5);
  });

  test('a construct asking for other settings than the stack\'s first fails, naming both and each differing setting', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
    create(stack, 'First', { vpc });

    expect(() => create(stack, 'Second', { logEncryptionKey: new kms.Key(stack, 'LogKey') })).toThrow(
      new RegExp(
        'at Stack/Second asks for other provider settings than Stack/First in the same stack:\\n' +
          '  vpc: Stack/Second asks for none \\(not in a VPC\\); Stack/First set Stack/Vpc\\n' +
          '  vpcSubnets: .*\\n' +
          '  logEncryptionKey: Stack/Second asks for Stack/LogKey; Stack/First set none',
      ),
    );
  });
});

test('a GuardDutyMemberInvitations and a GuardDutyInvitationAccepter in one stack have their own providers and settings', () => {
  const stack = newStack();
  invite(stack, 'Members', { vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 }) });

  expect(() => accept(stack, 'Accepter')).not.toThrow();
});

describe('bad placement fails at synth, naming the value and the construct', () => {
  const fails = (build: (stack: Stack) => unknown, message: RegExp) => {
    const stack = newStack();
    expect(() => build(stack)).toThrow(message);
  };

  test('a VPC without subnets of the selected type', () => {
    fails(
      (stack) => invite(stack, 'Members', { vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 }), vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }),
      /Invalid GuardDutyMemberInvitations props at Stack\/Members:\n {2}vpc Stack\/Vpc with vpcSubnets \{ subnetType Isolated \} selects no subnets: There are no 'Isolated' subnet groups/,
    );
  });

  test('a VPC with public subnets only', () => {
    fails(
      (stack) =>
        accept(stack, 'Accepter', {
          vpc: new ec2.Vpc(stack, 'PublicVpc', { maxAzs: 2, subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }] }),
        }),
      /Invalid GuardDutyInvitationAccepter props at Stack\/Accepter:\n {2}vpc Stack\/PublicVpc \(its default subnets\) selects public subnets/,
    );
  });

  test('security groups of another VPC', () => {
    fails((stack) => {
      const other = new ec2.Vpc(stack, 'OtherVpc', { maxAzs: 2 });
      return invite(stack, 'Members', { vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 }), securityGroups: [new ec2.SecurityGroup(stack, 'OtherSg', { vpc: other })] });
    }, /securityGroups: Stack\/OtherSg belongs to another VPC than vpc Stack\/Vpc/);
  });

  test('subnets or security groups without a VPC', () => {
    fails(
      (stack) => invite(stack, 'Members', { vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } }),
      /at Stack\/Members:\n {2}vpcSubnets is set without vpc/,
    );
  });

  test('a key of another region', () => {
    fails(
      (stack) => accept(stack, 'Accepter', { logEncryptionKey: kms.Key.fromKeyArn(stack, 'EuKey', 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab') }),
      /at Stack\/Accepter:\n {2}logEncryptionKey: Stack\/EuKey is in region eu-west-1 \(by its ARN\), but Stack\/Accepter is in region us-east-1 .*CloudWatch Logs encrypts a log group only with a KMS key of its own region/,
    );
  });

  test('a key of another account', () => {
    fails(
      (stack) => invite(stack, 'Members', { logEncryptionKey: kms.Key.fromKeyArn(stack, 'TheirKey', 'arn:aws:kms:us-east-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab') }),
      /logEncryptionKey: Stack\/TheirKey is in account 999999999999 \(by its ARN\), but Stack\/Members is in account 111111111111/,
    );
  });
});
