import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { CloudFormationResponse } from './provider-framework';

/**
 * What CloudFormation does with a SUCCESS response to a Create or Update: every attribute
 * the stack reads with `Fn::GetAtt` must be a key of `Data`, or the resource fails with
 * this error although the handler succeeded. (A Delete's attributes are never read.)
 * Returns that error, or undefined when CloudFormation accepts the response.
 */
export function attributeError(requestType: CloudFormationCustomResourceEvent['RequestType'], response: CloudFormationResponse, read: readonly string[]): string | undefined {
  if (requestType === 'Delete' || response.Status !== 'SUCCESS') {
    return undefined;
  }
  const missing = read.filter((name) => !Object.prototype.hasOwnProperty.call(response.Data ?? {}, name));
  return missing.length > 0 ? `CustomResource attribute error: Vendor response doesn't contain ${missing.join(', ')} key(s)` : undefined;
}
