import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { RegionalGuardDutyGrant, addBundledHandlerProvider } from './private/bundled-handler';
import { placedStackProvider } from './private/placed-provider';
import { ProviderPlacement, ProviderPlacementRecord } from './private/provider-placement';
import { GUARDDUTY_SERVICE_PRINCIPAL, MALWARE_PROTECTION_ROLE_NAME, MALWARE_PROTECTION_SERVICE_PRINCIPAL } from './private/delegated-administrator-contract';
import { addNagSuppressions } from './private/nag-suppressions';

/** The provider's construct ID is a compatibility contract (logical IDs of its resources). */
const PROVIDER_ID = 'GuardDutyDelegatedAdministratorProvider';

/**
 * What the handler calls. DisableOrganizationAdminAccount is for handing the role over
 * when adminAccountId changes, and for a Delete with DESTROY.
 */
const DELEGATION_ACTIONS = ['guardduty:ListOrganizationAdminAccounts', 'guardduty:EnableOrganizationAdminAccount', 'guardduty:DisableOrganizationAdminAccount'];

/**
 * What GuardDuty calls in AWS Organizations on the caller's behalf when it designates
 * the delegated administrator: the GuardDuty user guide's "Permissions required to
 * designate a delegated GuardDuty administrator account". The two that change the
 * organization are held to GuardDuty's service principal.
 */
const ORGANIZATIONS_WRITE_ACTIONS = ['organizations:EnableAWSServiceAccess', 'organizations:RegisterDelegatedAdministrator'];
const ORGANIZATIONS_READ_ACTIONS = [
  'organizations:ListDelegatedAdministrators',
  'organizations:ListAWSServiceAccessForOrganization',
  'organizations:DescribeOrganizationalUnit',
  'organizations:DescribeAccount',
  'organizations:DescribeOrganization',
  'organizations:ListAccounts',
];

/**
 * The handler and custom resource provider behind every `GuardDutyDelegatedAdministrator`
 * in a stack (the management account's): one per stack.
 */
export class DelegatedAdministratorProvider extends Construct {
  /** The stack's provider, created with the first construct that needs it. */
  public static getOrCreate(scope: Construct, placement: ProviderPlacement): DelegatedAdministratorProvider {
    return placedStackProvider(scope, placement, {
      id: PROVIDER_ID,
      constructKind: 'GuardDutyDelegatedAdministrator',
      description: 'GuardDuty delegated administrator provider',
      create: (stack, id, record) => new DelegatedAdministratorProvider(stack, id, record),
      isInstance: (construct): construct is DelegatedAdministratorProvider => construct instanceof DelegatedAdministratorProvider,
    });
  }

  /** The ARN of the provider framework's function, for `CustomResource.serviceToken`. */
  public readonly serviceToken: string;

  private readonly role: iam.Role;
  private serviceLinkedRoleGranted = false;
  private malwareProtectionGranted = false;

  private constructor(scope: Construct, id: string, public readonly placementRecord: ProviderPlacementRecord) {
    super(scope, id);

    const provider = addBundledHandlerProvider(this, {
      bundleName: 'delegated-administrator',
      displayName: 'GuardDuty delegated administrator',
      roleDescription: 'Designates the GuardDuty delegated administrator of the organization (cdk-guardduty-members)',
      onEventDescription: 'Enables the GuardDuty delegated administrator for GuardDutyDelegatedAdministrator custom resources',
      isCompleteDescription: 'Completes GuardDutyDelegatedAdministrator custom resources (nothing to wait for)',
      onEventTimeout: Duration.minutes(2),
      isCompleteTimeout: Duration.minutes(1),
      queryInterval: Duration.seconds(30),
      totalTimeout: Duration.minutes(30),
      placement: placementRecord.placement,
    });
    this.serviceToken = provider.serviceToken;
    this.role = provider.role;

    new RegionalGuardDutyGrant(provider.role, DELEGATION_ACTIONS);
    provider.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ORGANIZATIONS_WRITE_ACTIONS,
        resources: ['*'],
        conditions: { StringEquals: { 'organizations:ServicePrincipal': GUARDDUTY_SERVICE_PRINCIPAL } },
      }),
    );
    provider.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ORGANIZATIONS_READ_ACTIONS, resources: ['*'] }));
    addNagSuppressions(provider.role, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'GuardDuty calls these AWS Organizations actions on the caller\'s behalf when it designates the delegated administrator (GuardDuty ' +
          'user guide, "Permissions required to designate a delegated GuardDuty administrator account", which grants them on "*"). The two ' +
          'that change the organization are held to the guardduty.amazonaws.com service principal; the rest only read the organization.',
        appliesTo: ['Resource::*'],
      },
    ]);
  }

  /**
   * Lets GuardDuty create its service-linked role in this account, needed when the
   * management account designates itself. Only that role. Idempotent.
   */
  public grantServiceLinkedRoleCreation(): void {
    if (this.serviceLinkedRoleGranted) {
      return;
    }
    this.serviceLinkedRoleGranted = true;
    const stack = Stack.of(this);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['iam:CreateServiceLinkedRole'],
        resources: [`arn:${stack.partition}:iam::${stack.account}:role/aws-service-role/${GUARDDUTY_SERVICE_PRINCIPAL}/AWSServiceRoleForAmazonGuardDuty`],
        conditions: { StringLike: { 'iam:AWSServiceName': GUARDDUTY_SERVICE_PRINCIPAL } },
      }),
    );
  }

  /**
   * Lets the handler set up Malware Protection's prerequisites: trusted access for its
   * service principal only (ListAWSServiceAccessForOrganization is among the read
   * actions already), and creating its service-linked role only. Idempotent.
   */
  public grantMalwareProtectionPrerequisites(): void {
    if (this.malwareProtectionGranted) {
      return;
    }
    this.malwareProtectionGranted = true;
    const stack = Stack.of(this);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['organizations:EnableAWSServiceAccess'],
        resources: ['*'],
        conditions: { StringEquals: { 'organizations:ServicePrincipal': MALWARE_PROTECTION_SERVICE_PRINCIPAL } },
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['iam:CreateServiceLinkedRole'],
        resources: [`arn:${stack.partition}:iam::${stack.account}:role/aws-service-role/${MALWARE_PROTECTION_SERVICE_PRINCIPAL}/${MALWARE_PROTECTION_ROLE_NAME}`],
        conditions: { StringEquals: { 'iam:AWSServiceName': MALWARE_PROTECTION_SERVICE_PRINCIPAL } },
      }),
    );
  }
}
