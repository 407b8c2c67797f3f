import { CustomResource, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { GuardDutyPolicyFeature } from './guardduty-policy-feature';
import { OrganizationPolicyProvider } from './organization-policy-provider';
import { DEFAULT_BLOCK, PolicyBlock, policyBlockProblems, regionNameProblem, renderGuardDutyPolicy } from './private/guardduty-policy-syntax';
import { GuardDutyPolicyResourceProperties, POLICY_ATTRIBUTE, POLICY_DESCRIPTION_MAX_LENGTH, POLICY_NAME_MAX_LENGTH, POLICY_TYPE_ATTRIBUTE, RESOURCE_TYPE } from './private/organization-policy-contract';
import { removalPolicyProblems } from './private/synth-validation';
import { policyTargetsProblems } from './private/policy-target-rules';

/**
 * The features one block of a GuardDuty policy turns on and off.
 */
export interface GuardDutyPolicySettings {
  /**
   * Features GuardDuty enables, and keeps enabled, in the accounts the policy reaches.
   * They become read-only there.
   *
   * @default - none enabled by this block
   */
  readonly enable?: GuardDutyPolicyFeature[];

  /**
   * Features GuardDuty disables, and keeps disabled.
   *
   * @default - none disabled by this block
   */
  readonly disable?: GuardDutyPolicyFeature[];
}

/**
 * The block of a GuardDuty policy for one Region: it replaces the `allRegions` block
 * there whole (a feature it leaves out is not inherited from `allRegions`).
 */
export interface GuardDutyPolicyRegionSettings extends GuardDutyPolicySettings {
  /** The Region, `eu-west-1`. */
  readonly region: string;
}

/**
 * Properties for `GuardDutyOrganizationPolicy`.
 */
export interface GuardDutyOrganizationPolicyProps {
  /**
   * Where the policy is attached: the organization's root (`r-xxxx`), organizational units
   * (`ou-xxxx-xxxxxxxx`) or accounts (12 digits). Checked at synth.
   */
  readonly targetIds: string[];

  /**
   * The `default` block: the features of every Region where GuardDuty is available and
   * that `regions` does not name.
   *
   * @default - no default block: only the Regions in `regions` are managed
   */
  readonly allRegions?: GuardDutyPolicySettings;

  /**
   * Blocks for single Regions, each replacing `allRegions` there. At least one of
   * `allRegions` and `regions` is required.
   *
   * @default - no Region block: `allRegions` applies everywhere
   */
  readonly regions?: GuardDutyPolicyRegionSettings[];

  /**
   * The policy's name in AWS Organizations.
   *
   * @default 'GuardDutyOrganizationPolicy'
   */
  readonly policyName?: string;

  /**
   * The policy's description in AWS Organizations.
   *
   * @default - says which library manages it
   */
  readonly description?: string;

  /**
   * What happens to the policy when the construct is deleted. Only `RemovalPolicy.DESTROY`
   * and `RemovalPolicy.RETAIN` are supported. With `DESTROY`, the policy is detached from
   * every target and deleted; with `RETAIN`, it stays, attached where it was.
   *
   * @default RemovalPolicy.DESTROY - the policy goes with the construct, as a CloudFormation resource would
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Disable the `GUARDDUTY_POLICY` policy type on the root when the stack's policy type
   * resource is deleted, and only if that resource enabled it. Every
   * GuardDutyOrganizationPolicy of a stack shares that resource and must agree.
   *
   * @default false - the policy type stays enabled (other policies of the type may rely on it)
   */
  readonly disablePolicyTypeOnDelete?: boolean;

  /**
   * The VPC to run the stack's policy type provider functions in. The subnets need a
   * route to AWS Organizations, Step Functions, Lambda and CloudWatch Logs.
   *
   * @default - the functions run outside any VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Which subnets of `vpc` the functions run in: private ones.
   *
   * @default - the VPC's default selection: its private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * The security groups of the functions in `vpc`; they need outbound HTTPS (443).
   *
   * @default - a security group per function, allowing all outbound traffic
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * The KMS key that encrypts the provider's log groups.
   *
   * @default - log groups are encrypted by CloudWatch Logs with its own key
   */
  readonly logEncryptionKey?: kms.IKey;

  /**
   * Reserve concurrency for the provider's functions (see GuardDutyDelegatedAdministrator's).
   *
   * @default false - no reserved concurrency
   */
  readonly reserveConcurrency?: boolean;
}

/**
 * A GuardDuty organization policy (AWS Organizations policy type `GUARDDUTY_POLICY`):
 * which features GuardDuty enables and keeps in the accounts under its targets, in every
 * Region (`allRegions`) or per Region. Deploy it from the management account, or from a
 * delegated administrator that the organization's resource policy allows to manage the
 * type.
 *
 * CloudFormation's `AWS::Organizations::Policy` does not take the `GUARDDUTY_POLICY`
 * type, so the policy is a custom resource (CreatePolicy, UpdatePolicy, AttachPolicy,
 * DetachPolicy, DeletePolicy), as is the policy type on the root, enabled first where it
 * is off (`EnablePolicyType`, idempotent) and never disabled unless
 * `disablePolicyTypeOnDelete` asks.
 *
 * @example
 * new GuardDutyOrganizationPolicy(this, 'GuardDutyPolicy', {
 *   targetIds: ['ou-ab12-workloads1'],
 *   allRegions: { enable: [GuardDutyPolicyFeature.FOUNDATIONAL, GuardDutyPolicyFeature.S3_DATA_EVENTS] },
 * });
 */
export class GuardDutyOrganizationPolicy extends Construct {
  /**
   * The policy's ID (`p-...`).
   *
   * @attribute
   */
  public readonly policyId: string;

  /**
   * The policy's ARN.
   *
   * @attribute
   */
  public readonly policyArn: string;

  /**
   * The organization's root, as the policy type resource found it.
   *
   * @attribute
   */
  public readonly rootId: string;

  constructor(scope: Construct, id: string, props: GuardDutyOrganizationPolicyProps) {
    super(scope, id);

    const blocks = validateProps(props, this.node.path);
    const provider = OrganizationPolicyProvider.getOrCreate(this, props);
    const policyType = provider.policyTypeResource(this, Boolean(props.disablePolicyTypeOnDelete));

    const properties: GuardDutyPolicyResourceProperties = {
      Name: props.policyName ?? 'GuardDutyOrganizationPolicy',
      Description: props.description ?? 'GuardDuty features for the accounts under its targets (cdk-guardduty-members)',
      Content: renderGuardDutyPolicy(blocks),
      TargetIds: props.targetIds,
      RemovalPolicy: (props.removalPolicy ?? RemovalPolicy.DESTROY) === RemovalPolicy.RETAIN ? 'RETAIN' : 'DESTROY',
    };
    const policy = new CustomResource(this, 'Resource', { serviceToken: provider.serviceToken, resourceType: RESOURCE_TYPE.POLICY, properties });
    // Organizations refuses to attach a policy of a type the root has not enabled.
    policy.node.addDependency(policyType);

    this.policyId = policy.getAttString(POLICY_ATTRIBUTE.POLICY_ID);
    this.policyArn = policy.getAttString(POLICY_ATTRIBUTE.POLICY_ARN);
    this.rootId = policyType.getAttString(POLICY_TYPE_ATTRIBUTE.ROOT_ID);
  }
}

function validateProps(props: GuardDutyOrganizationPolicyProps, path: string): PolicyBlock[] {
  const isToken = (value: unknown) => typeof value === 'string' && Token.isUnresolved(value);
  const problems = [
    ...policyTargetsProblems(props.targetIds, 'targetIds', isToken),
    ...removalPolicyProblems(props.removalPolicy, 'the policy is either deleted or left attached'),
  ];
  if (props.policyName !== undefined && !isToken(props.policyName) && (props.policyName.length === 0 || props.policyName.length > POLICY_NAME_MAX_LENGTH)) {
    problems.push(`policyName must be 1 to ${POLICY_NAME_MAX_LENGTH} characters, got ${JSON.stringify(props.policyName)}`);
  }
  if (props.description !== undefined && !isToken(props.description) && props.description.length > POLICY_DESCRIPTION_MAX_LENGTH) {
    problems.push(`description must be at most ${POLICY_DESCRIPTION_MAX_LENGTH} characters, got ${props.description.length}`);
  }
  const blocks: PolicyBlock[] = [];
  if (props.allRegions) {
    problems.push(...policyBlockProblems(props.allRegions, 'allRegions'));
    blocks.push({ key: DEFAULT_BLOCK, ...props.allRegions });
  }
  const seen = new Set<string>();
  (props.regions ?? []).forEach((block, index) => {
    const where = `regions[${index}]`;
    const regionProblem = regionNameProblem(block.region, where);
    if (regionProblem) {
      problems.push(regionProblem);
    } else if (seen.has(block.region)) {
      problems.push(`${where}: ${block.region} has a block already; one block a Region (a Region block replaces allRegions there whole)`);
    }
    seen.add(block.region);
    problems.push(...policyBlockProblems(block, where));
    blocks.push({ key: block.region, enable: block.enable, disable: block.disable });
  });
  if (blocks.length === 0) {
    problems.push('the policy has no block: give allRegions (every Region), regions (single Regions), or both');
  }
  if (problems.length > 0) {
    throw new Error(`Invalid GuardDutyOrganizationPolicy props at ${path}:${problems.map((problem) => `\n  ${problem}`).join('')}`);
  }
  return blocks;
}
