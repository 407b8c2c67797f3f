import { App, AppProps, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
// '../lib/index', not '../lib': see example-app.ts.
import {
  GuardDutyDelegatedAdministrator,
  GuardDutyMemberInvitations,
  GuardDutyOrganizationConfiguration,
  OrganizationAutoEnable,
  OrganizationMembers,
  UnprocessedAccountsAction,
} from '../lib/index';

/**
 * An example GuardDuty organization, apart from the by-invitation example in
 * example-app.ts: the management account makes the security account the GuardDuty
 * delegated administrator in each region, and the security account, in one stack per
 * region, declares its whole fleet: every account under the workload OUs (read from
 * Organizations at each deployment), plus three accounts outside the organization (by
 * invitation), with auto-enable NEW for accounts that join the organization later and
 * S3 data events and runtime monitoring with its agents.
 *
 * Deploy the management stacks first: EnableOrganizationAdminAccount enables GuardDuty in
 * the security account, whose stacks then find that detector (no detectorId, no
 * CfnDetector: one already exists).
 *
 * `npm run synth:organization` synthesizes it offline, with cdk-nag's AwsSolutions checks.
 */
export const MANAGEMENT_ACCOUNT = '999999999999';
export const SECURITY_ACCOUNT = '111111111111';
export const ORGANIZATION_REGIONS = ['us-east-1', 'eu-west-1'];
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

class ManagementStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, { ...props, description: 'GuardDuty delegated administrator of the organization (cdk-guardduty-members example)' });
    new GuardDutyDelegatedAdministrator(this, 'GuardDutyAdministrator', { adminAccountId: SECURITY_ACCOUNT });
  }
}

class OrganizationConfigurationStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, { ...props, description: 'GuardDuty organization configuration, from the delegated administrator (cdk-guardduty-members example)' });
    new GuardDutyOrganizationConfiguration(this, 'Organization', {
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
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // The accounts already in the workload OUs (auto-enable NEW covers only those that
    // join from now on) and the three outside accounts, in one declared fleet.
    new GuardDutyMemberInvitations(this, 'Members', {
      organizationMembers: OrganizationMembers.underOrganizationalUnits(WORKLOAD_UNITS, { excludeAccountIds: [EXCLUDED_ACCOUNT] }),
      members: OUTSIDE_ACCOUNTS,
      onUnprocessed: UnprocessedAccountsAction.REPORT,
    });
  }
}

export function buildOrganizationApp(props?: AppProps): App {
  const app = new App(props);
  for (const region of ORGANIZATION_REGIONS) {
    new ManagementStack(app, `GuardDutyManagement-${region}`, { env: { account: MANAGEMENT_ACCOUNT, region } });
    new OrganizationConfigurationStack(app, `GuardDutyOrganization-${region}`, { env: { account: SECURITY_ACCOUNT, region } });
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}

if (require.main === module) {
  buildOrganizationApp().synth();
}
