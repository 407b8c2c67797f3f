import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { GuardDutyFindingsExport, GuardDutyFindingsExportBucket } from '../../lib';
import { Finding, REPORT_INSTEAD_OF_FAILING, addAllRulePacks, synthesizeFindings } from '../guardrails/rule-packs';

// One synthesis for both configurations: per configuration, an administrator stack that
// exports to a bucket it makes, a log-archive stack with the central bucket of a
// cross-account export, and the administrator's stack of another region importing it.
// "Default" passes no option; "Hardened" passes serverAccessLogsBucket and
// objectLockDefaultRetention.

interface Options {
  readonly serverAccessLogsBucket?: s3.IBucket;
  readonly objectLockDefaultRetention?: s3.ObjectLockRetention;
}
const DEFAULTS = (): Options => ({});
const HARDENED = (stack: Stack): Options => ({
  serverAccessLogsBucket: s3.Bucket.fromBucketName(stack, 'AccessLogs', 'server-access-logs'),
  objectLockDefaultRetention: s3.ObjectLockRetention.governance(Duration.days(365)),
});

let outdir: string;
let findings: Finding[];
let plugins: string[];

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'export-guardrails-'));
  const app = new App({ outdir, context: REPORT_INSTEAD_OF_FAILING });
  for (const [name, configure] of [['Default', DEFAULTS], ['Hardened', HARDENED]] as const) {
    const administrator = new Stack(app, `Administrator${name}`, { env: { account: '111111111111', region: 'us-east-1' } });
    const detector = new guardduty.CfnDetector(administrator, 'Detector', { enable: true, features: [{ name: 'S3_DATA_EVENTS', status: 'ENABLED' }] });
    new GuardDutyFindingsExport(administrator, 'FindingsExport', { detector, prefix: 'guardduty', ...configure(administrator) });

    const archive = new Stack(app, `LogArchive${name}`, { env: { account: '222222222222', region: 'us-east-1' } });
    new GuardDutyFindingsExportBucket(archive, 'FindingsBucket', { sourceAccountIds: ['111111111111'], sourceRegions: ['us-east-1', 'eu-west-1'], ...configure(archive) });

    const other = new Stack(app, `AdministratorEuWest1${name}`, { env: { account: '111111111111', region: 'eu-west-1' } });
    new GuardDutyFindingsExport(other, 'FindingsExport', {
      detectorId: '12abc34d567e8fa901bc2d34e56789f0',
      bucket: s3.Bucket.fromBucketAttributes(other, 'Central', { bucketName: 'org-findings', account: '222222222222', region: 'us-east-1' }),
      encryptionKey: kms.Key.fromKeyArn(other, 'CentralKey', 'arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
    });
  }
  addAllRulePacks(app);
  ({ findings, plugins } = synthesizeFindings(app));
}, 300_000);

afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

const ours = (stackName: string, id: string) => findings.filter((f) => f.constructPath.startsWith(`${stackName}/${id}/`));
const asText = (list: Finding[]) => list.map((f) => `${f.plugin}: ${f.rule} ${f.constructPath.slice(f.constructPath.indexOf('/') + 1)}`).sort();

test('the rule packs ran: cdk-nag and cfn-guard both report (on the user\'s detector, and the default bucket\'s logging)', () => {
  expect(plugins).toEqual(expect.arrayContaining(['cdk-validator-cfnguard']));
  expect(findings.map((f) => `${f.rule} ${f.constructPath}`)).toEqual(expect.arrayContaining(['CT.GUARDDUTY.PR.1 AdministratorDefault/Detector']));
});

describe.each(['Default', 'Hardened'])('%s', (name) => {
  test('the cross-region export to an imported bucket and key has no finding', () => {
    expect(asText(ours(`AdministratorEuWest1${name}`, 'FindingsExport'))).toEqual([]);
  });
});

describe('with serverAccessLogsBucket and objectLockDefaultRetention', () => {
  test.each([
    ['AdministratorHardened', 'FindingsExport'],
    ['LogArchiveHardened', 'FindingsBucket'],
  ])('no rule pack reports an unacknowledged finding on %s/%s', (stackName, id) => {
    expect(asText(ours(stackName, id))).toEqual([]);
  });
});

describe('with default props', () => {
  test.each([
    ['AdministratorDefault', 'FindingsExport'],
    ['LogArchiveDefault', 'FindingsBucket'],
  ])('the only finding on %s/%s is the one serverAccessLogsBucket resolves (Control Tower\'s server access logging)', (stackName, id) => {
    expect(asText(ours(stackName, id))).toEqual([`cdk-validator-cfnguard: CT.S3.PR.2 ${id}/Bucket/Resource`]);
  });
});
