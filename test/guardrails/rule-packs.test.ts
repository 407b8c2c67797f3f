import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, CloudFormationValidatePlugin, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { GuardDutyDelegatedAdministrator, GuardDutyInvitationAccepter, GuardDutyMemberInvitations, GuardDutyOrganizationConfiguration, OrganizationAutoEnable } from '../../lib';
import { Finding, REPORT_INSTEAD_OF_FAILING, addAllRulePacks, synthesizeFindings } from './rule-packs';

// One synthesis for both configurations (cfn-guard and six cdk-nag packs take a while),
// with all five constructs: an administrator stack (invitations with their monitor, and
// the organization configuration), a member stack (the accepter with its monitor) and a
// management stack (the delegated administrator). "Default" passes no option; "Private"
// passes only vpc and logEncryptionKey, plus an alarm topic for the monitors (and
// malwareProtectionPrerequisites on the delegated administrator).

interface Options {
  readonly vpc?: ec2.IVpc;
  readonly logEncryptionKey?: kms.IKey;
  readonly alarmTopic?: sns.ITopic;
}
type Configuration = (stack: Stack) => Options;
const DEFAULTS: Configuration = () => ({});
const PRIVATE: Configuration = (stack) => {
  const logEncryptionKey = new kms.Key(stack, 'LogKey', { enableKeyRotation: true });
  return {
    vpc: new ec2.Vpc(stack, 'Vpc'),
    logEncryptionKey,
    alarmTopic: new sns.Topic(stack, 'Alarms', { masterKey: logEncryptionKey, enforceSSL: true }),
  };
};

/** What the README shows: a detector with GuardDuty's features, not the older dataSources. */
function detectorId(stack: Stack): string {
  return new guardduty.CfnDetector(stack, 'Detector', {
    enable: true,
    features: [{ name: 'S3_DATA_EVENTS', status: 'ENABLED' }],
  }).ref;
}

/** The construct paths our library owns in a stack: the constructs (monitors included) and the stacks' providers. */
const OURS = [
  'Members',
  'GuardDutyMemberInvitationsProvider',
  'Organization',
  'GuardDutyOrganizationConfigurationProvider',
  'Accepter',
  'GuardDutyInvitationAccepterProvider',
  'GuardDutyAdministrator',
  'GuardDutyDelegatedAdministratorProvider',
];

let outdir: string;
let findings: Finding[];
let plugins: string[];

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'guardrails-'));
  const app = new App({ outdir, context: REPORT_INSTEAD_OF_FAILING });
  const env = (account: string) => ({ env: { account, region: 'us-east-1' } });
  for (const [name, configure] of [['Default', DEFAULTS], ['Private', PRIVATE]] as const) {
    const administrator = new Stack(app, `Administrator${name}`, env('111111111111'));
    const { alarmTopic, ...placement } = configure(administrator);
    const detector = detectorId(administrator);
    new GuardDutyMemberInvitations(administrator, 'Members', {
      detectorId: detector,
      members: [{ accountId: '222222222222', email: 'workloads@example.com' }],
      ...placement,
    }).addMonitor({ alarmTopic });
    new GuardDutyOrganizationConfiguration(administrator, 'Organization', { detectorId: detector, autoEnableOrganizationMembers: OrganizationAutoEnable.ALL, ...placement });

    const member = new Stack(app, `Member${name}`, env('222222222222'));
    const memberOptions = configure(member);
    new GuardDutyInvitationAccepter(member, 'Accepter', {
      administratorAccountId: '111111111111',
      detectorId: detectorId(member),
      vpc: memberOptions.vpc,
      logEncryptionKey: memberOptions.logEncryptionKey,
    }).addMonitor({ alarmTopic: memberOptions.alarmTopic });

    const management = new Stack(app, `Management${name}`, env('999999999999'));
    const managementOptions = configure(management);
    new GuardDutyDelegatedAdministrator(management, 'GuardDutyAdministrator', {
      adminAccountId: '111111111111',
      vpc: managementOptions.vpc,
      logEncryptionKey: managementOptions.logEncryptionKey,
      // Its grants (trusted access, the service-linked role) pass the packs too.
      malwareProtectionPrerequisites: name === 'Private',
    });
  }
  addAllRulePacks(app);
  ({ findings, plugins } = synthesizeFindings(app));
}, 300_000);

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

describe.each(['AdministratorPrivate', 'MemberPrivate', 'ManagementPrivate'])('with only vpc and logEncryptionKey, and an alarm topic (%s)', (stackName) => {
  test('no rule pack reports an unacknowledged error or warning on our constructs', () => {
    expect(asText(ourFindings(stackName))).toEqual([]);
  });
});

/** Every function and log group of a stack's provider, as the packs name them. */
const providerFunctions = (provider: string) =>
  ['Handler', 'IsCompleteHandler', 'Provider/framework-isComplete', 'Provider/framework-onEvent', 'Provider/framework-onTimeout'].map((id) => `${provider}/${id}/Resource`);
const providerLogGroups = (provider: string) => ['HandlerLogGroup', 'ProviderLogGroup', 'WaiterLogGroup'].map((id) => `${provider}/${id}/Resource`);

const PLACEMENT_RULES = [
  'HIPAA.Security: HIPAA.Security-CloudWatchLogGroupEncrypted',
  'HIPAA.Security: HIPAA.Security-LambdaInsideVPC',
  'NIST.800.53.R4: NIST.800.53.R4-CloudWatchLogGroupEncrypted',
  'NIST.800.53.R4: NIST.800.53.R4-LambdaInsideVPC',
  'NIST.800.53.R5: NIST.800.53.R5-CloudWatchLogGroupEncrypted',
  'NIST.800.53.R5: NIST.800.53.R5-LambdaInsideVPC',
  'PCI.DSS.321: PCI.DSS.321-CloudWatchLogGroupEncrypted',
  'PCI.DSS.321: PCI.DSS.321-LambdaInsideVPC',
  'cdk-validator-cfnguard: CT.CLOUDWATCH.PR.3',
  'cdk-validator-cfnguard: CT.LAMBDA.PR.3',
];
/** An alarm without an action: what alarmTopic resolves on the monitors. */
const ALARM_ACTION_RULES = ['HIPAA.Security: HIPAA.Security-CloudWatchAlarmAction', 'NIST.800.53.R4: NIST.800.53.R4-CloudWatchAlarmAction', 'NIST.800.53.R5: NIST.800.53.R5-CloudWatchAlarmAction', 'cdk-validator-cfnguard: CT.CLOUDWATCH.PR.1'];

describe.each([
  {
    stackName: 'AdministratorDefault',
    rules: [...PLACEMENT_RULES, ...ALARM_ACTION_RULES],
    functions: [...providerFunctions('GuardDutyMemberInvitationsProvider'), ...providerFunctions('GuardDutyOrganizationConfigurationProvider'), 'Members/Monitor/Function/Resource'],
    logGroups: [...providerLogGroups('GuardDutyMemberInvitationsProvider'), ...providerLogGroups('GuardDutyOrganizationConfigurationProvider'), 'Members/Monitor/LogGroup/Resource'],
    alarms: ['Members/Monitor/CheckFailedAlarm/Resource', 'Members/Monitor/DriftAlarm/Resource'],
  },
  {
    stackName: 'MemberDefault',
    rules: [...PLACEMENT_RULES, ...ALARM_ACTION_RULES],
    functions: [...providerFunctions('GuardDutyInvitationAccepterProvider'), 'Accepter/Monitor/Function/Resource'],
    logGroups: [...providerLogGroups('GuardDutyInvitationAccepterProvider'), 'Accepter/Monitor/LogGroup/Resource'],
    alarms: ['Accepter/Monitor/CheckFailedAlarm/Resource', 'Accepter/Monitor/DriftAlarm/Resource'],
  },
  {
    stackName: 'ManagementDefault',
    rules: PLACEMENT_RULES,
    functions: providerFunctions('GuardDutyDelegatedAdministratorProvider'),
    logGroups: providerLogGroups('GuardDutyDelegatedAdministratorProvider'),
    alarms: [],
  },
])('with default props ($stackName)', ({ stackName, rules, functions, logGroups, alarms }) => {
  test('the only findings are those vpc and logEncryptionKey (and, on monitors, alarmTopic) resolve', () => {
    expect([...new Set(ourFindings(stackName).map((f) => `${f.plugin}: ${f.rule}`))].sort()).toEqual([...rules].sort());
  });

  test('they name every function, every log group and every alarm', () => {
    const on = (rule: string) => ourFindings(stackName).filter((f) => f.rule === rule).map((f) => f.constructPath.slice(`${stackName}/`.length)).sort();

    expect(on('CT.LAMBDA.PR.3')).toEqual([...functions].sort());
    expect(on('CT.CLOUDWATCH.PR.3')).toEqual([...logGroups].sort());
    expect(on('CT.CLOUDWATCH.PR.1')).toEqual([...alarms].sort());
  });
});

test('the packs include aws-cdk-lib\'s built-in CloudFormation validation, which npm test turns off elsewhere (it finds nothing on our constructs above)', () => {
  const probe = new App({ context: REPORT_INSTEAD_OF_FAILING });
  new CfnResource(new Stack(probe, 'Probe'), 'Topic', { type: 'AWS::SNS::Topic', properties: { NotATopicProperty: true } });
  addAllRulePacks(probe);

  expect(synthesizeFindings(probe).findings.filter((f) => f.plugin === CloudFormationValidatePlugin.PLUGIN_NAME).map((f) => `${f.rule} ${f.constructPath}`)).toEqual(['F3002 Probe/Topic']);
});
