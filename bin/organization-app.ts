import { App, AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { declareGuardDutyOrganization } from './guardduty-organization';

export * from './guardduty-organization';

/**
 * The example organization (./guardduty-organization.ts) in every region, as one app for
 * `cdk deploy --all --concurrency N`: per region, a management stack, an administrator
 * stack that depends on it and on the findings archive, and a stack per outside account
 * that depends on the administrator's; once, the findings archive (log-archive account)
 * and the organization's policies (management account), in us-east-1. Regions do not
 * depend on each other, so they deploy in parallel.
 *
 * First deployment: `cdk deploy GuardDuty/FindingsArchive-us-east-1`, put its
 * `FindingsKeyArn` output in cdk.json's context (`guardduty:findingsKeyArn`), then
 * `cdk deploy --all`.
 *
 * `npm run synth:organization` synthesizes it offline, with cdk-nag's AwsSolutions checks.
 */
export function buildOrganizationApp(props?: AppProps): App {
  const app = new App(props);
  declareGuardDutyOrganization(app);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}

if (require.main === module) {
  buildOrganizationApp().synth();
}
