import { Stack, Stage, Token } from 'aws-cdk-lib';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import { Construct } from 'constructs';
import { AwsPartition } from './aws-partition';
import { FindingPublishingFrequency } from './finding-publishing-frequency';
import { GuardDutyAdministratorMonitorOptions } from './guardduty-administrator-monitor';
import { GuardDutyDelegatedAdministrator } from './guardduty-delegated-administrator';
import { GuardDutyInvitationAccepter } from './guardduty-invitation-accepter';
import { GuardDutyMemberInvitations } from './guardduty-member-invitations';
import { GuardDutyMembershipMonitorOptions } from './guardduty-membership-monitor';
import { GuardDutyOrganizationConfiguration } from './guardduty-organization-configuration';
import { GuardDutyRegionOverride } from './guardduty-region-override';
import { MemberAccount } from './member-account';
import { OrganizationAutoEnable } from './organization-auto-enable';
import { OrganizationFeatureConfiguration } from './organization-feature';
import { OrganizationMembers } from './organization-members';
import { IRolloutStackPlacement, RolloutStackRole } from './rollout-stack-placement';
import { accountIdProblem } from './private/member-account-rules';
import { knownRegions, resolveRegions } from './private/region-resolution';
import { UnprocessedAccountsAction } from './unprocessed-accounts-action';

/**
 * Properties for `GuardDutyOrganizationRollout`.
 */
export interface GuardDutyOrganizationRolloutProps {
  /** The organization's management account: 12 digits. Its stacks designate the delegated administrator. */
  readonly managementAccountId: string;

  /**
   * The account to make GuardDuty's delegated administrator in every region (a dedicated
   * security account, as AWS recommends): 12 digits.
   */
  readonly administratorAccountId: string;

  /**
   * Which organization accounts GuardDuty enables on its own in every region: `NEW`, `ALL`
   * or `NONE` (see `GuardDutyOrganizationConfiguration`).
   */
  readonly autoEnableOrganizationMembers: OrganizationAutoEnable;

  /**
   * The organization's protection features in every region.
   *
   * @default - no feature is changed: GuardDuty's current settings are left as they are
   */
  readonly features?: OrganizationFeatureConfiguration[];

  /**
   * How often the delegated administrator's detector exports updates of findings it
   * already exported (EventBridge, an S3 export, Detective), in every region: set by
   * each region's `GuardDutyOrganizationConfiguration` (see its `findingPublishingFrequency`).
   *
   * @default - left as it is in each region (GuardDuty's default is SIX_HOURS)
   */
  readonly findingPublishingFrequency?: FindingPublishingFrequency;

  /**
   * Accounts of the organization that the delegated administrator makes members in every
   * region (`CreateMembers`): those already in the organization, which auto-enable `NEW`
   * does not reach.
   *
   * @default - none: only `members`, and whatever auto-enable reaches
   */
  readonly organizationMembers?: OrganizationMembers;

  /**
   * Accounts outside the organization, invited in every region. Each gets a stack per
   * region that accepts the invitation.
   *
   * @default - none
   */
  readonly members?: MemberAccount[];

  /**
   * The partition of the accounts; the default region list is this partition's.
   *
   * @default AwsPartition.COMMERCIAL
   */
  readonly partition?: AwsPartition;

  /**
   * The regions to deploy to, instead of the default list. Opt-in regions among them must
   * also be in `enabledOptInRegions`.
   *
   * @default - every region of the partition that is enabled by default, plus `enabledOptInRegions`, minus `excludeRegions`
   */
  readonly regions?: string[];

  /**
   * Regions to leave out: no stack of the rollout is deployed there.
   *
   * @default - none
   */
  readonly excludeRegions?: string[];

  /**
   * Opt-in regions (ap-southeast-4, me-central-1…) enabled in every account of the
   * rollout (management, administrator and outside members). CloudFormation cannot deploy
   * to a region an account has not enabled, so opt-in regions are deployed to only when
   * named here.
   *
   * @default - none: opt-in regions are left out
   */
  readonly enabledOptInRegions?: string[];

  /**
   * What some regions do differently (features, auto-enable, organization members,
   * outside accounts left out), at most one entry per region.
   *
   * @default - every region is configured alike
   */
  readonly regionOverrides?: GuardDutyRegionOverride[];

  /**
   * Watch the members from the administrator stack of every region: a
   * `GuardDutyMembershipMonitor` with these options. Regional resources (alarm topic, VPC,
   * key) cannot be shared across regions and are refused here: add a monitor per region
   * with `memberInvitations(region).addMonitor()` instead.
   *
   * @default - no membership monitor
   */
  readonly membershipMonitor?: GuardDutyMembershipMonitorOptions;

  /**
   * Watch the membership from every outside account's stack: a
   * `GuardDutyAdministratorMonitor` with these options (regional resources refused, as for
   * `membershipMonitor`).
   *
   * @default - no administrator monitor in the outside accounts
   */
  readonly administratorMonitor?: GuardDutyAdministratorMonitorOptions;

  /**
   * Create a detector (`AWS::GuardDuty::Detector`) in each outside account's stack. Turn
   * it off for accounts where GuardDuty is already enabled (CloudFormation cannot create
   * a second detector): the accepter then finds the existing one.
   *
   * @default true
   */
  readonly memberDetectors?: boolean;

  /**
   * The protection features of the detectors created in the outside accounts (the
   * organization's features do not reach invited accounts).
   *
   * @default - none: GuardDuty's defaults for a new detector
   */
  readonly memberDetectorFeatures?: guardduty.CfnDetector.CFNFeatureConfigurationProperty[];

  /**
   * The text of the invitation sent to outside accounts.
   *
   * @default - no message: GuardDuty sends its own invitation text
   */
  readonly invitationMessage?: string;

  /**
   * Invite the outside accounts without an email to their root user. GuardDuty emails an
   * invitation per region, so an outside account gets one email for each of the rollout's
   * regions; its accepter stacks accept without them.
   *
   * @default false - GuardDuty emails each invited account, in every region
   */
  readonly disableEmailNotification?: boolean;

  /**
   * What the administrator stacks do with accounts GuardDuty leaves unprocessed.
   *
   * @default UnprocessedAccountsAction.FAIL - the deployment fails, naming the accounts
   */
  readonly onUnprocessed?: UnprocessedAccountsAction;

  /**
   * Reserve concurrency for the provider functions of every stack (see the constructs'
   * `reserveConcurrency`).
   *
   * @default false
   */
  readonly reserveConcurrency?: boolean;

  /**
   * Where the management stacks are created: another `Stage`, for a pipeline wave.
   *
   * @default - this construct
   */
  readonly managementScope?: Construct;

  /**
   * Where the administrator stacks are created.
   *
   * @default - this construct
   */
  readonly administratorScope?: Construct;

  /**
   * Where the outside accounts' stacks are created.
   *
   * @default - this construct
   */
  readonly memberScope?: Construct;

  /**
   * Where each stack is created, stack by stack: for pipeline waves finer than one per
   * role (a first region as a canary, then the rest; one wave per outside account). Not
   * together with `managementScope`, `administratorScope` or `memberScope`.
   *
   * @default - the scopes above
   */
  readonly placement?: IRolloutStackPlacement;

  /**
   * The start of every stack name: `PREFIX-Management-us-east-1`,
   * `PREFIX-Administrator-us-east-1`, `PREFIX-Member-444444444444-us-east-1`.
   *
   * @default - this construct's ID, after the name of the `Stage` the stack is in, if any
   */
  readonly stackNamePrefix?: string;
}

/**
 * A GuardDuty organization in every region, from one declaration: one stack per account
 * and region, each deployed by CloudFormation on its own.
 *
 * - management account, per region: `GuardDutyDelegatedAdministrator`;
 * - administrator account, per region: `GuardDutyOrganizationConfiguration`, then
 *   `GuardDutyMemberInvitations` (organization members and outside accounts), and the
 *   membership monitor; each depends on the management stack of its region;
 * - each outside account, per region: a detector and `GuardDutyInvitationAccepter`,
 *   depending on the administrator stack of its region.
 *
 * Regions do not depend on each other, so `cdk deploy --all --concurrency N` deploys them
 * in parallel. Dependencies are added only between stacks of the same `Stage`: stacks in
 * different stages (pipeline waves) are ordered by the waves.
 *
 * @example
 * new GuardDutyOrganizationRollout(app, 'GuardDuty', {
 *   managementAccountId: '999999999999',
 *   administratorAccountId: '111111111111',
 *   autoEnableOrganizationMembers: OrganizationAutoEnable.NEW,
 *   organizationMembers: OrganizationMembers.wholeOrganization(),
 *   excludeRegions: ['sa-east-1'],
 * });
 */
export class GuardDutyOrganizationRollout extends Construct {
  /** The regions deployed to, resolved at synth. */
  public readonly regions: string[];

  /** The management account's stacks, one per region, in `regions` order. */
  public readonly managementStacks: Stack[];

  /** The administrator account's stacks, one per region, in `regions` order. */
  public readonly administratorStacks: Stack[];

  /** The outside accounts' stacks, per region then per account. */
  public readonly memberStacks: Stack[];

  private readonly management = new Map<string, { stack: Stack; delegatedAdministrator: GuardDutyDelegatedAdministrator }>();
  private readonly administrator = new Map<string, { stack: Stack; configuration: GuardDutyOrganizationConfiguration; invitations?: GuardDutyMemberInvitations }>();
  private readonly member = new Map<string, { stack: Stack; accepter: GuardDutyInvitationAccepter }>();

  constructor(scope: Construct, id: string, props: GuardDutyOrganizationRolloutProps) {
    super(scope, id);

    const { regions, overrides } = validateProps(props, this.node.path);
    this.regions = regions;
    this.managementStacks = [];
    this.administratorStacks = [];
    this.memberStacks = [];

    for (const region of regions) {
      const override = overrides.get(region) ?? { region };
      const managementStack = this.addManagement(props, region);
      const administratorStack = this.addAdministrator(props, override);
      dependWithinStage(administratorStack, managementStack);
      const excluded = new Set(override.excludeMemberAccountIds ?? []);
      for (const account of (props.members ?? []).filter((member) => !excluded.has(member.accountId))) {
        // Not required (the accepter waits for its invitation), but it keeps the wait short.
        dependWithinStage(this.addMember(props, account.accountId, region), administratorStack);
      }
    }
  }

  private addManagement(props: GuardDutyOrganizationRolloutProps, region: string): Stack {
    const stack = this.newStack(RolloutStackRole.MANAGEMENT, props, {
      account: props.managementAccountId,
      region,
      description: 'GuardDuty delegated administrator of the organization (cdk-guardduty-members GuardDutyOrganizationRollout)',
    });
    const delegatedAdministrator = new GuardDutyDelegatedAdministrator(stack, 'DelegatedAdministrator', {
      adminAccountId: props.administratorAccountId,
      reserveConcurrency: props.reserveConcurrency,
    });
    this.management.set(region, { stack, delegatedAdministrator });
    this.managementStacks.push(stack);
    return stack;
  }

  private addAdministrator(props: GuardDutyOrganizationRolloutProps, override: GuardDutyRegionOverride): Stack {
    const stack = this.newStack(RolloutStackRole.ADMINISTRATOR, props, {
      account: props.administratorAccountId,
      region: override.region,
      description: 'GuardDuty organization configuration and members, from the delegated administrator (cdk-guardduty-members GuardDutyOrganizationRollout)',
    });
    // No detector here: EnableOrganizationAdminAccount enables GuardDuty in the
    // delegated administrator, and both constructs look that detector up.
    const configuration = new GuardDutyOrganizationConfiguration(stack, 'OrganizationConfiguration', {
      autoEnableOrganizationMembers: override.autoEnableOrganizationMembers ?? props.autoEnableOrganizationMembers,
      features: override.features ?? props.features,
      findingPublishingFrequency: override.findingPublishingFrequency ?? props.findingPublishingFrequency,
      reserveConcurrency: props.reserveConcurrency,
    });
    const excluded = new Set(override.excludeMemberAccountIds ?? []);
    const members = (props.members ?? []).filter((member) => !excluded.has(member.accountId));
    const organizationMembers = override.organizationMembers ?? props.organizationMembers;
    let invitations: GuardDutyMemberInvitations | undefined;
    if (members.length > 0 || organizationMembers !== undefined) {
      invitations = new GuardDutyMemberInvitations(stack, 'Members', {
        members: members.length > 0 ? members : undefined,
        organizationMembers,
        message: props.invitationMessage,
        disableEmailNotification: props.disableEmailNotification,
        onUnprocessed: props.onUnprocessed,
        reserveConcurrency: props.reserveConcurrency,
      });
      // The order SRA and LZA use: the organization configuration, then CreateMembers.
      invitations.node.addDependency(configuration);
      if (props.membershipMonitor !== undefined) {
        invitations.addMonitor(props.membershipMonitor);
      }
    }
    this.administrator.set(override.region, { stack, configuration, invitations });
    this.administratorStacks.push(stack);
    return stack;
  }

  private addMember(props: GuardDutyOrganizationRolloutProps, accountId: string, region: string): Stack {
    const stack = this.newStack(RolloutStackRole.MEMBER, props, {
      account: accountId,
      region,
      description: 'GuardDuty outside member: detector and acceptance of the administrator invitation (cdk-guardduty-members GuardDutyOrganizationRollout)',
    });
    const detector = props.memberDetectors === false ? undefined : new guardduty.CfnDetector(stack, 'Detector', { enable: true, features: props.memberDetectorFeatures });
    const accepter = new GuardDutyInvitationAccepter(stack, 'Administrator', {
      administratorAccountId: props.administratorAccountId,
      detectorId: detector?.ref,
      reserveConcurrency: props.reserveConcurrency,
    });
    if (props.administratorMonitor !== undefined) {
      accepter.addMonitor(props.administratorMonitor);
    }
    this.member.set(memberKey(accountId, region), { stack, accepter });
    this.memberStacks.push(stack);
    return stack;
  }

  /** Every stack of the rollout: management, administrator, then outside accounts. */
  public get stacks(): Stack[] {
    return [...this.managementStacks, ...this.administratorStacks, ...this.memberStacks];
  }

  /** The management account's stack in `region`. */
  public managementStack(region: string): Stack {
    return this.entry(this.management, region, region).stack;
  }

  /** The administrator account's stack in `region`. */
  public administratorStack(region: string): Stack {
    return this.entry(this.administrator, region, region).stack;
  }

  /** The stack of the outside account `accountId` in `region`. */
  public memberStack(accountId: string, region: string): Stack {
    return this.entry(this.member, memberKey(accountId, region), `account ${accountId} in ${region}`).stack;
  }

  /** The delegated administrator designation in `region`. */
  public delegatedAdministrator(region: string): GuardDutyDelegatedAdministrator {
    return this.entry(this.management, region, region).delegatedAdministrator;
  }

  /** The organization configuration in `region`. */
  public organizationConfiguration(region: string): GuardDutyOrganizationConfiguration {
    return this.entry(this.administrator, region, region).configuration;
  }

  /** The members in `region`; undefined where the region has neither organization members nor outside accounts. */
  public memberInvitations(region: string): GuardDutyMemberInvitations | undefined {
    return this.entry(this.administrator, region, region).invitations;
  }

  /** The acceptance of the outside account `accountId` in `region`. */
  public invitationAccepter(accountId: string, region: string): GuardDutyInvitationAccepter {
    return this.entry(this.member, memberKey(accountId, region), `account ${accountId} in ${region}`).accepter;
  }

  private entry<T>(entries: Map<string, T>, key: string, what: string): T {
    const found = entries.get(key);
    if (found === undefined) {
      throw new Error(`${this.node.path} has no stack for ${what}; its regions are ${this.regions.join(', ')}`);
    }
    return found;
  }

  private newStack(role: RolloutStackRole, props: GuardDutyOrganizationRolloutProps, options: { account: string; region: string; description: string }): Stack {
    const name = role === RolloutStackRole.MEMBER ? `${role}-${options.account}-${options.region}` : `${role}-${options.region}`;
    const scope = props.placement?.scopeFor(role, options.region, options.account) ?? roleScope(props, role);
    const parent = scope ?? this;
    const stage = Stage.isStage(parent) ? parent : Stage.of(parent);
    const prefix = props.stackNamePrefix ?? `${stage?.stageName ? `${stage.stageName}-` : ''}${this.node.id}`;
    return new Stack(parent, parent === this ? name : `${this.node.id}-${name}`, {
      env: { account: options.account, region: options.region },
      stackName: `${prefix}-${name}`,
      description: options.description,
    });
  }
}

function roleScope(props: GuardDutyOrganizationRolloutProps, role: RolloutStackRole): Construct | undefined {
  switch (role) {
    case RolloutStackRole.MANAGEMENT:
      return props.managementScope;
    case RolloutStackRole.ADMINISTRATOR:
      return props.administratorScope;
    case RolloutStackRole.MEMBER:
      return props.memberScope;
  }
}

function memberKey(accountId: string, region: string): string {
  return `${accountId}/${region}`;
}

/**
 * CloudFormation deploys a stack after those it depends on. The CDK refuses a dependency
 * across stages, and none is needed there: a pipeline orders its stages by waves.
 */
function dependWithinStage(dependent: Stack, dependency: Stack): void {
  if (Stage.of(dependent) === Stage.of(dependency)) {
    dependent.addStackDependency(dependency, 'GuardDuty: the delegated administrator first, then the organization configuration and members, then the outside accounts');
  }
}

const REGIONAL_MONITOR_OPTIONS = ['alarmTopic', 'vpc', 'vpcSubnets', 'securityGroups', 'logEncryptionKey'] as const;

function validateProps(props: GuardDutyOrganizationRolloutProps, path: string): { regions: string[]; overrides: Map<string, GuardDutyRegionOverride> } {
  const problems: string[] = [];
  if (props.placement !== undefined && (props.managementScope ?? props.administratorScope ?? props.memberScope) !== undefined) {
    problems.push('placement: give either placement or managementScope/administratorScope/memberScope, not both');
  }
  for (const [name, value] of [
    ['managementAccountId', props.managementAccountId],
    ['administratorAccountId', props.administratorAccountId],
  ] as const) {
    const problem = Token.isUnresolved(value) ? `${name} must be a literal account ID (it names the stacks' environments), got a token` : accountIdProblem(value);
    if (problem) {
      problems.push(`${name}: ${problem}`);
    }
  }
  for (const [name, values] of [
    ['regions', props.regions],
    ['excludeRegions', props.excludeRegions],
    ['enabledOptInRegions', props.enabledOptInRegions],
  ] as const) {
    if ((values ?? []).some((value) => Token.isUnresolved(value))) {
      problems.push(`${name}: regions must be literal region names, known at synth (one stack is made per region), got a token`);
    }
  }

  const resolution =
    problems.length > 0
      ? { regions: [], problems: [] }
      : resolveRegions(
          { partition: props.partition ?? AwsPartition.COMMERCIAL, regions: props.regions, excludeRegions: props.excludeRegions, enabledOptInRegions: props.enabledOptInRegions },
          knownRegions(),
        );
  problems.push(...resolution.problems);

  for (const member of props.members ?? []) {
    if (member.accountId === props.managementAccountId || member.accountId === props.administratorAccountId) {
      const which = member.accountId === props.managementAccountId ? 'managementAccountId' : 'administratorAccountId';
      problems.push(
        `members: ${member.accountId} is the rollout's ${which}; members are accounts outside the organization ` +
          '(the administrator cannot be its own member; select the management account with organizationMembers)',
      );
    }
  }

  const overrides = new Map<string, GuardDutyRegionOverride>();
  const memberIds = new Set((props.members ?? []).map((member) => member.accountId));
  for (const override of props.regionOverrides ?? []) {
    if (overrides.has(override.region)) {
      problems.push(`regionOverrides: ${override.region} has more than one override; merge them into one`);
    } else if (resolution.problems.length === 0 && !resolution.regions.includes(override.region)) {
      problems.push(`regionOverrides: ${JSON.stringify(override.region)} is not one of the rollout's regions (${resolution.regions.join(', ')})`);
    }
    overrides.set(override.region, override);
    for (const accountId of override.excludeMemberAccountIds ?? []) {
      if (!memberIds.has(accountId)) {
        problems.push(`regionOverrides (${override.region}): excludeMemberAccountIds names ${accountId}, which is not one of the rollout's members`);
      }
    }
  }

  for (const [name, options] of [
    ['membershipMonitor', props.membershipMonitor],
    ['administratorMonitor', props.administratorMonitor],
  ] as const) {
    for (const option of REGIONAL_MONITOR_OPTIONS) {
      if (options !== undefined && (options as Record<string, unknown>)[option] !== undefined) {
        problems.push(
          `${name}.${option}: a resource of one region cannot serve the monitors of every region; ` +
            'leave it out and add the monitor per region (memberInvitations(region).addMonitor() or invitationAccepter(accountId, region).addMonitor())',
        );
      }
    }
  }
  if (props.membershipMonitor !== undefined && (props.members ?? []).length === 0 && props.organizationMembers === undefined) {
    problems.push('membershipMonitor: there are no members to watch (neither members nor organizationMembers is given)');
  }
  const selectsOrganizationMembers = props.organizationMembers !== undefined || (props.regionOverrides ?? []).some((override) => override.organizationMembers !== undefined);
  if (props.membershipMonitor !== undefined && selectsOrganizationMembers) {
    problems.push(
      'membershipMonitor: the monitor compares GuardDuty\'s members with a list known at synth, and organizationMembers is read from AWS Organizations ' +
        'at deploy time; leave membershipMonitor out, or declare the members as a list (members)',
    );
  }

  if (problems.length > 0) {
    throw new Error(`Invalid GuardDutyOrganizationRollout props at ${path}:${problems.map((problem) => `\n  ${problem}`).join('')}`);
  }
  return { regions: resolution.regions, overrides };
}
