import { Duration } from 'aws-cdk-lib';
import { MemberAccount, UnprocessedAccountsAction } from '../../lib';
import { GuardDutyEmulator } from '../support/guardduty-emulator';
import { ADMIN, REGION, account, lifecycleHarness, physicalId } from '../support/lifecycle/lifecycle-harness';
import { CLEANUP_RESERVE_MS } from '../../lambda/member-invitations/run-context';

/**
 * Issue #10's "done when": one construct with every member GuardDuty allows an
 * administrator (50,000) and the verification wait, deployed through aws-cdk-lib's own
 * provider framework, with GuardDuty throttling hard enough that the run goes on over
 * several isComplete invocations, converges with every account accounted for. It takes
 * minutes on two cores, so `npm test` leaves it out: `npm run test:scale` runs it, and
 * `npm run reliability` records it in RELIABILITY.md.
 */
const h = lifecycleHarness('fifty-thousand-members');
const { report, check } = h;

const MEMBERS = 50_000;
/** The handler keeps this much of an invocation back (cleanup and the response): a budget is this plus the time for calls. */
const RESERVED_MS = CLEANUP_RESERVE_MS + 5_000;
/**
 * GuardDuty's rate, scaled down with the time: the rate lets an isComplete invocation
 * make 2,250 calls, so reading the whole fleet (1,000 GetMembers) fits even when a loaded
 * two-core machine answers at half the rate, while the whole run (3,000 calls, and each
 * poll's read of the batches earlier ones did) takes several invocations.
 */
const RATE_PER_SECOND = 50;
const ON_EVENT_WORK_MS = 30_000;
const IS_COMPLETE_WORK_MS = 45_000;

describe('50,000 members with the verification wait, through the real provider framework', () => {
  let throttled: GuardDutyEmulator;
  let detectorId: string;

  beforeAll(async () => {
    throttled = await GuardDutyEmulator.start({ faults: { rateLimit: { ratePerSecond: RATE_PER_SECOND, burst: RATE_PER_SECOND } }, emailVerificationDelayMs: 1_000 });
    detectorId = throttled.seedDetector(ADMIN, REGION);
  });
  afterAll(() => throttled.stop());

  report.scenario(
    'a Create GuardDuty throttles over several isComplete invocations invites each of the 50,000 accounts exactly once, and reports every one',
    async () => {
      const members: MemberAccount[] = Array.from({ length: MEMBERS }, (_, i) => account(100_000 + i));
      const resource = h.deployment([{ detectorId, members, onUnprocessed: UnprocessedAccountsAction.FAIL, verificationTimeout: Duration.minutes(15) }], throttled, 20);
      expect(resource.properties[0]).toHaveProperty('MemberList');

      const created = await resource.send(resource.events.create(resource.properties[0]), {
        onEventBudgetMs: RESERVED_MS + ON_EVENT_WORK_MS,
        isCompleteBudgetMs: RESERVED_MS + IS_COMPLETE_WORK_MS,
        // Progress on the terminal: this test runs for minutes.
        betweenPolls: (poll) => {
          const invited = members.filter((m) => throttled.invitationsSentTo(m.accountId) > 0).length;
          process.stderr.write(`50,000 members: after isComplete poll ${poll}, ${invited} accounts invited\n`);
        },
      });

      expect(created.response).toMatchObject({
        Status: 'SUCCESS',
        PhysicalResourceId: physicalId(detectorId),
        Data: { InvitedAccountCount: String(MEMBERS), AlreadyMemberAccountCount: '0', UnprocessedAccountCount: '0', UnprocessedAccountIds: '' },
      });
      // Several invocations: onEvent handed over, and the work went on over more than one poll.
      expect(created.logs.some((line) => line.includes('out of time: the run goes on'))).toBe(true);
      expect(created.isCompletePolls).toBeGreaterThanOrEqual(2);
      expect(throttled.calls().some((c) => c.statusCode === 429)).toBe(true);

      const invitations = h.invitations(members, throttled);
      expect(invitations.filter((n) => n !== 1)).toEqual([]);
      const statuses = Object.values(h.statuses(throttled));
      expect(statuses).toHaveLength(MEMBERS);
      expect(statuses.every((s) => s === 'Invited')).toBe(true);
      // GuardDuty accepted one CreateMembers and one InviteMembers per 50 accounts: no write was repeated.
      const accepted = (operation: string) => throttled.calls().filter((c) => c.operation === operation && c.statusCode === 200).length;
      expect([accepted('CreateMembers'), accepted('InviteMembers')]).toEqual([MEMBERS / 50, MEMBERS / 50]);
      check.responseFits(created);
    },
    { timeoutMs: 12 * 60_000 },
  );
});
