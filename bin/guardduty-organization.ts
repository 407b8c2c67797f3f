import { Construct } from 'constructs';
// '../lib/index', not '../lib': see guardduty-fleet.ts.
import { GuardDutyOrganizationRollout, OrganizationAutoEnable, OrganizationMembers, UnprocessedAccountsAction } from '../lib/index';

/**
 * The example GuardDuty organization in every region, shared by organization-app.ts
 * (`cdk deploy --all`) and pipeline-app.ts (a CDK pipeline in waves): the management
 * account makes the security account the delegated administrator in each region; the
 * security account configures the organization there (auto-enable NEW, S3 data events,
 * runtime monitoring with its agents) and makes members of every account under the
 * workload OUs (read from Organizations at each deployment) and of three accounts outside
 * the organization (by invitation), which accept in a stack of their own per region.
 *
 * The regions: every commercial region enabled by default, plus the one opt-in region
 * this organization has enabled in all its accounts (eu-central-2), where one outside
 * account has not enabled it and is left out.
 *
 * The accounts are fixed example values, so `cdk synth` runs offline with no credentials.
 */
export const MANAGEMENT_ACCOUNT = '999999999999';
export const SECURITY_ACCOUNT = '111111111111';
/** The OUs whose accounts (in them and in every OU below) are members. */
export const WORKLOAD_UNITS = ['ou-ab12-workload', 'ou-ab12-platform1'];
/** An organization account GuardDuty should leave alone (a break-glass account, say). */
export const EXCLUDED_ACCOUNT = '777777777777';
/** Accounts outside the organization: invited, with their root user email. */
export const OUTSIDE_ACCOUNTS = [
  { accountId: '444444444444', email: 'aws-root+partner-analytics@example.com' },
  { accountId: '555555555555', email: 'aws-root+acquired-shop@example.com' },
  { accountId: '666666666666', email: 'aws-root+contractor-lab@example.com' },
];
/** Opt-in regions enabled in every account of the organization. */
export const ENABLED_OPT_IN_REGIONS = ['eu-central-2'];
/** The outside account that has not enabled eu-central-2: it gets no stack there. */
export const CONTRACTOR_LAB_ACCOUNT = '666666666666';

/** Where the rollout puts each role's stacks: one Stage per pipeline wave, say. */
export interface GuardDutyOrganizationScopes {
  readonly managementScope?: Construct;
  readonly administratorScope?: Construct;
  readonly memberScope?: Construct;
}

export function declareGuardDutyOrganization(scope: Construct, scopes: GuardDutyOrganizationScopes = {}): GuardDutyOrganizationRollout {
  return new GuardDutyOrganizationRollout(scope, 'GuardDuty', {
    managementAccountId: MANAGEMENT_ACCOUNT,
    administratorAccountId: SECURITY_ACCOUNT,
    autoEnableOrganizationMembers: OrganizationAutoEnable.NEW,
    features: [
      { name: 'S3_DATA_EVENTS', autoEnable: OrganizationAutoEnable.NEW },
      {
        name: 'RUNTIME_MONITORING',
        autoEnable: OrganizationAutoEnable.NEW,
        additionalConfiguration: [
          { name: 'EKS_ADDON_MANAGEMENT', autoEnable: OrganizationAutoEnable.NEW },
          { name: 'ECS_FARGATE_AGENT_MANAGEMENT', autoEnable: OrganizationAutoEnable.NEW },
          { name: 'EC2_AGENT_MANAGEMENT', autoEnable: OrganizationAutoEnable.NEW },
        ],
      },
    ],
    // The accounts already in the workload OUs (auto-enable NEW covers only those that
    // join from now on) and the three outside accounts, in one declared fleet.
    organizationMembers: OrganizationMembers.underOrganizationalUnits(WORKLOAD_UNITS, { excludeAccountIds: [EXCLUDED_ACCOUNT] }),
    members: OUTSIDE_ACCOUNTS,
    invitationMessage: 'Please accept the GuardDuty invitation from the security account.',
    onUnprocessed: UnprocessedAccountsAction.REPORT,
    enabledOptInRegions: ENABLED_OPT_IN_REGIONS,
    regionOverrides: [{ region: 'eu-central-2', excludeMemberAccountIds: [CONTRACTOR_LAB_ACCOUNT] }],
    // Each outside account watches that it is still a member, in every region.
    administratorMonitor: {},
    // The same stack names whether `cdk deploy --all` or the pipeline deploys them.
    stackNamePrefix: 'GuardDuty',
    ...scopes,
  });
}
