import { CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { addBundledHandlerProvider } from './private/bundled-handler';
import { addNagSuppressions } from './private/nag-suppressions';
import { placedStackProvider } from './private/placed-provider';
import { GUARDDUTY_POLICY_TYPE, PolicyTypeResourceProperties } from './private/policy-type-contract';
import { ProviderPlacement, ProviderPlacementRecord } from './private/provider-placement';

/** The provider's construct ID is a compatibility contract (logical IDs of its resources). */
const PROVIDER_ID = 'GuardDutyPolicyTypeProvider';
/** The stack-level resource that enables the policy type, also a compatibility contract. */
const POLICY_TYPE_RESOURCE_ID = 'GuardDutyPolicyType';

/**
 * The handler and custom resource provider that enables the GuardDuty policy type on the
 * organization's root for every `GuardDutyOrganizationPolicy` of a stack: one per stack.
 */
export class PolicyTypeProvider extends Construct {
  public static getOrCreate(scope: Construct, placement: ProviderPlacement): PolicyTypeProvider {
    return placedStackProvider(scope, placement, {
      id: PROVIDER_ID,
      constructKind: 'GuardDutyOrganizationPolicy',
      description: 'GuardDuty policy type provider',
      create: (stack, id, record) => new PolicyTypeProvider(stack, id, record),
      isInstance: (construct): construct is PolicyTypeProvider => construct instanceof PolicyTypeProvider,
    });
  }

  /** The ARN of the provider framework's function, for `CustomResource.serviceToken`. */
  public readonly serviceToken: string;

  private readonly role: iam.Role;
  private resource?: { readonly customResource: CustomResource; readonly disableOnDelete: boolean; readonly requesterPath: string };

  private constructor(scope: Construct, id: string, public readonly placementRecord: ProviderPlacementRecord) {
    super(scope, id);

    const provider = addBundledHandlerProvider(this, {
      bundleName: 'policy-type',
      displayName: 'GuardDuty policy type',
      roleDescription: 'Enables the GuardDuty policy type on the organization\'s root (cdk-guardduty-members)',
      onEventDescription: 'Enables the GUARDDUTY_POLICY policy type for GuardDutyOrganizationPolicy custom resources',
      isCompleteDescription: 'Waits until the GUARDDUTY_POLICY policy type is ENABLED on the root',
      onEventTimeout: Duration.minutes(2),
      isCompleteTimeout: Duration.minutes(1),
      queryInterval: Duration.seconds(10),
      totalTimeout: Duration.minutes(30),
      placement: placementRecord.placement,
    });
    this.serviceToken = provider.serviceToken;
    this.role = provider.role;

    // ListRoots has no resource type in the Service Authorization Reference: "*".
    provider.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['organizations:ListRoots'], resources: ['*'] }));
    provider.role.addToPrincipalPolicy(this.policyTypeStatement('organizations:EnablePolicyType'));
    addNagSuppressions(provider.role, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'organizations:ListRoots has no resource type, so it is granted on "*" (read only). EnablePolicyType (and DisablePolicyType when asked) ' +
          'are held to the organization\'s root (root/o-*/r-*: the organization and root IDs are unknown at synth, and an organization has one root) ' +
          'and to the GUARDDUTY_POLICY type by the organizations:PolicyType condition key.',
        appliesTo: ['Resource::*', 'Resource::arn:<AWS::Partition>:organizations::*:root/o-*/r-*'],
      },
    ]);
  }

  /**
   * The stack's one resource that enables the type, created with the first policy:
   * every policy of the stack depends on it and must agree on disabling the type on
   * delete (which adds DisablePolicyType, for this type only).
   */
  public policyTypeResource(requester: Construct, disableOnDelete: boolean): CustomResource {
    if (this.resource) {
      if (this.resource.disableOnDelete !== disableOnDelete) {
        throw new Error(
          `Invalid GuardDutyOrganizationPolicy props at ${requester.node.path}: disablePolicyTypeOnDelete is ${disableOnDelete}, but ${this.resource.requesterPath} ` +
            `set it ${this.resource.disableOnDelete}: the policy type is enabled once per stack, so every GuardDutyOrganizationPolicy of the stack must agree`,
        );
      }
      return this.resource.customResource;
    }
    if (disableOnDelete) {
      this.role.addToPrincipalPolicy(this.policyTypeStatement('organizations:DisablePolicyType'));
    }
    const properties: PolicyTypeResourceProperties = { PolicyType: GUARDDUTY_POLICY_TYPE, RemovalPolicy: disableOnDelete ? 'DESTROY' : 'RETAIN' };
    const customResource = new CustomResource(Stack.of(this), POLICY_TYPE_RESOURCE_ID, { serviceToken: this.serviceToken, resourceType: 'Custom::OrganizationsPolicyType', properties });
    this.resource = { customResource, disableOnDelete, requesterPath: requester.node.path };
    return customResource;
  }

  private policyTypeStatement(action: string): iam.PolicyStatement {
    return new iam.PolicyStatement({
      actions: [action],
      resources: [`arn:${Stack.of(this).partition}:organizations::*:root/o-*/r-*`],
      conditions: { StringEquals: { 'organizations:PolicyType': GUARDDUTY_POLICY_TYPE } },
    });
  }
}
