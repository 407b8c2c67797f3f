import { Stack } from 'aws-cdk-lib';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GuardDutyInvitationAccepter, GuardDutyMemberInvitations } from '../../lib';
import { newStack, removeTestAssemblies } from './monitor-stacks';

afterAll(removeTestAssemblies);

function administratorStack(healing: boolean): Stack {
  const stack = newStack();
  const detector = new guardduty.CfnDetector(stack, 'Detector', { enable: true });
  // The user's topic, as AwsSolutions-SNS2/SNS3 and KMS5 want it.
  const topic = new sns.Topic(stack, 'Alarms', { masterKey: new kms.Key(stack, 'AlarmsKey', { enableKeyRotation: true }), enforceSSL: true });
  new GuardDutyMemberInvitations(stack, 'Members', { detectorId: detector.ref, members: [{ accountId: '222222222222', email: 'workloads@example.com' }] }).addMonitor({
    healing,
    alarmTopic: topic,
    alarmOnUndeclaredMembers: true,
  });
  return stack;
}

function violations(stack: Stack): string[] {
  return new AwsSolutionsChecks().validateScope(stack).violations.map((violation) => violation.ruleName);
}

test.each([false, true])('the administrator\'s monitor has no unacknowledged AwsSolutions finding (healing %s)', (healing) => {
  expect(violations(administratorStack(healing))).toEqual([]);
});

test('the member side\'s monitor has no unacknowledged AwsSolutions finding', () => {
  const stack = newStack('Member', { account: '222222222222', region: 'eu-west-1' });
  new GuardDutyInvitationAccepter(stack, 'Administrator', { administratorAccountId: '111111111111' }).addMonitor();

  expect(violations(stack)).toEqual([]);
});

test('the acknowledgements cover only their own findings: another wildcard on the monitor\'s role is still reported', () => {
  const stack = administratorStack(false);
  const role = stack.node.findChild('Members').node.findChild('Monitor').node.findChild('Role') as iam.Role;
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::reports/*'] }));

  expect(violations(stack)).toEqual(['AwsSolutions-IAM5[Resource::arn:aws:s3:::reports/*]']);
});
