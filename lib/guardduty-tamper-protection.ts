import { Token } from 'aws-cdk-lib';
import * as organizations from 'aws-cdk-lib/aws-organizations';
import { Construct } from 'constructs';
import { policyTargetsProblems } from './private/policy-target-rules';
import {
  SCP_MAX_CHARACTERS,
  TAMPER_PROTECTION_ACTIONS,
  exemptRoleArnProblem,
  exemptRoleNameProblem,
  policySize,
  roleNamePattern,
  tamperProtectionDocument,
} from './private/tamper-protection-rules';

/**
 * Properties for `GuardDutyTamperProtection`.
 */
export interface GuardDutyTamperProtectionProps {
  /**
   * Where the service control policy is attached: the organization's root (`r-xxxx`),
   * organizational units (`ou-xxxx-xxxxxxxx`) or accounts (12 digits). Checked at synth.
   * Attach it where the member accounts are; attached to the root it also binds the
   * delegated administrator's account (exempt its deployment and monitor roles), never the
   * management account (service control policies do not apply to it).
   */
  readonly targetIds: string[];

  /**
   * Roles allowed the denied calls anyway, as ARN patterns compared with `aws:PrincipalArn`
   * (`ArnNotLike`): `arn:aws:iam::111111111111:role/security/BreakGlass`; partition and
   * account may be `*`, the path and name may hold `*` and `?`.
   *
   * @default - no role by ARN: only `exemptRoleNames` are exempt
   */
  readonly exemptRoleArns?: string[];

  /**
   * Roles allowed the denied calls anyway, by name (with its path, if it has one:
   * `security/GuardDutyAdmin`), in every account the policy binds:
   * `arn:*:iam::*:role/<name>`. `*` and `?` are wildcards.
   *
   * @default - no role by name: only `exemptRoleArns` are exempt
   */
  readonly exemptRoleNames?: string[];

  /**
   * The policy's name in AWS Organizations.
   *
   * @default 'GuardDutyTamperProtection'
   */
  readonly policyName?: string;

  /**
   * The policy's description in AWS Organizations.
   *
   * @default - says which GuardDuty calls it denies
   */
  readonly description?: string;
}

/**
 * A service control policy that stops member accounts from taking themselves out of
 * GuardDuty: leaving the administrator, deleting or changing the detector, removing
 * members, changing the findings export, adding archiving filters, trusted IP lists or
 * entity sets, or removing threat lists, except for the roles you exempt. Deploy it from
 * the management account (or an account with Organizations policy delegation for
 * service control policies); service control policies must be enabled on the root.
 *
 * Opt-in: GuardDuty's actions have no condition key for what a request changes, so the
 * policy denies `UpdateDetector` and `CreateFilter`/`UpdateFilter` whole. Exempt the
 * roles that legitimately make those calls.
 *
 * @example
 * new GuardDutyTamperProtection(this, 'TamperProtection', {
 *   targetIds: ['ou-ab12-workloads'],
 *   exemptRoleNames: ['security/GuardDutyBreakGlass'],
 * });
 */
export class GuardDutyTamperProtection extends Construct {
  /**
   * The policy's ID (`p-...`).
   *
   * @attribute
   */
  public readonly policyId: string;

  /**
   * The policy's ARN.
   *
   * @attribute
   */
  public readonly policyArn: string;

  /** Every GuardDuty action the policy denies to principals that are not exempt. */
  public readonly deniedActions: string[];

  constructor(scope: Construct, id: string, props: GuardDutyTamperProtectionProps) {
    super(scope, id);

    const exemptions = [...(props.exemptRoleArns ?? []), ...(props.exemptRoleNames ?? []).map((name) => (Token.isUnresolved(name) ? name : roleNamePattern(name)))];
    const document = tamperProtectionDocument(exemptions);
    validateProps(props, document, this.node.path);

    const policy = new organizations.CfnPolicy(this, 'Resource', {
      name: props.policyName ?? 'GuardDutyTamperProtection',
      description: props.description ?? 'Denies member accounts the GuardDuty calls that leave the administrator, disable the detector or hide findings (cdk-guardduty-members)',
      type: 'SERVICE_CONTROL_POLICY',
      content: document,
      targetIds: props.targetIds,
    });
    this.policyId = policy.attrId;
    this.policyArn = policy.attrArn;
    this.deniedActions = [...TAMPER_PROTECTION_ACTIONS];
  }
}

function validateProps(props: GuardDutyTamperProtectionProps, document: unknown, path: string): void {
  const isToken = (value: unknown) => typeof value === 'string' && Token.isUnresolved(value);
  const problems = [
    ...policyTargetsProblems(props.targetIds, 'targetIds', isToken),
    ...(props.exemptRoleArns ?? []).flatMap((arn, index) => (isToken(arn) ? [] : [exemptRoleArnProblem(arn, `exemptRoleArns[${index}]`)])),
    ...(props.exemptRoleNames ?? []).flatMap((name, index) => (isToken(name) ? [] : [exemptRoleNameProblem(name, `exemptRoleNames[${index}]`)])),
  ].filter((problem): problem is string => problem !== undefined);
  const size = policySize(document);
  if (size > SCP_MAX_CHARACTERS) {
    problems.push(
      `the policy is ${size} characters, over the ${SCP_MAX_CHARACTERS} AWS Organizations allows a service control policy: ` +
        'exempt fewer roles, or one pattern for several (security/* instead of each role under security/)',
    );
  }
  if (problems.length > 0) {
    throw new Error(`Invalid GuardDutyTamperProtection props at ${path}:${problems.map((problem) => `\n  ${problem}`).join('')}`);
  }
}
