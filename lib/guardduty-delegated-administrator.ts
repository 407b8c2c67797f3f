import { CustomResource, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { DelegatedAdministratorProvider } from './delegated-administrator-provider';
import { DELEGATED_ADMINISTRATOR_ATTRIBUTE, DelegatedAdministratorResourceProperties } from './private/delegated-administrator-contract';
import { accountIdProblem } from './private/member-account-rules';
import { removalPolicyProblems } from './private/synth-validation';

/**
 * Properties for `GuardDutyDelegatedAdministrator`.
 */
export interface GuardDutyDelegatedAdministratorProps {
  /**
   * The organization account to make the GuardDuty delegated administrator in the stack's
   * region: 12 digits. AWS recommends a dedicated security account rather than the
   * management account itself.
   */
  readonly adminAccountId: string;

  /**
   * What happens to the delegation when the construct is deleted. Only
   * `RemovalPolicy.RETAIN` and `RemovalPolicy.DESTROY` are supported. With `DESTROY`,
   * `DisableOrganizationAdminAccount` removes the account's role (only if it still holds
   * it). With `RETAIN`, the account stays the delegated administrator.
   *
   * @default RemovalPolicy.RETAIN - the account stays the delegated administrator when the construct is removed
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Also set up, from this (the management) account, what a delegated administrator of
   * another account needs to turn on GuardDuty-initiated malware scans (Malware
   * Protection for EC2) for the organization's members: AWS Organizations trusted access
   * for `malware-protection.guardduty.amazonaws.com`, and Malware Protection's
   * service-linked role (`AWSServiceRoleForAmazonGuardDutyMalwareProtection`) in this
   * account. This is the GuardDuty console's "Permissions" switch under "Delegated
   * Administrator". Each is done only when missing. Neither is undone on Update or Delete,
   * whatever the `removalPolicy`: trusted access is organization-wide and other tools may
   * rely on it, and IAM refuses to delete the role while Malware Protection uses it; turn
   * them off by hand (`DisableAWSServiceAccess`) if you must.
   *
   * @default false - neither is touched; the delegated administrator cannot enable
   * GuardDuty-initiated malware scans in member accounts unless the management account
   * allows it otherwise
   */
  readonly malwareProtectionPrerequisites?: boolean;

  /**
   * The VPC to run the stack's provider functions in (the handler's two entry points and
   * the provider framework's three functions). The subnets need a route to GuardDuty,
   * Step Functions, Lambda and CloudWatch Logs (and Organizations, where used): a NAT
   * gateway, or an interface endpoint for each. All GuardDutyDelegatedAdministrator constructs of a
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
 * Makes an organization account the GuardDuty delegated administrator, from the
 * organization's management account (`EnableOrganizationAdminAccount`), in the stack's
 * region.
 *
 * Idempotent: the handler reads `ListOrganizationAdminAccounts` first and does nothing
 * when the account already holds the role. When another account holds it, the deployment
 * fails naming both accounts. Changing `adminAccountId` hands the role over: the account
 * this construct designated is disabled, then the new one enabled.
 *
 * @example
 * new GuardDutyDelegatedAdministrator(this, 'GuardDutyAdministrator', {
 *   adminAccountId: '111111111111',
 * });
 */
export class GuardDutyDelegatedAdministrator extends Construct {
  /**
   * The delegated administrator account.
   *
   * @attribute
   */
  public readonly adminAccountId: string;

  /**
   * The delegation's status as GuardDuty reports it: `ENABLED`.
   *
   * @attribute
   */
  public readonly adminStatus: string;

  constructor(scope: Construct, id: string, props: GuardDutyDelegatedAdministratorProps) {
    super(scope, id);

    validateProps(props, this.node.path);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    const provider = DelegatedAdministratorProvider.getOrCreate(this, props);
    const stackAccount = Stack.of(this).account;
    if (Token.isUnresolved(stackAccount) || Token.isUnresolved(props.adminAccountId) || props.adminAccountId === stackAccount) {
      // The management account designating itself: GuardDuty then creates its
      // service-linked role here. Granted too when either account is unknown at synth.
      provider.grantServiceLinkedRoleCreation();
    }
    if (props.malwareProtectionPrerequisites === true) {
      provider.grantMalwareProtectionPrerequisites();
    }

    const properties: DelegatedAdministratorResourceProperties = {
      AdminAccountId: props.adminAccountId,
      RemovalPolicy: removalPolicy === RemovalPolicy.DESTROY ? 'DESTROY' : 'RETAIN',
      // Absent when off, so that templates deployed before the prop do not change.
      MalwareProtectionPrerequisites: props.malwareProtectionPrerequisites === true ? 'true' : undefined,
    };
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::GuardDutyDelegatedAdministrator',
      properties,
    });

    this.adminAccountId = resource.getAttString(DELEGATED_ADMINISTRATOR_ATTRIBUTE.ADMIN_ACCOUNT_ID);
    this.adminStatus = resource.getAttString(DELEGATED_ADMINISTRATOR_ATTRIBUTE.ADMIN_STATUS);
  }
}

function validateProps(props: GuardDutyDelegatedAdministratorProps, path: string): void {
  const accountProblem = Token.isUnresolved(props.adminAccountId) ? undefined : accountIdProblem(props.adminAccountId);
  const problems = [
    ...(accountProblem ? [`adminAccountId: ${accountProblem}`] : []),
    ...removalPolicyProblems(props.removalPolicy, 'the account either stays the delegated administrator or is disabled'),
    ...(props.malwareProtectionPrerequisites === undefined || typeof props.malwareProtectionPrerequisites === 'boolean'
      ? []
      : [`malwareProtectionPrerequisites must be true or false, got ${JSON.stringify(props.malwareProtectionPrerequisites)}`]),
  ];
  if (problems.length > 0) {
    throw new Error(`Invalid GuardDutyDelegatedAdministrator props at ${path}:${problems.map((problem) => `\n  ${problem}`).join('')}`);
  }
}
