import { DisableOrganizationAdminAccountCommand, EnableOrganizationAdminAccountCommand, GuardDutyClient, ListOrganizationAdminAccountsCommand } from '@aws-sdk/client-guardduty';
import { Deadline } from '../shared/deadline';
import { AdminAccount } from './delegation-plan';

/** The management account's GuardDuty calls, the handler's only I/O; bounded by the deadline. */
export interface GuardDutyDelegationApi {
  listAdminAccounts(): Promise<AdminAccount[]>;
  enable(adminAccountId: string): Promise<void>;
  disable(adminAccountId: string): Promise<void>;
}

/** The list holds at most one account (the model's max); more pages than this is a token that never ends. */
const MAX_PAGES = 20;

export function guardDutyDelegationApi(client: GuardDutyClient, deadline: Deadline): GuardDutyDelegationApi {
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
  };
}
