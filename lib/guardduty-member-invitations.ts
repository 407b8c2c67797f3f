import { randomUUID } from 'crypto';
import { CfnOutput, CustomResource, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { GuardDutyMembershipMonitor, GuardDutyMembershipMonitorOptions } from './guardduty-membership-monitor';
import { MemberAccount } from './member-account';
import { MemberInvitationsProvider } from './member-invitations-provider';
import { OrganizationMembers } from './organization-members';
import {
  ATTRIBUTE,
  InvitationResourceProperties,
  MAX_VERIFICATION_TIMEOUT_SECONDS,
  MemberRemovalPolicy,
  OrganizationMembersSelection,
} from './private/invitation-contract';
import {
  MAX_DECLARED_MEMBERS,
  MESSAGE_MAX_LENGTH,
  accountIdProblem,
  duplicateAccountIds,
  emailProblem,
} from './private/member-account-rules';
import { memberListProperties } from './private/member-list-asset';
import { excludedAccountIdsProblems, parentIdsProblems } from './private/organization-selection-rules';
import { detectorIdProblems, removalPolicyProblems, waitTimeoutProblems } from './private/synth-validation';
import { UnprocessedAccountsAction } from './unprocessed-accounts-action';

/**
 * Properties for `GuardDutyMemberInvitations`.
 */
export interface GuardDutyMemberInvitationsProps {
  /**
   * The accounts to bring into GuardDuty as members of the administrator's detector.
   *
   * Each account once, and not the stack's own account (the administrator). With
   * `organizationMembers` these are added to the accounts it selects (for example
   * accounts outside the organization); without it, at least one is required.
   *
   * @default - none: only the accounts `organizationMembers` selects
   */
  readonly members?: MemberAccount[];

  /**
   * Members chosen from AWS Organizations when the stack deploys: every account of the
   * organization, or every account under some organizational units, minus some accounts
   * (`OrganizationMembers.wholeOrganization()` / `underOrganizationalUnits()`). Their
   * emails come from Organizations; accounts that are not ACTIVE are skipped and
   * reported (`suspendedAccountIds`); the administrator's own account is skipped. An
   * account in both `members` and the selection is declared once, with the email given
   * in `members`. Grants the handler the Organizations read actions the selection needs.
   *
   * @default - no selection: only `members`
   */
  readonly organizationMembers?: OrganizationMembers;

  /**
   * The ID of the administrator's detector. Pass `detector.ref` when the detector is a
   * `guardduty.CfnDetector` in the same stack, so CloudFormation creates it first.
   *
   * @default - the detector of the stack's account and region, looked up by the handler
   * at deploy time (the deployment fails if GuardDuty is not enabled there)
   */
  readonly detectorId?: string;

  /**
   * The message sent with the invitations.
   *
   * @default - no message: GuardDuty sends its own invitation text
   */
  readonly message?: string;

  /**
   * Whether to invite without an email to the member account's root user. The invitation
   * still appears in the member's GuardDuty console.
   *
   * @default false - GuardDuty emails each invited account
   */
  readonly disableEmailNotification?: boolean;

  /**
   * What the deployment does when GuardDuty leaves accounts unprocessed (refuses to create
   * or invite them).
   *
   * @default UnprocessedAccountsAction.FAIL - the deployment fails, naming the accounts
   * and GuardDuty's reasons
   */
  readonly onUnprocessed?: UnprocessedAccountsAction;

  /**
   * What happens to member accounts when they are dropped from `members` or the construct
   * is deleted. Only `RemovalPolicy.RETAIN` and `RemovalPolicy.DESTROY` are supported.
   *
   * With `DESTROY`, accounts dropped from `members` are disassociated and deleted on
   * update, and every declared member on delete. With `RETAIN`, members are never removed.
   *
   * @default RemovalPolicy.RETAIN - members stay in GuardDuty when removed from the stack
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Whether the deployment waits until GuardDuty has verified the email of every declared
   * account being verified. GuardDuty verifies emails after `InviteMembers` returns; an address that
   * is not the account's root user email ends `EmailVerificationFailed` minutes later.
   * Waiting turns such accounts into unprocessed accounts (under `onUnprocessed`) instead
   * of reporting them invited. The wait does not hold a Lambda function: the provider
   * framework polls every 30 seconds.
   *
   * @default true
   */
  readonly waitForVerification?: boolean;

  /**
   * How long to wait for email verification at most (1 to 50 minutes). Accounts still
   * being verified then are reported as unprocessed, with a reason saying so.
   *
   * @default Duration.minutes(15)
   */
  readonly verificationTimeout?: Duration;

  /**
   * The VPC to run the stack's provider functions in (the handler's two entry points and
   * the provider framework's three functions). The subnets need a route to GuardDuty,
   * Step Functions, Lambda and CloudWatch Logs (and Organizations, where used): a NAT
   * gateway, or an interface endpoint for each. All GuardDutyMemberInvitations constructs of a
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
 * Brings AWS accounts into Amazon GuardDuty as members by invitation, from the
 * administrator account: creates the members, invites those that need it, and reports
 * every account GuardDuty leaves unprocessed.
 *
 * All instances in a stack share one handler function and provider.
 *
 * @example
 * declare const detector: guardduty.CfnDetector;
 * new GuardDutyMemberInvitations(this, 'Members', {
 *   detectorId: detector.ref,
 *   members: [{ accountId: '222222222222', email: 'aws-root+workloads@example.com' }],
 * });
 */
export class GuardDutyMemberInvitations extends Construct {
  /**
   * Comma-separated IDs of the accounts GuardDuty did not process in the last
   * deployment, empty when there were none. A very long list is cut short and ends with
   * an element "… and N more"; the handler's log has the full list.
   *
   * @attribute
   */
  public readonly unprocessedAccountIds: string;

  /**
   * How many accounts GuardDuty did not process in the last deployment.
   *
   * @attribute
   */
  public readonly unprocessedAccountCount: number;

  /**
   * Comma-separated IDs of the accounts the last deployment invited, cut short like
   * `unprocessedAccountIds` when very long.
   *
   * @attribute
   */
  public readonly invitedAccountIds: string;

  /**
   * Comma-separated IDs of the declared accounts that are members through the AWS
   * Organization (associated with CreateMembers alone, by the last deployment or before),
   * cut short like `unprocessedAccountIds` when very long. Empty unless the administrator
   * is the organization's GuardDuty delegated administrator.
   *
   * @attribute
   */
  public readonly organizationAccountIds: string;

  /**
   * How many declared accounts are members through the AWS Organization.
   *
   * @attribute
   */
  public readonly organizationAccountCount: number;

  /**
   * How many declared accounts are members by invitation (sent by the last deployment or
   * an earlier one), whatever the state of the invitation.
   *
   * @attribute
   */
  public readonly invitationAccountCount: number;

  /**
   * The ID of the detector the members belong to: the one given, or the one the handler
   * looked up.
   *
   * @attribute
   */
  public readonly detectorId: string;

  /**
   * The IDs of the declared member accounts, in the order of `members`: the declaration a
   * `GuardDutyMembershipMonitor` compares GuardDuty's member list with. Accounts
   * `organizationMembers` selects are known at deploy time only and are not in it.
   */
  public readonly memberAccountIds: string[];

  /**
   * The organization selection given as `organizationMembers`, if any.
   */
  public readonly organizationMembers?: OrganizationMembers;

  /**
   * Comma-separated IDs of the accounts `organizationMembers` selected but skipped in the
   * last deployment because AWS Organizations says they are not ACTIVE (suspended,
   * pending closure); cut short with "… and N more" when long. Empty without a selection.
   *
   * @attribute
   */
  public readonly suspendedAccountIds: string;

  /**
   * How many selected accounts the last deployment skipped as not ACTIVE.
   *
   * @attribute
   */
  public readonly suspendedAccountCount: number;

  /**
   * How many active accounts `organizationMembers` resolved to in the last deployment,
   * after exclusions ("0" without a selection).
   *
   * @attribute
   */
  public readonly selectedAccountCount: number;

  private readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: GuardDutyMemberInvitationsProps) {
    super(scope, id);

    validateProps(props, this);
    const onUnprocessed = props.onUnprocessed ?? UnprocessedAccountsAction.FAIL;

    const members = props.members ?? [];
    this.memberAccountIds = members.map((member) => member.accountId);
    this.organizationMembers = props.organizationMembers;

    const provider = MemberInvitationsProvider.getOrCreate(this, props);
    if (props.detectorId === undefined) {
      provider.grantDetectorLookup();
    }
    if (props.removalPolicy === RemovalPolicy.DESTROY) {
      provider.grantRollbackCheck();
    }
    if (props.organizationMembers) {
      provider.grantOrganizationsRead(props.organizationMembers.parentIds === undefined ? 'ORGANIZATION' : 'ORGANIZATIONAL_UNITS');
    }

    const properties: InvitationResourceProperties = {
      DetectorId: props.detectorId,
      ...memberListProperties(this, members.map((member) => ({ AccountId: member.accountId, Email: member.email })), (objectArn) =>
        provider.grantMemberListRead(objectArn),
      ),
      OrganizationMembers: props.organizationMembers ? selectionProperties(props.organizationMembers) : undefined,
      Message: props.message,
      DisableEmailNotification: props.disableEmailNotification ? 'true' : 'false',
      OnUnprocessed: onUnprocessed,
      RemovalPolicy: memberRemovalPolicy(props.removalPolicy ?? RemovalPolicy.RETAIN),
      VerificationTimeoutSeconds: props.waitForVerification === false ? '0' : String(verificationTimeout(props).toSeconds()),
    };

    // props.removalPolicy is deliberately not the resource's own removal policy: the
    // resource is always deleted (the CustomResource default), so the handler receives
    // the Delete and decides from the RemovalPolicy property whether to remove members.
    // Retaining the resource would skip the handler altogether.
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::GuardDutyMemberInvitations',
      properties,
    });

    this.unprocessedAccountIds = this.resource.getAttString(ATTRIBUTE.UNPROCESSED_ACCOUNT_IDS);
    this.unprocessedAccountCount = Token.asNumber(this.resource.getAtt(ATTRIBUTE.UNPROCESSED_ACCOUNT_COUNT));
    this.invitedAccountIds = this.resource.getAttString(ATTRIBUTE.INVITED_ACCOUNT_IDS);
    this.detectorId = this.resource.getAttString(ATTRIBUTE.DETECTOR_ID);
    this.suspendedAccountIds = this.resource.getAttString(ATTRIBUTE.SUSPENDED_ACCOUNT_IDS);
    this.suspendedAccountCount = Token.asNumber(this.resource.getAtt(ATTRIBUTE.SUSPENDED_ACCOUNT_COUNT));
    this.selectedAccountCount = Token.asNumber(this.resource.getAtt(ATTRIBUTE.SELECTED_ACCOUNT_COUNT));
    this.organizationAccountIds = this.resource.getAttString(ATTRIBUTE.ORGANIZATION_ACCOUNT_IDS);
    this.organizationAccountCount = Token.asNumber(this.resource.getAtt(ATTRIBUTE.ORGANIZATION_ACCOUNT_COUNT));
    this.invitationAccountCount = Token.asNumber(this.resource.getAtt(ATTRIBUTE.INVITATION_ACCOUNT_COUNT));

    if (onUnprocessed === UnprocessedAccountsAction.REPORT) {
      new CfnOutput(this, 'UnprocessedAccountIds', {
        description: `Accounts GuardDuty did not process (${this.node.path}); the handler log has GuardDuty's reason for each`,
        value: this.unprocessedAccountIds,
      });
      new CfnOutput(this, 'UnprocessedAccountCount', {
        description: `How many accounts GuardDuty did not process (${this.node.path})`,
        value: this.resource.getAttString(ATTRIBUTE.UNPROCESSED_ACCOUNT_COUNT),
      });
    }
  }

  /**
   * Watches these members after the deployment: a `GuardDutyMembershipMonitor` (construct
   * ID `Monitor`) that checks them on a schedule, alarms on drift and, with `healing`,
   * re-invites declared accounts that left.
   */
  public addMonitor(options: GuardDutyMembershipMonitorOptions = {}): GuardDutyMembershipMonitor {
    return new GuardDutyMembershipMonitor(this, 'Monitor', { ...options, invitations: this });
  }
}

const MAX_PROBLEMS_LISTED = 20;

/**
 * Checks the props at synth time, so a mistake fails `cdk synth` instead of a deployment.
 * Values that are tokens are left to the handler, which checks everything again. Every
 * problem is collected and thrown in one error.
 */
function validateProps(props: GuardDutyMemberInvitationsProps, construct: Construct): void {
  const { path } = construct.node;
  const stackAccount = Stack.of(construct).account;
  const problems = [
    ...memberProblems(props.members, stackAccount, props.organizationMembers !== undefined),
    ...organizationMembersProblems(props.organizationMembers, props.members),
    ...detectorIdProblems(props.detectorId, construct),
    ...messageProblems(props.message),
    ...choiceProblems(props),
    ...waitTimeoutProblems('verificationTimeout', props.verificationTimeout, MIN_VERIFICATION_TIMEOUT_SECONDS, MAX_VERIFICATION_TIMEOUT_SECONDS),
  ];
  if (problems.length > 0) {
    const listed = problems.slice(0, MAX_PROBLEMS_LISTED).map((problem) => `\n  ${problem}`).join('');
    const more = problems.length > MAX_PROBLEMS_LISTED ? `\n  … and ${problems.length - MAX_PROBLEMS_LISTED} more` : '';
    throw new Error(`Invalid GuardDutyMemberInvitations props at ${path}:${listed}${more}`);
  }
}

function memberProblems(members: readonly MemberAccount[] | undefined, stackAccount: string, selected: boolean): string[] {
  if (members === undefined && selected) {
    return [];
  }
  if (!Array.isArray(members)) {
    return ['members must be a list of { accountId, email } (or give organizationMembers)'];
  }
  if (members.length === 0 && !selected) {
    return ['members must declare at least one account (or give organizationMembers)'];
  }
  if (members.length > MAX_DECLARED_MEMBERS) {
    return [`members declares ${members.length} accounts; one GuardDutyMemberInvitations takes at most ${MAX_DECLARED_MEMBERS} (split them over several)`];
  }
  const problems: string[] = [];
  const resolvedIds: string[] = [];
  members.forEach((member, index) => {
    if (typeof member !== 'object' || member === null) {
      problems.push(`members[${index}]: must be { accountId, email }`);
      return;
    }
    const { accountId, email } = member;
    if (!Token.isUnresolved(accountId)) {
      const problem = accountIdProblem(accountId);
      if (problem) {
        problems.push(`members[${index}]: ${problem}`);
      } else {
        resolvedIds.push(accountId);
        if (!Token.isUnresolved(stackAccount) && accountId === stackAccount) {
          problems.push(`members[${index}]: account ${accountId} is the stack's own account, the GuardDuty administrator; it cannot be its own member`);
        }
      }
    }
    if (!Token.isUnresolved(email)) {
      const problem = emailProblem(email);
      if (problem) {
        // The address is the user's own input, shown at synth time only: the handler's
        // messages never repeat it.
        problems.push(`members[${index}]: ${problem} (got ${JSON.stringify(email)})`);
      }
    }
  });
  const duplicates = duplicateAccountIds(resolvedIds);
  if (duplicates.length > 0) {
    problems.push(`members: each account may be declared once; declared more than once: ${duplicates.join(', ')}`);
  }
  return problems;
}

/** The selection's roots/OUs and exclusions, each problem naming the value and where it came from. */
function organizationMembersProblems(selection: OrganizationMembers | undefined, members: readonly MemberAccount[] | undefined): string[] {
  if (selection === undefined) {
    return [];
  }
  const declaredIds = Array.isArray(members)
    ? members.flatMap((member) => (typeof member?.accountId === 'string' && !Token.isUnresolved(member.accountId) ? [member.accountId] : []))
    : [];
  const isToken = (value: unknown) => typeof value === 'string' && Token.isUnresolved(value);
  return [
    ...(selection.parentIds === undefined ? [] : parentIdsProblems(selection.parentIds, 'organizationMembers.parentIds', isToken)),
    ...excludedAccountIdsProblems(selection.excludeAccountIds, 'organizationMembers.excludeAccountIds', declaredIds, 'members', isToken),
  ];
}

/**
 * The selection as the template holds it. `Refresh` changes on every synthesis when the
 * selection resolves on every deployment: CloudFormation calls a custom resource only
 * when its properties change, and the organization may have changed without the app.
 */
function selectionProperties(selection: OrganizationMembers): OrganizationMembersSelection {
  return {
    Scope: selection.parentIds === undefined ? 'ORGANIZATION' : 'ORGANIZATIONAL_UNITS',
    ParentIds: selection.parentIds,
    ExcludeAccountIds: selection.excludeAccountIds.length > 0 ? selection.excludeAccountIds : undefined,
    Refresh: selection.resolveOnEveryDeployment ? randomUUID() : undefined,
  };
}

function messageProblems(message: string | undefined): string[] {
  if (message === undefined || Token.isUnresolved(message)) {
    return [];
  }
  if (typeof message !== 'string') {
    return [`message must be a string, got ${typeof message}`];
  }
  if (message.length > MESSAGE_MAX_LENGTH) {
    return [`message must be at most ${MESSAGE_MAX_LENGTH} characters, it has ${message.length}`];
  }
  return [];
}

/** Enum values can only be wrong from JavaScript or through jsii casts; said plainly all the same. */
function choiceProblems(props: GuardDutyMemberInvitationsProps): string[] {
  const problems: string[] = [];
  const actions: readonly string[] = Object.values(UnprocessedAccountsAction);
  if (props.onUnprocessed !== undefined && !actions.includes(props.onUnprocessed)) {
    problems.push(`onUnprocessed must be UnprocessedAccountsAction.FAIL or UnprocessedAccountsAction.REPORT, got ${JSON.stringify(props.onUnprocessed)}`);
  }
  problems.push(...removalPolicyProblems(props.removalPolicy, 'members are either kept or removed'));
  return problems;
}

const DEFAULT_VERIFICATION_TIMEOUT = Duration.minutes(15);
const MIN_VERIFICATION_TIMEOUT_SECONDS = 60;

function verificationTimeout(props: GuardDutyMemberInvitationsProps): Duration {
  return props.verificationTimeout ?? DEFAULT_VERIFICATION_TIMEOUT;
}

function memberRemovalPolicy(policy: RemovalPolicy): MemberRemovalPolicy {
  return policy === RemovalPolicy.DESTROY ? 'DESTROY' : 'RETAIN';
}
