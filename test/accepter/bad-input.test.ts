import { handler, isComplete } from '../../lambda/invitation-accepter';
import { parseAccepterSettings } from '../../lambda/invitation-accepter/accepter-properties';
import { HandlerError } from '../../lambda/shared/handler-error';
import { createEvent, lambdaContext, updateEvent } from '../support/cloudformation-events';
import { FakeMemberGuardDuty } from './fake-member-guardduty';

/**
 * Raw events that bypass the construct: each must fail with an error that names the bad
 * value, before any GuardDuty call. The events' stack is in account 123456789012.
 */
const valid = { AdministratorAccountId: '111111111111', DetectorId: '0123456789abcdef0123456789abcdef', InvitationTimeoutSeconds: '900', RemovalPolicy: 'RETAIN' };

const BAD_INPUTS: Array<[string, Record<string, unknown>, RegExp]> = [
  ['AdministratorAccountId missing', { ...valid, AdministratorAccountId: undefined }, /AdministratorAccountId: account ID must be a string of 12 digits, got undefined/],
  ['AdministratorAccountId null', { ...valid, AdministratorAccountId: null }, /AdministratorAccountId: account ID must be a string of 12 digits, got null/],
  ['AdministratorAccountId as a number', { ...valid, AdministratorAccountId: 111111111111 }, /AdministratorAccountId: .*got number 111111111111/],
  ['AdministratorAccountId of 11 digits', { ...valid, AdministratorAccountId: '11111111111' }, /account ID "11111111111" must be exactly 12 digits \(it has 11/],
  ['AdministratorAccountId of 13 digits', { ...valid, AdministratorAccountId: '1111111111111' }, /account ID "1111111111111" must be exactly 12 digits \(it has 13/],
  ['AdministratorAccountId with letters', { ...valid, AdministratorAccountId: '11111111111a' }, /account ID "11111111111a" must be exactly 12 digits/],
  ['AdministratorAccountId with a space', { ...valid, AdministratorAccountId: ' 111111111111' }, /account ID " 111111111111" must be exactly 12 digits/],
  ['AdministratorAccountId as a list', { ...valid, AdministratorAccountId: ['111111111111'] }, /AdministratorAccountId: account ID must be a string of 12 digits, got an array/],
  ['AdministratorAccountId is the account itself', { ...valid, AdministratorAccountId: '123456789012' }, /AdministratorAccountId 123456789012 is this account's own ID/],
  ['DetectorId as a number', { ...valid, DetectorId: 12 }, /DetectorId must be a GuardDuty detector ID: 32 to 264 letters, .*; got number 12/],
  ['DetectorId as an object', { ...valid, DetectorId: { Ref: 'Detector' } }, /DetectorId must be a GuardDuty detector ID: .*; got object \{"Ref":"Detector"\}/],
  ['DetectorId in words', { ...valid, DetectorId: 'not a detector id!' }, /DetectorId must be a GuardDuty detector ID: .*; got "not a detector id!" \(18 characters\)/],
  ['DetectorId too short', { ...valid, DetectorId: 'abc123' }, /DetectorId must be a GuardDuty detector ID: 32 to 264 .*; got "abc123" \(6 characters\)/],
  ['DetectorId too long', { ...valid, DetectorId: 'd'.repeat(265) }, /DetectorId must be a GuardDuty detector ID: .*; got "d{64}…" \(265 characters\)/],
  ['InvitationTimeoutSeconds below a minute', { ...valid, InvitationTimeoutSeconds: '59' }, /InvitationTimeoutSeconds must be a whole number of seconds from 60 to 3000, got "59"/],
  ['InvitationTimeoutSeconds above 50 minutes', { ...valid, InvitationTimeoutSeconds: '3001' }, /from 60 to 3000, got "3001"/],
  ['InvitationTimeoutSeconds with a fraction', { ...valid, InvitationTimeoutSeconds: '90.5' }, /from 60 to 3000, got "90.5"/],
  ['InvitationTimeoutSeconds negative', { ...valid, InvitationTimeoutSeconds: '-900' }, /from 60 to 3000, got "-900"/],
  ['InvitationTimeoutSeconds in words', { ...valid, InvitationTimeoutSeconds: 'fifteen minutes' }, /from 60 to 3000, got "fifteen minutes"/],
  ['InvitationTimeoutSeconds empty', { ...valid, InvitationTimeoutSeconds: '' }, /from 60 to 3000, got ""/],
  ['InvitationTimeoutSeconds as a boolean', { ...valid, InvitationTimeoutSeconds: true }, /from 60 to 3000, got boolean true/],
  ['RemovalPolicy lower case', { ...valid, RemovalPolicy: 'destroy' }, /RemovalPolicy must be one of RETAIN, DESTROY, got "destroy"/],
  ['RemovalPolicy SNAPSHOT', { ...valid, RemovalPolicy: 'SNAPSHOT' }, /RemovalPolicy must be one of RETAIN, DESTROY, got "SNAPSHOT"/],
  ['RemovalPolicy as a boolean', { ...valid, RemovalPolicy: true }, /RemovalPolicy must be one of RETAIN, DESTROY, got boolean true/],
  ['RemovalPolicy null', { ...valid, RemovalPolicy: null }, /RemovalPolicy must be one of RETAIN, DESTROY, got null/],
];

let gd: FakeMemberGuardDuty;
beforeEach(() => {
  gd = new FakeMemberGuardDuty();
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => {
  gd.restore();
  jest.restoreAllMocks();
});

describe.each(['Create', 'Update'])('%s', (requestType) => {
  test.each(BAD_INPUTS)('%s: fails naming the bad value, with no GuardDuty call', async (_name, properties, expected) => {
    const event = requestType === 'Create' ? createEvent(properties) : updateEvent('guardduty-administrator:abc123:111111111111', properties, valid);

    const error = await handler(event, lambdaContext()).then(
      () => undefined,
      (e: Error) => e,
    );

    expect(error).toBeInstanceOf(HandlerError);
    expect(error!.message).toMatch(/^Invalid GuardDutyInvitationAccepter properties: /);
    expect(error!.message).toMatch(expected);
    expect(gd.mock.calls()).toHaveLength(0);
  });
});

test('isComplete checks the properties too, before any call', async () => {
  const event = { ...createEvent({ ...valid, RemovalPolicy: 'SNAPSHOT' }), PhysicalResourceId: 'guardduty-administrator:abc123:111111111111', Data: { InvitationDeadline: String(Date.now() + 60_000) } };

  await expect(isComplete(event, lambdaContext())).rejects.toThrow(/RemovalPolicy must be one of RETAIN, DESTROY, got "SNAPSHOT"/);
  expect(gd.mock.calls()).toHaveLength(0);
});

test('ResourceProperties that are not an object fail before any call', async () => {
  const event = { ...createEvent({}), ResourceProperties: 'nope' } as never;

  await expect(handler(event, lambdaContext())).rejects.toThrow('ResourceProperties must be an object, got "nope".');
  expect(gd.mock.calls()).toHaveLength(0);
});

test('every problem in one event is reported at once', () => {
  expect(() => parseAccepterSettings({ AdministratorAccountId: 'x', DetectorId: 7, InvitationTimeoutSeconds: '1', RemovalPolicy: 'KEEP' })).toThrow(
    'Invalid GuardDutyInvitationAccepter properties: AdministratorAccountId: account ID "x" must be exactly 12 digits (it has 1 characters); ' +
      'DetectorId must be a GuardDuty detector ID: 32 to 264 letters, digits, "_", "." or "-", as in detector.ref or ListDetectors; got number 7; ' +
      'InvitationTimeoutSeconds must be a whole number of seconds from 60 to 3000, got "1"; ' +
      'RemovalPolicy must be one of RETAIN, DESTROY, got "KEEP".',
  );
});

test('optional properties take their defaults: detector looked up, 15 minutes, RETAIN', () => {
  expect(parseAccepterSettings({ AdministratorAccountId: '111111111111' })).toEqual({
    administratorAccountId: '111111111111',
    detectorId: undefined,
    invitationTimeoutSeconds: 900,
    removalPolicy: 'RETAIN',
  });
  expect(parseAccepterSettings({ AdministratorAccountId: '111111111111', DetectorId: '', InvitationTimeoutSeconds: 60 })).toMatchObject({ detectorId: undefined, invitationTimeoutSeconds: 60 });
});
