import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import * as kms from 'aws-cdk-lib/aws-kms';
import { GuardDutyInvitationAccepter, GuardDutyInvitationAccepterProps, GuardDutyMemberInvitations, GuardDutyMemberInvitationsProps } from '../../lib';
import { Finding, REPORT_INSTEAD_OF_FAILING, addAllRulePacks, synthesizeFindings } from './rule-packs';

// One synthesis for both configurations (cfn-guard and five cdk-nag packs take a while):
// an administrator and a member stack with default props, and a pair with only vpc and
// logEncryptionKey set.

type Placement = (stack: Stack) => Partial<GuardDutyMemberInvitationsProps & GuardDutyInvitationAccepterProps>;
const DEFAULTS: Placement = () => ({});
const PRIVATE: Placement = (stack) => ({ vpc: new ec2.Vpc(stack, 'Vpc'), logEncryptionKey: new kms.Key(stack, 'LogKey', { enableKeyRotation: true }) });

/** What the README shows: a detector with GuardDuty's features, not the older dataSources. */
function detectorId(stack: Stack): string {
  return new guardduty.CfnDetector(stack, 'Detector', {
    enable: true,
    features: [{ name: 'S3_DATA_EVENTS', status: 'ENABLED' }],
  }).ref;
}

/** The construct paths our library owns in a stack: the construct and the stack's provider. */
const OURS = ['Members', 'GuardDutyMemberInvitationsProvider', 'Accepter', 'GuardDutyInvitationAccepterProvider'];

let outdir: string;
let findings: Finding[];
let plugins: string[];

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'guardrails-'));
  const app = new App({ outdir, context: REPORT_INSTEAD_OF_FAILING });
  for (const [name, placement] of [['Default', DEFAULTS], ['Private', PRIVATE]] as const) {
    const administrator = new Stack(app, `Administrator${name}`, { env: { account: '111111111111', region: 'us-east-1' } });
    new GuardDutyMemberInvitations(administrator, 'Members', {
      detectorId: detectorId(administrator),
      members: [{ accountId: '222222222222', email: 'workloads@example.com' }],
      ...placement(administrator),
    });
    const member = new Stack(app, `Member${name}`, { env: { account: '222222222222', region: 'us-east-1' } });
    new GuardDutyInvitationAccepter(member, 'Accepter', { administratorAccountId: '111111111111', detectorId: detectorId(member), ...placement(member) });
  }
  addAllRulePacks(app);
  ({ findings, plugins } = synthesizeFindings(app));
});

afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

function ourFindings(stackName: string): Finding[] {
  return findings.filter((finding) => OURS.some((id) => finding.constructPath.startsWith(`${stackName}/${id}/`)));
}

const asText = (list: Finding[]) => list.map((f) => `${f.rule} (${f.severity}) ${f.constructPath}`).sort();

test('the rule packs ran: cfn-guard reports the Control Tower controls it finds on the user\'s own key and detector', () => {
  expect(plugins).toEqual(expect.arrayContaining(['cdk-validator-cfnguard']));
  const guard = findings.filter((f) => f.plugin === 'cdk-validator-cfnguard').map((f) => `${f.rule} ${f.constructPath}`);
  // The key has no statement limiting kms:CreateGrant to AWS services; GuardDuty's shipped
  // CT.GUARDDUTY.PR.1 rule still checks the pre-2023 DataSources.S3Logs (see README).
  expect(guard).toEqual(expect.arrayContaining(['CT.KMS.PR.3 AdministratorPrivate/LogKey/Resource', 'CT.GUARDDUTY.PR.1 AdministratorDefault/Detector']));
});

describe.each(['AdministratorPrivate', 'MemberPrivate'])('with only vpc and logEncryptionKey (%s)', (stackName) => {
  test('no rule pack reports an unacknowledged error or warning on our constructs', () => {
    expect(asText(ourFindings(stackName))).toEqual([]);
  });
});

describe.each([
  ['AdministratorDefault', 'GuardDutyMemberInvitationsProvider'],
  ['MemberDefault', 'GuardDutyInvitationAccepterProvider'],
])('with default props (%s)', (stackName, provider) => {
  test('the only findings are those vpc and logEncryptionKey resolve', () => {
    expect([...new Set(ourFindings(stackName).map((f) => `${f.plugin}: ${f.rule}`))].sort()).toEqual([
      'HIPAA.Security: HIPAA.Security-CloudWatchLogGroupEncrypted',
      'HIPAA.Security: HIPAA.Security-LambdaInsideVPC',
      'NIST.800.53.R5: NIST.800.53.R5-CloudWatchLogGroupEncrypted',
      'NIST.800.53.R5: NIST.800.53.R5-LambdaInsideVPC',
      'PCI.DSS.321: PCI.DSS.321-CloudWatchLogGroupEncrypted',
      'PCI.DSS.321: PCI.DSS.321-LambdaInsideVPC',
      'cdk-validator-cfnguard: CT.CLOUDWATCH.PR.3',
      'cdk-validator-cfnguard: CT.LAMBDA.PR.3',
    ]);
  });

  test('they name every function and every log group of the provider', () => {
    const on = (rule: string) => ourFindings(stackName).filter((f) => f.rule === rule).map((f) => f.constructPath.slice(`${stackName}/${provider}/`.length)).sort();

    expect(on('CT.LAMBDA.PR.3')).toEqual([
      'Handler/Resource',
      'IsCompleteHandler/Resource',
      'Provider/framework-isComplete/Resource',
      'Provider/framework-onEvent/Resource',
      'Provider/framework-onTimeout/Resource',
    ]);
    expect(on('CT.CLOUDWATCH.PR.3')).toEqual(['HandlerLogGroup/Resource', 'ProviderLogGroup/Resource', 'WaiterLogGroup/Resource']);
  });
});
