import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { guardDutyServicePrincipals } from './findings-export-rules';
import { addNagSuppressions } from './nag-suppressions';

/**
 * The detectors a destination takes findings from. With `detectorArns` the conditions
 * name those detectors exactly (`StringEquals`, as the export guide writes them);
 * without, every detector of the accounts in the regions (`ArnLike ...:detector/*`): a
 * bucket in another account cannot know the detector IDs, and an account has one
 * detector per region, so the pattern still names one detector per account and region.
 */
export interface DetectorSources {
  readonly accountIds: readonly string[];
  readonly regions: readonly string[];
  readonly detectorArns?: readonly string[];
  /** The partition of the detectors: the destination's own (GuardDuty exports within a partition). */
  readonly partition: string;
}

/** One value as the guide writes it (a string), several as a list (any of them matches). */
function oneOrMany(values: readonly string[]): string | string[] {
  return values.length === 1 ? values[0] : [...values];
}

function sourceConditions(sources: DetectorSources): Record<string, Record<string, string | string[]>> {
  const account = { 'aws:SourceAccount': oneOrMany(sources.accountIds) };
  if (sources.detectorArns) {
    return { StringEquals: { ...account, 'aws:SourceArn': oneOrMany(sources.detectorArns) } };
  }
  const patterns = sources.regions.flatMap((region) => sources.accountIds.map((accountId) => `arn:${sources.partition}:guardduty:${region}:${accountId}:detector/*`));
  return { StringEquals: account, ArnLike: { 'aws:SourceArn': oneOrMany(patterns) } };
}

function guardDuty(sources: DetectorSources): iam.IPrincipal[] {
  return guardDutyServicePrincipals(sources.regions).map((name) => new iam.ServicePrincipal(name));
}

/**
 * The bucket policy statements of the export guide's step 3, in its order: GuardDuty may
 * read the bucket's location and put objects under the folder, only for the source
 * detectors; it may not put an object that is not encrypted with SSE-KMS, or encrypted
 * with any key but `keyArn`.
 */
export function bucketPolicyStatements(bucketArn: string, folderObjectsArn: string, keyArn: string, sources: DetectorSources): iam.PolicyStatement[] {
  const principals = guardDuty(sources);
  const conditions = sourceConditions(sources);
  return [
    new iam.PolicyStatement({ sid: 'AllowGuardDutyGetBucketLocation', principals, actions: ['s3:GetBucketLocation'], resources: [bucketArn], conditions }),
    new iam.PolicyStatement({ sid: 'AllowGuardDutyPutObject', principals, actions: ['s3:PutObject'], resources: [folderObjectsArn], conditions }),
    new iam.PolicyStatement({
      sid: 'DenyGuardDutyUnencryptedObjectUploads',
      effect: iam.Effect.DENY,
      principals,
      actions: ['s3:PutObject'],
      resources: [folderObjectsArn],
      conditions: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
    }),
    new iam.PolicyStatement({
      sid: 'DenyGuardDutyIncorrectEncryptionHeader',
      effect: iam.Effect.DENY,
      principals,
      actions: ['s3:PutObject'],
      resources: [folderObjectsArn],
      conditions: { StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': keyArn } },
    }),
  ];
}

/**
 * The guide's "Deny non-HTTPS access", over the bucket as well as its objects (as
 * `enforceSSL` writes it, which the packs check), for a bucket this library did not make.
 */
export function denyInsecureTransportStatement(bucketArn: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DenyNonHttpsAccess',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['s3:*'],
    resources: [bucketArn, `${bucketArn}/*`],
    conditions: { Bool: { 'aws:SecureTransport': 'false' } },
  });
}

/**
 * The key policy statement of the export guide's step 2: GuardDuty may generate data keys
 * for the source detectors. `*` in a key policy is the key itself (naming the key's own
 * ARN there would make the key depend on itself).
 */
export function keyPolicyStatement(sources: DetectorSources): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'AllowGuardDutyGenerateDataKey',
    principals: guardDuty(sources),
    actions: ['kms:GenerateDataKey'],
    resources: ['*'],
    conditions: sourceConditions(sources),
  });
}

/** What a bucket made for findings is built from. */
export interface ExportBucketOptions {
  readonly encryptionKey?: kms.IKey;
  readonly lifecycleRules?: s3.LifecycleRule[];
  readonly removalPolicy?: RemovalPolicy;
  readonly serverAccessLogsBucket?: s3.IBucket;
  readonly serverAccessLogsPrefix?: string;
  readonly bucketName?: string;
  readonly objectLockDefaultRetention?: s3.ObjectLockRetention;
}

/**
 * A bucket for exported findings, and its key when none is given: versioned (findings are
 * evidence: an overwritten or deleted object stays recoverable), Object Lock turned on,
 * private, SSE-KMS with the key and an S3 Bucket Key (fewer KMS requests per object),
 * HTTPS only, new objects announced to EventBridge. Bucket and key are
 * retained on stack deletion unless told otherwise.
 */
export function createExportBucket(scope: Construct, options: ExportBucketOptions): { bucket: s3.Bucket; encryptionKey: kms.IKey } {
  const removalPolicy = options.removalPolicy ?? RemovalPolicy.RETAIN;
  const encryptionKey =
    options.encryptionKey ??
    new kms.Key(scope, 'Key', {
      description: `Encrypts the GuardDuty findings exported to ${scope.node.path} (cdk-guardduty-members)`,
      enableKeyRotation: true,
      removalPolicy,
    });
  const bucket = new s3.Bucket(scope, 'Bucket', {
    bucketName: options.bucketName,
    encryption: s3.BucketEncryption.KMS,
    encryptionKey,
    bucketKeyEnabled: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    versioned: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    lifecycleRules: options.lifecycleRules ?? DEFAULT_LIFECYCLE_RULES,
    // Object Lock can only be turned on when a bucket is made; without a default retention
    // it locks nothing until asked (objectLockDefaultRetention, or a retention per object).
    objectLockEnabled: true,
    objectLockDefaultRetention: options.objectLockDefaultRetention,
    serverAccessLogsBucket: options.serverAccessLogsBucket,
    serverAccessLogsPrefix: options.serverAccessLogsPrefix,
    removalPolicy,
  });
  // Each new findings object is announced on the default event bus (S3 sends it natively,
  // free of charge, without the notification function `eventBridgeEnabled` would add).
  (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
  if (encryptionKey instanceof kms.Key && !options.encryptionKey) {
    // Control Tower's CT.KMS.PR.3: only AWS services acting for a resource may be granted the key.
    encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyGrantsExceptForAwsServices',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:CreateGrant'],
        resources: ['*'],
        conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
      }),
    );
  }
  acknowledgeBucketRules(bucket, options);
  return { bucket, encryptionKey };
}

/**
 * Without lifecycle rules of the user's: findings stay, a version overwritten or deleted
 * stays recoverable for 90 days (the time GuardDuty itself keeps a finding), and parts
 * of uploads GuardDuty never completed go after 7 days.
 */
export const DEFAULT_LIFECYCLE_RULES: s3.LifecycleRule[] = [
  { id: 'NoncurrentVersionsAndIncompleteUploads', noncurrentVersionExpiration: Duration.days(90), abortIncompleteMultipartUploadAfter: Duration.days(7) },
];

const REPLICATION_REASON =
  'Cross-region replication is a choice of where copies of findings may live; GuardDuty keeps findings for 90 days ' +
  'and the bucket is versioned. Add a replication rule to the bucket where a copy in a second region is required.';
const ACCESS_LOGS_REASON =
  'Only GuardDuty writes to this bucket (the bucket policy allows no one else but the account); pass ' +
  'serverAccessLogsBucket to log every request where the access record is required.';

const OBJECT_LOCK_REASON =
  'Object Lock is on, without a default retention: how long findings must be immutable is a records-retention decision ' +
  '(a retention also blocks lifecycle expiry and deleting the bucket). Pass objectLockDefaultRetention where it is mandated.';

function acknowledgeBucketRules(bucket: s3.Bucket, options: ExportBucketOptions): void {
  const suppressions = [
    ...['HIPAA.Security', 'NIST.800.53.R4', 'NIST.800.53.R5', 'PCI.DSS.321'].map((pack) => ({ id: `${pack}-S3BucketReplicationEnabled`, reason: REPLICATION_REASON })),
  ];
  if (!options.serverAccessLogsBucket) {
    suppressions.push(
      { id: 'AwsSolutions-S1', reason: ACCESS_LOGS_REASON },
      ...['HIPAA.Security', 'NIST.800.53.R4', 'NIST.800.53.R5', 'PCI.DSS.321'].map((pack) => ({ id: `${pack}-S3BucketLoggingEnabled`, reason: ACCESS_LOGS_REASON })),
    );
  }
  if (!options.objectLockDefaultRetention) {
    suppressions.push({ id: 'NIST.800.53.R4-S3BucketDefaultLockEnabled', reason: OBJECT_LOCK_REASON });
  }
  addNagSuppressions(bucket, suppressions);
}

/** The partition of `scope`'s stack, as a value for ARNs. */
export function partitionOf(scope: Construct): string {
  return Stack.of(scope).partition;
}
