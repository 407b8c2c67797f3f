import { App, CfnElement, Duration, IResource, Stack, StackProps } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { FindingPublishingFrequency, GuardDutyFindingsExport, GuardDutyFindingsExportProps } from '../../lib';

const ADMINISTRATOR = '111111111111';
const LOG_ARCHIVE = '222222222222';
const DETECTOR_ID = '12abc34d567e8fa901bc2d34e56789f0';

function newStack(region = 'eu-west-1', env: StackProps['env'] = { account: ADMINISTRATOR, region }): Stack {
  return new Stack(new App(), 'Administrator', { env });
}

function exportFindings(props: Partial<GuardDutyFindingsExportProps> = {}, stack = newStack()): { stack: Stack; findingsExport: GuardDutyFindingsExport } {
  const findingsExport = new GuardDutyFindingsExport(stack, 'FindingsExport', { detectorId: DETECTOR_ID, ...props });
  return { stack, findingsExport };
}

type Statement = { Sid?: string; Effect: string; Principal: unknown; Action: string | string[]; Resource: unknown; Condition?: unknown };

function bucketStatements(stack: Stack): Statement[] {
  const policies = Object.values(Template.fromStack(stack).findResources('AWS::S3::BucketPolicy'));
  expect(policies).toHaveLength(1);
  return policies[0].Properties.PolicyDocument.Statement;
}

function keyStatements(stack: Stack): Statement[] {
  const keys = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'));
  expect(keys).toHaveLength(1);
  return keys[0].Properties.KeyPolicy.Statement;
}

const bySid = (statements: Statement[], sid: string) => statements.find((s) => s.Sid === sid);
const detectorArn = (region: string, detector: unknown = DETECTOR_ID) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:guardduty:${region}:${ADMINISTRATOR}:detector/`, ...(typeof detector === 'string' ? [] : [detector])]],
});
/** The guide's condition: the detector's own account and ARN. */
const SOURCE = { StringEquals: { 'aws:SourceAccount': ADMINISTRATOR, 'aws:SourceArn': `arn:\${AWS::Partition}:guardduty:eu-west-1:${ADMINISTRATOR}:detector/${DETECTOR_ID}` } };

/** The logical ID of a resource the construct made. */
function logicalId(resource: IResource): string {
  return Stack.of(resource).getLogicalId(resource.node.defaultChild as CfnElement);
}

/** Template values with `Fn::Join` of literal parts and the partition written as one string, as the guide writes ARNs. */
function flatten(node: unknown): unknown {
  if (Array.isArray(node)) {
    return node.map(flatten);
  }
  if (node && typeof node === 'object') {
    const join = (node as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    const literal = (part: unknown) => typeof part === 'string' || (part as { Ref?: string }).Ref === 'AWS::Partition';
    if (join && join[0] === '' && join[1].every(literal)) {
      return join[1].map((part) => (typeof part === 'string' ? part : '${AWS::Partition}')).join('');
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, flatten(v)]));
  }
  return node;
}

describe('a bucket and key made by the construct', () => {
  test('the bucket policy is the export guide\'s, statement by statement, held to the detector\'s account and ARN', () => {
    const { stack, findingsExport } = exportFindings({ prefix: 'guardduty' });
    const statements = flatten(bucketStatements(stack)) as Statement[];
    const bucket = { 'Fn::GetAtt': [logicalId(findingsExport.bucket), 'Arn'] };
    const objects = { 'Fn::Join': ['', [bucket, '/guardduty/*']] };
    const guardDuty = { Service: 'guardduty.amazonaws.com' };
    const deny = (sid: string, condition: unknown) => ({ Sid: sid, Effect: 'Deny', Principal: guardDuty, Action: 's3:PutObject', Resource: objects, Condition: condition });

    expect(statements).toEqual([
      // enforceSSL's deny of plain HTTP, on the bucket and its objects (the guide's "Deny non-HTTPS access", widened)
      { Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Resource: [bucket, { 'Fn::Join': ['', [bucket, '/*']] }], Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
      { Sid: 'AllowGuardDutyGetBucketLocation', Effect: 'Allow', Principal: guardDuty, Action: 's3:GetBucketLocation', Resource: bucket, Condition: SOURCE },
      { Sid: 'AllowGuardDutyPutObject', Effect: 'Allow', Principal: guardDuty, Action: 's3:PutObject', Resource: objects, Condition: SOURCE },
      deny('DenyGuardDutyUnencryptedObjectUploads', { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } }),
      deny('DenyGuardDutyIncorrectEncryptionHeader', { StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': { 'Fn::GetAtt': [logicalId(findingsExport.encryptionKey), 'Arn'] } } }),
    ]);
  });

  test('the key policy lets GuardDuty generate data keys for this detector only', () => {
    const { stack } = exportFindings();
    const statement = bySid(flatten(keyStatements(stack)) as Statement[], 'AllowGuardDutyGenerateDataKey');

    expect(statement).toEqual({ Sid: 'AllowGuardDutyGenerateDataKey', Effect: 'Allow', Principal: { Service: 'guardduty.amazonaws.com' }, Action: 'kms:GenerateDataKey', Resource: '*', Condition: SOURCE });
  });

  test('the destination names the folder as GuardDuty expects (bucket ARN/prefix/) and the key, after both policies exist', () => {
    const { stack } = exportFindings({ prefix: 'security/guardduty' });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::GuardDuty::PublishingDestination', {
      DetectorId: DETECTOR_ID,
      DestinationType: 'S3',
      DestinationProperties: {
        DestinationArn: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^FindingsExportBucket'), 'Arn'] }, '/security/guardduty/']] },
        KmsKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FindingsExportKey'), 'Arn'] },
      },
    });
    const destination = Object.values(template.findResources('AWS::GuardDuty::PublishingDestination'))[0];
    expect(destination.DependsOn).toEqual([expect.stringMatching(/^FindingsExportBucketPolicy/), expect.stringMatching(/^FindingsExportKey/)]);
  });

  test('the bucket is versioned, private, SSE-KMS with the key, retained, and carries the lifecycle rules given', () => {
    const { stack } = exportFindings({ lifecycleRules: [{ id: 'Archive', transitions: [{ storageClass: s3.StorageClass.GLACIER, transitionAfter: Duration.days(365) }] }] });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() } }] },
        LifecycleConfiguration: { Rules: [Match.objectLike({ Id: 'Archive', Status: 'Enabled' })] },
      }),
    });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ EnableKeyRotation: true }) });
  });

  test('in an opt-in region the policies name GuardDuty\'s regional service principal', () => {
    const { stack } = exportFindings({}, newStack('me-south-1'));
    const principals = [...bucketStatements(stack), ...keyStatements(stack)].filter((s) => s.Sid?.includes('GuardDuty')).map((s) => s.Principal);

    expect(principals).toHaveLength(5);
    expect(new Set(principals.map((p) => JSON.stringify(p)))).toEqual(new Set([JSON.stringify({ Service: 'guardduty.me-south-1.amazonaws.com' })]));
  });
});

describe('a bucket and key given', () => {
  test('of this stack: the guide\'s statements join their policies (with the non-HTTPS deny), and nothing else is made', () => {
    const stack = newStack();
    const encryptionKey = new kms.Key(stack, 'MyKey', { enableKeyRotation: true });
    const bucket = new s3.Bucket(stack, 'MyBucket', { encryption: s3.BucketEncryption.KMS, encryptionKey });
    const { findingsExport } = exportFindings({ bucket }, stack);
    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.resourceCountIs('AWS::KMS::Key', 1);
    expect(findingsExport.encryptionKey).toBe(encryptionKey);
    const statements = flatten(bucketStatements(stack)) as Statement[];
    expect(statements.map((s) => s.Sid)).toEqual([
      'AllowGuardDutyGetBucketLocation',
      'AllowGuardDutyPutObject',
      'DenyGuardDutyUnencryptedObjectUploads',
      'DenyGuardDutyIncorrectEncryptionHeader',
      'DenyNonHttpsAccess',
    ]);
    expect(bySid(statements, 'DenyNonHttpsAccess')).toMatchObject({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    expect(bySid(statements, 'AllowGuardDutyPutObject')?.Condition).toEqual(SOURCE);
    expect(bySid(flatten(keyStatements(stack)) as Statement[], 'AllowGuardDutyGenerateDataKey')?.Condition).toEqual(SOURCE);
  });

  test('of another account (a log archive): the destination names them, and a warning says their own stack must allow this detector', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketAttributes(stack, 'Archive', { bucketName: 'org-guardduty-findings', account: LOG_ARCHIVE, region: 'us-east-1' });
    const encryptionKey = kms.Key.fromKeyArn(stack, 'ArchiveKey', `arn:aws:kms:us-east-1:${LOG_ARCHIVE}:key/1234abcd-12ab-34cd-56ef-1234567890ab`);
    exportFindings({ bucket, encryptionKey }, stack);
    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.resourceCountIs('AWS::S3::BucketPolicy', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.hasResourceProperties('AWS::GuardDuty::PublishingDestination', {
      DestinationProperties: { DestinationArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::org-guardduty-findings']] }, KmsKeyArn: encryptionKey.keyArn },
    });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
    expect(warnings).toEqual([
      expect.stringMatching(/Archive is not a bucket of this stack.*GuardDutyFindingsExportBucket with sourceAccountIds \[111111111111\] and sourceRegions \[eu-west-1\]/),
      expect.stringMatching(/ArchiveKey is not a key of this stack.*keyPolicyStatement\(this, \['111111111111'\], \['eu-west-1'\]\)/),
    ]);
  });

  test('a bucket without a key this stack knows is refused, naming the prop to pass', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Plain', 'plain-bucket');
    expect(() => exportFindings({ bucket }, stack)).toThrow(/bucket Administrator\/Plain has no encryption key this stack knows: pass encryptionKey/);
  });
});

describe('regions', () => {
  const keyIn = (stack: Stack, region: string) => kms.Key.fromKeyArn(stack, `Key-${region}`, `arn:aws:kms:${region}:${LOG_ARCHIVE}:key/1234abcd-12ab-34cd-56ef-1234567890ab`);
  const bucketIn = (stack: Stack, region: string) => s3.Bucket.fromBucketAttributes(stack, `Bucket-${region}`, { bucketName: `findings-${region}`, account: LOG_ARCHIVE, region });

  test('a key in another region than the bucket fails synth, naming both regions', () => {
    const stack = newStack();
    expect(() => exportFindings({ bucket: bucketIn(stack, 'us-east-1'), encryptionKey: keyIn(stack, 'eu-central-1') }, stack)).toThrow(
      /the bucket is in us-east-1 and the KMS key in eu-central-1; GuardDuty requires the bucket and the key in the same region/,
    );
  });

  test('a key given for the bucket the construct makes must be in the stack\'s region', () => {
    const stack = newStack();
    expect(() => exportFindings({ encryptionKey: keyIn(stack, 'us-east-1') }, stack)).toThrow(/the bucket is in eu-west-1 and the KMS key in us-east-1/);
  });

  test('a bucket in an opt-in region takes only that region\'s findings', () => {
    const stack = newStack('eu-west-1');
    expect(() => exportFindings({ bucket: bucketIn(stack, 'me-south-1'), encryptionKey: keyIn(stack, 'me-south-1') }, stack)).toThrow(
      /the bucket is in me-south-1, an opt-in region, and the detector in eu-west-1/,
    );
  });

  test('a central bucket in another commercial region is accepted, from a commercial or an opt-in region', () => {
    for (const region of ['eu-west-1', 'me-south-1']) {
      const stack = newStack(region);
      expect(() => exportFindings({ bucket: bucketIn(stack, 'us-east-1'), encryptionKey: keyIn(stack, 'us-east-1') }, stack)).not.toThrow();
    }
  });

  test('an environment-agnostic stack is refused: the region decides the service principal', () => {
    expect(() => exportFindings({}, new Stack(new App(), 'Agnostic'))).toThrow(/the stack's region must be known at synth time/);
  });
});

describe('the detector and its finding publishing frequency', () => {
  test('with the CfnDetector of the stack, the frequency is set on it and its ID is the destination\'s detector', () => {
    const stack = newStack();
    const detector = new guardduty.CfnDetector(stack, 'Detector', { enable: true });
    new GuardDutyFindingsExport(stack, 'FindingsExport', { detector, findingPublishingFrequency: FindingPublishingFrequency.FIFTEEN_MINUTES });
    const template = Template.fromStack(stack);

    template.hasResourceProperties('AWS::GuardDuty::Detector', { FindingPublishingFrequency: 'FIFTEEN_MINUTES' });
    template.hasResourceProperties('AWS::GuardDuty::PublishingDestination', { DetectorId: { Ref: 'Detector' } });
    expect(bySid(keyStatements(stack), 'AllowGuardDutyGenerateDataKey')?.Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': ADMINISTRATOR, 'aws:SourceArn': detectorArn('eu-west-1', { Ref: 'Detector' }) },
    });
  });

  test.each(Object.values(FindingPublishingFrequency))('%s reaches the detector', (frequency) => {
    const stack = newStack();
    const detector = new guardduty.CfnDetector(stack, 'Detector', { enable: true });
    new GuardDutyFindingsExport(stack, 'FindingsExport', { detector, findingPublishingFrequency: frequency });
    Template.fromStack(stack).hasResourceProperties('AWS::GuardDuty::Detector', { FindingPublishingFrequency: frequency });
  });

  test('a detector of another region is refused, naming both environments', () => {
    const app = new App();
    const other = new Stack(app, 'Other', { env: { account: ADMINISTRATOR, region: 'us-east-1' } });
    const detector = new guardduty.CfnDetector(other, 'Detector', { enable: true });
    const stack = new Stack(app, 'Here', { env: { account: ADMINISTRATOR, region: 'eu-west-1' } });
    expect(() => new GuardDutyFindingsExport(stack, 'FindingsExport', { detector })).toThrow(
      /detector: Other\/Detector is in region us-east-1 \(in stack Other\), but Here\/FindingsExport is in region eu-west-1/,
    );
  });

  test('a detectorId referring to a detector of another region is refused, naming both regions', () => {
    const app = new App();
    const other = new Stack(app, 'Other', { env: { account: ADMINISTRATOR, region: 'us-east-1' } });
    const detector = new guardduty.CfnDetector(other, 'Detector', { enable: true });
    const stack = new Stack(app, 'Here', { env: { account: ADMINISTRATOR, region: 'eu-west-1' } });
    expect(() => new GuardDutyFindingsExport(stack, 'FindingsExport', { detectorId: detector.ref })).toThrow(
      /detectorId: Other\/Detector is in region us-east-1 \(in stack Other\), but Here\/FindingsExport is in region eu-west-1/,
    );
  });

  test('a frequency without the detector is refused, saying why', () => {
    expect(() => exportFindings({ findingPublishingFrequency: FindingPublishingFrequency.ONE_HOUR })).toThrow(
      /findingPublishingFrequency ONE_HOUR is a property of the detector and needs detector/,
    );
  });

  test('a frequency that contradicts the detector\'s own is refused, naming both', () => {
    const stack = newStack();
    const detector = new guardduty.CfnDetector(stack, 'Detector', { enable: true, findingPublishingFrequency: 'SIX_HOURS' });
    expect(() => new GuardDutyFindingsExport(stack, 'FindingsExport', { detector, findingPublishingFrequency: FindingPublishingFrequency.ONE_HOUR })).toThrow(
      /findingPublishingFrequency ONE_HOUR conflicts with SIX_HOURS set on detector Administrator\/Detector/,
    );
  });

  test('a frequency that is not GuardDuty\'s is refused with the valid choices', () => {
    const stack = newStack();
    const detector = new guardduty.CfnDetector(stack, 'Detector', { enable: true });
    expect(() => new GuardDutyFindingsExport(stack, 'FindingsExport', { detector, findingPublishingFrequency: 'DAILY' as FindingPublishingFrequency })).toThrow(
      /must be one of FIFTEEN_MINUTES, ONE_HOUR, SIX_HOURS, got "DAILY"/,
    );
  });
});

describe('bad props', () => {
  test.each([
    [{ detectorId: undefined }, /give exactly one of detectorId and detector, got neither/],
    [{ detectorId: 'not a detector' }, /detectorId/],
    [{ prefix: '/guardduty/' }, /prefix must be a folder path without a leading or trailing "\/".*got "\/guardduty\/"/],
    [{ prefix: 'a*' }, /got "a\*"/],
  ])('%j is refused', (props, message) => {
    expect(() => exportFindings(props as Partial<GuardDutyFindingsExportProps>)).toThrow(message);
  });

  test('lifecycle rules for a bucket given are refused: they belong where the bucket is made', () => {
    const stack = newStack();
    const encryptionKey = new kms.Key(stack, 'MyKey');
    const bucket = new s3.Bucket(stack, 'MyBucket', { encryptionKey });
    expect(() => exportFindings({ bucket, lifecycleRules: [{ expiration: undefined }] }, stack)).toThrow(/lifecycleRules apply to the bucket this construct makes/);
  });
});
