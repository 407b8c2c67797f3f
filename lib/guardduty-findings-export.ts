import { Annotations, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { FindingPublishingFrequency } from './finding-publishing-frequency';
import { DetectorSources, bucketPolicyStatements, createExportBucket, denyInsecureTransportStatement, keyPolicyStatement } from './private/findings-export-policies';
import { findingPublishingFrequencyProblem } from './private/finding-publishing-frequency-rules';
import { EXPORT_GUIDE, destinationRegionProblem, prefixProblem } from './private/findings-export-rules';
import { constructEnvironmentProblems } from './private/same-environment';
import { detectorIdProblems } from './private/synth-validation';

/**
 * Properties for `GuardDutyFindingsExport`.
 */
export interface GuardDutyFindingsExportProps {
  /**
   * The detector whose findings are exported, by ID: pass `detectorId` of a
   * `GuardDutyOrganizationConfiguration` or `GuardDutyMemberInvitations` (the detector
   * their handler found, for a detector that `EnableOrganizationAdminAccount` created), or
   * `detector.ref`. Give `detectorId` or `detector`, not both.
   *
   * @default - the ID of `detector`
   */
  readonly detectorId?: string;

  /**
   * The detector whose findings are exported, when it is a `guardduty.CfnDetector` of this
   * stack. Needed for `findingPublishingFrequency`, which is a property of the detector.
   *
   * @default - the detector named by `detectorId`
   */
  readonly detector?: guardduty.CfnDetector;

  /**
   * How often GuardDuty exports updates of findings it already exported. Set on `detector`
   * (its `FindingPublishingFrequency`), so it needs `detector`. For the detector GuardDuty
   * made for a delegated administrator (EnableOrganizationAdminAccount), which is not in
   * the stack, set `findingPublishingFrequency` on `GuardDutyOrganizationConfiguration`.
   *
   * @default - the detector's own setting (GuardDuty's default is SIX_HOURS)
   */
  readonly findingPublishingFrequency?: FindingPublishingFrequency;

  /**
   * The bucket to export to. GuardDuty allows a bucket in another account (a log
   * archive), and in another region unless that region is an opt-in one. The bucket
   * policy GuardDuty needs is added when the bucket belongs to this stack; for any other
   * bucket, its own stack must allow this detector: make it with
   * `GuardDutyFindingsExportBucket` there, and import it here with
   * `s3.Bucket.fromBucketAttributes` (with `account` and `region`).
   *
   * @default - a bucket made for the findings in this stack
   */
  readonly bucket?: s3.IBucket;

  /**
   * The KMS key GuardDuty encrypts the findings with, in the bucket's region. The key policy
   * statement GuardDuty needs is added when the key belongs to this stack; a key of another
   * stack or account needs `GuardDutyFindingsExportBucket.keyPolicyStatement` in its own
   * stack. Import one with `kms.Key.fromKeyArn`.
   *
   * @default - `bucket`'s own encryption key when it has one; otherwise a key made in this stack
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * The folder of the bucket GuardDuty writes under, without leading or trailing `/`.
   * GuardDuty adds `AWSLogs/<account>/GuardDuty/<region>/` below it.
   *
   * @default - the bucket's top level
   */
  readonly prefix?: string;

  /**
   * Lifecycle rules of the bucket this construct makes (not of a bucket given in
   * `bucket`), for example to move findings to Glacier after a year.
   *
   * @default - none: findings are kept until deleted
   */
  readonly lifecycleRules?: s3.LifecycleRule[];

  /**
   * A default Object Lock retention for every findings object (Object Lock is on for the
   * bucket made here; without a retention it locks nothing). `s3.ObjectLockRetention.governance(Duration.days(365))`
   * keeps each object immutable for a year.
   *
   * @default - no default retention (the NIST 800-53 R4 default-lock rule is acknowledged)
   */
  readonly objectLockDefaultRetention?: s3.ObjectLockRetention;

  /**
   * The bucket that receives the server access logs of the bucket this construct makes.
   *
   * @default - no server access logs (the packs' logging rules are acknowledged)
   */
  readonly serverAccessLogsBucket?: s3.IBucket;

  /**
   * What happens to the bucket and the key this construct makes when it is deleted.
   * The publishing destination itself is always deleted with the construct.
   *
   * @default RemovalPolicy.RETAIN - the findings and their key stay
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Exports a detector's findings (an administrator's carry its members' findings) in the
 * stack's region to an S3 bucket, encrypted with a KMS key: a GuardDuty publishing
 * destination (`AWS::GuardDuty::PublishingDestination`), with the bucket policy and key
 * policy of GuardDuty's export guide where the bucket and key are in this stack. Export
 * settings are per region: one construct per region.
 *
 * @example
 * declare const organization: GuardDutyOrganizationConfiguration;
 * new GuardDutyFindingsExport(this, 'FindingsExport', {
 *   detectorId: organization.detectorId,
 *   prefix: 'guardduty',
 * });
 */
export class GuardDutyFindingsExport extends Construct {
  /** The bucket findings are exported to: the one given, or the one made. */
  public readonly bucket: s3.IBucket;
  /** The key that encrypts them. */
  public readonly encryptionKey: kms.IKey;
  /** The publishing destination. */
  public readonly publishingDestination: guardduty.CfnPublishingDestination;
  /**
   * The ID of the publishing destination.
   *
   * @attribute
   */
  public readonly destinationId: string;

  constructor(scope: Construct, id: string, props: GuardDutyFindingsExportProps) {
    super(scope, id);
    const stack = Stack.of(this);
    checkProps(this, props);
    const detectorId = props.detectorId ?? props.detector!.ref;
    const region = stack.region;

    const made = props.bucket ? undefined : createExportBucket(this, { ...props, encryptionKey: props.encryptionKey });
    const bucket = made?.bucket ?? props.bucket!;
    const encryptionKey = made?.encryptionKey ?? props.encryptionKey ?? props.bucket!.encryptionKey!;
    const regionProblem = destinationRegionProblem(region, knownRegion(bucket.env.region), knownRegion(encryptionKey.env.region), this.node.path);
    if (regionProblem) {
      throw new Error(`GuardDutyFindingsExport ${regionProblem}`);
    }

    const sources: DetectorSources = {
      accountIds: [stack.account],
      regions: [region],
      detectorArns: [stack.formatArn({ service: 'guardduty', resource: 'detector', resourceName: detectorId })],
      partition: stack.partition,
    };
    const folderObjects = bucket.arnForObjects(props.prefix ? `${props.prefix}/*` : '*');
    const statements = bucketPolicyStatements(bucket.bucketArn, folderObjects, encryptionKey.keyArn, sources);
    const bucketPolicyAdded = [...statements, ...(made ? [] : [denyInsecureTransportStatement(bucket.bucketArn)])].map((s) => bucket.addToResourcePolicy(s).statementAdded).every(Boolean);
    const keyPolicyAdded = encryptionKey.addToResourcePolicy(keyPolicyStatement(sources)).statementAdded;
    if (!bucketPolicyAdded) {
      Annotations.of(this).addWarningV2(
        'cdk-guardduty-members:findingsExportBucketPolicy',
        `The bucket ${bucket.node.path} is not a bucket of this stack, so its policy is not written here: GuardDuty cannot export until the bucket's own stack allows ` +
          `this detector (GuardDutyFindingsExportBucket with sourceAccountIds [${stack.account}] and sourceRegions [${region}]; see ${EXPORT_GUIDE})`,
      );
    }
    if (!keyPolicyAdded) {
      Annotations.of(this).addWarningV2(
        'cdk-guardduty-members:findingsExportKeyPolicy',
        `The KMS key ${encryptionKey.node.path} is not a key of this stack, so its key policy is not written here: GuardDuty cannot export until the key's own stack ` +
          `adds GuardDutyFindingsExportBucket.keyPolicyStatement(this, ['${stack.account}'], ['${region}']) (see ${EXPORT_GUIDE})`,
      );
    }

    if (props.findingPublishingFrequency !== undefined) {
      setFrequency(props.detector!, props.findingPublishingFrequency, this.node.path);
    }

    this.publishingDestination = new guardduty.CfnPublishingDestination(this, 'Resource', {
      detectorId,
      destinationType: 'S3',
      destinationProperties: {
        // GuardDuty's form for a folder: arn:aws:s3:::bucket/folder/ (CreatePublishingDestination).
        destinationArn: props.prefix ? `${bucket.bucketArn}/${props.prefix}/` : bucket.bucketArn,
        kmsKeyArn: encryptionKey.keyArn,
      },
    });
    // GuardDuty checks that it can write with the key when the destination is created.
    if (bucket.policy && bucketPolicyAdded) {
      this.publishingDestination.node.addDependency(bucket.policy);
    }
    if (keyPolicyAdded) {
      this.publishingDestination.node.addDependency(encryptionKey);
    }
    this.bucket = bucket;
    this.encryptionKey = encryptionKey;
    this.destinationId = this.publishingDestination.attrId;
  }
}

function knownRegion(region: string): string | undefined {
  return Token.isUnresolved(region) ? undefined : region;
}

/** A publishing destination is a sub-resource of one detector, so the export is declared beside it. */
const DETECTOR = {
  prop: 'detector',
  reason: "a publishing destination belongs to a detector of its own account and region (it is a sub-resource of that detector)",
};

function checkProps(scope: Construct, props: GuardDutyFindingsExportProps): void {
  const problems: string[] = [...detectorIdProblems(props.detectorId, scope)];
  if ((props.detectorId === undefined) === (props.detector === undefined)) {
    problems.push(`give exactly one of detectorId and detector, got ${props.detectorId === undefined ? 'neither' : 'both'}`);
  }
  if (props.findingPublishingFrequency !== undefined && props.detector === undefined) {
    problems.push(
      `findingPublishingFrequency ${props.findingPublishingFrequency} is a property of the detector and needs detector (the guardduty.CfnDetector of this stack); ` +
        'for the detector GuardDuty made for a delegated administrator, set findingPublishingFrequency on GuardDutyOrganizationConfiguration instead',
    );
  }
  const frequency = findingPublishingFrequencyProblem(props.findingPublishingFrequency, 'findingPublishingFrequency');
  if (frequency) {
    problems.push(frequency);
  }
  const prefix = prefixProblem(props.prefix);
  if (prefix) {
    problems.push(prefix);
  }
  if (props.bucket && !props.encryptionKey && !props.bucket.encryptionKey) {
    problems.push(`bucket ${props.bucket.node.path} has no encryption key this stack knows: pass encryptionKey (GuardDuty encrypts every export with a KMS key)`);
  }
  if (props.bucket && props.lifecycleRules) {
    problems.push(`lifecycleRules apply to the bucket this construct makes; bucket ${props.bucket.node.path} is given: set its lifecycle rules where it is made`);
  }
  for (const [name, value] of [['serverAccessLogsBucket', props.serverAccessLogsBucket], ['objectLockDefaultRetention', props.objectLockDefaultRetention]] as const) {
    if (props.bucket && value) {
      problems.push(`${name} applies to the bucket this construct makes; bucket ${props.bucket.node.path} is given: set it where that bucket is made`);
    }
  }
  const here = Stack.of(scope);
  if (props.detector) {
    problems.push(...constructEnvironmentProblems(scope, DETECTOR, props.detector));
  }
  if (Token.isUnresolved(here.region)) {
    problems.push("the stack's region must be known at synth time (GuardDuty names a regional service principal in opt-in regions, and checks the bucket's region): set the stack's env.region");
  }
  if (problems.length > 0) {
    throw new Error(`GuardDutyFindingsExport ${scope.node.path}: ${problems.join('; ')}`);
  }
}

function setFrequency(detector: guardduty.CfnDetector, frequency: FindingPublishingFrequency, where: string): void {
  const current = detector.findingPublishingFrequency;
  if (current !== undefined && !Token.isUnresolved(current) && current !== frequency) {
    throw new Error(
      `GuardDutyFindingsExport ${where}: findingPublishingFrequency ${frequency} conflicts with ${current} set on detector ${detector.node.path}: set it in one place`,
    );
  }
  detector.findingPublishingFrequency = frequency;
}
