import type { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { IAMClient } from '@aws-sdk/client-iam';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { DELEGATED_ADMINISTRATOR_ATTRIBUTE, adminAccountIdOfPhysicalId, delegatedAdministratorPhysicalId } from '../../lib/private/delegated-administrator-contract';
import { Deadline } from '../shared/deadline';
import { createGuardDutyClient } from '../shared/guardduty-client';
import { HandlerError, toHandlerError } from '../shared/handler-error';
import { Logger, createLogger } from '../shared/logger';
import { createOrganizationsClient } from '../shared/organizations-api';
import { CompletionResponse, HandlerResponse } from '../shared/provider-responses';
import { ANOTHER_ADMINISTRATOR_WORDING, ENABLED, conflictMessage, disablingMessage, planDelegation } from './delegation-plan';
import { parseDelegationSettings } from './delegation-properties';
import { GuardDutyDelegationApi, guardDutyDelegationApi } from './guardduty-delegation-api';
import { PrerequisiteStep, planMalwareProtectionPrerequisites, prerequisiteFailureMessage } from './malware-protection-plan';

/** Time kept back from the Lambda timeout for the framework to send its response. */
const RESPONSE_RESERVE_MS = 5_000;
const RERUN_ADVICE = 'a re-run reads the delegated administrator again and does only what is left. Retry the deployment.';

/** One client per service and container: Lambda reuses them across invocations. */
let client: GuardDutyClient | undefined;
let organizations: OrganizationsClient | undefined;
let iam: IAMClient | undefined;

export async function handler(event: CloudFormationCustomResourceEvent, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<HandlerResponse> {
  const log = createLogger({ requestType: event.RequestType, logicalResourceId: event.LogicalResourceId, requestId: event.RequestId });
  try {
    switch (event.RequestType) {
      case 'Create':
        return await onCreateOrUpdate(apiFor(context), event, undefined, log);
      case 'Update':
        return await onCreateOrUpdate(apiFor(context), event, event.OldResourceProperties, log);
      case 'Delete':
        return await onDelete(apiFor(context), event, log);
      default:
        throw new HandlerError(`Unknown RequestType ${JSON.stringify((event as { RequestType?: unknown }).RequestType)}: expected Create, Update or Delete.`);
    }
  } catch (error) {
    throw toHandlerError(error, log);
  }
}

/** Nothing to wait for: EnableOrganizationAdminAccount applies when it returns. */
export async function isComplete(): Promise<CompletionResponse> {
  return { IsComplete: true };
}

/**
 * Reads the delegated administrator first and enables the declared account only when no
 * account holds the role. On an Update to a new account, the account this resource
 * designated hands the role over (disable, then enable); an account it did not designate
 * is never disabled. With MalwareProtectionPrerequisites, their setup follows the
 * delegation (see ensureMalwareProtectionPrerequisites).
 */
async function onCreateOrUpdate(api: GuardDutyDelegationApi, event: CloudFormationCustomResourceEvent, oldProperties: unknown, log: Logger): Promise<HandlerResponse> {
  const { adminAccountId, malwareProtectionPrerequisites } = parseDelegationSettings(event.ResourceProperties);
  const previous = (oldProperties as { AdminAccountId?: unknown } | undefined)?.AdminAccountId;
  const previousAdminAccountId = typeof previous === 'string' && previous !== adminAccountId ? previous : undefined;
  const result = await delegate(api, adminAccountId, previousAdminAccountId, regionOf(event), log);
  if (malwareProtectionPrerequisites) {
    await ensureMalwareProtectionPrerequisites(api, log);
  }
  return result;
}

async function delegate(api: GuardDutyDelegationApi, adminAccountId: string, previousAdminAccountId: string | undefined, region: string | undefined, log: Logger): Promise<HandlerResponse> {
  const step = planDelegation(await api.listAdminAccounts(), adminAccountId, previousAdminAccountId);
  log.info('planned', { adminAccountId, previousAdminAccountId, step: step.kind });
  switch (step.kind) {
    case 'done':
      return response(adminAccountId, step.adminStatus);
    case 'disabling':
      throw new HandlerError(disablingMessage(adminAccountId));
    case 'conflict':
      throw new HandlerError(conflictMessage(adminAccountId, step.holderAccountId, region));
    case 'hand-over':
      await disable(api, step.fromAdminAccountId, log);
      log.warn('removed the previous delegated administrator to hand the role over', { from: step.fromAdminAccountId, to: adminAccountId });
      return enable(api, adminAccountId, region, log);
    case 'enable':
      return enable(api, adminAccountId, region, log);
  }
}

/**
 * Trusted access for Malware Protection and its service-linked role, each only if
 * missing. Never undone, on Update or Delete: trusted access is organization-wide and
 * other tools (or the console's switch) may have asked for it, and IAM refuses to delete
 * the role while Malware Protection uses it.
 */
async function ensureMalwareProtectionPrerequisites(api: GuardDutyDelegationApi, log: Logger): Promise<void> {
  // Reading the trusted services is part of the trusted-access step: outside the
  // management account it is that read Organizations refuses.
  let step: PrerequisiteStep = 'enable-trusted-access';
  try {
    for (step of planMalwareProtectionPrerequisites(await api.listTrustedServicePrincipals())) {
      log.info('Malware Protection prerequisite', { step, outcome: await runPrerequisite(api, step) });
    }
  } catch (error) {
    const cause = error as { name?: string; message?: string };
    throw new HandlerError(`${prerequisiteFailureMessage(step)} (${cause?.name ?? 'Error'}: ${cause?.message ?? String(error)})`);
  }
}

async function runPrerequisite(api: GuardDutyDelegationApi, step: PrerequisiteStep): Promise<string> {
  if (step === 'enable-trusted-access') {
    await api.enableMalwareProtectionTrustedAccess();
    return 'enabled';
  }
  return api.createMalwareProtectionServiceLinkedRole();
}

/**
 * Enables the account. A refusal is judged by what it leaves: the declared account
 * enabled (a retried call whose first response was lost) is success; another account
 * enabled in the meantime is a conflict named with both accounts.
 */
async function enable(api: GuardDutyDelegationApi, adminAccountId: string, region: string | undefined, log: Logger): Promise<HandlerResponse> {
  try {
    await api.enable(adminAccountId);
  } catch (error) {
    const after = planDelegation(await api.listAdminAccounts(), adminAccountId);
    if (after.kind === 'done') {
      log.warn('the enable call failed, but the account is the delegated administrator', { adminAccountId, error: String((error as Error)?.message ?? error) });
      return response(adminAccountId, after.adminStatus);
    }
    if (after.kind === 'conflict' || String((error as Error)?.message ?? '').includes(ANOTHER_ADMINISTRATOR_WORDING)) {
      const holder = after.kind === 'conflict' ? after.holderAccountId : 'another account';
      throw new HandlerError(`${conflictMessage(adminAccountId, holder, region)} (GuardDuty: ${(error as Error).message})`);
    }
    throw error;
  }
  log.info('enabled the delegated administrator', { adminAccountId });
  return response(adminAccountId, ENABLED);
}

/**
 * Disables the account as delegated administrator. A Disable whose response was lost
 * (GuardDuty applied it; the SDK's retry then meets an account that no longer holds the
 * role and is refused) is success once the account is seen to hold the role no more:
 * otherwise a lost response would fail a stack deletion or a hand-over for good.
 */
async function disable(api: GuardDutyDelegationApi, adminAccountId: string, log: Logger): Promise<void> {
  try {
    await api.disable(adminAccountId);
  } catch (error) {
    const after = await api.listAdminAccounts();
    if (after.some((account) => account.adminAccountId === adminAccountId && account.adminStatus === ENABLED)) {
      throw error;
    }
    log.warn('the disable call failed, but the account no longer holds the role', { adminAccountId, error: String((error as Error)?.message ?? error) });
  }
}

/**
 * With DESTROY, disables the account the physical ID names, and only while it holds the
 * role: after a hand-over, the Delete of the old resource must not touch the new account.
 */
async function onDelete(api: GuardDutyDelegationApi, event: CloudFormationCustomResourceEvent & { PhysicalResourceId: string }, log: Logger): Promise<HandlerResponse> {
  const physicalResourceId = event.PhysicalResourceId;
  const removalPolicy = (event.ResourceProperties as { RemovalPolicy?: unknown } | undefined)?.RemovalPolicy;
  const adminAccountId = adminAccountIdOfPhysicalId(physicalResourceId);
  if (removalPolicy !== 'DESTROY' || adminAccountId === undefined) {
    log.info('Delete: delegated administrator retained', { removalPolicy: String(removalPolicy ?? 'RETAIN'), adminAccountId });
    return { PhysicalResourceId: physicalResourceId };
  }
  const current = await api.listAdminAccounts();
  if (!current.some((account) => account.adminAccountId === adminAccountId && account.adminStatus === ENABLED)) {
    log.info('Delete: the account is not the delegated administrator, nothing to disable', { adminAccountId, current: current.map((account) => account.adminAccountId) });
    return { PhysicalResourceId: physicalResourceId };
  }
  await disable(api, adminAccountId, log);
  log.info('Delete: disabled the delegated administrator', { adminAccountId });
  return { PhysicalResourceId: physicalResourceId };
}

function response(adminAccountId: string, adminStatus: string): HandlerResponse {
  return {
    PhysicalResourceId: delegatedAdministratorPhysicalId(adminAccountId),
    Data: { [DELEGATED_ADMINISTRATOR_ATTRIBUTE.ADMIN_ACCOUNT_ID]: adminAccountId, [DELEGATED_ADMINISTRATOR_ATTRIBUTE.ADMIN_STATUS]: adminStatus },
  };
}

function apiFor(context: Pick<Context, 'getRemainingTimeInMillis'>): GuardDutyDelegationApi {
  client ??= createGuardDutyClient();
  const clients = {
    guardDuty: client,
    organizations: () => (organizations ??= createOrganizationsClient()),
    // As the other clients are configured; the endpoint comes from AWS_ENDPOINT_URL_IAM when set.
    iam: () => (iam ??= new IAMClient({ retryMode: 'adaptive', maxAttempts: 10, requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000, throwOnRequestTimeout: true } })),
  };
  return guardDutyDelegationApi(clients, Deadline.fromRemaining(context.getRemainingTimeInMillis(), RESPONSE_RESERVE_MS, Date.now, RERUN_ADVICE));
}

function regionOf(event: { StackId?: string }): string | undefined {
  return (event.StackId ?? '').split(':')[3] || process.env.AWS_REGION;
}
