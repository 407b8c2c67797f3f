import { Caller } from './caller-identity';
import { GuardDutyState } from './guardduty-state';
import { ServiceError } from './service-error';

/**
 * Service control policies as IAM evaluates them for a GuardDuty call, reduced to what
 * GuardDuty tamper protection uses: a `Deny` statement whose `Action` names the call
 * (exactly or by a `*` pattern) refuses it, unless its `ArnNotLike` (or `ArnLike`,
 * `StringNotLike`, `StringLike`) condition on `aws:PrincipalArn` exempts the caller.
 * `Allow` statements are not evaluated (the emulator grants everything else).
 *
 * As in AWS, SCPs never bind the management account, bind only while the type is
 * enabled on the root, and bind an account through the root, every OU above it, and the
 * account itself.
 */
export const SERVICE_CONTROL_POLICY = 'SERVICE_CONTROL_POLICY';

interface Statement {
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

/** The refusal IAM answers for a GuardDuty call an SCP denies; undefined when none does. */
export function serviceControlPolicyDenial(state: GuardDutyState, caller: Caller, operation: string): ServiceError | undefined {
  const organization = state.organization;
  if (!organization.organizationId || caller.accountId === organization.managementAccountId || !organization.policies.enabledTypes.has(SERVICE_CONTROL_POLICY)) {
    return undefined;
  }
  const path = organization.pathOf(caller.accountId);
  if (!path) {
    return undefined;
  }
  const action = `guardduty:${operation}`;
  const principalArn = organization.policies.principalArn(caller.accountId);
  const denied = organization.policies
    .bindingOn(path, SERVICE_CONTROL_POLICY)
    .some((policy) => statementsOf(policy.content).some((statement) => denies(statement, action, principalArn)));
  if (!denied) {
    return undefined;
  }
  return new ServiceError(
    'AccessDeniedException',
    403,
    `User: ${principalArn} is not authorized to perform: ${action} with an explicit deny in a service control policy`,
  );
}

function statementsOf(content: string): Statement[] {
  const statement = (JSON.parse(content) as { Statement?: Statement | Statement[] }).Statement ?? [];
  return [statement].flat();
}

function denies(statement: Statement, action: string, principalArn: string): boolean {
  if (statement.Effect !== 'Deny' || ![statement.Action ?? []].flat().some((pattern) => like(pattern, action, true))) {
    return false;
  }
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) => conditionHolds(operator, keys, principalArn));
}

function conditionHolds(operator: string, keys: Record<string, string | string[]>, principalArn: string): boolean {
  return Object.entries(keys).every(([key, values]) => {
    if (key !== 'aws:PrincipalArn') {
      throw new Error(`The emulator's SCP evaluation knows only aws:PrincipalArn, not ${key}`);
    }
    const matches = [values].flat().some((pattern) => like(pattern, principalArn, false));
    switch (operator) {
      case 'ArnLike':
      case 'StringLike':
        return matches;
      case 'ArnNotLike':
      case 'StringNotLike':
        return !matches;
      default:
        throw new Error(`The emulator's SCP evaluation knows ArnLike, ArnNotLike, StringLike and StringNotLike, not ${operator}`);
    }
  });
}

/** IAM's `*` (any run of characters) and `?` (one character); actions compare without case. */
function like(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}
