import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * A cdk-nag rule this library acknowledges on its own resources, with the reason.
 * `appliesTo` narrows it to findings of that rule (`Resource::*`,
 * `Policy::arn:<AWS::Partition>:iam::aws:policy/...`), as cdk-nag names them.
 */
export interface NagSuppression {
  readonly id: string;
  readonly reason: string;
  readonly appliesTo?: readonly string[];
}

/**
 * Acknowledges cdk-nag rules on `scope` and everything under it.
 *
 * cdk-nag 3 reads acknowledgements from aws-cdk-lib's own `Validations` metadata
 * (`aws:cdk:acknowledged-rules`), so the library records them without depending on
 * cdk-nag: consumers who do not run it install nothing extra. A finding is acknowledged
 * as `RuleId[Finding]`; cdk-nag 3 has no rule-wide form for rules with findings.
 */
export function addNagSuppressions(scope: IConstruct, suppressions: readonly NagSuppression[]): void {
  for (const { id, reason, appliesTo } of suppressions) {
    const ids = appliesTo ? appliesTo.map((finding) => `${id}[${finding}]`) : [id];
    Validations.of(scope).acknowledge(...ids.map((ruleId) => ({ id: ruleId, reason })));
  }
}

/**
 * A value as cdk-nag writes it in a finding: resolved in its stack, then flattened
 * (`{ "Fn::GetAtt": ["Fn1", "Arn"] }` becomes `<Fn1.Arn>`, `${AWS::Region}` becomes
 * `<AWS::Region>`), the way cdk-nag's `flattenCfnReference` does.
 *
 * Resolved when the suppression is added: a logical ID overridden afterwards would no
 * longer match, and cdk-nag would report the finding again (fail-safe).
 */
export function nagReference(scope: IConstruct, value: string): string {
  return flatten(Stack.of(scope).resolve(value));
}

function flatten(node: unknown): string {
  if (node === undefined) {
    return '';
  }
  if (typeof node === 'string') {
    return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  }
  const intrinsic = node as Record<string, unknown>;
  if (intrinsic['Fn::Join']) {
    const [delimiter, items] = intrinsic['Fn::Join'] as [string, unknown[]];
    return items.map(flatten).join(delimiter);
  }
  if (intrinsic['Fn::Sub']) {
    return flatten(intrinsic['Fn::Sub']);
  }
  if (intrinsic['Fn::GetAtt']) {
    const [resource, attribute] = intrinsic['Fn::GetAtt'] as [unknown, unknown];
    return `<${flatten(resource)}.${flatten(attribute)}>`;
  }
  if (intrinsic['Fn::ImportValue']) {
    return flatten(intrinsic['Fn::ImportValue']);
  }
  if (intrinsic.Ref) {
    return `<${flatten(intrinsic.Ref)}>`;
  }
  return JSON.stringify(node);
}
