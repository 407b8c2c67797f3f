import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ProviderPlacement, ProviderPlacementRecord } from './private/provider-placement';
import { placedStackProvider } from './private/placed-provider';
import { RegionalGuardDutyGrant, addBundledHandlerProvider } from './private/bundled-handler';
import { grantStackStatusRead } from './private/stack-status-grant';

/**
 * The provider's construct ID is a compatibility contract: with the IDs of its children
 * (see private/bundled-handler.ts) it makes the logical IDs of the handler, its role, its
 * log group and the provider framework, so renaming it replaces those resources in every
 * deployed stack.
 */
const PROVIDER_ID = 'GuardDutyMemberInvitationsProvider';

/** How often the provider framework asks the handler whether email verification has finished. */
const VERIFICATION_QUERY_INTERVAL = Duration.seconds(30);

/**
 * Everything the handler calls to manage members (granted on "*": see RegionalGuardDutyGrant).
 * DescribeOrganizationConfiguration only reads: whether GuardDuty answers it tells the
 * handler if any account can come in through the organization (organization-reach.ts).
 */
const MEMBER_ACTIONS = [
  'guardduty:GetMembers',
  'guardduty:DescribeOrganizationConfiguration',
  'guardduty:CreateMembers',
  'guardduty:InviteMembers',
  'guardduty:DisassociateMembers',
  'guardduty:DeleteMembers',
];

/**
 * The AWS Organizations reads behind `OrganizationMembers`: the whole organization is one
 * paginated ListAccounts; organizational units are walked with
 * ListOrganizationalUnitsForParent and read with ListAccountsForParent.
 */
const ORGANIZATIONS_READ_ACTIONS = {
  ORGANIZATION: ['organizations:ListAccounts'],
  ORGANIZATIONAL_UNITS: ['organizations:ListAccountsForParent', 'organizations:ListOrganizationalUnitsForParent'],
} as const;

/**
 * The handler and custom resource provider behind every `GuardDutyMemberInvitations`
 * in a stack: one per stack, whatever the number of constructs, so a stack has one
 * Lambda function and one role to review.
 */
export class MemberInvitationsProvider extends Construct {
  /** The stack's provider, created with the first construct that needs it. */
  public static getOrCreate(scope: Construct, placement: ProviderPlacement): MemberInvitationsProvider {
    return placedStackProvider(scope, placement, {
      id: PROVIDER_ID,
      constructKind: 'GuardDutyMemberInvitations',
      description: 'GuardDuty member invitations provider',
      create: (stack, id, record) => new MemberInvitationsProvider(stack, id, record),
      isInstance: (construct): construct is MemberInvitationsProvider => construct instanceof MemberInvitationsProvider,
    });
  }

  /** The ARN of the provider framework's function, for `CustomResource.serviceToken`. */
  public readonly serviceToken: string;

  private readonly grant: RegionalGuardDutyGrant;
  private readonly role: iam.Role;
  private organizationsRead?: iam.PolicyStatement;

  private constructor(scope: Construct, id: string, public readonly placementRecord: ProviderPlacementRecord) {
    super(scope, id);

    const provider = addBundledHandlerProvider(this, {
      bundleName: 'member-invitations',
      displayName: 'GuardDuty member invitations',
      roleDescription: 'Invites accounts into GuardDuty as members (cdk-guardduty-members)',
      onEventDescription: 'Creates, invites and removes GuardDuty member accounts for GuardDutyMemberInvitations custom resources',
      isCompleteDescription: 'Checks GuardDuty email verification of invited members for GuardDutyMemberInvitations custom resources',
      // GuardDuty throttles member APIs; a run over thousands of accounts can take minutes.
      // The handler stops itself before this timeout to report what it did.
      onEventTimeout: Duration.minutes(10),
      // The same bundle's isComplete entry point polls GetMembers until GuardDuty has
      // verified the emails of the accounts a run invited. A short timeout: one poll reads
      // at most 100 batches of members.
      isCompleteTimeout: Duration.minutes(5),
      queryInterval: VERIFICATION_QUERY_INTERVAL,
      // Above the longest verificationTimeout a construct may ask for (50 minutes): the
      // handler gives up first and says which accounts were still being verified, rather
      // than the framework's bare "Operation timed out".
      totalTimeout: Duration.hours(1),
      placement: placementRecord.placement,
    });
    this.serviceToken = provider.serviceToken;

    this.grant = new RegionalGuardDutyGrant(provider.role, MEMBER_ACTIONS);
    this.role = provider.role;
  }

  /** Lets the handler find the detector of its account and region, for constructs without detectorId. Idempotent. */
  public grantDetectorLookup(): void {
    this.grant.addAction('guardduty:ListDetectors');
  }

  /** Lets the handler read one member list kept in an asset (lib/private/member-list-asset.ts), and no other object. */
  public grantMemberListRead(objectArn: string): void {
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [objectArn] }));
  }

  /**
   * Lets the handler list the organization's accounts the way a selection needs, and
   * nothing else of Organizations. On "*": the Service Authorization Reference lists no
   * resource type for these List actions. No region condition: Organizations answers
   * from its own region (us-east-1 in the aws partition), whatever the stack's. Idempotent.
   */
  public grantOrganizationsRead(scope: keyof typeof ORGANIZATIONS_READ_ACTIONS): void {
    if (!this.organizationsRead) {
      this.organizationsRead = new iam.PolicyStatement({ resources: ['*'] });
      this.role.addToPrincipalPolicy(this.organizationsRead);
    }
    for (const action of ORGANIZATIONS_READ_ACTIONS[scope]) {
      if (!this.organizationsRead.actions.includes(action)) {
        this.organizationsRead.addActions(action);
      }
    }
  }

  /** Lets the handler check for a rollback before it removes members (constructs with DESTROY). Idempotent. */
  public grantRollbackCheck(): void {
    grantStackStatusRead(this.role);
  }
}
