import { DefaultTokenResolver, IPostProcessor, IResolvable, IResolveContext, IResource, Reference, Stack, StringConcat, Token, Tokenization } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Which half of an environment a thing handed to a construct must share with it.
 * GuardDuty, Lambda and CloudWatch Logs are regional and per account, so most things
 * must share both; a CloudWatch alarm may notify a topic of another account (the
 * topic's policy decides) but never one of another region.
 */
export enum EnvironmentMatch {
  ACCOUNT_AND_REGION = 'ACCOUNT_AND_REGION',
  REGION = 'REGION',
}

/** A thing handed to a construct through one prop, and why it has to be where the construct is. */
export interface Supplied {
  /** The prop as the user wrote it: `alarmTopic`, `securityGroups[1]`. */
  readonly prop: string;
  /** Why the environments must match, in the service's terms; ends without a full stop. */
  readonly reason: string;
  /** @default EnvironmentMatch.ACCOUNT_AND_REGION */
  readonly match?: EnvironmentMatch;
}

/**
 * Problems for an `IResource` (key, topic, VPC, subnet, security group) of another
 * account or region than `consumer`. `resource.env` is used, not the resource's stack:
 * an imported resource is in the environment of its ARN, whatever stack imported it.
 */
export function resourceEnvironmentProblems(consumer: IConstruct, supplied: Supplied, resource: IResource | undefined): string[] {
  if (resource === undefined) {
    return [];
  }
  const producer = Stack.of(resource);
  const byArn = resource.env.region !== producer.region || resource.env.account !== producer.account;
  return locationProblems(consumer, supplied, {
    path: resource.node.path,
    account: resource.env.account,
    region: resource.env.region,
    origin: byArn ? 'by its ARN' : `in stack ${producer.node.path}`,
  });
}

/** Problems for a construct (a watched GuardDutyMemberInvitations, say) in a stack of another environment than `consumer`. */
export function constructEnvironmentProblems(consumer: IConstruct, supplied: Supplied, construct: IConstruct): string[] {
  const producer = Stack.of(construct);
  return locationProblems(consumer, supplied, { path: construct.node.path, account: producer.account, region: producer.region, origin: `in stack ${producer.node.path}` });
}

/**
 * Problems for a string that refers to resources of other stacks, such as a detector ID
 * given as `detector.ref` of a `CfnDetector` of another region. A string carries no
 * environment, but its tokens do: the same `Reference` tokens aws-cdk-lib follows to
 * make cross-stack exports (which it would silently make cross-region here). Literals
 * and tokens that refer to no construct (parameters, imports) say nothing and pass.
 */
export function referenceEnvironmentProblems(consumer: IConstruct, supplied: Supplied, value: string | undefined): string[] {
  if (value === undefined || !Token.isUnresolved(value)) {
    return [];
  }
  return referencedConstructs(consumer, value).flatMap((target) => {
    const producer = Stack.of(target);
    return locationProblems(consumer, supplied, { path: target.node.path, account: producer.account, region: producer.region, origin: `in stack ${producer.node.path}` });
  });
}

interface Location {
  readonly path: string;
  readonly account: string;
  readonly region: string;
  /** How the location is known, for the error: "in stack Eu", "by its ARN". */
  readonly origin: string;
}

/**
 * One problem naming both environments, what differs and how to fix it, or none. A side
 * whose account or region is a token (an environment-agnostic stack) cannot be compared
 * at synth time and passes: the deployment decides.
 */
function locationProblems(consumer: IConstruct, supplied: Supplied, location: Location): string[] {
  const stack = Stack.of(consumer);
  const differs = (theirs: string, ours: string) => !Token.isUnresolved(theirs) && !Token.isUnresolved(ours) && theirs !== ours;
  const checksAccount = (supplied.match ?? EnvironmentMatch.ACCOUNT_AND_REGION) === EnvironmentMatch.ACCOUNT_AND_REGION;
  const parts: Array<{ name: string; theirs: string; ours: string }> = [];
  if (checksAccount && differs(location.account, stack.account)) {
    parts.push({ name: 'account', theirs: location.account, ours: stack.account });
  }
  if (differs(location.region, stack.region)) {
    parts.push({ name: 'region', theirs: location.region, ours: stack.region });
  }
  if (parts.length === 0) {
    return [];
  }
  const describe = (side: 'theirs' | 'ours') => parts.map((part) => `${part.name} ${part[side]}`).join(' and ');
  return [
    `${supplied.prop}: ${location.path} is in ${describe('theirs')} (${location.origin}), but ${consumer.node.path} is in ${describe('ours')} ` +
      `(stack ${stack.node.path}): ${supplied.reason}. Create it in a stack of ${describe('ours')}, or put ${consumer.node.path} in a stack of ${describe('theirs')}`,
  ];
}

/**
 * The constructs `value` refers to, found by resolving it with a resolver that notes
 * every `Reference` on the way, so that a reference wrapped in `Fn.select` or a string
 * concatenation is found as well as a bare `detector.ref`.
 */
function referencedConstructs(scope: IConstruct, value: string): IConstruct[] {
  const targets = new Set<IConstruct>();
  class ReferenceCollector extends DefaultTokenResolver {
    public resolveToken(token: IResolvable, context: IResolveContext, postProcessor: IPostProcessor): unknown {
      if (Reference.isReference(token)) {
        targets.add(token.target);
      }
      return super.resolveToken(token, context, postProcessor);
    }
  }
  try {
    Tokenization.resolve(value, { scope, resolver: new ReferenceCollector(new StringConcat()), preparing: true });
  } catch {
    // A lazy value that cannot be produced yet: it names no construct we could compare,
    // and aws-cdk-lib reports its own error when it resolves the template.
  }
  return [...targets];
}
