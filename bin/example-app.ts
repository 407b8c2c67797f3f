import { App, AppProps, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import { AwsSolutionsChecks } from 'cdk-nag';
// '../lib/index', not '../lib': for a directory tsx would load lib/index.js, which jsii
// compiled at the last build and may be stale; for a file it prefers the .ts source.
import { GuardDutyMemberInvitations, UnprocessedAccountsAction } from '../lib/index';

/**
 * An example GuardDuty administrator: it enables GuardDuty and invites three accounts.
 * The account and region are fixed example values so `cdk synth` runs offline, with no
 * credentials; `cdk-nag`'s AwsSolutions checks run on every synth, which fails on any
 * finding that is not acknowledged.
 */
export function buildExampleApp(props?: AppProps): App {
  const app = new App(props);
  const stack = new Stack(app, 'GuardDutyAdministratorExample', {
    env: { account: '111111111111', region: 'us-east-1' },
    description: 'Example GuardDuty administrator that invites member accounts (cdk-guardduty-members)',
  });

  const detector = new guardduty.CfnDetector(stack, 'Detector', { enable: true });

  new GuardDutyMemberInvitations(stack, 'Members', {
    detectorId: detector.ref,
    members: [
      { accountId: '222222222222', email: 'aws-root+workloads@example.com' },
      { accountId: '333333333333', email: 'aws-root+sandbox@example.com' },
      { accountId: '444444444444', email: 'aws-root+data@example.com' },
    ],
    message: 'Please accept the GuardDuty invitation from the security account.',
    onUnprocessed: UnprocessedAccountsAction.REPORT,
    removalPolicy: RemovalPolicy.DESTROY,
  });

  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}

if (require.main === module) {
  buildExampleApp().synth();
}
