import { CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { addBundledHandlerProvider } from './private/bundled-handler';
import { addNagSuppressions, nagReference } from './private/nag-suppressions';
import { GUARDDUTY_POLICY_TYPE, PolicyTypeResourceProperties, RESOURCE_TYPE } from './private/organization-policy-contract';
import { placedStackProvider } from './private/placed-provider';
import { ProviderPlacement, ProviderPlacementRecord } from './private/provider-placement';

/** The provider's construct ID is a compatibility contract (logical IDs of its resources). */
const PROVIDER_ID = 'GuardDutyOrganizationPolicyProvider';
/** The stack-level resource that enables the policy type, also a compatibility contract. */
const POLICY_TYPE_RESOURCE_ID = 'GuardDutyPolicyType';

/**
 * The handler and custom resource provider behind every `GuardDutyOrganizationPolicy`
 * of a stack: the policy type on the root (one resource per stack) and each policy.
 */
export class OrganizationPolicyProvider extends Construct {
  public static getOrCreate(scope: Construct, placement: ProviderPlacement): OrganizationPolicyProvider {
    return placedStackProvider(scope, placement, {
      id: PROVIDER_ID,
      constructKind: 'GuardDutyOrganizationPolicy',
      description: 'GuardDuty organization policy provider',
      create: (stack, id, record) => new OrganizationPolicyProvider(stack, id, record),
      isInstance: (construct): construct is OrganizationPolicyProvider => construct instanceof OrganizationPolicyProvider,
    });
  }

  /** The ARN of the provider framework's function, for `CustomResource.serviceToken`. */
  public readonly serviceToken: string;

  private readonly role: iam.Role;
  private policyType?: { readonly resource: CustomResource; readonly disableOnDelete: boolean; readonly requesterPath: string };

  private constructor(scope: Construct, id: string, public readonly placementRecord: ProviderPlacementRecord) {
    super(scope, id);

    const provider = addBundledHandlerProvider(this, {
      bundleName: 'organization-policy',
      displayName: 'GuardDuty organization policy',
      roleDescription: 'Enables the GuardDuty policy type and manages GuardDuty organization policies (cdk-guardduty-members)',
      onEventDescription: 'Enables GUARDDUTY_POLICY on the root and creates, updates, attaches and deletes GuardDuty organization policies',
      isCompleteDescription: 'Waits until the GUARDDUTY_POLICY policy type is ENABLED on the root',
      onEventTimeout: Duration.minutes(2),
      isCompleteTimeout: Duration.minutes(1),
      queryInterval: Duration.seconds(10),
      totalTimeout: Duration.minutes(30),
      placement: placementRecord.placement,
    });
    this.serviceToken = provider.serviceToken;
    this.role = provider.role;

    const partition = Stack.of(this).partition;
    const rootArn = `arn:${partition}:organizations::*:root/o-*/r-*`;
    const guardDutyPolicyArn = `arn:${partition}:organizations::*:policy/o-*/guardduty_policy/p-*`;
    const targetArns = [rootArn, `arn:${partition}:organizations::*:ou/o-*/ou-*`, `arn:${partition}:organizations::*:account/o-*/*`];
    const heldToType = { StringEquals: { 'organizations:PolicyType': GUARDDUTY_POLICY_TYPE } };
    // No resource type for these in the Service Authorization Reference: "*", read only, and CreatePolicy held to the type.
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['organizations:ListRoots', 'organizations:ListPolicies'], resources: ['*'] }));
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['organizations:CreatePolicy'], resources: ['*'], conditions: heldToType }));
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['organizations:EnablePolicyType'], resources: [rootArn], conditions: heldToType }));
    // GuardDuty policies only: their ARNs carry the type (policy/o-*/guardduty_policy/p-*).
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['organizations:UpdatePolicy', 'organizations:DeletePolicy', 'organizations:ListTargetsForPolicy'],
        resources: [guardDutyPolicyArn],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['organizations:AttachPolicy', 'organizations:DetachPolicy'],
        resources: [guardDutyPolicyArn, ...targetArns],
      }),
    );
    addNagSuppressions(provider.role, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'AWS Organizations IDs (organization, root, policies the handler creates) are unknown at synth. ListRoots, ListPolicies and CreatePolicy have ' +
          'no resource type ("*"; CreatePolicy held to GUARDDUTY_POLICY by organizations:PolicyType); the others are held to GuardDuty policies ' +
          '(policy/o-*/guardduty_policy/p-*), the root, OUs and accounts, and EnablePolicyType/DisablePolicyType to the type.',
        // As cdk-nag writes them: the partition is a literal with @aws-cdk/core:enablePartitionLiterals, <AWS::Partition> without.
        appliesTo: ['Resource::*', ...[guardDutyPolicyArn, ...targetArns].map((arn) => `Resource::${nagReference(this, arn)}`)],
      },
    ]);
  }

  /**
   * The stack's one resource that enables the type, created with the first policy:
   * every policy of the stack depends on it and must agree on disabling the type on
   * delete (which adds DisablePolicyType, for this type only).
   */
  public policyTypeResource(requester: Construct, disableOnDelete: boolean): CustomResource {
    if (this.policyType) {
      if (this.policyType.disableOnDelete !== disableOnDelete) {
        throw new Error(
          `Invalid GuardDutyOrganizationPolicy props at ${requester.node.path}: disablePolicyTypeOnDelete is ${disableOnDelete}, but ${this.policyType.requesterPath} ` +
            `set it ${this.policyType.disableOnDelete}: the policy type is enabled once per stack, so every GuardDutyOrganizationPolicy of the stack must agree`,
        );
      }
      return this.policyType.resource;
    }
    if (disableOnDelete) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['organizations:DisablePolicyType'],
          resources: [`arn:${Stack.of(this).partition}:organizations::*:root/o-*/r-*`],
          conditions: { StringEquals: { 'organizations:PolicyType': GUARDDUTY_POLICY_TYPE } },
        }),
      );
    }
    const properties: PolicyTypeResourceProperties = { PolicyType: GUARDDUTY_POLICY_TYPE, RemovalPolicy: disableOnDelete ? 'DESTROY' : 'RETAIN' };
    const resource = new CustomResource(Stack.of(this), POLICY_TYPE_RESOURCE_ID, { serviceToken: this.serviceToken, resourceType: RESOURCE_TYPE.POLICY_TYPE, properties });
    this.policyType = { resource, disableOnDelete, requesterPath: requester.node.path };
    return resource;
  }
}
