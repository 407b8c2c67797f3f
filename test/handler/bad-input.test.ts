import { handler } from '../../lambda/member-invitations';
import { HandlerError } from '../../lambda/shared/handler-error';
import { createEvent, declaredMembers, lambdaContext, updateEvent } from '../support/cloudformation-events';
import { FakeGuardDuty } from '../support/fake-guardduty';

/**
 * Raw events that bypass the construct: each must fail with an error that names the bad
 * value (never an email address in clear) before any GuardDuty call.
 */
const good = { AccountId: '123456789012', Email: 'security@example.com' };
const valid = { DetectorId: '0123456789abcdef0123456789abcdef', Members: [good], DisableEmailNotification: 'false', OnUnprocessed: 'FAIL', RemovalPolicy: 'RETAIN' };
const longEmail = `${'a'.repeat(60)}@example.com`;

const BAD_INPUTS: Array<[string, Record<string, unknown>, RegExp]> = [
  ['Members missing', { ...valid, Members: undefined }, /Members must be a list of \{AccountId, Email\}, got undefined/],
  ['Members null', { ...valid, Members: null }, /Members must be a list .*got null/],
  ['Members as a string', { ...valid, Members: '123456789012' }, /Members must be a list .*got "123456789012"/],
  ['Members as an object', { ...valid, Members: { AccountId: '123456789012' } }, /Members must be a list .*got an object/],
  ['Members empty', { ...valid, Members: [] }, /at least one account/],
  ['member as a string', { ...valid, Members: ['123456789012'] }, /Members\[0\] must be an object .*got "123456789012"/],
  ['member as an email string', { ...valid, Members: ['someone@example.com'] }, /Members\[0\] must be an object .*a string of 19 characters/],
  ['member null', { ...valid, Members: [null] }, /Members\[0\] must be an object/],
  ['member as a list', { ...valid, Members: [['123456789012', 'a@b.c']] }, /Members\[0\] must be an object .*a list of 2/],
  ['AccountId missing', { ...valid, Members: [{ Email: good.Email }] }, /Members\[0\]: account ID must be a string of 12 digits, got undefined/],
  ['AccountId as a number', { ...valid, Members: [{ AccountId: 123456789012, Email: good.Email }] }, /Members\[0\]: account ID must be a string .*got number 123456789012/],
  ['AccountId of 11 digits', { ...valid, Members: [{ AccountId: '12345678901', Email: good.Email }] }, /account ID "12345678901" must be exactly 12 digits \(it has 11/],
  ['AccountId of 13 digits', { ...valid, Members: [{ AccountId: '1234567890123', Email: good.Email }] }, /account ID "1234567890123" must be exactly 12 digits \(it has 13/],
  ['AccountId with letters', { ...valid, Members: [{ AccountId: '12345678901a', Email: good.Email }] }, /account ID "12345678901a" must be exactly 12 digits/],
  ['AccountId with spaces', { ...valid, Members: [{ AccountId: ' 123456789012', Email: good.Email }] }, /account ID " 123456789012" must be exactly 12 digits/],
  ['AccountId empty', { ...valid, Members: [{ AccountId: '', Email: good.Email }] }, /account ID "" must be exactly 12 digits/],
  ['Email missing', { ...valid, Members: [{ AccountId: good.AccountId }] }, /Members\[0\] \(account 123456789012\): email must be a string, got undefined/],
  ['Email as a number', { ...valid, Members: [{ AccountId: good.AccountId, Email: 42 }] }, /email must be a string, got number 42/],
  ['Email empty', { ...valid, Members: [{ AccountId: good.AccountId, Email: '' }] }, /email must be 1 to 64 characters .* it has 0/],
  ['Email over 64 characters', { ...valid, Members: [{ AccountId: good.AccountId, Email: longEmail }] }, /email must be 1 to 64 characters .* it has 72/],
  ['Email without @', { ...valid, Members: [{ AccountId: good.AccountId, Email: 'security.example.com' }] }, /exactly one "@", it has 0/],
  ['Email with two @', { ...valid, Members: [{ AccountId: good.AccountId, Email: 'a@b@example.com' }] }, /exactly one "@", it has 2/],
  ['Email with nothing before @', { ...valid, Members: [{ AccountId: good.AccountId, Email: '@example.com' }] }, /text on both sides/],
  ['Email with a space', { ...valid, Members: [{ AccountId: good.AccountId, Email: 'se curity@example.com' }] }, /white space/],
  ['duplicate accounts with different emails', { ...valid, Members: [good, { AccountId: good.AccountId, Email: 'other@example.com' }] }, /more than once: 123456789012/],
  ['oversized list (over GuardDuty\'s 50,000 members)', { ...valid, Members: declaredMembers(50_001) }, /declares 50001 accounts; one resource takes at most 50000/],
  ['DisableEmailNotification "yes"', { ...valid, DisableEmailNotification: 'yes' }, /DisableEmailNotification must be "true" or "false", got "yes"/],
  ['DisableEmailNotification "1"', { ...valid, DisableEmailNotification: '1' }, /DisableEmailNotification must be "true" or "false", got "1"/],
  ['DisableEmailNotification "TRUE"', { ...valid, DisableEmailNotification: 'TRUE' }, /got "TRUE"/],
  ['DisableEmailNotification as a number', { ...valid, DisableEmailNotification: 1 }, /got number 1/],
  ['OnUnprocessed lower case', { ...valid, OnUnprocessed: 'fail' }, /OnUnprocessed must be one of FAIL, REPORT, got "fail"/],
  ['OnUnprocessed unknown', { ...valid, OnUnprocessed: 'IGNORE' }, /OnUnprocessed must be one of FAIL, REPORT, got "IGNORE"/],
  ['RemovalPolicy SNAPSHOT', { ...valid, RemovalPolicy: 'SNAPSHOT' }, /RemovalPolicy must be one of RETAIN, DESTROY, got "SNAPSHOT"/],
  ['RemovalPolicy as a boolean', { ...valid, RemovalPolicy: true }, /RemovalPolicy must be one of RETAIN, DESTROY, got boolean true/],
  ['DetectorId as a number', { ...valid, DetectorId: 12 }, /DetectorId must be a GuardDuty detector ID: 32 to 264 letters, .*; got number 12/],
  ['DetectorId in words', { ...valid, DetectorId: 'not a detector id!' }, /DetectorId must be a GuardDuty detector ID: .*; got "not a detector id!" \(18 characters\)/],
  ['DetectorId too short', { ...valid, DetectorId: 'abc123' }, /DetectorId must be a GuardDuty detector ID: 32 to 264 .*; got "abc123" \(6 characters\)/],
  ['DetectorId too long', { ...valid, DetectorId: 'd'.repeat(265) }, /DetectorId must be a GuardDuty detector ID: .*; got "d{64}…" \(265 characters\)/],
  ['DetectorId with a slash', { ...valid, DetectorId: `${'a'.repeat(32)}/member` }, /DetectorId must be a GuardDuty detector ID: .*got "a{32}\/member"/],
  ['Message as a list', { ...valid, Message: ['hi'] }, /Message must be a string, got a list of 1/],
  ['OrganizationMembers as a string', { ...valid, OrganizationMembers: 'ou-ab12-11111111' }, /OrganizationMembers must be an object \{Scope, ParentIds\?, ExcludeAccountIds\?\}/],
  ['OrganizationMembers Scope unknown', { ...valid, OrganizationMembers: { Scope: 'ACCOUNTS' } }, /OrganizationMembers.Scope must be one of ORGANIZATION, ORGANIZATIONAL_UNITS, got "ACCOUNTS"/],
  ['OrganizationMembers OU ID malformed', { ...valid, OrganizationMembers: { Scope: 'ORGANIZATIONAL_UNITS', ParentIds: ['ou-ab12-1111'] } }, /OrganizationMembers.ParentIds\[0\]: "ou-ab12-1111" is not a root ID \(r-xxxx\) or an organizational unit ID/],
  ['OrganizationMembers root ID in capitals', { ...valid, OrganizationMembers: { Scope: 'ORGANIZATIONAL_UNITS', ParentIds: ['R-AB12'] } }, /OrganizationMembers.ParentIds\[0\]: "R-AB12" is not a root ID/],
  ['OrganizationMembers OU named twice', { ...valid, OrganizationMembers: { Scope: 'ORGANIZATIONAL_UNITS', ParentIds: ['ou-ab12-11111111', 'ou-ab12-11111111'] } }, /named more than once: ou-ab12-11111111/],
  ['OrganizationMembers without ParentIds for organizational units', { ...valid, OrganizationMembers: { Scope: 'ORGANIZATIONAL_UNITS' } }, /OrganizationMembers.ParentIds must be a list/],
  ['OrganizationMembers ParentIds with the whole organization', { ...valid, OrganizationMembers: { Scope: 'ORGANIZATION', ParentIds: ['r-ab12'] } }, /OrganizationMembers.ParentIds is only for Scope ORGANIZATIONAL_UNITS/],
  ['excluded account ID of 11 digits', { ...valid, OrganizationMembers: { Scope: 'ORGANIZATION', ExcludeAccountIds: ['12345678901'] } }, /OrganizationMembers.ExcludeAccountIds\[0\]: account ID "12345678901" must be exactly 12 digits/],
  ['excluded account twice', { ...valid, OrganizationMembers: { Scope: 'ORGANIZATION', ExcludeAccountIds: ['210987654321', '210987654321'] } }, /excluded more than once: 210987654321/],
  ['an account both declared and excluded', { ...valid, OrganizationMembers: { Scope: 'ORGANIZATION', ExcludeAccountIds: [good.AccountId] } }, /OrganizationMembers.ExcludeAccountIds excludes 123456789012, which Members also declares/],
];

let gd: FakeGuardDuty;
beforeEach(() => {
  gd = new FakeGuardDuty();
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => {
  gd.restore();
  jest.restoreAllMocks();
});

test('the table covers at least 30 malformed inputs', () => {
  expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(30);
});

describe.each(['Create', 'Update'])('%s', (requestType) => {
  test.each(BAD_INPUTS)('%s: fails naming the bad value, with no GuardDuty call', async (_name, properties, expected) => {
    const event = requestType === 'Create' ? createEvent(properties) : updateEvent(`guardduty-members:${valid.DetectorId}`, properties, valid);

    const error = await handler(event, lambdaContext()).then(
      () => undefined,
      (e: Error) => e,
    );

    expect(error).toBeInstanceOf(HandlerError);
    expect(error!.message).toMatch(/^Invalid GuardDutyMemberInvitations properties: /);
    expect(error!.message).toMatch(expected);
    expect(error!.message).not.toMatch(/[a-z]@example\.com/);
    expect(gd.mock.calls()).toHaveLength(0);
  });
});

test('ResourceProperties that are not an object fail before any call', async () => {
  const event = { ...createEvent({}), ResourceProperties: 'nope' } as never;
  await expect(handler(event, lambdaContext())).rejects.toThrow('ResourceProperties must be an object, got "nope".');
  expect(gd.mock.calls()).toHaveLength(0);
});

test('every problem in one event is reported at once, the list capped', async () => {
  const members = Array.from({ length: 25 }, (_, i) => ({ AccountId: String(i), Email: 'x' }));
  const error = await handler(createEvent({ ...valid, Members: members }), lambdaContext()).then(
    () => undefined,
    (e: Error) => e,
  );
  expect(error!.message).toContain('Members[0]: account ID "0" must be exactly 12 digits');
  expect(error!.message).toContain('… and 40 more');
});
