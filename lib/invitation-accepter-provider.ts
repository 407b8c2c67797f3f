import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ProviderPlacement, ProviderPlacementRecord } from './private/provider-placement';
import { placedStackProvider } from './private/placed-provider';
import { RegionalGuardDutyGrant, addBundledHandlerProvider } from './private/bundled-handler';
import { grantStackStatusRead } from './private/stack-status-grant';

/**
 * The provider's construct ID is a compatibility contract: with the IDs of its children
 * (`Handler`, `IsCompleteHandler`, `Provider`, ...; see private/bundled-handler.ts) it
 * makes the logical IDs of the handler, its role, its log group and the provider
 * framework, so renaming it replaces those resources in every deployed stack.
 */
const PROVIDER_ID = 'GuardDutyInvitationAccepterProvider';

/** How often the provider framework asks the handler whether the invitation has arrived. */
const INVITATION_QUERY_INTERVAL = Duration.seconds(30);

/** What every accepter calls (granted on "*": see RegionalGuardDutyGrant). */
const ACCEPT_ACTIONS = ['guardduty:GetAdministratorAccount', 'guardduty:ListInvitations', 'guardduty:AcceptAdministratorInvitation'];

/**
 * The handler and custom resource provider behind every `GuardDutyInvitationAccepter`
 * in a stack: one per stack, so a stack has one handler and one role to review.
 */
export class InvitationAccepterProvider extends Construct {
  /** The stack's provider, created with the first construct that needs it. */
  public static getOrCreate(scope: Construct, placement: ProviderPlacement): InvitationAccepterProvider {
    return placedStackProvider(scope, placement, {
      id: PROVIDER_ID,
      constructKind: 'GuardDutyInvitationAccepter',
      description: 'GuardDuty invitation accepter provider',
      create: (stack, id, record) => new InvitationAccepterProvider(stack, id, record),
      isInstance: (construct): construct is InvitationAccepterProvider => construct instanceof InvitationAccepterProvider,
    });
  }

  /** The ARN of the provider framework's function, for `CustomResource.serviceToken`. */
  public readonly serviceToken: string;

  private readonly grant: RegionalGuardDutyGrant;
  private readonly role: iam.Role;

  private constructor(scope: Construct, id: string, public readonly placementRecord: ProviderPlacementRecord) {
    super(scope, id);

    const provider = addBundledHandlerProvider(this, {
      bundleName: 'invitation-accepter',
      displayName: 'GuardDuty invitation accepter',
      roleDescription: 'Accepts the GuardDuty invitation of an administrator account (cdk-guardduty-members)',
      onEventDescription: 'Accepts the GuardDuty administrator invitation for GuardDutyInvitationAccepter custom resources',
      isCompleteDescription: 'Waits for the GuardDuty administrator invitation to arrive for GuardDutyInvitationAccepter custom resources',
      // A run makes a handful of calls; the time is for GuardDuty's throttling, which the
      // SDK's adaptive retry waits out. The handler stops itself a little earlier.
      onEventTimeout: Duration.minutes(2),
      isCompleteTimeout: Duration.minutes(2),
      queryInterval: INVITATION_QUERY_INTERVAL,
      // Above the longest invitationTimeout a construct may ask for (50 minutes): the
      // handler gives up first and says why, rather than the framework's bare
      // "Operation timed out".
      totalTimeout: Duration.hours(1),
      placement: placementRecord.placement,
    });
    this.serviceToken = provider.serviceToken;

    this.grant = new RegionalGuardDutyGrant(provider.role, ACCEPT_ACTIONS);
    this.role = provider.role;
  }

  /** Lets the handler leave its administrator, for constructs with RemovalPolicy.DESTROY. Idempotent. */
  public grantDisassociation(): void {
    this.grant.addAction('guardduty:DisassociateFromAdministratorAccount');
    // Before leaving, the handler checks that CloudFormation is not rolling back.
    grantStackStatusRead(this.role);
  }

  /** Lets the handler find the detector of its account and region, for constructs without detectorId. Idempotent. */
  public grantDetectorLookup(): void {
    this.grant.addAction('guardduty:ListDetectors');
  }

}
