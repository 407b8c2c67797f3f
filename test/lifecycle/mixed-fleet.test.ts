import { CreateMembersCommand, DisassociateMembersCommand, EnableOrganizationAdminAccountCommand, GuardDutyClient } from '@aws-sdk/client-guardduty';
import fc from 'fast-check';
import { MemberAccount, UnprocessedAccountsAction } from '../../lib';
import { FaultOptions, GuardDutyEmulator } from '../support/guardduty-emulator';
import { faultSchedules } from '../support/lifecycle/arbitraries';
import { invitationSnapshot } from '../support/lifecycle/invariants';
import { ADMIN, REGION, STACK, account, ids, lifecycleHarness, withInlineMembers } from '../support/lifecycle/lifecycle-harness';
import { Delivery, ProviderFramework } from '../support/lifecycle/provider-framework';
import { resourceEvents } from '../support/lifecycle/resource-events';
import { SynthesizedStack, synthesizeInvitations } from '../support/lifecycle/synthesized-stack';

/**
 * Mixed fleets through the provider framework on the shipped bundle: one declaration of
 * organization accounts and outside accounts, against the emulator's organization with
 * the administrator as GuardDuty's delegated administrator (or not).
 */
const h = lifecycleHarness('mixed-fleet');
const { report, check, checkProperty, deployment, statuses, invitations } = h;
const MANAGEMENT = '999999999998';

/**
 * The organization with ADMIN in it, each account with the email it is declared with
 * (the root user's); `delegated`: the management account makes ADMIN GuardDuty's
 * delegated administrator.
 */
async function organizationOf(target: GuardDutyEmulator, accounts: { active: readonly MemberAccount[]; suspended?: readonly MemberAccount[] }, delegated: boolean): Promise<void> {
  target.organization.create(MANAGEMENT);
  target.organization.addAccount({ accountId: ADMIN });
  accounts.active.forEach(({ accountId, email }) => target.organization.addAccount({ accountId, email }));
  (accounts.suspended ?? []).forEach(({ accountId, email }) => target.organization.addAccount({ accountId, email, state: 'SUSPENDED' }));
  if (delegated) {
    await asAccount(target, MANAGEMENT, (client) => client.send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: ADMIN })));
  }
}

async function asAccount<T>(target: GuardDutyEmulator, accountId: string, call: (client: GuardDutyClient) => Promise<T>): Promise<T> {
  const client = new GuardDutyClient({ ...target.clientConfig(accountId, REGION), maxAttempts: 1 });
  try {
    return await call(client);
  } finally {
    client.destroy();
  }
}

/** Organization accounts the delegated administrator added (and then, with `disassociate`, took out again: Removed). */
async function associateBefore(target: GuardDutyEmulator, accounts: readonly MemberAccount[], disassociate = false): Promise<void> {
  const detectorId = target.detectorId(ADMIN, REGION)!;
  await asAccount(target, ADMIN, async (client) => {
    for (let i = 0; i < accounts.length; i += 50) {
      const batch = accounts.slice(i, i + 50);
      await client.send(new CreateMembersCommand({ DetectorId: detectorId, AccountDetails: batch.map((m) => ({ AccountId: m.accountId, Email: m.email })) }));
      if (disassociate) {
        await client.send(new DisassociateMembersCommand({ DetectorId: detectorId, AccountIds: batch.map((m) => m.accountId) }));
      }
    }
  });
}

/** How many accounts the InviteMembers calls named, all calls together. */
function accountsInvitationsNamed(): number {
  return h.emulator.calls().filter((call) => call.operation === 'InviteMembers').reduce((sum, call) => sum + call.accountCount, 0);
}

describe('a mixed fleet under a delegated administrator', () => {
  const organization = [account(41), account(42), account(43)];
  const outside = [account(51), account(52)];
  const suspended = account(44);
  const disassociated = account(45);
  const undeclared = account(46);
  const declared = [...organization, ...outside, suspended, disassociated];

  report.scenario(
    'Create: organization accounts are associated by CreateMembers alone, outside accounts invited, a disassociated organization account added back, a suspended one reported, an undeclared member left alone',
    async () => {
      await organizationOf(h.emulator, { active: [...organization, disassociated, undeclared], suspended: [suspended] }, true);
      await associateBefore(h.emulator, [disassociated], true);
      await associateBefore(h.emulator, [undeclared]);
      const before = invitationSnapshot(h.emulator, ADMIN, REGION, [...ids(declared), undeclared.accountId]);
      const resource = deployment([{ detectorId: h.detectorId, members: declared, onUnprocessed: UnprocessedAccountsAction.REPORT }]);

      const created = await resource.send(resource.events.create(resource.properties[0]));

      expect(created.response).toMatchObject({
        Status: 'SUCCESS',
        Data: {
          InvitedAccountIds: ids(outside).join(','),
          AssociatedAccountCount: '4',
          OrganizationAccountIds: [...ids(organization), disassociated.accountId].join(','),
          OrganizationAccountCount: '4',
          InvitationAccountCount: '2',
          UnprocessedAccountIds: suspended.accountId,
        },
      });
      check.everyAccountReportedOnce(created, ids(declared));
      check.noSecondInvitation(h.emulator, before);
      expect(statuses()).toEqual({
        ...Object.fromEntries([...ids(organization), disassociated.accountId, undeclared.accountId].map((id) => [id, 'Enabled'])),
        ...Object.fromEntries(ids(outside).map((id) => [id, 'Invited'])),
      });
      expect(invitations([...organization, disassociated, undeclared, ...outside])).toEqual([0, 0, 0, 0, 0, 1, 1]);
      // InviteMembers named the two outside accounts and nothing else.
      expect(accountsInvitationsNamed()).toBe(outside.length);
      // GuardDuty's own state told the two apart: no Organizations call, no Organizations permission.
      expect(h.emulator.organizationsCalls()).toEqual([]);
      // The verification wait found nothing to wait for on the organization accounts.
      expect(created.isCompletePolls).toBe(1);
      // GuardDuty answered DescribeOrganizationConfiguration: the new members are read again.
      expect(operationsOf().filter((op) => op === 'DescribeOrganizationConfiguration' || op === 'GetMembers')).toEqual(['GetMembers', 'DescribeOrganizationConfiguration', 'GetMembers', 'GetMembers']);
    },
  );

  report.scenario('the same Create again: nothing invited or re-added, and each member still counted by the way it came in', async () => {
    await organizationOf(h.emulator, { active: [...organization, disassociated], suspended: [suspended] }, true);
    await associateBefore(h.emulator, [disassociated], true);
    const resource = deployment([{ detectorId: h.detectorId, members: declared, onUnprocessed: UnprocessedAccountsAction.REPORT }]);
    await resource.send(resource.events.create(resource.properties[0]));
    const before = invitationSnapshot(h.emulator, ADMIN, REGION, ids(declared));
    const invitesBefore = h.emulator.callCount('InviteMembers');

    const again = await resource.send(resource.events.create(resource.properties[0]));

    expect(again.response).toMatchObject({
      Status: 'SUCCESS',
      Data: { InvitedAccountCount: '0', AssociatedAccountCount: '0', AlreadyMemberAccountCount: '6', OrganizationAccountCount: '4', InvitationAccountCount: '2', UnprocessedAccountCount: '1' },
    });
    check.everyAccountReportedOnce(again, ids(declared));
    check.noSecondInvitation(h.emulator, before);
    expect(h.emulator.callCount('InviteMembers')).toBe(invitesBefore);
  });

  report.scenario('an administrator that is not the delegated one invites every account, organization accounts included, as before', async () => {
    await organizationOf(h.emulator, { active: organization }, false);
    const members = [...organization, ...outside];
    const resource = deployment([{ detectorId: h.detectorId, members }]);

    const created = await resource.send(resource.events.create(resource.properties[0]));

    expect(created.response).toMatchObject({
      Status: 'SUCCESS',
      Data: { InvitedAccountCount: '5', AssociatedAccountCount: '0', OrganizationAccountIds: '', OrganizationAccountCount: '0', InvitationAccountCount: '5' },
    });
    check.everyAccountReportedOnce(created, ids(members));
    expect(invitations(members)).toEqual([1, 1, 1, 1, 1]);
    // GuardDuty refused DescribeOrganizationConfiguration, so no account can have been
    // associated: the new members are not read again (organization-reach.ts). The
    // isComplete poll of the verification wait reads them once.
    expect(operationsOf()).toEqual(['GetMembers', 'DescribeOrganizationConfiguration', 'CreateMembers', 'InviteMembers', 'GetMembers']);
  });
});

/** The GuardDuty operations the emulator answered since the last reset, in order, 429s left out. */
function operationsOf(): string[] {
  return h.emulator.calls().filter((call) => call.statusCode !== 429 && call.accountId === ADMIN).map((call) => call.operation);
}

/**
 * What an account is before a run: an organization account not yet a member, associated
 * before, associated and then disassociated (Removed), or suspended; an outside account
 * absent, invited, associated by invitation or disassociated; or a member the
 * declaration does not name.
 */
const KINDS = [
  'org-absent', 'org-associated', 'org-removed', 'org-suspended',
  'outside-absent', 'outside-invited', 'outside-enabled', 'outside-removed',
  'undeclared-org', 'undeclared-outside',
] as const;
type Kind = typeof KINDS[number];

describe('a property over generated mixed fleets', () => {
  let stack: SynthesizedStack;

  beforeAll(async () => {
    stack = synthesizeInvitations({ MixedFleet: { members: [account(0)], onUnprocessed: UnprocessedAccountsAction.REPORT } }, STACK);
    await h.aws.prewarm(stack, REGION);
  });

  report.test('under faults, then twice without: organization accounts are never invited, every other account is, each member is counted by its way in, and a re-run changes nothing', async () => {
    const arbitrary = fc.record({
      count: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 60 }) }, { weight: 1, arbitrary: fc.integer({ min: 61, max: 400 }) }),
      // The first account is declared: a declaration names at least one.
      pattern: fc.tuple(fc.constantFrom(...KINDS.filter((k) => !k.startsWith('undeclared'))), fc.array(fc.constantFrom(...KINDS), { maxLength: 9 })).map(([first, rest]) => [first, ...rest]),
      delegated: fc.boolean(),
      faults: faultSchedules(),
    });
    await checkProperty(
      'Mixed fleets: a Create under faults, the same Create without, then once more',
      arbitrary,
      async (generated) => {
        h.emulator.reset();
        h.emulator.seedDetector(ADMIN, REGION);
        const accounts = Array.from({ length: generated.count }, (_, i) => ({ ...account(100_000 + i), kind: generated.pattern[i % generated.pattern.length] as Kind }));
        const kindOf = (...kinds: Kind[]) => accounts.filter((a) => kinds.includes(a.kind));
        const of = (...kinds: Kind[]) => kindOf(...kinds).map((a) => a.accountId);
        await organizationOf(h.emulator, { active: kindOf('org-absent', 'org-associated', 'org-removed', 'undeclared-org'), suspended: kindOf('org-suspended') }, generated.delegated);
        if (generated.delegated) {
          await associateBefore(h.emulator, kindOf('org-associated', 'undeclared-org'));
          await associateBefore(h.emulator, kindOf('org-removed'), true);
        }
        for (const a of accounts) {
          const status = { 'outside-invited': 'Invited', 'outside-enabled': 'Enabled', 'outside-removed': 'Removed', 'undeclared-outside': 'Invited' }[a.kind as string];
          if (status) {
            h.emulator.seedMember(ADMIN, REGION, { accountId: a.accountId, email: a.email, relationshipStatus: status as never });
          }
        }
        const declaredAccounts = accounts.filter((a) => !a.kind.startsWith('undeclared'));
        const declared = declaredAccounts.map((a) => a.accountId);
        const undeclared = of('undeclared-org', 'undeclared-outside');
        const organizationIds = generated.delegated ? of('org-absent', 'org-associated', 'org-removed') : [];
        const suspendedIds = generated.delegated ? of('org-suspended') : [];
        const invitationIds = declared.filter((id) => !organizationIds.includes(id) && !suspendedIds.includes(id));

        const framework = new ProviderFramework(stack, { aws: h.aws, endpoint: h.emulator.endpoint, region: REGION, credentials: h.emulator.credentialsFor(ADMIN) }, {});
        const events = resourceEvents(stack, stack.resources[0]);
        const properties = withInlineMembers(stack.resources[0].properties, declaredAccounts);
        const send = async (faults: FaultOptions): Promise<Delivery> => {
          h.emulator.setFaults(faults);
          try {
            const delivery = await framework.deliver(events.create(properties));
            await h.emulator.settled();
            check.responseFits(delivery);
            check.noEmailDisclosed(delivery, accounts.map((a) => a.email));
            return delivery;
          } finally {
            h.emulator.clearFaults();
          }
        };
        const untouched = invitationSnapshot(h.emulator, ADMIN, REGION, undeclared);
        const neverInvited = () => expect([...organizationIds, ...suspendedIds].filter((id) => h.emulator.invitationsSentTo(id) > 0)).toEqual([]);
        try {
          const before = invitationSnapshot(h.emulator, ADMIN, REGION, declared);
          const first = await send(generated.faults);
          check.noSecondInvitation(h.emulator, before);
          neverInvited();
          if (first.response.Status === 'SUCCESS') {
            check.everyAccountReportedOnce(first, declared);
          }

          const second = await send({});
          expect(second.response.Status).toBe('SUCCESS');
          check.everyAccountReportedOnce(second, declared);
          check.noSecondInvitation(h.emulator, before);
          neverInvited();
          const memberStatus = new Map(h.emulator.members(ADMIN, REGION).map((m) => [m.accountId, m.relationshipStatus]));
          expect(organizationIds.filter((id) => memberStatus.get(id) !== 'Enabled')).toEqual([]);
          expect(invitationIds.filter((id) => !['Invited', 'Enabled'].includes(memberStatus.get(id) ?? 'absent'))).toEqual([]);
          expect(second.response.Data).toMatchObject({
            OrganizationAccountCount: String(organizationIds.length),
            InvitationAccountCount: String(invitationIds.length),
            UnprocessedAccountCount: String(suspendedIds.length),
          });

          const invitesBefore = h.emulator.callCount('InviteMembers');
          const third = await send({});
          const wayIn = ['OrganizationAccountIds', 'OrganizationAccountCount', 'InvitationAccountCount', 'UnprocessedAccountCount'].map((name) => [name, second.response.Data?.[name]]);
          expect(third.response.Data).toMatchObject({
            ...Object.fromEntries(wayIn),
            InvitedAccountCount: '0',
            AssociatedAccountCount: '0',
            AlreadyMemberAccountCount: String(declared.length - suspendedIds.length),
          });
          expect(h.emulator.callCount('InviteMembers')).toBe(invitesBefore);
          check.everyAccountReportedOnce(third, declared);

          expect(invitationSnapshot(h.emulator, ADMIN, REGION, undeclared)).toEqual(untouched);
          return [
            `${generated.delegated ? 'delegated' : 'not delegated'}: first Create ${first.response.Status}${Object.keys(generated.faults).length > 0 ? ' under faults' : ''}`,
            ...(organizationIds.length > 0 && invitationIds.length > 0 ? ['both ways in'] : []),
            ...(of('org-removed').length > 0 && generated.delegated ? ['a disassociated organization account'] : []),
          ];
        } finally {
          framework.stop();
        }
      },
      { seed: 8_808, numRuns: 12, timeLimitMs: 45_000, construct: 'GuardDutyMemberInvitations', injectsFaults: true },
    );
  }, 150_000);
});
