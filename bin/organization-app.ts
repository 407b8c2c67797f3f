import { App, AppProps, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
// '../lib/index', not '../lib': see example-app.ts.
import { GuardDutyDelegatedAdministrator, GuardDutyOrganizationConfiguration, OrganizationAutoEnable } from '../lib/index';

/**
 * An example GuardDuty organization, apart from the by-invitation example in
 * example-app.ts: the management account makes the security account the GuardDuty
 * delegated administrator in each region, and the security account sets the organization
 * configuration there (every account enrolled, with S3 data events and runtime monitoring
 * and its agents).
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
      autoEnableOrganizationMembers: OrganizationAutoEnable.ALL,
      features: [
        { name: 'S3_DATA_EVENTS', autoEnable: OrganizationAutoEnable.ALL },
        {
          name: 'RUNTIME_MONITORING',
          autoEnable: OrganizationAutoEnable.ALL,
          additionalConfiguration: [
            { name: 'EKS_ADDON_MANAGEMENT', autoEnable: OrganizationAutoEnable.ALL },
            { name: 'ECS_FARGATE_AGENT_MANAGEMENT', autoEnable: OrganizationAutoEnable.ALL },
            { name: 'EC2_AGENT_MANAGEMENT', autoEnable: OrganizationAutoEnable.NEW },
          ],
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
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
