import { App, AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ADMINISTRATOR_ACCOUNT, AdministratorStack, MemberStack, REGIONS, fleetMembers } from './guardduty-fleet';

export { ADMINISTRATOR_ACCOUNT, MEMBERS_CSV, REGIONS } from './guardduty-fleet';

/**
 * The example fleet (./guardduty-fleet.ts) as one app for `cdk deploy --all`: an
 * administrator stack per region and a member stack per account and region.
 *
 * `cdk deploy --all` converges whatever order the stacks deploy in, without dependencies
 * between them (they live in different accounts): an accepter deployed first waits for
 * its invitation (invitationTimeout), and an administrator deployed first invites
 * accounts that need not have GuardDuty enabled yet.
 *
 * cdk-nag's AwsSolutions checks run on every synth and fail it on any finding that is not
 * acknowledged.
 */
export function buildExampleApp(props?: AppProps): App {
  const app = new App(props);
  const members = fleetMembers();
  for (const region of REGIONS) {
    new AdministratorStack(app, `GuardDutyAdministrator-${region}`, { members, env: { account: ADMINISTRATOR_ACCOUNT, region } });
    for (const member of members) {
      new MemberStack(app, `GuardDutyMember-${member.accountId}-${region}`, { env: { account: member.accountId, region } });
    }
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}

if (require.main === module) {
  buildExampleApp().synth();
}
