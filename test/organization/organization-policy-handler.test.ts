import 'aws-sdk-client-mock-jest';
import {
  AccessDeniedException,
  AttachPolicyCommand,
  CreatePolicyCommand,
  DeletePolicyCommand,
  DuplicatePolicyException,
  DetachPolicyCommand,
  DisablePolicyTypeCommand,
  EnablePolicyTypeCommand,
  ListPoliciesCommand,
  ListRootsCommand,
  ListTargetsForPolicyCommand,
  OrganizationsClient,
  PolicyNotAttachedException,
  PolicyNotFoundException,
  PolicyTypeAlreadyEnabledException,
  PolicyTypeNotEnabledException,
  UpdatePolicyCommand,
} from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { handler as anyHandler, isComplete as anyIsComplete } from '../../lambda/organization-policy';
import { attachmentChanges, sameDocument } from '../../lambda/organization-policy/policy-plan';
import { planEnablement, shouldDisable } from '../../lambda/organization-policy/policy-type-plan';
import { parseGuardDutyPolicySettings, parsePolicyTypeSettings } from '../../lambda/organization-policy/resource-properties';
import { HandlerError } from '../../lambda/shared/handler-error';
import { parsePolicyTypePhysicalId, policyTypePhysicalId } from '../../lib/private/organization-policy-contract';
import { createEvent, deleteEvent, lambdaContext, updateEvent } from '../support/cloudformation-events';

const ROOT = 'r-ab12';
type AnyEvent = Parameters<typeof anyHandler>[0];
/** The policy type resource's events: the same handler serves both resource types. */
const asPolicyType = <T extends AnyEvent>(event: T): T => ({ ...event, ResourceType: 'Custom::OrganizationsPolicyType' });
const handler = (event: AnyEvent, context: ReturnType<typeof lambdaContext>) => anyHandler(asPolicyType(event), context);
const isComplete = (event: Parameters<typeof anyIsComplete>[0], context: ReturnType<typeof lambdaContext>) => anyIsComplete(asPolicyType(event), context);
const orgs = mockClient(OrganizationsClient);
const props = (extra: Record<string, unknown> = {}) => ({ PolicyType: 'GUARDDUTY_POLICY', RemovalPolicy: 'RETAIN', ...extra });

beforeEach(() => {
  orgs.reset();
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

function rootWith(status?: string) {
  orgs.on(ListRootsCommand).resolves({ Roots: [{ Id: ROOT, PolicyTypes: status ? [{ Type: 'GUARDDUTY_POLICY', Status: status as never }, { Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }] : [] }] });
}

async function failure(promise: Promise<unknown>): Promise<HandlerError> {
  const error = await promise.then(
    () => undefined,
    (e: Error) => e,
  );
  expect(error).toBeInstanceOf(HandlerError);
  return error as HandlerError;
}

describe('the plan (pure)', () => {
  test.each([
    ['ENABLED', 'done'],
    ['PENDING_ENABLE', 'wait'],
    ['PENDING_DISABLE', 'disabling'],
    [undefined, 'enable'],
  ] as const)('status %s: %s', (status, kind) => {
    expect(planEnablement(status).kind).toBe(kind);
  });

  test('a Delete disables only with DESTROY, only a type this resource enabled, only while it is enabled', () => {
    expect(shouldDisable('DESTROY', 'enabled', 'ENABLED')).toBe(true);
    expect(shouldDisable('RETAIN', 'enabled', 'ENABLED')).toBe(false);
    expect(shouldDisable('DESTROY', 'found', 'ENABLED')).toBe(false);
    expect(shouldDisable('DESTROY', 'enabled', undefined)).toBe(false);
    expect(shouldDisable('DESTROY', undefined, 'ENABLED')).toBe(false);
  });

  test('the physical ID round-trips and refuses anything else', () => {
    expect(parsePolicyTypePhysicalId(policyTypePhysicalId(ROOT, 'GUARDDUTY_POLICY', 'enabled'))).toEqual({ rootId: ROOT, policyType: 'GUARDDUTY_POLICY', origin: 'enabled' });
    expect(parsePolicyTypePhysicalId('organizations-policy-type:r-ab12:GUARDDUTY_POLICY:mine')).toBeUndefined();
  });
});

describe('bad input in the handler, before any call', () => {
  test('properties that are not an object', () => {
    expect(() => parsePolicyTypeSettings(null)).toThrow(/ResourceProperties must be an object, got null/);
  });

  test.each([
    [{ PolicyType: 'SERVICE_CONTROL_POLICY' }, /PolicyType must be GUARDDUTY_POLICY \(the only type this handler enables\), got "SERVICE_CONTROL_POLICY"/],
    [{ PolicyType: 'GUARDDUTY_POLICY', RemovalPolicy: 'SNAPSHOT' }, /RemovalPolicy must be one of RETAIN, DESTROY, got "SNAPSHOT"/],
  ])('%j', async (properties, message) => {
    expect(() => parsePolicyTypeSettings(properties)).toThrow(message);
    const error = await failure(handler(createEvent(properties as never), lambdaContext()));
    expect(error.message).toMatch(message);
    expect(orgs.calls()).toHaveLength(0);
  });
});

describe('Create and Update', () => {
  test('the type off: enables it on the root, and the physical ID says this resource did', async () => {
    rootWith(undefined);
    orgs.on(EnablePolicyTypeCommand).resolves({});

    const response = await handler(createEvent(props()), lambdaContext());

    expect(orgs).toHaveReceivedCommandWith(EnablePolicyTypeCommand, { RootId: ROOT, PolicyType: 'GUARDDUTY_POLICY' });
    expect(response).toEqual({ PhysicalResourceId: `organizations-policy-type:${ROOT}:GUARDDUTY_POLICY:enabled`, Data: { RootId: ROOT } });
  });

  test('the type already on: no write, found', async () => {
    rootWith('ENABLED');
    const response = await handler(createEvent(props()), lambdaContext());
    expect(orgs).not.toHaveReceivedCommand(EnablePolicyTypeCommand);
    expect(response.PhysicalResourceId).toBe(`organizations-policy-type:${ROOT}:GUARDDUTY_POLICY:found`);
  });

  test('an Update keeps the record of who enabled the type', async () => {
    rootWith('ENABLED');
    const response = await handler(updateEvent(`organizations-policy-type:${ROOT}:GUARDDUTY_POLICY:enabled`, props({ RemovalPolicy: 'DESTROY' }), props()), lambdaContext());
    expect(response.PhysicalResourceId).toBe(`organizations-policy-type:${ROOT}:GUARDDUTY_POLICY:enabled`);
  });

  test('enabled in the meantime (PolicyTypeAlreadyEnabledException): success, not ours', async () => {
    rootWith(undefined);
    orgs.on(EnablePolicyTypeCommand).rejects(new PolicyTypeAlreadyEnabledException({ message: 'The specified policy type is already enabled.', $metadata: {} }));
    const response = await handler(createEvent(props()), lambdaContext());
    expect(response.PhysicalResourceId).toMatch(/:found$/);
  });

  test('being disabled: fails saying to deploy again', async () => {
    rootWith('PENDING_DISABLE');
    const error = await failure(handler(createEvent(props()), lambdaContext()));
    expect(error.message).toBe(`The GUARDDUTY_POLICY policy type is being disabled on root ${ROOT} (PENDING_DISABLE). Deploy again once AWS Organizations has finished.`);
  });

  test('AccessDenied names who may call and what is missing', async () => {
    rootWith(undefined);
    orgs.on(EnablePolicyTypeCommand).rejects(new AccessDeniedException({ message: 'You don\'t have permissions to access this resource.', $metadata: {} }));
    const error = await failure(handler(createEvent(props()), lambdaContext()));
    expect(error.message).toMatch(/AWS Organizations refused EnablePolicyType for GUARDDUTY_POLICY from account \d{12}: run GuardDutyOrganizationPolicy from the organization's management account, or from a delegated administrator that the organization's resource policy allows organizations:EnablePolicyType/);
    expect(error.message).toMatch(/\(AWS Organizations: You don't have permissions to access this resource.\)$/);
  });

  test('isComplete waits while the type is PENDING_ENABLE and completes with its status once ENABLED', async () => {
    const event = { ...createEvent(props()), PhysicalResourceId: `organizations-policy-type:${ROOT}:GUARDDUTY_POLICY:enabled` };
    rootWith('PENDING_ENABLE');
    await expect(isComplete(event, lambdaContext())).resolves.toEqual({ IsComplete: false });
    rootWith('ENABLED');
    await expect(isComplete(event, lambdaContext())).resolves.toEqual({ IsComplete: true, Data: { RootId: ROOT, PolicyTypeStatus: 'ENABLED' } });
  });
});

describe('Delete', () => {
  test.each([
    ['RETAIN', 'enabled'],
    ['DESTROY', 'found'],
  ])('%s of a type %s: no call at all', async (removalPolicy, origin) => {
    await handler(deleteEvent(`organizations-policy-type:${ROOT}:GUARDDUTY_POLICY:${origin}`, props({ RemovalPolicy: removalPolicy })), lambdaContext());
    expect(orgs.calls()).toHaveLength(0);
  });

  test('DESTROY of a type this resource enabled: disables it', async () => {
    rootWith('ENABLED');
    orgs.on(DisablePolicyTypeCommand).resolves({});
    await handler(deleteEvent(`organizations-policy-type:${ROOT}:GUARDDUTY_POLICY:enabled`, props({ RemovalPolicy: 'DESTROY' })), lambdaContext());
    expect(orgs).toHaveReceivedCommandWith(DisablePolicyTypeCommand, { RootId: ROOT, PolicyType: 'GUARDDUTY_POLICY' });
  });

  test('DESTROY whose disable was retried after its first attempt got there (PolicyTypeNotEnabledException): success, the type is off', async () => {
    rootWith('ENABLED');
    orgs.on(DisablePolicyTypeCommand).rejects(new PolicyTypeNotEnabledException({ message: 'The specified policy type isn\'t currently enabled in this root.', $metadata: { attempts: 2 } }));
    const response = await handler(deleteEvent(`organizations-policy-type:${ROOT}:GUARDDUTY_POLICY:enabled`, props({ RemovalPolicy: 'DESTROY' })), lambdaContext());
    expect(response.PhysicalResourceId).toBe(`organizations-policy-type:${ROOT}:GUARDDUTY_POLICY:enabled`);
  });

  test('a failed Organizations call is named as one, with its attempts', async () => {
    rootWith('ENABLED');
    orgs.on(DisablePolicyTypeCommand).rejects(Object.assign(new Error('AWS Organizations can\'t complete your request because of an internal service error.'), { name: 'ServiceException', $metadata: { attempts: 3 } }));
    const error = await failure(handler(deleteEvent(`organizations-policy-type:${ROOT}:GUARDDUTY_POLICY:enabled`, props({ RemovalPolicy: 'DESTROY' })), lambdaContext()));
    expect(error.message).toBe('AWS Organizations call failed after 3 attempts: ServiceException: AWS Organizations can\'t complete your request because of an internal service error.');
  });

  test('DESTROY when the type is off already: nothing to disable', async () => {
    rootWith(undefined);
    await handler(deleteEvent(`organizations-policy-type:${ROOT}:GUARDDUTY_POLICY:enabled`, props({ RemovalPolicy: 'DESTROY' })), lambdaContext());
    expect(orgs).not.toHaveReceivedCommand(DisablePolicyTypeCommand);
  });
});

describe('the policy resource (Custom::GuardDutyOrganizationPolicy)', () => {
  const POLICY = 'p-abcd1234';
  const ARN = `arn:aws:organizations::999999999999:policy/o-example/guardduty_policy/${POLICY}`;
  const CONTENT = { guardduty: { default: { foundational: { status: { '@@assign': 'ENABLED' } } } } };
  const policyProps = (extra: Record<string, unknown> = {}) => ({ Name: 'GuardDutyOrganizationPolicy', Description: 'd', Content: CONTENT, TargetIds: ['ou-ab12-workloads1', '222222222222'], RemovalPolicy: 'DESTROY', ...extra });
  const asPolicy = <T extends AnyEvent>(event: T): T => ({ ...event, ResourceType: 'Custom::GuardDutyOrganizationPolicy' });
  const summary = { PolicySummary: { Id: POLICY, Arn: ARN, Name: 'GuardDutyOrganizationPolicy' } };

  function policiesListed(...names: string[]) {
    orgs.on(ListPoliciesCommand).resolves({ Policies: names.map((Name, index) => ({ Id: index === 0 ? POLICY : `p-other${index}aa`, Arn: ARN, Name })) });
  }

  test('Create: creates the policy with the document as JSON, then attaches it to each target', async () => {
    policiesListed();
    orgs.on(CreatePolicyCommand).resolves({ Policy: summary });
    orgs.on(ListTargetsForPolicyCommand).resolves({ Targets: [] });

    const response = await anyHandler(asPolicy(createEvent(policyProps())), lambdaContext());

    expect(orgs).toHaveReceivedCommandWith(CreatePolicyCommand, { Type: 'GUARDDUTY_POLICY', Name: 'GuardDutyOrganizationPolicy', Content: JSON.stringify(CONTENT) });
    expect(orgs.commandCalls(AttachPolicyCommand).map((call) => call.args[0].input.TargetId)).toEqual(['ou-ab12-workloads1', '222222222222']);
    expect(response).toEqual({ PhysicalResourceId: POLICY, Data: { PolicyId: POLICY, PolicyArn: ARN } });
  });

  test('Create retried: the policy of that name is taken over, not created twice, and only missing targets are attached', async () => {
    policiesListed('GuardDutyOrganizationPolicy');
    orgs.on(UpdatePolicyCommand).resolves({ Policy: summary });
    orgs.on(ListTargetsForPolicyCommand).resolves({ Targets: [{ TargetId: 'ou-ab12-workloads1' }] });

    await anyHandler(asPolicy(createEvent(policyProps())), lambdaContext());

    expect(orgs).not.toHaveReceivedCommand(CreatePolicyCommand);
    expect(orgs.commandCalls(AttachPolicyCommand).map((call) => call.args[0].input.TargetId)).toEqual(['222222222222']);
  });

  test('Create whose CreatePolicy the SDK retried after a lost response (DuplicatePolicyException): the policy its first attempt made is used, not a failure', async () => {
    orgs.on(ListPoliciesCommand).resolvesOnce({ Policies: [] }).resolves({ Policies: [{ Id: POLICY, Arn: ARN, Name: 'GuardDutyOrganizationPolicy' }] });
    orgs.on(CreatePolicyCommand).rejects(new DuplicatePolicyException({ message: 'A policy with the same name already exists.', $metadata: { attempts: 2 } }));
    orgs.on(UpdatePolicyCommand).resolves({ Policy: summary });
    orgs.on(ListTargetsForPolicyCommand).resolves({ Targets: [] });

    const response = await anyHandler(asPolicy(createEvent(policyProps())), lambdaContext());

    expect(orgs).toHaveReceivedCommandWith(UpdatePolicyCommand, { PolicyId: POLICY, Content: JSON.stringify(CONTENT) });
    expect(response.PhysicalResourceId).toBe(POLICY);
  });

  test('a detach the SDK retried after a lost response (PolicyNotAttachedException) is done, in an Update and in a Delete', async () => {
    policiesListed('GuardDutyOrganizationPolicy');
    orgs.on(ListTargetsForPolicyCommand).resolves({ Targets: [{ TargetId: 'ou-ab12-workloads1' }, { TargetId: '222222222222' }] });
    orgs.on(DetachPolicyCommand).rejects(new PolicyNotAttachedException({ message: 'The policy isn\'t attached to the specified target in the specified root.', $metadata: { attempts: 2 } }));

    await expect(anyHandler(asPolicy(updateEvent(POLICY, policyProps({ TargetIds: ['ou-ab12-workloads1'] }), policyProps())), lambdaContext())).resolves.toMatchObject({ PhysicalResourceId: POLICY });
    await expect(anyHandler(asPolicy(deleteEvent(POLICY, policyProps())), lambdaContext())).resolves.toEqual({ PhysicalResourceId: POLICY });
    expect(orgs).toHaveReceivedCommandWith(DeletePolicyCommand, { PolicyId: POLICY });
  });

  test('Update changing only the targets: no UpdatePolicy, attaches the new target and detaches the dropped one', async () => {
    policiesListed('GuardDutyOrganizationPolicy');
    orgs.on(ListTargetsForPolicyCommand).resolves({ Targets: [{ TargetId: 'ou-ab12-workloads1' }, { TargetId: '222222222222' }] });

    const response = await anyHandler(asPolicy(updateEvent(POLICY, policyProps({ TargetIds: ['ou-ab12-workloads1', '333333333333'] }), policyProps())), lambdaContext());

    expect(orgs).not.toHaveReceivedCommand(UpdatePolicyCommand);
    expect(orgs).toHaveReceivedCommandWith(AttachPolicyCommand, { PolicyId: POLICY, TargetId: '333333333333' });
    expect(orgs).toHaveReceivedCommandWith(DetachPolicyCommand, { PolicyId: POLICY, TargetId: '222222222222' });
    expect(response.PhysicalResourceId).toBe(POLICY);
  });

  test('Update changing the document: one UpdatePolicy; the same document in another key order is no change', async () => {
    orgs.on(UpdatePolicyCommand).resolves({ Policy: summary });
    orgs.on(ListTargetsForPolicyCommand).resolves({ Targets: [{ TargetId: 'ou-ab12-workloads1' }, { TargetId: '222222222222' }] });
    const changed = { guardduty: { default: { foundational: { status: { '@@assign': 'ENABLED' } }, s3_data_events: { status: { '@@assign': 'ENABLED' } } } } };

    await anyHandler(asPolicy(updateEvent(POLICY, policyProps({ Content: changed }), policyProps())), lambdaContext());

    expect(orgs).toHaveReceivedCommandWith(UpdatePolicyCommand, { PolicyId: POLICY, Content: JSON.stringify(changed) });
    expect(sameDocument({ a: 1, b: { c: 2, d: 3 } }, { b: { d: 3, c: 2 }, a: 1 })).toBe(true);
    expect(sameDocument({ a: 1 }, { a: 2 })).toBe(false);
  });

  test('Delete with DESTROY detaches from every target and deletes; RETAIN makes no call; a policy already gone is success', async () => {
    orgs.on(ListTargetsForPolicyCommand).resolves({ Targets: [{ TargetId: 'ou-ab12-workloads1' }] });
    await anyHandler(asPolicy(deleteEvent(POLICY, policyProps())), lambdaContext());
    expect(orgs).toHaveReceivedCommandWith(DetachPolicyCommand, { PolicyId: POLICY, TargetId: 'ou-ab12-workloads1' });
    expect(orgs).toHaveReceivedCommandWith(DeletePolicyCommand, { PolicyId: POLICY });

    orgs.reset();
    await anyHandler(asPolicy(deleteEvent(POLICY, policyProps({ RemovalPolicy: 'RETAIN' }))), lambdaContext());
    expect(orgs.calls()).toHaveLength(0);

    orgs.on(ListTargetsForPolicyCommand).rejects(new PolicyNotFoundException({ message: 'We can\'t find a policy with the PolicyId that you specified.', $metadata: {} }));
    await expect(anyHandler(asPolicy(deleteEvent(POLICY, policyProps())), lambdaContext())).resolves.toEqual({ PhysicalResourceId: POLICY });
  });

  test('bad properties are refused before any call, every problem named', async () => {
    const bad = policyProps({ Name: '', Content: { guardduty: { Europe: { s3_logs: { status: { '@@assign': 'ON' } } } } }, TargetIds: ['ou-x'] });
    expect(() => parseGuardDutyPolicySettings(bad)).toThrow(/Name must be 1 to 128 characters, got ""; Content block "Europe" is neither "default" nor a Region name; TargetIds\[0\]: "ou-x" is not a root ID/);
    const error = await failure(anyHandler(asPolicy(createEvent(bad)), lambdaContext()));
    expect(error.message).toMatch(/^Invalid GuardDutyOrganizationPolicy properties: /);
    expect(orgs.calls()).toHaveLength(0);
    expect(() => parseGuardDutyPolicySettings(policyProps({ Content: { guardduty: { default: { s3_logs: { status: { '@@assign': 'ENABLED' } } } } } }))).toThrow(
      /"s3_logs" is not a GuardDuty policy feature: valid values are foundational, s3_data_events/,
    );
  });

  test('AccessDenied on CreatePolicy names who may call and what is missing', async () => {
    policiesListed();
    orgs.on(CreatePolicyCommand).rejects(new AccessDeniedException({ message: 'You don\'t have permissions to access this resource.', $metadata: {} }));
    const error = await failure(anyHandler(asPolicy(createEvent(policyProps())), lambdaContext()));
    expect(error.message).toMatch(/AWS Organizations refused CreatePolicy for GUARDDUTY_POLICY from account 123456789012: run GuardDutyOrganizationPolicy from the organization's management account/);
  });

  test('attachment changes (pure): attach what is missing, detach what is not declared', () => {
    expect(attachmentChanges(['a', 'b', 'c'], ['c', 'd'])).toEqual({ attach: ['a', 'b'], detach: ['d'] });
    expect(attachmentChanges(['a'], ['a'])).toEqual({ attach: [], detach: [] });
  });

  test('an unknown resource type is refused', async () => {
    const error = await failure(anyHandler(createEvent(policyProps()), lambdaContext()));
    expect(error.message).toBe('Unknown ResourceType "Custom::GuardDutyMemberInvitations": expected Custom::OrganizationsPolicyType or Custom::GuardDutyOrganizationPolicy.');
  });
});
