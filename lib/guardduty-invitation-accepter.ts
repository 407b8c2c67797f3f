import { CustomResource, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { GuardDutyAdministratorMonitor, GuardDutyAdministratorMonitorOptions } from './guardduty-administrator-monitor';
import { InvitationAccepterProvider } from './invitation-accepter-provider';
import {
  ACCEPTER_ATTRIBUTE,
  AccepterResourceProperties,
  DEFAULT_INVITATION_TIMEOUT_SECONDS,
  MAX_INVITATION_TIMEOUT_SECONDS,
  MIN_INVITATION_TIMEOUT_SECONDS,
} from './private/accepter-contract';
import { accountIdProblem } from './private/member-account-rules';
import { detectorIdProblems, removalPolicyProblems, waitTimeoutProblems } from './private/synth-validation';

/**
 * Properties for `GuardDutyInvitationAccepter`.
 */
export interface GuardDutyInvitationAccepterProps {
  /**
   * The GuardDuty administrator account whose invitation this account accepts: 12 digits,
   * not the stack's own account.
   */
  readonly administratorAccountId: string;

  /**
   * The ID of this account's detector. Pass `detector.ref` when the detector is a
   * `guardduty.CfnDetector` in the same stack, so CloudFormation creates it first.
   *
   * @default - the detector of the stack's account and region, looked up by the handler
   * at deploy time (the deployment fails if GuardDuty is not enabled there)
   */
  readonly detectorId?: string;

  /**
   * How long to wait at most for the administrator's invitation to arrive (1 to 50
   * minutes), for when the administrator's stack deploys at the same time or just after
   * this one. The wait holds no Lambda function: the provider framework looks every 30
   * seconds. When it ends without an invitation, the deployment fails, saying so.
   *
   * @default Duration.minutes(15)
   */
  readonly invitationTimeout?: Duration;

  /**
   * What happens to the relationship with the administrator when the construct is
   * deleted. Only `RemovalPolicy.RETAIN` and `RemovalPolicy.DESTROY` are supported.
   * With `DESTROY`, the account disassociates from the administrator (only if it is
   * still that administrator's member). With `RETAIN`, it stays a member.
   *
   * @default RemovalPolicy.RETAIN - the account stays the administrator's member when the construct is removed
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * The VPC to run the stack's provider functions in (the handler's two entry points and
   * the provider framework's three functions). The subnets need a route to GuardDuty,
   * Step Functions, Lambda and CloudWatch Logs (and Organizations, where used): a NAT
   * gateway, or an interface endpoint for each. All GuardDutyInvitationAccepter constructs of a
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
 * Accepts, in a member account, the GuardDuty invitation of an administrator account,
 * waiting for the invitation when it has not arrived yet (as when the administrator's
 * and the member's stacks deploy together, where `AWS::GuardDuty::Master` fails).
 *
 * Accepting is idempotent: an account already associated with the administrator is
 * left as it is. An account associated with a different administrator fails the
 * deployment, naming both.
 *
 * All instances in a stack share one handler function and provider.
 *
 * @example
 * declare const detector: guardduty.CfnDetector;
 * new GuardDutyInvitationAccepter(this, 'Administrator', {
 *   administratorAccountId: '111111111111',
 *   detectorId: detector.ref,
 * });
 */
export class GuardDutyInvitationAccepter extends Construct {
  /**
   * The administrator account this account is associated with.
   *
   * @attribute
   */
  public readonly administratorAccountId: string;

  /**
   * The relationship with the administrator as GuardDuty reports it: `Enabled` once the
   * invitation is accepted.
   *
   * @attribute
   */
  public readonly relationshipStatus: string;

  /**
   * The ID of the detector that accepted the invitation: the one given, or the one the
   * handler looked up.
   *
   * @attribute
   */
  public readonly detectorId: string;

  constructor(scope: Construct, id: string, props: GuardDutyInvitationAccepterProps) {
    super(scope, id);

    validateProps(props, this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    const provider = InvitationAccepterProvider.getOrCreate(this, props);
    if (props.detectorId === undefined) {
      provider.grantDetectorLookup();
    }
    if (removalPolicy === RemovalPolicy.DESTROY) {
      provider.grantDisassociation();
    }

    const properties: AccepterResourceProperties = {
      AdministratorAccountId: props.administratorAccountId,
      DetectorId: props.detectorId,
      InvitationTimeoutSeconds: String((props.invitationTimeout ?? Duration.seconds(DEFAULT_INVITATION_TIMEOUT_SECONDS)).toSeconds()),
      RemovalPolicy: removalPolicy === RemovalPolicy.DESTROY ? 'DESTROY' : 'RETAIN',
    };

    // props.removalPolicy is deliberately not the resource's own removal policy: the
    // resource is always deleted (the CustomResource default), so the handler receives
    // the Delete and decides from the RemovalPolicy property whether to disassociate.
    // Retaining the resource would skip the handler altogether.
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::GuardDutyInvitationAccepter',
      properties,
    });

    this.administratorAccountId = resource.getAttString(ACCEPTER_ATTRIBUTE.ADMINISTRATOR_ACCOUNT_ID);
    this.relationshipStatus = resource.getAttString(ACCEPTER_ATTRIBUTE.RELATIONSHIP_STATUS);
    this.detectorId = resource.getAttString(ACCEPTER_ATTRIBUTE.DETECTOR_ID);
  }

  /**
   * Watches this membership after the deployment: a `GuardDutyAdministratorMonitor`
   * (construct ID `Monitor`) that checks on a schedule that the account is still an
   * Enabled member of the administrator and its detector is enabled, and alarms when not.
   */
  public addMonitor(options: GuardDutyAdministratorMonitorOptions = {}): GuardDutyAdministratorMonitor {
    return new GuardDutyAdministratorMonitor(this, 'Monitor', { ...options, accepter: this });
  }
}

/**
 * Checks the props at synth time, so a mistake fails `cdk synth` instead of a
 * deployment. Values that are tokens are left to the handler, which checks everything
 * again. Every problem is reported in one error.
 */
function validateProps(props: GuardDutyInvitationAccepterProps, construct: Construct): void {
  const { path } = construct.node;
  const stackAccount = Stack.of(construct).account;
  const problems = [
    ...administratorProblems(props.administratorAccountId, stackAccount),
    ...detectorIdProblems(props.detectorId, construct),
    ...waitTimeoutProblems('invitationTimeout', props.invitationTimeout, MIN_INVITATION_TIMEOUT_SECONDS, MAX_INVITATION_TIMEOUT_SECONDS),
    ...removalPolicyProblems(props.removalPolicy, 'the account either stays the administrator\'s member or leaves'),
  ];
  if (problems.length > 0) {
    throw new Error(`Invalid GuardDutyInvitationAccepter props at ${path}:${problems.map((problem) => `\n  ${problem}`).join('')}`);
  }
}

function administratorProblems(administratorAccountId: string, stackAccount: string): string[] {
  if (Token.isUnresolved(administratorAccountId)) {
    return [];
  }
  const problem = accountIdProblem(administratorAccountId);
  if (problem) {
    return [`administratorAccountId: ${problem}`];
  }
  if (!Token.isUnresolved(stackAccount) && administratorAccountId === stackAccount) {
    return [`administratorAccountId ${administratorAccountId} is the stack's own account: an account cannot be its own GuardDuty administrator`];
  }
  return [];
}
