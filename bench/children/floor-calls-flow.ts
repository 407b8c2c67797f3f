import { request, Agent } from 'node:http';
import { CreateMembersCommand, DescribeOrganizationConfigurationCommand, GetMembersCommand, GuardDutyClient, InviteMembersCommand } from '@aws-sdk/client-guardduty';
import type { FloorCallsJob, FlowResult } from '../child-protocol';
import { maxRssBytes, serveOneJob } from './child-io';

/**
 * The floor's calls for one batch of at most 50 fresh accounts, and nothing else, in a
 * fresh process: GetMembers; CreateMembers beside one DescribeOrganizationConfiguration;
 * InviteMembers. `sdk` makes them through a bare GuardDuty client, `http` over plain
 * node:http with an unsigned request (the emulator does not check signatures). The
 * timer starts before the client is built, as the shipped handler's does, so the three
 * rows of N = 50 tell apart the handler's own code, the SDK's first requests and what
 * any fresh Node.js process pays for its first round trips.
 */
serveOneJob(async (job: FloorCallsJob): Promise<FlowResult> => {
  const start = performance.now();
  const unprocessed = job.client === 'sdk' ? await throughSdk(job) : await overHttp(job);
  const failures = unprocessed.map((accountId) => ({ accountId, step: 'InviteMembers' as const, reason: 'unprocessed' }));
  return { wallMs: performance.now() - start, maxRssBytes: maxRssBytes(), invited: job.members.length - failures.length, failures };
});

async function throughSdk(job: FloorCallsJob): Promise<string[]> {
  const client = new GuardDutyClient({ endpoint: job.target.endpoint, region: job.target.region, credentials: job.target.credentials });
  const DetectorId = job.detectorId;
  const AccountIds = job.members.map((m) => m.AccountId);
  try {
    await client.send(new GetMembersCommand({ DetectorId, AccountIds }));
    await Promise.all([
      // The bench's administrator is not the delegated one: GuardDuty answers 400, as the handler expects.
      client.send(new DescribeOrganizationConfigurationCommand({ DetectorId, MaxResults: 1 })).catch(() => undefined),
      client.send(new CreateMembersCommand({ DetectorId, AccountDetails: [...job.members] })),
    ]);
    const invited = await client.send(new InviteMembersCommand({ DetectorId, AccountIds }));
    return (invited.UnprocessedAccounts ?? []).map((u) => u.AccountId ?? '?');
  } finally {
    client.destroy();
  }
}

async function overHttp(job: FloorCallsJob): Promise<string[]> {
  const agent = new Agent({ keepAlive: true });
  const endpoint = new URL(job.target.endpoint);
  const authorization = `AWS4-HMAC-SHA256 Credential=${job.target.credentials.accessKeyId}/20260101/${job.target.region}/guardduty/aws4_request, SignedHeaders=host, Signature=unsigned`;
  const call = (method: string, path: string, body?: unknown) =>
    new Promise<{ status: number; body: { unprocessedAccounts?: Array<{ accountId: string }> } }>((resolve, reject) => {
      const text = body === undefined ? '' : JSON.stringify(body);
      const headers = { authorization, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) };
      const req = request({ host: endpoint.hostname, port: endpoint.port, method, path, agent, headers }, (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (data += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data ? JSON.parse(data) : {} }));
      });
      req.on('error', reject);
      req.end(text);
    });
  const detector = `/detector/${encodeURIComponent(job.detectorId)}`;
  const accountIds = job.members.map((m) => m.AccountId);
  try {
    await call('POST', `${detector}/member/get`, { accountIds });
    await Promise.all([
      call('GET', `${detector}/admin?maxResults=1`),
      call('POST', `${detector}/member`, { accountDetails: job.members.map((m) => ({ accountId: m.AccountId, email: m.Email })) }),
    ]);
    const invited = await call('POST', `${detector}/member/invite`, { accountIds });
    if (invited.status !== 200) {
      throw new Error(`InviteMembers over plain HTTP answered ${invited.status}`);
    }
    return (invited.body.unprocessedAccounts ?? []).map((u) => u.accountId);
  } finally {
    agent.destroy();
  }
}
