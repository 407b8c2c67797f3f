import { HandlerError } from '../shared/handler-error';
import { accessDeniedMessage } from './policy-type-plan';

/**
 * AWS Organizations' refusals that need more than their own words: who may call and
 * what is missing. `action` is the call that was refused, from the SDK error's context
 * where it has one; other errors pass through unchanged.
 */
export function explainedRefusal(error: unknown, action: string, policyType: string, accountId: string | undefined): unknown {
  const name = (error as Error)?.name;
  const message = String((error as Error)?.message ?? error);
  switch (name) {
    case 'AccessDeniedException':
      return new HandlerError(accessDeniedMessage(policyType, action, accountId, message));
    case 'AWSOrganizationsNotInUseException':
      return new HandlerError(
        `Account ${accountId ?? 'of this stack'} is not in an AWS Organization: GuardDutyOrganizationPolicy runs in the organization's management account or a delegated administrator. (AWS Organizations: ${message})`,
      );
    case 'PolicyTypeNotAvailableForOrganizationException':
      return new HandlerError(`AWS Organizations does not offer ${policyType} to this organization: it needs all features enabled (not only consolidated billing). (AWS Organizations: ${message})`);
    case 'MalformedPolicyDocumentException':
      return new HandlerError(`AWS Organizations refused the ${policyType} document: ${message}. Check the policy's blocks and features against the GuardDuty policy syntax in the Organizations user guide.`);
    default:
      return error;
  }
}
