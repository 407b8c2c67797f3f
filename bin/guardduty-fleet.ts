import * as path from 'path';
import { RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import { Construct } from 'constructs';
// '../lib/index', not '../lib': for a directory tsx would load lib/index.js, which jsii
// compiled at the last build and may be stale; for a file it prefers the .ts source.
import { GuardDutyInvitationAccepter, GuardDutyMemberInvitations, MemberAccount, MemberAccounts, UnprocessedAccountsAction } from '../lib/index';

/**
 * The example GuardDuty fleet by invitation, shared by the two example apps
 * (`example-app.ts`: `cdk deploy --all`; `pipeline-app.ts`: a CDK pipeline): the security
 * account administers the accounts of examples/guardduty-members.csv in two regions.
 * GuardDuty is regional, so each region has its own administrator stack (a detector and
 * the invitations) and each member account its own stack per region (a detector and the
 * accepter). Each side watches its part after the deployment: the administrator's monitor
 * compares GuardDuty's member list with the CSV, the member's checks it is still a member.
 *
 * The accounts and regions are fixed example values, so `cdk synth` runs offline with no
 * credentials.
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

export function fleetMembers(): MemberAccount[] {
  return MemberAccounts.fromCsvFile(MEMBERS_CSV);
}

export interface AdministratorStackProps extends StackProps {
  readonly members: MemberAccount[];
}

/** The administrator account's side in one region: a detector, and the member invitations. */
export class AdministratorStack extends Stack {
  constructor(scope: Construct, id: string, props: AdministratorStackProps) {
    super(scope, id, { ...props, description: 'GuardDuty administrator: detector and member invitations (cdk-guardduty-members example)' });
    const detector = new guardduty.CfnDetector(this, 'Detector', DETECTOR_PROPS);
    const invitations = new GuardDutyMemberInvitations(this, 'Members', {
      detectorId: detector.ref,
      members: props.members,
      message: 'Please accept the GuardDuty invitation from the security account.',
      onUnprocessed: UnprocessedAccountsAction.REPORT,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // After the deployment: every 6 hours, compare the members with the CSV, alarm on
    // drift, and re-invite a member that left (at most once a week).
    invitations.addMonitor({ healing: true, alarmOnUndeclaredMembers: true });
  }
}

/** A member account's side in one region: a detector, and the acceptance of the administrator's invitation. */
export class MemberStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, { ...props, description: 'GuardDuty member: detector and acceptance of the administrator invitation (cdk-guardduty-members example)' });
    const detector = new guardduty.CfnDetector(this, 'Detector', DETECTOR_PROPS);
    // The member side watches too: still associated with the administrator, detector enabled.
    new GuardDutyInvitationAccepter(this, 'Administrator', {
      administratorAccountId: ADMINISTRATOR_ACCOUNT,
      detectorId: detector.ref,
      removalPolicy: RemovalPolicy.DESTROY,
    }).addMonitor();
  }
}
