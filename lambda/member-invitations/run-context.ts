import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { Deadline } from '../shared/deadline';
import { createGuardDutyClient } from '../shared/guardduty-client';
import { HandlerError } from '../shared/handler-error';
import { Logger } from '../shared/logger';
import { createOrganizationsClient, organizationsReader } from '../shared/organizations-api';
import { RollbackCheck, checkRollback, createCloudFormationClient } from '../shared/stack-rollback';
import { GuardDutyMembersApi, guardDutyMembersApi } from './guardduty-members-api';
import { MemberListReader, createS3Client, s3MemberListReader, withMemberList } from './member-list';
import { RemovalResult } from './member-removal';
import { DeclaredFleet, OrganizationSource, withOrganizationMembers } from './organization-members';
import { OrganizationReach, organizationReach } from './organization-reach';
import { InvitationSettings, parseInvitationSettings } from './resource-properties';

/**
 * Time kept back from the Lambda timeout: enough for a failed run to delete the members
 * it created and for the framework to send its response.
 */
export const CLEANUP_RESERVE_MS = 60_000;
const RESPONSE_RESERVE_MS = 5_000;

/** What every step of one invocation works with: the I/O edges, bound to its deadline. */
export interface RunContext {
  readonly api: GuardDutyMembersApi;
  /** The same calls with the time kept back for undoing a failed run. */
  readonly undoApi: GuardDutyMembersApi;
  readonly lists: MemberListReader;
  /** AWS Organizations, for properties that select members from it (organization-members.ts). */
  readonly organization: OrganizationSource;
  readonly checkRollback: () => Promise<RollbackCheck>;
  readonly log: Logger;
  /** Time left for GuardDuty calls in this invocation; absent in tests that model time as calls. */
  readonly remainingMs?: () => number;
  /** The CloudFormation request: every invocation of one run (onEvent, its isComplete polls) shares it. */
  readonly requestId?: string;
  /** The size of the event, which the waiter's input carries along with onEvent's result. */
  readonly eventBytes: number;
}

/** One client of each per container: Lambda reuses them across invocations. */
let guardDuty: ReturnType<typeof createGuardDutyClient> | undefined;
let cloudFormation: ReturnType<typeof createCloudFormationClient> | undefined;
let s3: ReturnType<typeof createS3Client> | undefined;
let organizations: ReturnType<typeof createOrganizationsClient> | undefined;

export function runContext(event: CloudFormationCustomResourceEvent, remainingMs: number, log: Logger): RunContext {
  const deadline = Deadline.fromRemaining(remainingMs, CLEANUP_RESERVE_MS + RESPONSE_RESERVE_MS);
  guardDuty ??= createGuardDutyClient();
  const client = guardDuty;
  return {
    api: guardDutyMembersApi(client, deadline),
    undoApi: guardDutyMembersApi(client, deadline.extendedBy(CLEANUP_RESERVE_MS)),
    lists: {
      read: (location) => {
        s3 ??= createS3Client();
        return s3MemberListReader(s3, deadline).read(location);
      },
    },
    organization: {
      reader: () => {
        organizations ??= createOrganizationsClient();
        return organizationsReader(organizations, deadline);
      },
      // The handler runs in the administrator's account, which is the stack's.
      administratorAccountId: /^arn:[^:]+:cloudformation:[^:]*:(\d{12}):/.exec(event.StackId ?? '')?.[1],
      requestId: event.RequestId,
      log,
    },
    checkRollback: () => {
      cloudFormation ??= createCloudFormationClient();
      return checkRollback(cloudFormation, event.StackId, deadline);
    },
    log,
    remainingMs: () => deadline.remainingMs(),
    requestId: event.RequestId,
    eventBytes: Buffer.byteLength(JSON.stringify(event), 'utf8'),
  };
}

/**
 * The declared fleet of these properties, whichever way it is declared: the member-list
 * asset read back into `Members`, then the accounts `OrganizationMembers` selects added.
 */
export async function declaredProperties(raw: unknown, run: RunContext): Promise<DeclaredFleet> {
  return withOrganizationMembers(await withMemberList(raw, run.lists), run.organization);
}

/**
 * Properties the run only consults (the old ones of an Update, those of a Delete), with
 * their member list read. A list that cannot be read (an asset deleted since, say) leaves
 * the properties without members, which reads as unreadable properties: nothing is
 * removed, and the log says why. Properties without DESTROY read no list at all.
 */
export async function previousProperties(raw: unknown, run: RunContext): Promise<unknown> {
  if (typeof raw !== 'object' || raw === null || (raw as Record<string, unknown>).RemovalPolicy !== 'DESTROY') {
    return raw;
  }
  let withList: unknown;
  try {
    withList = await withMemberList(raw, run.lists);
  } catch (error) {
    run.log.warn('could not read the member list of these properties; nothing they declare is removed', { error: String((error as Error).message ?? error) });
    return Object.fromEntries(Object.entries(raw).filter(([name]) => name !== 'MemberList'));
  }
  // Organizations unreadable: only the accounts `Members` names count as declared, so
  // nothing the selection chose is removed on its account.
  try {
    return (await withOrganizationMembers(withList, run.organization)).properties;
  } catch (error) {
    run.log.warn('could not resolve the organization selection of these properties; none of the accounts it selects is removed', { error: String((error as Error).message ?? error) });
    return Object.fromEntries(Object.entries(withList as Record<string, unknown>).filter(([name]) => name !== 'OrganizationMembers'));
  }
}

/** What this invocation can learn of the organization's reach on `detectorId`: asked once, by the first batch that creates a member. */
export function reachOf(run: RunContext, detectorId: string, fleet: Pick<DeclaredFleet, 'organizationAccountIds'>): OrganizationReach {
  return organizationReach(() => run.api.describeOrganizationConfiguration(detectorId), fleet.organizationAccountIds);
}

export function parseOrUndefined(raw: unknown, log: Logger): InvitationSettings | undefined {
  try {
    return parseInvitationSettings(raw);
  } catch (error) {
    log.warn('ignoring unreadable properties', { error: String(error instanceof Error ? error.message : error) });
    return undefined;
  }
}

export async function resolveDetectorId(api: GuardDutyMembersApi, settings: InvitationSettings): Promise<string> {
  if (settings.detectorId) {
    return settings.detectorId;
  }
  const found = await api.findDetectorId();
  if (!found) {
    throw new HandlerError(
      `GuardDuty has no detector in account ${process.env.AWS_ACCOUNT_ID ?? 'of this stack'} and region ${process.env.AWS_REGION ?? 'of this stack'}. ` +
        'Enable GuardDuty there first (for example with a guardduty.CfnDetector in the same stack, passing detector.ref as detectorId), ' +
        'or pass the ID of an existing detector as detectorId.',
    );
  }
  return found;
}

export function logRemoval(log: Logger, detectorId: string, removal: RemovalResult): void {
  if (removal.removed.length > 0 || removal.refused.length > 0) {
    log.info('removed dropped members', { detectorId, removed: removal.removed, refused: removal.refused.map((u) => `${u.accountId}: ${u.result}`) });
  }
}
