#!/usr/bin/env node
// The consumer app of `npm run test:consumer` (scripts/consumer-check.mjs copies it over
// the `bin/` file of a fresh `cdk init app --language typescript` app, where it is
// type-checked by that app's own tsconfig and TypeScript, and run as its cdk.json says).
// It imports the packed tarball as a user would (`from 'cdk-guardduty-members'`), declares
// every public construct in the stacks a user has (administrator, member, management),
// once with default props and once with the guardrail options README "Rule packs" names
// (vpc, logEncryptionKey, alarmTopic), and registers every cdk-nag rule pack the installed
// cdk-nag exports through aws-cdk-lib's Validations, as cdk-nag 3 requires.
//
// It does not judge the findings: it synthesizes (violations go to the validation report
// instead of failing the synthesis, so one run yields every finding) and writes
// consumer-check.json beside the report: each pack's findings, which stacks are which
// variant and which constructs are the app's own (not the library's). consumer-check.mjs
// decides.
import * as fs from 'fs';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib/core';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as nag from 'cdk-nag';
import {
  GuardDutyAdministratorMonitor,
  GuardDutyDelegatedAdministrator,
  GuardDutyInvitationAccepter,
  GuardDutyMemberInvitations,
  GuardDutyMembershipMonitor,
  GuardDutyOrganizationConfiguration,
  MemberAccounts,
  OrganizationAutoEnable,
  OrganizationMembers,
  UnprocessedAccountsAction,
} from 'cdk-guardduty-members';

const SECURITY_ACCOUNT = '111111111111';
const WORKLOAD_ACCOUNT = '222222222222';
const MANAGEMENT_ACCOUNT = '999999999999';
const REGION = 'us-east-1';

type Variant = 'default' | 'guardrails';

/** The construct paths this app declares itself: findings on them are the user's, not the library's. */
const consumerOwned: string[] = [];
function own<T extends cdk.IResource | guardduty.CfnDetector>(construct: T): T {
  consumerOwned.push(construct.node.path);
  return construct;
}

interface Guardrails {
  readonly vpc?: ec2.IVpc;
  readonly logEncryptionKey?: kms.IKey;
  readonly alarmTopic?: sns.ITopic;
}

/** What README "Guardrails" asks for: private subnets, a customer managed key for the logs, an alarm topic. */
function guardrails(stack: cdk.Stack, variant: Variant): Guardrails {
  if (variant === 'default') {
    return {};
  }
  const logEncryptionKey = own(new kms.Key(stack, 'LogKey', { enableKeyRotation: true }));
  return {
    vpc: own(new ec2.Vpc(stack, 'Vpc', {
      maxAzs: 2,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      ],
    })),
    logEncryptionKey,
    alarmTopic: own(new sns.Topic(stack, 'SecurityAlarms', { masterKey: logEncryptionKey, enforceSSL: true })),
  };
}

function detector(stack: cdk.Stack): guardduty.CfnDetector {
  return own(new guardduty.CfnDetector(stack, 'Detector', {
    enable: true,
    features: [{ name: 'S3_DATA_EVENTS', status: 'ENABLED' }],
  }));
}

/** The security account: GuardDuty's delegated administrator, inviting outside accounts and selecting organization ones. */
class AdministratorStack extends cdk.Stack {
  constructor(scope: cdk.App, id: string, variant: Variant) {
    super(scope, id, { env: { account: SECURITY_ACCOUNT, region: REGION } });
    const { alarmTopic, ...placement } = guardrails(this, variant);
    const detectorId = detector(this).ref;

    const invitations = new GuardDutyMemberInvitations(this, 'Members', {
      detectorId,
      members: MemberAccounts.fromCsv(`AccountId,Email\n${WORKLOAD_ACCOUNT},aws-root+workloads@example.com\n333333333333,aws-root+sandbox@example.com\n`),
      message: 'Please accept the GuardDuty invitation from the security account.',
      onUnprocessed: UnprocessedAccountsAction.REPORT,
      ...placement,
    });
    if (variant === 'default') {
      new GuardDutyMembershipMonitor(this, 'MembersMonitor', { invitations });
    } else {
      invitations.addMonitor({ alarmTopic, healing: true, alarmOnUndeclaredMembers: true });
    }

    new GuardDutyMemberInvitations(this, 'OrganizationMembers', {
      detectorId,
      organizationMembers: OrganizationMembers.underOrganizationalUnits(['ou-ab12-11111111', 'ou-ab12-22222222'], { excludeAccountIds: ['777777777777'] }),
      members: [{ accountId: '444444444444', email: 'aws-root+partner@example.com' }],
      onUnprocessed: UnprocessedAccountsAction.FAIL,
      ...placement,
    });

    new GuardDutyOrganizationConfiguration(this, 'Organization', {
      detectorId,
      autoEnableOrganizationMembers: OrganizationAutoEnable.NEW,
      features: [
        { name: 'S3_DATA_EVENTS', autoEnable: OrganizationAutoEnable.ALL },
        { name: 'RUNTIME_MONITORING', autoEnable: OrganizationAutoEnable.NEW, additionalConfiguration: [{ name: 'EKS_ADDON_MANAGEMENT', autoEnable: OrganizationAutoEnable.NEW }] },
      ],
      ...placement,
    });
  }
}

/** A member account outside the organization: accepts the invitation and watches its membership. */
class MemberStack extends cdk.Stack {
  constructor(scope: cdk.App, id: string, variant: Variant) {
    super(scope, id, { env: { account: WORKLOAD_ACCOUNT, region: REGION } });
    const { alarmTopic, ...placement } = guardrails(this, variant);
    const accepter = new GuardDutyInvitationAccepter(this, 'Administrator', {
      administratorAccountId: SECURITY_ACCOUNT,
      detectorId: detector(this).ref,
      ...placement,
    });
    if (variant === 'default') {
      new GuardDutyAdministratorMonitor(this, 'AdministratorMonitor', { accepter });
    } else {
      accepter.addMonitor({ alarmTopic });
    }
  }
}

/** The organization's management account: makes the security account GuardDuty's delegated administrator. */
class ManagementStack extends cdk.Stack {
  constructor(scope: cdk.App, id: string, variant: Variant) {
    super(scope, id, { env: { account: MANAGEMENT_ACCOUNT, region: REGION } });
    const { vpc, logEncryptionKey } = guardrails(this, variant);
    new GuardDutyDelegatedAdministrator(this, 'GuardDutyAdministrator', { adminAccountId: SECURITY_ACCOUNT, vpc, logEncryptionKey });
  }
}

// Violations go to the validation report rather than failing the synthesis, so that one
// synthesis yields every finding of every pack; consumer-check.mjs fails on them. The
// availability zones are what `cdk synth` would look up with credentials and keep in
// cdk.context.json: given here, the synthesis needs no AWS account.
const availabilityZones = Object.fromEntries([SECURITY_ACCOUNT, WORKLOAD_ACCOUNT, MANAGEMENT_ACCOUNT].map(
  (account) => [`availability-zones:account=${account}:region=${REGION}`, ['a', 'b', 'c'].map((zone) => `${REGION}${zone}`)],
));
const app = new cdk.App({ context: availabilityZones, postCliContext: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
// Before any construct: a construct may add its own runtimes to Runtime.ALL.
const nodejsRuntimes = [...new Set(lambda.Runtime.ALL.map(String).filter((name) => /^nodejs\d/.test(name)))];
const variants: Record<string, Variant> = {};
for (const [suffix, variant] of [['Default', 'default'], ['Guardrails', 'guardrails']] as const) {
  for (const [name, Stack] of [['Administrator', AdministratorStack], ['Member', MemberStack], ['Management', ManagementStack]] as const) {
    new Stack(app, `${name}${suffix}`, variant);
    variants[`${name}${suffix}`] = variant;
  }
}

// Every rule pack the installed cdk-nag exports (a NagPack subclass), so a pack added in a
// later cdk-nag is run without a change here.
const packs = Object.values(nag).filter(
  (value): value is new (scope?: cdk.App) => nag.NagPack => typeof value === 'function' && value.prototype instanceof nag.NagPack,
);
// Each pack's report as it returns it to aws-cdk-lib (acknowledged findings already left
// out): the validation report omits a pack that found nothing, and a pack that did not run
// must not pass for one that found nothing.
const results: Record<string, cdk.PolicyValidationPluginReport> = {};
cdk.Validations.of(app).addPlugins(...packs.map((Pack) => {
  const pack = new Pack(app);
  const validate = pack.validate.bind(pack);
  pack.validate = (context) => (results[pack.name] = validate(context));
  return pack;
}));

const assembly = app.synth();

const functions = app.node.findAll().filter((c): c is lambda.CfnFunction => c instanceof lambda.CfnFunction);
fs.writeFileSync(path.join(assembly.directory, 'consumer-check.json'), JSON.stringify({
  variants,
  consumerOwned,
  packs: packs.map((Pack) => new Pack().name),
  results,
  nodejsRuntimes,
  featureFlags: Object.keys(app.node.getAllContext()).filter((key) => key.startsWith('@aws-cdk')).length,
  functionRuntimes: functions.map((fn) => ({ path: fn.node.path, runtime: cdk.Tokenization.isResolvable(fn.runtime) ? '(token)' : fn.runtime })),
}, null, 2));
console.log(`consumer-app: synthesized ${app.node.children.filter(cdk.Stack.isStack).length} stacks into ${assembly.directory} with ${packs.length} rule packs`);
