import { Annotations, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DetectorSources, bucketPolicyStatements, createExportBucket, keyPolicyStatement } from './private/findings-export-policies';
import { destinationRegionProblem, prefixProblem, sourceRegionsProblem } from './private/findings-export-rules';
import { accountIdProblem } from './private/member-account-rules';

/**
 * Properties for `GuardDutyFindingsExportBucket`.
 */
export interface GuardDutyFindingsExportBucketProps {
  /**
   * The accounts whose detectors export findings here: the GuardDuty administrator
   * (delegated administrator), whose export carries its members' findings too. 12 digits each.
   */
  readonly sourceAccountIds: string[];

  /**
   * The regions whose detectors export here. GuardDuty allows a bucket in a commercial
   * region to take the findings of every commercial region (one central bucket), and a
   * bucket in an opt-in region only that region's.
   *
   * @default - the stack's region only
   */
  readonly sourceRegions?: string[];

  /**
   * The folder GuardDuty writes under (the exports' `prefix`), without leading or
   * trailing `/`. GuardDuty adds `AWSLogs/<account>/GuardDuty/<region>/` below it.
   *
   * @default - the policies allow GuardDuty to write anywhere in the bucket
   */
  readonly prefix?: string;

  /**
   * The KMS key that encrypts the findings, in the bucket's region. A key of this stack
   * gets the statement GuardDuty needs in its key policy. A key of another account (an
   * audit account) cannot be changed from here: its own stack adds
   * `GuardDutyFindingsExportBucket.keyPolicyStatement` (a warning says so).
   *
   * @default - a customer managed key with rotation, made for this bucket
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Lifecycle rules of the bucket, for example to move findings to Glacier after a year
   * and expire noncurrent versions.
   *
   * @default - none: findings are kept until deleted
   */
  readonly lifecycleRules?: s3.LifecycleRule[];

  /**
   * The bucket's name.
   *
   * @default - a name CloudFormation generates
   */
  readonly bucketName?: string;

  /**
   * A default Object Lock retention for every findings object (Object Lock is on for the
   * bucket made here; without a retention it locks nothing). `s3.ObjectLockRetention.governance(Duration.days(365))`
   * keeps each object immutable for a year.
   *
   * @default - no default retention (the NIST 800-53 R4 default-lock rule is acknowledged)
   */
  readonly objectLockDefaultRetention?: s3.ObjectLockRetention;

  /**
   * The bucket that receives this bucket's server access logs.
   *
   * @default - no server access logs (the packs' logging rules are acknowledged)
   */
  readonly serverAccessLogsBucket?: s3.IBucket;

  /**
   * What happens to the bucket and the key made for it when the construct is deleted.
   *
   * @default RemovalPolicy.RETAIN - the findings and their key stay
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * An S3 bucket and KMS key that GuardDuty detectors of other accounts or regions export
 * findings to, with the bucket policy and key policy of GuardDuty's export guide: the
 * side of a central log-archive destination that the administrator's stacks cannot
 * write. Deploy it first, then a `GuardDutyFindingsExport` in each administrator region
 * with `bucket` and `encryptionKey` imported by name and ARN.
 *
 * @example
 * new GuardDutyFindingsExportBucket(this, 'Findings', {
 *   sourceAccountIds: ['111111111111'],
 *   sourceRegions: ['us-east-1', 'eu-west-1'],
 * });
 */
export class GuardDutyFindingsExportBucket extends Construct {
  /**
   * The key policy statement GuardDuty needs on a key of another account (an audit
   * account): add it there with `key.addToResourcePolicy(...)`.
   *
   * @param scope a construct of the key's stack
   * @param sourceAccountIds the accounts whose detectors export with the key
   * @param sourceRegions the regions of those detectors
   */
  public static keyPolicyStatement(scope: Construct, sourceAccountIds: string[], sourceRegions: string[]): iam.PolicyStatement {
    return keyPolicyStatement(checkedSources(scope, sourceAccountIds, sourceRegions, 'GuardDutyFindingsExportBucket.keyPolicyStatement'));
  }

  /** The bucket findings are exported to. */
  public readonly bucket: s3.IBucket;
  /** The key that encrypts them. */
  public readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: GuardDutyFindingsExportBucketProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const sources = checkedSources(this, props.sourceAccountIds, props.sourceRegions ?? [stack.region], `GuardDutyFindingsExportBucket ${this.node.path}`);
    const problems = [
      prefixProblem(props.prefix),
      ...sources.regions.map((region) => destinationRegionProblem(region, regionOf(stack), props.encryptionKey ? regionOf(props.encryptionKey.stack, props.encryptionKey.env.region) : undefined, this.node.path)),
    ].filter((problem): problem is string => problem !== undefined);
    if (problems.length > 0) {
      throw new Error(`GuardDutyFindingsExportBucket ${this.node.path}: ${[...new Set(problems)].join('; ')}`);
    }

    const { bucket, encryptionKey } = createExportBucket(this, props);
    const objects = props.prefix ? bucket.arnForObjects(`${props.prefix}/*`) : bucket.arnForObjects('*');
    for (const statement of bucketPolicyStatements(bucket.bucketArn, objects, encryptionKey.keyArn, sources)) {
      bucket.addToResourcePolicy(statement);
    }
    if (!encryptionKey.addToResourcePolicy(keyPolicyStatement(sources)).statementAdded) {
      Annotations.of(this).addWarningV2(
        'cdk-guardduty-members:findingsExportKeyPolicy',
        `The KMS key ${encryptionKey.node.path} is not a key of this stack, so its key policy is not written here: GuardDuty cannot export until the key's own stack ` +
          `adds GuardDutyFindingsExportBucket.keyPolicyStatement(this, [${sources.accountIds.map((a) => `'${a}'`).join(', ')}], [${sources.regions.map((r) => `'${r}'`).join(', ')}])`,
      );
    }
    this.bucket = bucket;
    this.encryptionKey = encryptionKey;
  }
}

function regionOf(stack: Stack, region: string = stack.region): string | undefined {
  return Token.isUnresolved(region) ? undefined : region;
}

function checkedSources(scope: Construct, accountIds: string[], regions: string[], where: string): DetectorSources {
  const problems: string[] = [];
  if (accountIds.length === 0) {
    problems.push('sourceAccountIds must name at least one account, got []');
  }
  for (const accountId of accountIds.filter((a) => !Token.isUnresolved(a))) {
    const problem = accountIdProblem(accountId);
    if (problem) {
      problems.push(`sourceAccountIds: ${problem}`);
    }
  }
  if (regions.some((region) => Token.isUnresolved(region))) {
    problems.push('the regions of the source detectors must be known at synth time (GuardDuty names a regional service principal in opt-in regions): set the stack\'s env.region or pass sourceRegions');
  } else {
    const problem = sourceRegionsProblem(regions);
    if (problem) {
      problems.push(problem);
    }
  }
  if (problems.length > 0) {
    throw new Error(`${where}: ${problems.join('; ')}`);
  }
  return { accountIds, regions, partition: Stack.of(scope).partition };
}
