import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { GuardDutyFindingsExportBucket, GuardDutyFindingsExportBucketProps } from '../../lib';

const ADMINISTRATOR = '111111111111';
const LOG_ARCHIVE = '222222222222';

function archiveStack(region = 'us-east-1'): Stack {
  return new Stack(new App(), 'LogArchive', { env: { account: LOG_ARCHIVE, region } });
}

function destination(props: Partial<GuardDutyFindingsExportBucketProps> = {}, stack = archiveStack()): Stack {
  new GuardDutyFindingsExportBucket(stack, 'Findings', { sourceAccountIds: [ADMINISTRATOR], sourceRegions: ['us-east-1', 'eu-west-1'], ...props });
  return stack;
}

type Statement = { Sid?: string; Principal: unknown; Action: string; Condition?: unknown };
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- template resources are untyped JSON
const statements = (stack: Stack, type: string, path: (r: any) => Statement[]) => Object.values(Template.fromStack(stack).findResources(type)).flatMap(path);
const bucketStatements = (stack: Stack) => statements(stack, 'AWS::S3::BucketPolicy', (r) => r.Properties.PolicyDocument.Statement);
const keyStatements = (stack: Stack) => statements(stack, 'AWS::KMS::Key', (r) => r.Properties.KeyPolicy.Statement);

/** The administrator's detector in each source region, by pattern: the log archive cannot know detector IDs. */
const detectorsIn = (...regions: string[]) => regions.map((region) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:guardduty:${region}:${ADMINISTRATOR}:detector/*`]] }));

test('the bucket policy allows the administrator\'s detectors of every source region, and only them', () => {
  const stack = destination({ prefix: 'guardduty' });
  const condition = { StringEquals: { 'aws:SourceAccount': ADMINISTRATOR }, ArnLike: { 'aws:SourceArn': detectorsIn('us-east-1', 'eu-west-1') } };
  const guardDuty = bucketStatements(stack).filter((s) => s.Sid?.startsWith('AllowGuardDuty'));

  expect(guardDuty.map((s) => [s.Sid, s.Action, s.Principal, s.Condition])).toEqual([
    ['AllowGuardDutyGetBucketLocation', 's3:GetBucketLocation', { Service: 'guardduty.amazonaws.com' }, condition],
    ['AllowGuardDutyPutObject', 's3:PutObject', { Service: 'guardduty.amazonaws.com' }, condition],
  ]);
  expect(bucketStatements(stack).map((s) => s.Sid)).toEqual([undefined, 'AllowGuardDutyGetBucketLocation', 'AllowGuardDutyPutObject', 'DenyGuardDutyUnencryptedObjectUploads', 'DenyGuardDutyIncorrectEncryptionHeader']);
});

test('the key policy lets the same detectors generate data keys', () => {
  const statement = keyStatements(destination()).find((s) => s.Sid === 'AllowGuardDutyGenerateDataKey');
  expect(statement).toMatchObject({
    Action: 'kms:GenerateDataKey',
    Resource: '*',
    Condition: { StringEquals: { 'aws:SourceAccount': ADMINISTRATOR }, ArnLike: { 'aws:SourceArn': detectorsIn('us-east-1', 'eu-west-1') } },
  });
});

test('an opt-in source region adds its regional service principal beside the global one', () => {
  const stack = destination({ sourceRegions: ['us-east-1', 'me-south-1'], sourceAccountIds: [ADMINISTRATOR, '333333333333'] });
  const statement = keyStatements(stack).find((s) => s.Sid === 'AllowGuardDutyGenerateDataKey');
  expect(statement?.Principal).toEqual({ Service: ['guardduty.amazonaws.com', 'guardduty.me-south-1.amazonaws.com'] });
  expect(statement?.Condition).toMatchObject({ StringEquals: { 'aws:SourceAccount': [ADMINISTRATOR, '333333333333'] } });
});

test('the static key statement is the same one, for a key in a third account (an audit account)', () => {
  const audit = new Stack(new App(), 'Audit', { env: { account: '444444444444', region: 'us-east-1' } });
  const key = new kms.Key(audit, 'FindingsKey', { enableKeyRotation: true });
  key.addToResourcePolicy(GuardDutyFindingsExportBucket.keyPolicyStatement(audit, [ADMINISTRATOR], ['us-east-1', 'eu-west-1']));
  const statement = keyStatements(audit).find((s) => s.Sid === 'AllowGuardDutyGenerateDataKey');
  expect(statement?.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': ADMINISTRATOR }, ArnLike: { 'aws:SourceArn': detectorsIn('us-east-1', 'eu-west-1') } });
});

test('a key of another account (an audit account) is used, with a warning that its own stack must add the statement', () => {
  const stack = archiveStack();
  const encryptionKey = kms.Key.fromKeyArn(stack, 'AuditKey', 'arn:aws:kms:us-east-1:444444444444:key/1234abcd-12ab-34cd-56ef-1234567890ab');
  destination({ encryptionKey }, stack);

  Template.fromStack(stack).resourceCountIs('AWS::KMS::Key', 0);
  const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
  expect(warnings).toEqual([expect.stringMatching(/AuditKey is not a key of this stack.*keyPolicyStatement\(this, \['111111111111'\], \['us-east-1', 'eu-west-1'\]\)/)]);
  expect(bucketStatements(stack).find((s) => s.Sid === 'DenyGuardDutyIncorrectEncryptionHeader')?.Condition).toEqual({
    StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': encryptionKey.keyArn },
  });
});

test.each([
  [{ sourceAccountIds: [] }, /sourceAccountIds must name at least one account/],
  [{ sourceAccountIds: ['1111'] }, /GuardDutyFindingsExportBucket LogArchive\/Findings: sourceAccountIds: account ID "1111" must be exactly 12 digits/],
  [{ sourceRegions: [] }, /sourceRegions must name at least one region/],
  [{ sourceRegions: ['Ireland'] }, /sourceRegions must be region names .* got "Ireland"/],
  [{ prefix: 'findings/' }, /prefix must be a folder path/],
])('%j is refused', (props, message) => {
  expect(() => destination(props as Partial<GuardDutyFindingsExportBucketProps>)).toThrow(message);
});

test('a bucket in an opt-in region refuses other regions\' detectors, naming both regions', () => {
  expect(() => destination({ sourceRegions: ['me-south-1', 'eu-west-1'] }, archiveStack('me-south-1'))).toThrow(/the bucket is in me-south-1, an opt-in region, and the detector in eu-west-1/);
});

test('a key in another region than the bucket is refused, naming both regions', () => {
  const stack = archiveStack('us-east-1');
  const encryptionKey = kms.Key.fromKeyArn(stack, 'Key', `arn:aws:kms:eu-west-1:${LOG_ARCHIVE}:key/1234abcd-12ab-34cd-56ef-1234567890ab`);
  expect(() => destination({ encryptionKey }, stack)).toThrow(/the bucket is in us-east-1 and the KMS key in eu-west-1/);
});
