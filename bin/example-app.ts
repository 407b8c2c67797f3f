import * as path from 'path';
import { App, AppProps, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
// '../lib/index', not '../lib': for a directory tsx would load lib/index.js, which jsii
// compiled at the last build and may be stale; for a file it prefers the .ts source.
import { GuardDutyInvitationAccepter, GuardDutyMemberInvitations, MemberAccount, MemberAccounts, UnprocessedAccountsAction } from '../lib/index';

/**
 * An example GuardDuty fleet by invitation: the security account administers two member
 * accounts in two regions. GuardDuty is regional, so each region has its own
 * administrator stack (a detector and the invitations) and each member account its own
 * stack per region (a detector and the accepter).
 *
 * Each side watches its part after the deployment: the administrator's monitor compares
 * GuardDuty's member list with the CSV, the member's checks it is still a member.
 *
 * `cdk deploy --all` converges whatever order the stacks deploy in, without dependencies
 * between them (they live in different accounts): an accepter deployed first waits for
 * its invitation (invitationTimeout), and an administrator deployed first invites
 * accounts that need not have GuardDuty enabled yet.
 *
 * The accounts and regions are fixed example values, so `cdk synth` runs offline with no
 * credentials. cdk-nag's AwsSolutions checks run on every synth and fail it on any
 * finding that is not acknowledged.
 */
export const ADMINISTRATOR_ACCOUNT = '111111111111';
export const REGIONS = ['us-east-1', 'eu-west-1'];
/** The member fleet, kept in the AWS sample scripts' AccountId,Email CSV format. */
export const MEMBERS_CSV = path.join(__dirname, '..', 'examples', 'guardduty-members.csv');

/**
 * GuardDuty's protection plans as features, the API since March 2023 (GuardDuty refuses
 * a detector with both features and the older dataSources); add the plans your accounts
 * use. S3 protection is what Control Tower's CT.GUARDDUTY.PR.1 asks for, though its rule
 * as shipped still reads dataSources (README, "Guardrails").
 */
const DETECTOR_PROPS: guardduty.CfnDetectorProps = {
  enable: true,
  features: [{ name: 'S3_DATA_EVENTS', status: 'ENABLED' }],
};

class AdministratorStack extends Stack {
  constructor(scope: Construct, id: string, members: MemberAccount[], props: StackProps) {
    super(scope, id, { ...props, description: 'GuardDuty administrator: detector and member invitations (cdk-guardduty-members example)' });
    const detector = new guardduty.CfnDetector(this, 'Detector', DETECTOR_PROPS);
    const invitations = new GuardDutyMemberInvitations(this, 'Members', {
      detectorId: detector.ref,
      members,
      message: 'Please accept the GuardDuty invitation from the security account.',
      onUnprocessed: UnprocessedAccountsAction.REPORT,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // After the deployment: every 6 hours, compare the members with the CSV, alarm on
    // drift, and re-invite a member that left (at most once a week).
    invitations.addMonitor({ healing: true, alarmOnUndeclaredMembers: true });
  }
}

class MemberStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, { ...props, description: 'GuardDuty member: detector and acceptance of the administrator invitation (cdk-guardduty-members example)' });
    const detector = new guardduty.CfnDetector(this, 'Detector', DETECTOR_PROPS);
    new GuardDutyInvitationAccepter(this, 'Administrator', {
      administratorAccountId: ADMINISTRATOR_ACCOUNT,
      detectorId: detector.ref,
      removalPolicy: RemovalPolicy.DESTROY,
    }).addMonitor();
  }
}

export function buildExampleApp(props?: AppProps): App {
  const app = new App(props);
  const members = MemberAccounts.fromCsvFile(MEMBERS_CSV);
  for (const region of REGIONS) {
    new AdministratorStack(app, `GuardDutyAdministrator-${region}`, members, { env: { account: ADMINISTRATOR_ACCOUNT, region } });
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
