import type {
  CloudFormationCustomResourceCreateEvent,
  CloudFormationCustomResourceDeleteEvent,
  CloudFormationCustomResourceEvent,
  CloudFormationCustomResourceUpdateEvent,
} from 'aws-lambda';

/**
 * Events shaped as CloudFormation sends them through the provider framework, with
 * identifiers as long as real ones (they count against the 4,096-byte response limit).
 */
export const STACK_ID =
  'arn:aws:cloudformation:ap-southeast-2:123456789012:stack/security-tooling-guardduty-administrator-production/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';
export const LOGICAL_ID = 'GuardDutyMemberInvitationsOrganisationWideProductionMembers0123ABCD';
export const HANDLER_FUNCTION_NAME = 'security-tooling-guardduty-GuardDutyMemberInvitationsProv-AbCdEfGh1234';

type Props = Record<string, unknown>;
const common = {
  ServiceToken: 'arn:aws:lambda:ap-southeast-2:123456789012:function:provider-framework-onEvent',
  ResponseURL: 'https://cloudformation-custom-resource-response-apsoutheast2.s3.amazonaws.com/...',
  StackId: STACK_ID,
  RequestId: '6f1b9d4e-2c3a-4b5d-8e7f-901a2b3c4d5e',
  LogicalResourceId: LOGICAL_ID,
  ResourceType: 'Custom::GuardDutyMemberInvitations',
};

export function createEvent(properties: Props): CloudFormationCustomResourceCreateEvent {
  return { ...common, RequestType: 'Create', ResourceProperties: { ServiceToken: common.ServiceToken, ...properties } };
}

export function updateEvent(physicalResourceId: string, properties: Props, oldProperties: Props): CloudFormationCustomResourceUpdateEvent {
  return {
    ...common,
    RequestType: 'Update',
    PhysicalResourceId: physicalResourceId,
    ResourceProperties: { ServiceToken: common.ServiceToken, ...properties },
    OldResourceProperties: { ServiceToken: common.ServiceToken, ...oldProperties },
  };
}

export function deleteEvent(physicalResourceId: string, properties: Props): CloudFormationCustomResourceDeleteEvent {
  return { ...common, RequestType: 'Delete', PhysicalResourceId: physicalResourceId, ResourceProperties: { ServiceToken: common.ServiceToken, ...properties } };
}

/** A Lambda context with plenty of time left, or as little as a test needs. */
export function lambdaContext(remainingMs = 600_000): { getRemainingTimeInMillis(): number } {
  const start = Date.now();
  return { getRemainingTimeInMillis: () => remainingMs - (Date.now() - start) };
}

/** `count` distinct valid member declarations as the construct writes them. */
export function declaredMembers(count: number, firstAccount = 200000000000): Array<{ AccountId: string; Email: string }> {
  return Array.from({ length: count }, (_, i) => {
    const id = String(firstAccount + i).padStart(12, '0');
    return { AccountId: id, Email: `security+${id}@example.com` };
  });
}

export type AnyEvent = CloudFormationCustomResourceEvent;
