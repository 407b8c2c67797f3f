import 'aws-sdk-client-mock-jest';
import {
  BadRequestException,
  DescribeOrganizationConfigurationCommand,
  GetDetectorCommand,
  GuardDutyClient,
  ListDetectorsCommand,
  UpdateDetectorCommand,
  UpdateOrganizationConfigurationCommand,
} from '@aws-sdk/client-guardduty';
import { mockClient } from 'aws-sdk-client-mock';
import { handler, isComplete } from '../../lambda/organization-configuration';
import { HandlerError } from '../../lambda/shared/handler-error';
import { createEvent, deleteEvent, lambdaContext, updateEvent } from '../support/cloudformation-events';

const DETECTOR = '12abc34d567e8fa901bc2d34e56789f0';
const PHYSICAL_ID = `guardduty-organization-configuration:${DETECTOR}`;
const gd = mockClient(GuardDutyClient);
let logs: string[];

beforeEach(() => {
  gd.reset();
  logs = [];
  jest.spyOn(console, 'log').mockImplementation((line: string) => void logs.push(String(line)));
});
afterEach(() => jest.restoreAllMocks());

function props(extra: Record<string, unknown> = {}) {
  return {
    DetectorId: DETECTOR,
    AutoEnableOrganizationMembers: 'ALL',
    Features: [{ Name: 'RUNTIME_MONITORING', AutoEnable: 'ALL', AdditionalConfiguration: [{ Name: 'ECS_FARGATE_AGENT_MANAGEMENT', AutoEnable: 'NEW' }] }],
    RemovalPolicy: 'DESTROY',
    ...extra,
  };
}

function describes(autoEnableOrganizationMembers: string, runtimeAutoEnable = 'ALL', fargate = 'NEW') {
  gd.on(DescribeOrganizationConfigurationCommand).resolves({
    AutoEnableOrganizationMembers: autoEnableOrganizationMembers as never,
    MemberAccountLimitReached: false,
    Features: [
      { Name: 'S3_DATA_EVENTS', AutoEnable: 'NONE' },
      { Name: 'RUNTIME_MONITORING', AutoEnable: runtimeAutoEnable as never, AdditionalConfiguration: [{ Name: 'ECS_FARGATE_AGENT_MANAGEMENT', AutoEnable: fargate as never }] },
    ],
  });
}

async function failure(promise: Promise<unknown>): Promise<HandlerError> {
  const error = await promise.then(
    () => undefined,
    (e: Error) => e,
  );
  expect(error).toBeInstanceOf(HandlerError);
  return error as HandlerError;
}

describe('Create and Update', () => {
  test('makes no write call when the configuration is as declared', async () => {
    describes('ALL');

    const response = await handler(createEvent(props()), lambdaContext());

    expect(gd).toHaveReceivedCommandTimes(UpdateOrganizationConfigurationCommand, 0);
    expect(response).toEqual({ PhysicalResourceId: PHYSICAL_ID, Data: { DetectorId: DETECTOR, MemberAccountLimitReached: 'false', Updated: 'false' } });
  });

  test('updates only what differs: auto-enable and the one changed feature, leaving undeclared features out', async () => {
    describes('NEW', 'ALL', 'NONE');

    const response = await handler(updateEvent(PHYSICAL_ID, props(), props({ AutoEnableOrganizationMembers: 'NEW' })), lambdaContext());

    expect(gd).toHaveReceivedCommandTimes(UpdateOrganizationConfigurationCommand, 1);
    expect(gd).toHaveReceivedCommandWith(UpdateOrganizationConfigurationCommand, {
      DetectorId: DETECTOR,
      AutoEnableOrganizationMembers: 'ALL',
      Features: [{ Name: 'RUNTIME_MONITORING', AutoEnable: 'ALL', AdditionalConfiguration: [{ Name: 'ECS_FARGATE_AGENT_MANAGEMENT', AutoEnable: 'NEW' }] }],
    });
    expect(response.Data?.Updated).toBe('true');
    expect(logs.join('\n')).toContain('RUNTIME_MONITORING.ECS_FARGATE_AGENT_MANAGEMENT');
  });

  test('a change of auto-enable alone sends no Features', async () => {
    describes('NONE');

    await handler(createEvent(props()), lambdaContext());

    const input = gd.commandCalls(UpdateOrganizationConfigurationCommand)[0].args[0].input;
    expect(input).toEqual({ DetectorId: DETECTOR, AutoEnableOrganizationMembers: 'ALL' });
  });

  test('reads every page of features before deciding', async () => {
    gd.on(DescribeOrganizationConfigurationCommand, { DetectorId: DETECTOR, MaxResults: 50, NextToken: undefined })
      .resolves({ AutoEnableOrganizationMembers: 'ALL', MemberAccountLimitReached: true, Features: [{ Name: 'S3_DATA_EVENTS', AutoEnable: 'ALL' }], NextToken: 'page-2' })
      .on(DescribeOrganizationConfigurationCommand, { DetectorId: DETECTOR, MaxResults: 50, NextToken: 'page-2' })
      .resolves({ MemberAccountLimitReached: true, Features: [{ Name: 'RUNTIME_MONITORING', AutoEnable: 'ALL', AdditionalConfiguration: [{ Name: 'ECS_FARGATE_AGENT_MANAGEMENT', AutoEnable: 'NEW' }] }] });

    const response = await handler(createEvent(props()), lambdaContext());

    expect(gd).toHaveReceivedCommandTimes(DescribeOrganizationConfigurationCommand, 2);
    expect(gd).toHaveReceivedCommandTimes(UpdateOrganizationConfigurationCommand, 0);
    expect(response.Data?.MemberAccountLimitReached).toBe('true');
  });

  test('looks the detector up when none is given', async () => {
    gd.on(ListDetectorsCommand).resolves({ DetectorIds: [DETECTOR] });
    describes('ALL');

    const response = await handler(createEvent(props({ DetectorId: undefined })), lambdaContext());

    expect(response.PhysicalResourceId).toBe(PHYSICAL_ID);
  });

  test('fails saying where to deploy when the account has no detector', async () => {
    gd.on(ListDetectorsCommand).resolves({ DetectorIds: [] });

    const error = await failure(handler(createEvent(props({ DetectorId: undefined })), lambdaContext()));

    expect(error.message).toMatch(/GuardDuty has no detector in account 123456789012 and region ap-southeast-2/);
    expect(error.message).toMatch(/delegated administrator/);
  });

  test('GuardDuty\'s refusal (not the delegated administrator) is the failure reason', async () => {
    gd.on(DescribeOrganizationConfigurationCommand).rejects(
      new BadRequestException({ message: 'The request is rejected because the current account is not the delegated administrator.', $metadata: {} }),
    );

    const error = await failure(handler(createEvent(props()), lambdaContext()));

    expect(error.message).toMatch(/BadRequestException: .*not the delegated administrator/);
  });
});

describe('the finding publishing frequency', () => {
  test('is set with UpdateDetector, that field alone, when it differs; Updated says so', async () => {
    describes('ALL');
    gd.on(GetDetectorCommand).resolves({ FindingPublishingFrequency: 'SIX_HOURS', ServiceRole: 'r', Status: 'ENABLED' });

    const response = await handler(createEvent(props({ FindingPublishingFrequency: 'FIFTEEN_MINUTES' })), lambdaContext());

    expect(gd).toHaveReceivedCommandWith(GetDetectorCommand, { DetectorId: DETECTOR });
    expect(gd.commandCalls(UpdateDetectorCommand).map((call) => call.args[0].input)).toEqual([{ DetectorId: DETECTOR, FindingPublishingFrequency: 'FIFTEEN_MINUTES' }]);
    expect(gd).toHaveReceivedCommandTimes(UpdateOrganizationConfigurationCommand, 0);
    expect(response.Data?.Updated).toBe('true');
  });

  test('makes no write when it is as declared', async () => {
    describes('ALL');
    gd.on(GetDetectorCommand).resolves({ FindingPublishingFrequency: 'ONE_HOUR', ServiceRole: 'r', Status: 'ENABLED' });

    const response = await handler(updateEvent(PHYSICAL_ID, props({ FindingPublishingFrequency: 'ONE_HOUR' }), props()), lambdaContext());

    expect(gd).toHaveReceivedCommandTimes(UpdateDetectorCommand, 0);
    expect(response.Data?.Updated).toBe('false');
  });

  test('is not read at all when none is declared', async () => {
    describes('ALL');

    await handler(createEvent(props()), lambdaContext());

    expect(gd).toHaveReceivedCommandTimes(GetDetectorCommand, 0);
    expect(gd).toHaveReceivedCommandTimes(UpdateDetectorCommand, 0);
  });

  test('is left as it is by a Delete, even with DESTROY', async () => {
    describes('ALL');

    await handler(deleteEvent(PHYSICAL_ID, props({ FindingPublishingFrequency: 'FIFTEEN_MINUTES' })), lambdaContext());

    expect(gd).toHaveReceivedCommandTimes(GetDetectorCommand, 0);
    expect(gd).toHaveReceivedCommandTimes(UpdateDetectorCommand, 0);
  });
});

describe('bad properties fail naming the value, before any GuardDuty call', () => {
  test.each<[string, Record<string, unknown>, RegExp]>([
    ['auto-enable in lower case', { AutoEnableOrganizationMembers: 'all' }, /AutoEnableOrganizationMembers "all" is not valid: valid values are NEW, ALL, NONE/],
    ['auto-enable missing', { AutoEnableOrganizationMembers: undefined }, /AutoEnableOrganizationMembers undefined is not valid/],
    ['an unknown feature', { Features: [{ Name: 'DNS_LOGS', AutoEnable: 'ALL' }] }, /Features\[0\]\.Name "DNS_LOGS" is not a GuardDuty organization feature: valid values are S3_DATA_EVENTS/],
    ['a feature value', { Features: [{ Name: 'S3_DATA_EVENTS', AutoEnable: true }] }, /Features\[0\]\.AutoEnable boolean true is not valid: valid values are NEW, NONE, ALL/],
    [
      'an additional configuration of another feature',
      { Features: [{ Name: 'EKS_RUNTIME_MONITORING', AutoEnable: 'ALL', AdditionalConfiguration: [{ Name: 'ECS_FARGATE_AGENT_MANAGEMENT', AutoEnable: 'ALL' }] }] },
      /ECS_FARGATE_AGENT_MANAGEMENT does not belong to EKS_RUNTIME_MONITORING/,
    ],
    ['Features not a list', { Features: 'S3_DATA_EVENTS' }, /Features must be a list, got "S3_DATA_EVENTS"/],
    ['a feature not an object', { Features: ['S3_DATA_EVENTS'] }, /Features\[0\] must be an object with Name and AutoEnable, got "S3_DATA_EVENTS"/],
    ['DetectorId a number', { DetectorId: 7 }, /DetectorId must be a GuardDuty detector ID: 32 to 264 .*got number 7/],
    ['RemovalPolicy lower case', { RemovalPolicy: 'destroy' }, /RemovalPolicy must be one of RETAIN, DESTROY, got "destroy"/],
    ['FindingPublishingFrequency not GuardDuty\'s', { FindingPublishingFrequency: 'DAILY' }, /FindingPublishingFrequency must be one of FIFTEEN_MINUTES, ONE_HOUR, SIX_HOURS, got "DAILY"/],
  ])('%s', async (_name, extra, expected) => {
    const error = await failure(handler(createEvent(props(extra)), lambdaContext()));

    expect(error.message).toMatch(/^Invalid GuardDutyOrganizationConfiguration properties: /);
    expect(error.message).toMatch(expected);
    expect(gd.calls()).toHaveLength(0);
  });
});

describe('Delete', () => {
  test('with DESTROY sets auto-enable to NONE on the detector the physical ID names, leaving features', async () => {
    describes('ALL');

    await handler(deleteEvent(PHYSICAL_ID, props({ DetectorId: 'another-detector' })), lambdaContext());

    expect(gd).toHaveReceivedCommandTimes(UpdateOrganizationConfigurationCommand, 1);
    expect(gd.commandCalls(UpdateOrganizationConfigurationCommand)[0].args[0].input).toEqual({ DetectorId: DETECTOR, AutoEnableOrganizationMembers: 'NONE' });
  });

  test('with DESTROY makes no write when auto-enable is already NONE', async () => {
    describes('NONE');

    await handler(deleteEvent(PHYSICAL_ID, props()), lambdaContext());

    expect(gd).toHaveReceivedCommandTimes(UpdateOrganizationConfigurationCommand, 0);
  });

  test('with DESTROY succeeds when the detector is gone', async () => {
    gd.on(DescribeOrganizationConfigurationCommand).rejects(
      new BadRequestException({ message: 'The request is rejected because the input detectorId is not owned by the current account.', $metadata: {} }),
    );

    await expect(handler(deleteEvent(PHYSICAL_ID, props()), lambdaContext())).resolves.toEqual({ PhysicalResourceId: PHYSICAL_ID });
  });

  test('with RETAIN calls nothing', async () => {
    await handler(deleteEvent(PHYSICAL_ID, props({ RemovalPolicy: 'RETAIN' })), lambdaContext());

    expect(gd.calls()).toHaveLength(0);
  });

  test('of a resource whose Create failed before it had a physical ID calls nothing', async () => {
    await handler(deleteEvent('some-request-id', props()), lambdaContext());

    expect(gd.calls()).toHaveLength(0);
  });
});

test('isComplete has nothing to wait for', async () => {
  await expect(isComplete()).resolves.toEqual({ IsComplete: true });
});
