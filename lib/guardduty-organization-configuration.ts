import { CustomResource, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { FindingPublishingFrequency } from './finding-publishing-frequency';
import { OrganizationAutoEnable } from './organization-auto-enable';
import { OrganizationConfigurationProvider } from './organization-configuration-provider';
import { OrganizationFeatureConfiguration } from './organization-feature';
import { ORGANIZATION_CONFIGURATION_ATTRIBUTE, OrganizationConfigurationResourceProperties } from './private/organization-configuration-contract';
import { findingPublishingFrequencyProblem } from './private/finding-publishing-frequency-rules';
import { FieldNames, organizationConfigurationProblems } from './private/organization-configuration-rules';
import { detectorIdProblems, removalPolicyProblems } from './private/synth-validation';

/**
 * Properties for `GuardDutyOrganizationConfiguration`.
 */
export interface GuardDutyOrganizationConfigurationProps {
  /**
   * Which accounts of the organization GuardDuty enables on its own: `NEW` (accounts that
   * join from now on), `ALL` (every account; GuardDuty may take up to 24 hours to reach
   * them all) or `NONE`.
   */
  readonly autoEnableOrganizationMembers: OrganizationAutoEnable;

  /**
   * The protection features to set for the organization, each with its own auto-enable
   * and, for runtime monitoring, its agent management. Names and values are checked at
   * synth against GuardDuty's.
   *
   * @default - no feature is changed: GuardDuty's current settings are left as they are
   */
  readonly features?: OrganizationFeatureConfiguration[];

  /**
   * The delegated administrator's detector. Pass `detector.ref` when the detector is a
   * `guardduty.CfnDetector` in the same stack.
   *
   * @default - the detector of the stack's account and region, looked up by the handler
   * at deploy time (the deployment fails if GuardDuty is not enabled there)
   */
  readonly detectorId?: string;

  /**
   * How often the delegated administrator's detector exports updates of findings it
   * already exported (to EventBridge, an S3 publishing destination, Detective): set with
   * `UpdateDetector` on the detector the configuration belongs to, which GuardDuty made
   * itself (no `CfnDetector` can carry it). Only changed when it differs; a Delete leaves it.
   *
   * @default - the detector's frequency is left as it is (GuardDuty's default is SIX_HOURS)
   */
  readonly findingPublishingFrequency?: FindingPublishingFrequency;

  /**
   * What happens to the organization configuration when the construct is deleted. Only
   * `RemovalPolicy.RETAIN` and `RemovalPolicy.DESTROY` are supported. With `DESTROY`,
   * auto-enable is set to `NONE` (members already enabled stay enabled; feature settings
   * are left). With `RETAIN`, nothing changes.
   *
   * @default RemovalPolicy.RETAIN - the organization configuration stays as it is
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * The VPC to run the stack's provider functions in (the handler's two entry points and
   * the provider framework's three functions). The subnets need a route to GuardDuty,
   * Step Functions, Lambda and CloudWatch Logs (and Organizations, where used): a NAT
   * gateway, or an interface endpoint for each. All GuardDutyOrganizationConfiguration constructs of a
   * stack share one provider and must pass the same value.
   *
   * @default - the functions run outside any VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Which subnets of `vpc` the functions run in: private subnets, not public ones
   * (a function gets no public IP there).
   *
   * @default - the VPC's default selection: its private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * The security groups of the functions in `vpc`. They need outbound HTTPS (443) to the
   * AWS APIs above.
   *
   * @default - a security group per function, allowing all outbound traffic
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * The KMS key that encrypts every log group the construct's provider creates (the
   * handler's, the provider framework's and the waiter state machine's). For a key in the
   * same stack, the key policy statement CloudWatch Logs needs is added; for an imported
   * key, add it to the key's policy yourself (see README).
   *
   * @default - log groups are encrypted by CloudWatch Logs with its own key
   */
  readonly logEncryptionKey?: kms.IKey;

  /**
   * Reserve concurrency for the provider's functions: 21 executions per stack provider
   * (3 each for the run path's two functions, 5 each for the three on the poll path),
   * which keeps one long run from starving the others and satisfies cdk-nag's
   * LambdaConcurrency rules. Lambda refuses a reservation that leaves fewer than 100
   * unreserved executions in the account and region, so turn it on only where the
   * account's concurrency quota allows it (a new account can start with 10). All
   * constructs of one kind in a stack share the provider and must agree.
   *
   * @default false - no reserved concurrency: the functions use the account's unreserved pool, and the LambdaConcurrency rules are acknowledged
   */
  readonly reserveConcurrency?: boolean;
}

/**
 * The GuardDuty organization configuration, set from the delegated administrator
 * account: which organization accounts GuardDuty enables automatically, and which
 * protection features it enables for them. CloudFormation has no resource for it.
 *
 * The handler reads the configuration (`DescribeOrganizationConfiguration`) and calls
 * `UpdateOrganizationConfiguration` only when it differs from the declared one. Features
 * that are not declared are left as they are.
 *
 * @example
 * new GuardDutyOrganizationConfiguration(this, 'Organization', {
 *   autoEnableOrganizationMembers: OrganizationAutoEnable.ALL,
 *   features: [
 *     { name: 'S3_DATA_EVENTS', autoEnable: OrganizationAutoEnable.ALL },
 *     {
 *       name: 'RUNTIME_MONITORING',
 *       autoEnable: OrganizationAutoEnable.NEW,
 *       additionalConfiguration: [{ name: 'EKS_ADDON_MANAGEMENT', autoEnable: OrganizationAutoEnable.NEW }],
 *     },
 *   ],
 * });
 */
export class GuardDutyOrganizationConfiguration extends Construct {
  /**
   * The detector the configuration belongs to: the one given, or the one looked up.
   *
   * @attribute
   */
  public readonly detectorId: string;

  /**
   * "true" once the delegated administrator has as many members as GuardDuty allows
   * (50,000, invited members included), as GuardDuty reports it.
   *
   * @attribute
   */
  public readonly memberAccountLimitReached: string;

  constructor(scope: Construct, id: string, props: GuardDutyOrganizationConfigurationProps) {
    super(scope, id);

    validateProps(props, this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    const provider = OrganizationConfigurationProvider.getOrCreate(this, props);
    if (props.detectorId === undefined) {
      provider.grantDetectorLookup();
    }
    if (props.findingPublishingFrequency !== undefined) {
      provider.grantDetectorSettings();
    }

    const properties: OrganizationConfigurationResourceProperties = {
      DetectorId: props.detectorId,
      AutoEnableOrganizationMembers: props.autoEnableOrganizationMembers,
      Features: (props.features ?? []).map((feature) => ({
        Name: feature.name,
        AutoEnable: feature.autoEnable,
        AdditionalConfiguration: feature.additionalConfiguration?.map((entry) => ({ Name: entry.name, AutoEnable: entry.autoEnable })),
      })),
      RemovalPolicy: removalPolicy === RemovalPolicy.DESTROY ? 'DESTROY' : 'RETAIN',
      FindingPublishingFrequency: props.findingPublishingFrequency,
    };

    // As for the other constructs: the resource itself is always deleted, so the handler
    // receives the Delete and decides from the RemovalPolicy property what to undo.
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::GuardDutyOrganizationConfiguration',
      properties,
    });

    this.detectorId = resource.getAttString(ORGANIZATION_CONFIGURATION_ATTRIBUTE.DETECTOR_ID);
    this.memberAccountLimitReached = resource.getAttString(ORGANIZATION_CONFIGURATION_ATTRIBUTE.MEMBER_ACCOUNT_LIMIT_REACHED);
  }
}

const PROP_NAMES: FieldNames = {
  autoEnableOrganizationMembers: 'autoEnableOrganizationMembers',
  features: 'features',
  name: 'name',
  autoEnable: 'autoEnable',
  additionalConfiguration: 'additionalConfiguration',
};

/**
 * Checks the props at synth time against GuardDuty's values (see
 * private/organization-enums.ts), reporting every problem in one error. Tokens are left
 * to the handler, which checks everything again.
 */
function validateProps(props: GuardDutyOrganizationConfigurationProps, construct: Construct): void {
  const { path } = construct.node;
  const problems = [
    ...organizationConfigurationProblems(props.autoEnableOrganizationMembers, props.features, PROP_NAMES, (value) => Token.isUnresolved(value)),
    ...detectorIdProblems(props.detectorId, construct),
    ...removalPolicyProblems(props.removalPolicy, 'auto-enable is either left as it is or set to NONE'),
    ...[findingPublishingFrequencyProblem(props.findingPublishingFrequency, 'findingPublishingFrequency')].filter((problem): problem is string => problem !== undefined),
  ];
  if (problems.length > 0) {
    throw new Error(`Invalid GuardDutyOrganizationConfiguration props at ${path}:${problems.map((problem) => `\n  ${problem}`).join('')}`);
  }
}
