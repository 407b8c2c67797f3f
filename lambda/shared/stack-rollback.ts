import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { Deadline, OutOfTimeError } from './deadline';

/**
 * Whether the request in hand is part of a CloudFormation rollback.
 *
 * A custom resource event does not say so, yet it matters: after a failed Create (in
 * onEvent or in the provider framework's isComplete step, which answers FAILED with the
 * physical ID onEvent returned), CloudFormation's rollback Delete reaches the handler
 * with the new properties; after a failed Update, the rollback Update names the failed
 * properties as the old ones. A handler that removed "the declared members" or "the
 * accounts the old properties declared" then would remove accounts that were members
 * long before the failed step, such as a fleet adopted into a new stack. So before any
 * removal the handlers ask CloudFormation for the stack's status, and in a rollback they
 * remove nothing they cannot prove the failed step created. (The failed step removes
 * what it created itself, before it fails.)
 */
export interface RollbackCheck {
  readonly rollingBack: boolean;
  /** The stack status read, or why none could be read: for the log. */
  readonly because: string;
  /**
   * Set when the status went unread only because the invocation ran out of time: not an
   * answer, so a caller that can go on in a later invocation (the isComplete polls)
   * should do so rather than keep members for good.
   */
  readonly outOfTime?: OutOfTimeError;
}

/**
 * Every status CloudFormation is in while it undoes a failed operation:
 * ROLLBACK_IN_PROGRESS (failed stack creation), UPDATE_ROLLBACK_IN_PROGRESS,
 * UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS (the Delete of resources a failed update
 * created), IMPORT_ROLLBACK_IN_PROGRESS.
 */
export function isRollbackStatus(stackStatus: string): boolean {
  return stackStatus.includes('ROLLBACK');
}

/**
 * Reads the status of the stack the event came from. When it cannot be read (the
 * permission denied by a service control policy, say), the answer is "rolling back":
 * keeping a member that should have gone is a line in the log, removing one that should
 * have stayed is a gap in GuardDuty coverage.
 */
export async function checkRollback(client: CloudFormationClient, stackId: string | undefined, deadline: Deadline): Promise<RollbackCheck> {
  if (!stackId) {
    return { rollingBack: true, because: 'the event names no stack' };
  }
  try {
    const output = await deadline.run('reading the stack status', (abortSignal) =>
      client.send(new DescribeStacksCommand({ StackName: stackId }), { abortSignal }),
    );
    const status = output.Stacks?.[0]?.StackStatus;
    if (!status) {
      return { rollingBack: true, because: 'CloudFormation returned no stack status' };
    }
    return { rollingBack: isRollbackStatus(status), because: `stack status ${status}` };
  } catch (error) {
    const e = error as { name?: string; message?: string };
    const because = `the stack status could not be read (${e.name ?? 'Error'}: ${e.message ?? String(error)})`;
    return error instanceof OutOfTimeError ? { rollingBack: true, because, outOfTime: error } : { rollingBack: true, because };
  }
}

/**
 * The client for the status check; the endpoint comes from the standard SDK settings
 * (`AWS_ENDPOINT_URL_CLOUDFORMATION`), which is how tests reach a local one.
 */
export function createCloudFormationClient(): CloudFormationClient {
  return new CloudFormationClient({
    retryMode: 'adaptive',
    maxAttempts: 5,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000, throwOnRequestTimeout: true },
  });
}
