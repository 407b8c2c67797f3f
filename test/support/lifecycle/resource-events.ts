import { randomUUID } from 'crypto';
import type {
  CloudFormationCustomResourceCreateEvent,
  CloudFormationCustomResourceDeleteEvent,
  CloudFormationCustomResourceUpdateEvent,
} from 'aws-lambda';
import { createEvent, deleteEvent, updateEvent } from '../cloudformation-events';
import { SynthesizedResource, SynthesizedStack } from './synthesized-stack';

type Properties = Record<string, unknown>;

/**
 * The requests CloudFormation sends for one custom resource of the synthesized stack: its
 * stack ARN, logical ID and resource type, the template's ServiceToken, and a new request ID each time,
 * as CloudFormation sends a new one for every request (a retry included).
 */
export interface ResourceEvents {
  create(properties: Properties): CloudFormationCustomResourceCreateEvent;
  update(physicalResourceId: string, properties: Properties, oldProperties: Properties): CloudFormationCustomResourceUpdateEvent;
  delete(physicalResourceId: string, properties: Properties): CloudFormationCustomResourceDeleteEvent;
}

export function resourceEvents(stack: SynthesizedStack, resource: SynthesizedResource): ResourceEvents {
  const envelope = () => ({
    StackId: stack.stackId,
    LogicalResourceId: resource.logicalId,
    ResourceType: stack.resourceType,
    RequestId: randomUUID(),
    ServiceToken: String(resource.properties.ServiceToken),
  });
  return {
    create: (properties) => ({ ...createEvent(properties), ...envelope() }),
    update: (physicalResourceId, properties, oldProperties) => ({ ...updateEvent(physicalResourceId, properties, oldProperties), ...envelope() }),
    delete: (physicalResourceId, properties) => ({ ...deleteEvent(physicalResourceId, properties), ...envelope() }),
  };
}
