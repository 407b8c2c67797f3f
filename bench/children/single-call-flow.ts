import { CreateMembersCommand, GuardDutyClient, InviteMembersCommand } from '@aws-sdk/client-guardduty';
import type { AccountFailure, FlowResult, SingleCallJob } from '../child-protocol';
import { maxRssBytes, serveOneJob } from './child-io';

/**
 * What an `AwsCustomResource` with two SDK calls would do: one CreateMembers and one
 * InviteMembers carrying the whole member list, with the SDK's default retry
 * configuration. GuardDuty takes at most 50 accounts per call, so past 50 the first call
 * is rejected and no account is processed.
 */
serveOneJob(async (job: SingleCallJob): Promise<FlowResult> => {
  const client = new GuardDutyClient({ endpoint: job.target.endpoint, region: job.target.region, credentials: job.target.credentials });
  const start = performance.now();
  const everyone = (step: AccountFailure['step'], reason: string) => job.members.map((m) => ({ accountId: m.AccountId, step, reason }));
  const result = (invited: number, failures: AccountFailure[]): FlowResult => ({ wallMs: performance.now() - start, maxRssBytes: maxRssBytes(), invited, failures });
  try {
    const created = await client.send(new CreateMembersCommand({ DetectorId: job.detectorId, AccountDetails: [...job.members] }));
    const notCreated = new Set((created.UnprocessedAccounts ?? []).map((u) => u.AccountId));
    let invitation;
    try {
      invitation = await client.send(new InviteMembersCommand({ DetectorId: job.detectorId, AccountIds: job.members.map((m) => m.AccountId) }));
    } catch (error) {
      return result(0, everyone('InviteMembers', errorName(error)));
    }
    const failures: AccountFailure[] = [
      ...(created.UnprocessedAccounts ?? []).map((u) => ({ accountId: u.AccountId ?? '?', step: 'CreateMembers' as const, reason: u.Result ?? 'unprocessed' })),
      ...(invitation.UnprocessedAccounts ?? []).filter((u) => !notCreated.has(u.AccountId)).map((u) => ({ accountId: u.AccountId ?? '?', step: 'InviteMembers' as const, reason: u.Result ?? 'unprocessed' })),
    ];
    return result(job.members.length - failures.length, failures);
  } catch (error) {
    return result(0, everyone('CreateMembers', errorName(error)));
  } finally {
    client.destroy();
  }
});

function errorName(error: unknown): string {
  return (error as { name?: string }).name ?? 'Error';
}
