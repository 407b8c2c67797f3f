import { CreateMembersCommand, GuardDutyClient, InviteMembersCommand } from '@aws-sdk/client-guardduty';
import type { AccountFailure, FlowResult, MemberDeclaration, PerAccountJob } from '../child-protocol';
import { maxRssBytes, serveOneJob } from './child-io';

/**
 * The flow of `AWS::GuardDuty::Member` and Terraform's `aws_guardduty_member`, one
 * resource per account: CreateMembers, then InviteMembers, for that account alone.
 * `concurrency` accounts are worked on at once, as CloudFormation and Terraform create
 * independent resources in parallel. Each account gets its own client with the SDK's
 * default retry configuration (standard mode, 3 attempts), as each resource handler
 * invocation would. An account whose call still fails is recorded, not retried further:
 * in a deployment that failure fails the resource and rolls the stack back.
 *
 * The real resources also read the member back after creating it; this flow leaves that
 * out, so its call count is a lower bound for them.
 */
serveOneJob(async (job: PerAccountJob): Promise<FlowResult> => {
  const queue = [...job.members];
  const failures: AccountFailure[] = [];
  let invited = 0;
  const start = performance.now();

  const worker = async () => {
    for (let member = queue.shift(); member; member = queue.shift()) {
      const failure = await createAndInvite(job, member);
      if (failure) {
        failures.push(failure);
      } else {
        invited += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(job.concurrency, job.members.length) }, worker));
  return { wallMs: performance.now() - start, maxRssBytes: maxRssBytes(), invited, failures };
});

async function createAndInvite(job: PerAccountJob, member: MemberDeclaration): Promise<AccountFailure | undefined> {
  const client = new GuardDutyClient({ endpoint: job.target.endpoint, region: job.target.region, credentials: job.target.credentials });
  try {
    const created = await send(() => client.send(new CreateMembersCommand({ DetectorId: job.detectorId, AccountDetails: [member] })));
    if (typeof created === 'string') {
      return { accountId: member.AccountId, step: 'CreateMembers', reason: created };
    }
    if (created.UnprocessedAccounts?.length) {
      return { accountId: member.AccountId, step: 'CreateMembers', reason: created.UnprocessedAccounts[0].Result ?? 'unprocessed' };
    }
    const invitation = await send(() => client.send(new InviteMembersCommand({ DetectorId: job.detectorId, AccountIds: [member.AccountId] })));
    if (typeof invitation === 'string') {
      return { accountId: member.AccountId, step: 'InviteMembers', reason: invitation };
    }
    if (invitation.UnprocessedAccounts?.length) {
      return { accountId: member.AccountId, step: 'InviteMembers', reason: invitation.UnprocessedAccounts[0].Result ?? 'unprocessed' };
    }
    return undefined;
  } finally {
    client.destroy();
  }
}

/** The call's output, or the name of the error it ended with. */
async function send<T>(call: () => Promise<T>): Promise<T | string> {
  try {
    return await call();
  } catch (error) {
    return (error as { name?: string }).name ?? 'Error';
  }
}
