import { account, lifecycleHarness, withInlineMembers } from '../support/lifecycle/lifecycle-harness';
import { CREATE_FAILED_MARKER } from '../support/lifecycle/provider-framework';

/**
 * Bad properties sent through the provider framework to the shipped handler bundle.
 */
const h = lifecycleHarness('bad-input');
const { report, check, deployment } = h;

describe('bad input reaches the shipped handler through the framework', () => {
  const good = account(21);
  const BAD_PROPERTIES: Array<[string, Record<string, unknown>, RegExp]> = [
    ['no Members', { Members: undefined }, /Members must be a list/],
    ['an account ID of 11 digits', { Members: [{ AccountId: '12345678901', Email: good.email }] }, /must be exactly 12 digits/],
    ['an email without @', { Members: [{ AccountId: good.accountId, Email: 'root.example.com' }] }, /exactly one "@"/],
    ['an account declared twice', { Members: [good, good].map((m) => ({ AccountId: m.accountId, Email: m.email })) }, /more than once/],
    ['OnUnprocessed in lower case', { OnUnprocessed: 'fail' }, /OnUnprocessed must be one of FAIL, REPORT/],
    ['RemovalPolicy SNAPSHOT', { RemovalPolicy: 'SNAPSHOT' }, /RemovalPolicy must be one of RETAIN, DESTROY/],
    ['VerificationTimeoutSeconds negative', { VerificationTimeoutSeconds: '-1' }, /VerificationTimeoutSeconds must be a whole number/],
    ['DisableEmailNotification "yes"', { DisableEmailNotification: 'yes' }, /DisableEmailNotification must be "true" or "false"/],
    ['a malformed OU ID in OrganizationMembers', { OrganizationMembers: { Scope: 'ORGANIZATIONAL_UNITS', ParentIds: ['ou-ab12'] } }, /OrganizationMembers.ParentIds\[0\]: "ou-ab12" is not a root ID/],
    ['a malformed root ID in OrganizationMembers', { OrganizationMembers: { Scope: 'ORGANIZATIONAL_UNITS', ParentIds: ['r-A'] } }, /OrganizationMembers.ParentIds\[0\]: "r-A" is not a root ID/],
    ['an account both declared and excluded', { OrganizationMembers: { Scope: 'ORGANIZATION', ExcludeAccountIds: [good.accountId] } }, /OrganizationMembers.ExcludeAccountIds excludes \d{12}, which Members also declares/],
    ['an excluded account ID of 13 digits', { OrganizationMembers: { Scope: 'ORGANIZATION', ExcludeAccountIds: ['1234567890123'] } }, /OrganizationMembers.ExcludeAccountIds\[0\]: account ID "1234567890123" must be exactly 12 digits/],
  ];

  report.test(`each of ${BAD_PROPERTIES.length} bad properties fails the Create with a HandlerError naming it, before any GuardDuty call`, async () => {
    const resource = deployment([{ detectorId: h.detectorId, members: [good] }]);
    for (const [, overrides, reason] of BAD_PROPERTIES) {
      const calls = h.emulator.callCount();

      // Inline, so that each case can replace Members; the handler reads both forms alike.
      const failed = await resource.send(resource.events.create({ ...withInlineMembers(resource.properties[0], [good]), ...overrides }));

      expect(failed.response.Status).toBe('FAILED');
      expect(failed.error?.errorType).toBe('HandlerError');
      expect(failed.response.Reason).toMatch(reason);
      check.physicalIdStable(failed, CREATE_FAILED_MARKER);
      expect(h.emulator.callCount()).toBe(calls);
      report.badInputTried('`test/lifecycle/bad-input.test.ts`: the shipped administrator handler, a Create through aws-cdk-lib\'s provider framework');
    }
  });
});
