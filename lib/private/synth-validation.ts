import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { detectorIdProblem } from './member-account-rules';
import { referenceEnvironmentProblems } from './same-environment';

/**
 * Synth-time checks both constructs apply to the props they share in kind. Each returns
 * the problems it found (none for values that are tokens: the handler checks those), so
 * a construct can report every problem in one error.
 */
export function detectorIdProblems(detectorId: string | undefined, consumer: IConstruct): string[] {
  if (detectorId === undefined) {
    return [];
  }
  if (Token.isUnresolved(detectorId)) {
    return referenceEnvironmentProblems(consumer, DETECTOR, detectorId);
  }
  const problem = detectorIdProblem(detectorId, 'detectorId');
  return problem ? [problem] : [];
}

const DETECTOR = {
  prop: 'detectorId',
  reason: 'a GuardDuty detector belongs to one account and region, and the handler calls GuardDuty in the stack\'s own account and region, where that detector does not exist',
};

/** A wait the provider framework polls for: whole seconds, within the bounds the handler accepts. */
export function waitTimeoutProblems(name: string, timeout: Duration | undefined, minSeconds: number, maxSeconds: number): string[] {
  if (timeout === undefined || timeout.isUnresolved()) {
    return [];
  }
  const seconds = timeout.toSeconds({ integral: false });
  if (!Number.isInteger(seconds) || seconds < minSeconds || seconds > maxSeconds) {
    return [
      `${name} must be a whole number of seconds from ${minSeconds} (${minSeconds / 60} minute${minSeconds === 60 ? '' : 's'}) ` +
        `to ${maxSeconds} (${maxSeconds / 60} minutes), got ${timeout.toHumanString()}`,
    ];
  }
  return [];
}

/** Only RETAIN and DESTROY mean something for a GuardDuty relationship; `consequence` says what each does. */
export function removalPolicyProblems(policy: RemovalPolicy | undefined, consequence: string): string[] {
  if (policy === undefined || policy === RemovalPolicy.RETAIN || policy === RemovalPolicy.DESTROY) {
    return [];
  }
  const name = Object.entries(RemovalPolicy).find(([, value]) => value === policy)?.[0];
  return [`removalPolicy must be RemovalPolicy.RETAIN or RemovalPolicy.DESTROY, got ${name ? `RemovalPolicy.${name}` : JSON.stringify(policy)}: ${consequence}`];
}
