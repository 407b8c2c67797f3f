import { DisableOrganizationAdminAccountCommand, EnableOrganizationAdminAccountCommand, GuardDutyClient, ListOrganizationAdminAccountsCommand } from '@aws-sdk/client-guardduty';
import { CreateServiceLinkedRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { EnableAWSServiceAccessCommand, ListAWSServiceAccessForOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { MALWARE_PROTECTION_SERVICE_PRINCIPAL } from '../../lib/private/delegated-administrator-contract';
import { Deadline } from '../shared/deadline';
import { AdminAccount } from './delegation-plan';
import { isServiceLinkedRoleTaken } from './malware-protection-plan';

/** The management account's calls, the handler's only I/O; bounded by the deadline. */
export interface GuardDutyDelegationApi {
  listAdminAccounts(): Promise<AdminAccount[]>;
  enable(adminAccountId: string): Promise<void>;
  disable(adminAccountId: string): Promise<void>;
  /** The service principals AWS Organizations trusts (ListAWSServiceAccessForOrganization). */
  listTrustedServicePrincipals(): Promise<string[]>;
  /** EnableAWSServiceAccess for Malware Protection. */
  enableMalwareProtectionTrustedAccess(): Promise<void>;
  /** Creates Malware Protection's service-linked role; `exists` when IAM says it was there already. */
  createMalwareProtectionServiceLinkedRole(): Promise<'created' | 'exists'>;
}

/** The clients the API uses; Organizations and IAM are made only for the calls that need them. */
export interface DelegationClients {
  readonly guardDuty: GuardDutyClient;
  readonly organizations: () => OrganizationsClient;
  readonly iam: () => IAMClient;
}

/** The list holds at most one account (the model's max); more pages than this is a token that never ends. */
const MAX_PAGES = 20;

export function guardDutyDelegationApi(clients: DelegationClients, deadline: Deadline): GuardDutyDelegationApi {
  const client = clients.guardDuty;
  return {
    async listAdminAccounts() {
      const accounts: AdminAccount[] = [];
      let nextToken: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const output = await deadline.run('listing the delegated administrators', (abortSignal) =>
          client.send(new ListOrganizationAdminAccountsCommand({ MaxResults: 50, NextToken: nextToken }), { abortSignal }),
        );
        for (const account of output.AdminAccounts ?? []) {
          if (account.AdminAccountId) {
            accounts.push({ adminAccountId: account.AdminAccountId, adminStatus: account.AdminStatus ?? 'UNKNOWN' });
          }
        }
        nextToken = output.NextToken || undefined;
        if (nextToken === undefined) {
          break;
        }
      }
      return accounts;
    },

    async enable(adminAccountId) {
      await deadline.run('enabling the delegated administrator', (abortSignal) =>
        client.send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: adminAccountId }), { abortSignal }),
      );
    },

    async disable(adminAccountId) {
      await deadline.run('disabling the delegated administrator', (abortSignal) =>
        client.send(new DisableOrganizationAdminAccountCommand({ AdminAccountId: adminAccountId }), { abortSignal }),
      );
    },

    async listTrustedServicePrincipals() {
      const principals: string[] = [];
      let nextToken: string | undefined;
      // An organization trusts a few dozen services at most: 20 pages of 20 is plenty.
      for (let page = 0; page < MAX_PAGES; page++) {
        const output = await deadline.run('listing the services AWS Organizations trusts', (abortSignal) =>
          clients.organizations().send(new ListAWSServiceAccessForOrganizationCommand({ MaxResults: 20, NextToken: nextToken }), { abortSignal }),
        );
        principals.push(...(output.EnabledServicePrincipals ?? []).flatMap((service) => (service.ServicePrincipal ? [service.ServicePrincipal] : [])));
        nextToken = output.NextToken || undefined;
        if (nextToken === undefined) {
          break;
        }
      }
      return principals;
    },

    async enableMalwareProtectionTrustedAccess() {
      await deadline.run('enabling trusted access for Malware Protection', (abortSignal) =>
        clients.organizations().send(new EnableAWSServiceAccessCommand({ ServicePrincipal: MALWARE_PROTECTION_SERVICE_PRINCIPAL }), { abortSignal }),
      );
    },

    async createMalwareProtectionServiceLinkedRole() {
      try {
        await deadline.run('creating the Malware Protection service-linked role', (abortSignal) =>
          clients.iam().send(new CreateServiceLinkedRoleCommand({ AWSServiceName: MALWARE_PROTECTION_SERVICE_PRINCIPAL }), { abortSignal }),
        );
        return 'created';
      } catch (error) {
        if (isServiceLinkedRoleTaken(error)) {
          return 'exists';
        }
        throw error;
      }
    },
  };
}
