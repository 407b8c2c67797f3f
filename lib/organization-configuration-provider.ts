import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { RegionalGuardDutyGrant, addBundledHandlerProvider } from './private/bundled-handler';
import { placedStackProvider } from './private/placed-provider';
import { ProviderPlacement, ProviderPlacementRecord } from './private/provider-placement';

/**
 * The provider's construct ID is a compatibility contract: it makes the logical IDs of
 * the handler, its role, its log group and the provider framework.
 */
const PROVIDER_ID = 'GuardDutyOrganizationConfigurationProvider';

/** What every organization configuration calls (granted on "*": see RegionalGuardDutyGrant). */
const CONFIGURATION_ACTIONS = ['guardduty:DescribeOrganizationConfiguration', 'guardduty:UpdateOrganizationConfiguration'];

/**
 * The handler and custom resource provider behind every `GuardDutyOrganizationConfiguration`
 * in a stack: one per stack.
 */
export class OrganizationConfigurationProvider extends Construct {
  /** The stack's provider, created with the first construct that needs it. */
  public static getOrCreate(scope: Construct, placement: ProviderPlacement): OrganizationConfigurationProvider {
    return placedStackProvider(scope, placement, {
      id: PROVIDER_ID,
      constructKind: 'GuardDutyOrganizationConfiguration',
      description: 'GuardDuty organization configuration provider',
      create: (stack, id, record) => new OrganizationConfigurationProvider(stack, id, record),
      isInstance: (construct): construct is OrganizationConfigurationProvider => construct instanceof OrganizationConfigurationProvider,
    });
  }

  /** The ARN of the provider framework's function, for `CustomResource.serviceToken`. */
  public readonly serviceToken: string;

  private readonly grant: RegionalGuardDutyGrant;

  private constructor(scope: Construct, id: string, public readonly placementRecord: ProviderPlacementRecord) {
    super(scope, id);

    const provider = addBundledHandlerProvider(this, {
      bundleName: 'organization-configuration',
      displayName: 'GuardDuty organization configuration',
      roleDescription: 'Sets the GuardDuty organization configuration of the delegated administrator (cdk-guardduty-members)',
      onEventDescription: 'Reads and updates the GuardDuty organization configuration for GuardDutyOrganizationConfiguration custom resources',
      isCompleteDescription: 'Completes GuardDutyOrganizationConfiguration custom resources (nothing to wait for)',
      // A run makes three or four calls; the time is for throttling, which the SDK's
      // adaptive retry waits out. The handler stops itself a little earlier.
      onEventTimeout: Duration.minutes(2),
      isCompleteTimeout: Duration.minutes(1),
      queryInterval: Duration.seconds(30),
      // Nothing waits: the update applies at once (GuardDuty then rolls ALL out over up
      // to 24 hours, which no deployment should wait for).
      totalTimeout: Duration.minutes(30),
      placement: placementRecord.placement,
    });
    this.serviceToken = provider.serviceToken;
    this.grant = new RegionalGuardDutyGrant(provider.role, CONFIGURATION_ACTIONS);
  }

  /** Lets the handler read and set the detector's finding publishing frequency. Idempotent. */
  public grantDetectorSettings(): void {
    this.grant.addAction('guardduty:GetDetector');
    this.grant.addAction('guardduty:UpdateDetector');
  }

  /** Lets the handler find the detector of its account and region, for constructs without detectorId. Idempotent. */
  public grantDetectorLookup(): void {
    this.grant.addAction('guardduty:ListDetectors');
  }
}
