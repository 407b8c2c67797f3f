import { HANDLER_FUNCTION_NAME } from './cloudformation-events';
import type { AnyEvent } from './cloudformation-events';

/**
 * The body the CDK provider framework PUTs to CloudFormation, built the way
 * aws-cdk-lib/custom-resources/lib/provider-framework/runtime does it: on success the
 * handler's PhysicalResourceId and Data; on failure the Reason is the error's stack as
 * rebuilt from the Lambda error payload (message, a blank line, the log group line, then
 * every trace line after the first). CloudFormation rejects bodies over 4,096 bytes.
 */
export const CLOUDFORMATION_RESPONSE_LIMIT_BYTES = 4_096;

export function successResponseBody(event: AnyEvent, result: { PhysicalResourceId?: string; Data?: Record<string, string> }): string {
  return JSON.stringify({
    Status: 'SUCCESS',
    Reason: 'SUCCESS',
    StackId: event.StackId,
    RequestId: event.RequestId,
    PhysicalResourceId: result.PhysicalResourceId,
    LogicalResourceId: event.LogicalResourceId,
    Data: result.Data,
  });
}

export function failureResponseBody(event: AnyEvent, error: Error): string {
  // The Lambda Node.js runtime reports { errorMessage, trace: stack.split('\n') }.
  const trace = (error.stack ?? '').split('\n');
  const message = [error.message, '', `Logs: /aws/lambda/${HANDLER_FUNCTION_NAME}`, ''].join('\n');
  const reason = [message, ...trace.slice(1)].join('\n');
  return JSON.stringify({
    Status: 'FAILED',
    Reason: reason,
    StackId: event.StackId,
    RequestId: event.RequestId,
    PhysicalResourceId: 'PhysicalResourceId' in event ? event.PhysicalResourceId : 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED',
    LogicalResourceId: event.LogicalResourceId,
  });
}

export function byteLength(body: string): number {
  return Buffer.byteLength(body, 'utf8');
}
