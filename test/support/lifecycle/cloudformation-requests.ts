import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { StackStatus } from './local-aws/cloudformation-endpoint';
import { Delivery } from './provider-framework';
import { ResourceEvents } from './resource-events';

/** A request CloudFormation sends on its own, and the stack status it is in while it waits. */
export interface FollowUpRequest {
  readonly event: CloudFormationCustomResourceEvent;
  readonly stackStatus: StackStatus;
}

/**
 * What CloudFormation sends this resource next after `delivery` answered `event`, judging
 * by the response alone, as CloudFormation does (none when the operation just goes on):
 *
 * - a FAILED Create is rolled back: a Delete of the physical ID the response named (the
 *   framework's CREATE_FAILED marker when onEvent failed, which the framework answers
 *   itself; the ID onEvent returned when the waiter failed, which reaches the handler),
 *   with the Create's properties, while the stack is ROLLBACK_IN_PROGRESS;
 * - a FAILED Update is rolled back: an Update back to the old properties (the failed ones
 *   as OldResourceProperties), on the resource's current physical ID, while the stack is
 *   UPDATE_ROLLBACK_IN_PROGRESS;
 * - a successful Update that changed the physical ID replaced the resource: once the
 *   stack's other updates are done, a Delete of the old physical ID with the old
 *   properties, while the stack is UPDATE_COMPLETE_CLEANUP_IN_PROGRESS.
 */
export function followUpRequest(events: ResourceEvents, event: CloudFormationCustomResourceEvent, delivery: Delivery): FollowUpRequest | undefined {
  const failed = delivery.response.Status === 'FAILED';
  if (event.RequestType === 'Create' && failed) {
    return { event: events.delete(delivery.response.PhysicalResourceId, event.ResourceProperties), stackStatus: 'ROLLBACK_IN_PROGRESS' };
  }
  if (event.RequestType === 'Update' && failed) {
    const rollback = events.update(event.PhysicalResourceId, event.OldResourceProperties, event.ResourceProperties);
    return { event: rollback, stackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS' };
  }
  if (event.RequestType === 'Update' && delivery.response.PhysicalResourceId !== event.PhysicalResourceId) {
    return { event: events.delete(event.PhysicalResourceId, event.OldResourceProperties), stackStatus: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS' };
  }
  return undefined;
}

