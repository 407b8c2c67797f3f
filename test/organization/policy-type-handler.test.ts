import 'aws-sdk-client-mock-jest';
import { AccessDeniedException, DisablePolicyTypeCommand, EnablePolicyTypeCommand, ListRootsCommand, OrganizationsClient, PolicyTypeAlreadyEnabledException } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { handler, isComplete } from '../../lambda/policy-type';
import { planEnablement, shouldDisable } from '../../lambda/policy-type/policy-type-plan';
import { parsePolicyTypeSettings } from '../../lambda/policy-type/policy-type-properties';
import { HandlerError } from '../../lambda/shared/handler-error';
import { parsePolicyTypePhysicalId, policyTypePhysicalId } from '../../lib/private/policy-type-contract';
import { createEvent, deleteEvent, lambdaContext, updateEvent } from '../support/cloudformation-events';

const ROOT = 'r-ab12';
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

  test('DESTROY when the type is off already: nothing to disable', async () => {
    rootWith(undefined);
    await handler(deleteEvent(`organizations-policy-type:${ROOT}:GUARDDUTY_POLICY:enabled`, props({ RemovalPolicy: 'DESTROY' })), lambdaContext());
    expect(orgs).not.toHaveReceivedCommand(DisablePolicyTypeCommand);
  });
});
