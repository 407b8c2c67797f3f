import { Annotations, CfnOutput, Duration, Stack, Stage } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
// '../lib/index', not '../lib': see guardduty-fleet.ts.
import {
  FindingPublishingFrequency,
  GuardDutyFindingsExport,
  GuardDutyFindingsExportBucket,
  GuardDutyOrganizationPolicy,
  GuardDutyOrganizationRollout,
  GuardDutyPolicyFeature,
  GuardDutyTamperProtection,
  OrganizationAutoEnable,
  OrganizationMembers,
  UnprocessedAccountsAction,
} from '../lib/index';

/**
 * The example GuardDuty organization in every region, shared by organization-app.ts
 * (`cdk deploy --all`) and pipeline-app.ts (a CDK pipeline in waves): the management
 * account makes the security account the delegated administrator in each region; the
 * security account configures the organization there (auto-enable NEW, S3 data events,
 * runtime monitoring with its agents) and makes members of every account under the
 * workload OUs (read from Organizations at each deployment) and of three accounts outside
 * the organization (by invitation), which accept in a stack of their own per region.
 * Every region's administrator exports its findings (its members' included) to one
 * bucket with a KMS key in the log-archive account, in us-east-1. Once, from the
 * management account: a GuardDuty organization policy on the workload OUs, and a service
 * control policy that stops their accounts from leaving or disabling GuardDuty.
 *
 * The regions: every commercial region enabled by default, plus the one opt-in region
 * this organization has enabled in all its accounts (eu-central-2), where one outside
 * account has not enabled it and is left out.
 *
 * The accounts are fixed example values, so `cdk synth` runs offline with no credentials.
 */
export const MANAGEMENT_ACCOUNT = '999999999999';
export const SECURITY_ACCOUNT = '111111111111';
/** The OUs whose accounts (in them and in every OU below) are members. */
export const WORKLOAD_UNITS = ['ou-ab12-workload', 'ou-ab12-platform1'];
/** An organization account GuardDuty should leave alone (a break-glass account, say). */
export const EXCLUDED_ACCOUNT = '777777777777';
/** Accounts outside the organization: invited, with their root user email. */
export const OUTSIDE_ACCOUNTS = [
  { accountId: '444444444444', email: 'aws-root+partner-analytics@example.com' },
  { accountId: '555555555555', email: 'aws-root+acquired-shop@example.com' },
  { accountId: '666666666666', email: 'aws-root+contractor-lab@example.com' },
];
/** Opt-in regions enabled in every account of the organization. */
export const ENABLED_OPT_IN_REGIONS = ['eu-central-2'];
/** The outside account that has not enabled eu-central-2: it gets no stack there. */
export const CONTRACTOR_LAB_ACCOUNT = '666666666666';

/** The account that keeps the findings, and the region of its one findings bucket. */
export const LOG_ARCHIVE_ACCOUNT = '222222222222';
export const FINDINGS_REGION = 'us-east-1';
/**
 * Named, not generated: the administrator stacks are in another account, where
 * CloudFormation cannot read the archive stack's outputs, so they import the bucket by name.
 */
export const FINDINGS_BUCKET_NAME = `example-org-guardduty-findings-${LOG_ARCHIVE_ACCOUNT}`;
/** GuardDuty writes under guardduty/AWSLogs/<account>/GuardDuty/<region>/. */
export const FINDINGS_PREFIX = 'guardduty';
/** Context key of the findings key's ARN: the archive stack's `FindingsKeyArn` output. */
export const FINDINGS_KEY_ARN_CONTEXT = 'guardduty:findingsKeyArn';
/**
 * The findings key's ARN until the context gives it. KMS makes a key's ID, and another
 * account's stack cannot read it at deploy time: deploy the archive stack first, then put
 * its `FindingsKeyArn` output in cdk.json's context under FINDINGS_KEY_ARN_CONTEXT.
 */
export const EXAMPLE_FINDINGS_KEY_ARN = `arn:aws:kms:${FINDINGS_REGION}:${LOG_ARCHIVE_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
/** The role that may still make the GuardDuty calls the service control policy denies. */
export const BREAK_GLASS_ROLE = 'security/GuardDutyBreakGlass';
/**
 * The home region of the stacks that exist once per organization: the findings archive,
 * and the Organizations policies (which are global; the Organizations endpoint of the
 * aws partition is in us-east-1).
 */
export const ORGANIZATION_HOME_REGION = 'us-east-1';

/** Where the rollout puts each role's stacks: one Stage per pipeline wave, say. */
export interface GuardDutyOrganizationScopes {
  /** The management account's stacks, and the organization-wide ones (archive, policies): the first wave. */
  readonly managementScope?: Construct;
  readonly administratorScope?: Construct;
  readonly memberScope?: Construct;
}

/** The example organization's constructs, for the apps and their tests. */
export interface GuardDutyOrganization {
  readonly rollout: GuardDutyOrganizationRollout;
  /** The log-archive account's stack with the findings bucket and key. */
  readonly findingsArchiveStack: Stack;
  readonly findingsBucket: GuardDutyFindingsExportBucket;
  /** Each region's export, in its administrator stack, by region. */
  readonly findingsExports: ReadonlyMap<string, GuardDutyFindingsExport>;
  /** The management account's stack with the organization's policies. */
  readonly organizationPoliciesStack: Stack;
  readonly organizationPolicy: GuardDutyOrganizationPolicy;
  readonly tamperProtection: GuardDutyTamperProtection;
}

export function declareGuardDutyOrganization(scope: Construct, scopes: GuardDutyOrganizationScopes = {}): GuardDutyOrganization {
  const rollout = new GuardDutyOrganizationRollout(scope, 'GuardDuty', {
    managementAccountId: MANAGEMENT_ACCOUNT,
    administratorAccountId: SECURITY_ACCOUNT,
    autoEnableOrganizationMembers: OrganizationAutoEnable.NEW,
    features: [
      { name: 'S3_DATA_EVENTS', autoEnable: OrganizationAutoEnable.NEW },
      {
        name: 'RUNTIME_MONITORING',
        autoEnable: OrganizationAutoEnable.NEW,
        additionalConfiguration: [
          { name: 'EKS_ADDON_MANAGEMENT', autoEnable: OrganizationAutoEnable.NEW },
          { name: 'ECS_FARGATE_AGENT_MANAGEMENT', autoEnable: OrganizationAutoEnable.NEW },
          { name: 'EC2_AGENT_MANAGEMENT', autoEnable: OrganizationAutoEnable.NEW },
        ],
      },
    ],
    // Updates of exported findings reach the archive within 15 minutes, not 6 hours.
    findingPublishingFrequency: FindingPublishingFrequency.FIFTEEN_MINUTES,
    // The accounts already in the workload OUs (auto-enable NEW covers only those that
    // join from now on) and the three outside accounts, in one declared fleet.
    organizationMembers: OrganizationMembers.underOrganizationalUnits(WORKLOAD_UNITS, { excludeAccountIds: [EXCLUDED_ACCOUNT] }),
    members: OUTSIDE_ACCOUNTS,
    invitationMessage: 'Please accept the GuardDuty invitation from the security account.',
    onUnprocessed: UnprocessedAccountsAction.REPORT,
    enabledOptInRegions: ENABLED_OPT_IN_REGIONS,
    regionOverrides: [{ region: 'eu-central-2', excludeMemberAccountIds: [CONTRACTOR_LAB_ACCOUNT] }],
    // Each outside account watches that it is still a member, in every region.
    administratorMonitor: {},
    // The same stack names whether `cdk deploy --all` or the pipeline deploys them.
    stackNamePrefix: STACK_NAME_PREFIX,
    ...scopes,
  });

  // One central bucket: GuardDuty lets every region export to a bucket in a commercial
  // region that is not opt-in, eu-central-2 included (docs/findings-export.md).
  const findingsArchiveStack = organizationStack(rollout, scopes, 'FindingsArchive', LOG_ARCHIVE_ACCOUNT, 'GuardDuty findings of every region, from the delegated administrator (cdk-guardduty-members example)');
  const findingsBucket = new GuardDutyFindingsExportBucket(findingsArchiveStack, 'Findings', {
    bucketName: FINDINGS_BUCKET_NAME,
    sourceAccountIds: [SECURITY_ACCOUNT],
    sourceRegions: rollout.regions,
    prefix: FINDINGS_PREFIX,
    lifecycleRules: [{ id: 'Archive', transitions: [{ storageClass: s3.StorageClass.GLACIER, transitionAfter: Duration.days(365) }] }],
  });
  new CfnOutput(findingsArchiveStack, 'FindingsKeyArn', { value: findingsBucket.encryptionKey.keyArn, description: `Put in cdk.json's context as ${FINDINGS_KEY_ARN_CONTEXT}` });

  const keyArn: string = scope.node.tryGetContext(FINDINGS_KEY_ARN_CONTEXT) ?? EXAMPLE_FINDINGS_KEY_ARN;
  const findingsExports = new Map<string, GuardDutyFindingsExport>();
  for (const region of rollout.regions) {
    const administrator = rollout.administratorStack(region);
    const findingsExport = new GuardDutyFindingsExport(administrator, 'FindingsExport', {
      detectorId: rollout.organizationConfiguration(region).detectorId,
      bucket: s3.Bucket.fromBucketAttributes(administrator, 'FindingsBucket', { bucketName: FINDINGS_BUCKET_NAME, account: LOG_ARCHIVE_ACCOUNT, region: FINDINGS_REGION }),
      encryptionKey: kms.Key.fromKeyArn(administrator, 'FindingsKey', keyArn),
      prefix: FINDINGS_PREFIX,
    });
    const written = `written by ${findingsArchiveStack.stackName}, which allows this account's detector in every region of the rollout and deploys first`;
    Annotations.of(findingsExport).acknowledgeWarning('cdk-guardduty-members:findingsExportBucketPolicy', `The bucket policy is ${written}`);
    Annotations.of(findingsExport).acknowledgeWarning('cdk-guardduty-members:findingsExportKeyPolicy', `The key policy is ${written}`);
    findingsExports.set(region, findingsExport);
    // GuardDuty checks that it can write to the bucket with the key when the destination is created.
    dependWithinStage(administrator, findingsArchiveStack, 'GuardDuty: the findings bucket and its policies before the exports to it');
  }

  // Organizations policies are global: one stack, from the management account.
  const organizationPoliciesStack = organizationStack(rollout, scopes, 'OrganizationPolicies', MANAGEMENT_ACCOUNT, 'GuardDuty organization policy and tamper protection of the workload OUs (cdk-guardduty-members example)');
  // The policy binds every account under the OUs, EXCLUDED_ACCOUNT too: Organizations
  // attaches to OUs and accounts, not to a selection with exclusions.
  const organizationPolicy = new GuardDutyOrganizationPolicy(organizationPoliciesStack, 'GuardDutyPolicy', {
    targetIds: WORKLOAD_UNITS,
    // The features both the policy type and the organization configuration know; runtime
    // monitoring stays with auto-enable, which the policy type cannot set.
    allRegions: { enable: [GuardDutyPolicyFeature.FOUNDATIONAL, GuardDutyPolicyFeature.S3_DATA_EVENTS] },
  });
  const tamperProtection = new GuardDutyTamperProtection(organizationPoliciesStack, 'TamperProtection', {
    targetIds: WORKLOAD_UNITS,
    exemptRoleNames: [BREAK_GLASS_ROLE],
  });

  return { rollout, findingsArchiveStack, findingsBucket, findingsExports, organizationPoliciesStack, organizationPolicy, tamperProtection };
}

const STACK_NAME_PREFIX = 'GuardDuty';

/**
 * A stack that exists once per organization, named like the rollout's: under the rollout
 * for `cdk deploy 'GuardDuty/*'`, or in the management scope (the pipeline's first wave).
 */
function organizationStack(rollout: GuardDutyOrganizationRollout, scopes: GuardDutyOrganizationScopes, role: string, account: string, description: string): Stack {
  const name = `${role}-${ORGANIZATION_HOME_REGION}`;
  const parent = scopes.managementScope ?? rollout;
  return new Stack(parent, parent === rollout ? name : `${rollout.node.id}-${name}`, {
    env: { account, region: ORGANIZATION_HOME_REGION },
    stackName: `${STACK_NAME_PREFIX}-${name}`,
    description,
  });
}

/** The CDK refuses a dependency across stages; a pipeline's waves order those. */
function dependWithinStage(dependent: Stack, dependency: Stack, reason: string): void {
  if (Stage.of(dependent) === Stage.of(dependency)) {
    dependent.addStackDependency(dependency, reason);
  }
}
