import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { GuardDutyOrganizationPolicy, GuardDutyPolicyFeature, GuardDutyTamperProtection } from '../../lib';
import { Finding, REPORT_INSTEAD_OF_FAILING, addAllRulePacks, synthesizeFindings } from './rule-packs';

// The management account's policy constructs under the six cdk-nag packs and Control
// Tower's controls, in one synthesis: "Default" passes no option, "Private" only vpc and
// logEncryptionKey (the tamper protection SCP has no provider, so nothing to place).

const OURS = ['TamperProtection', 'GuardDutyPolicy', 'GuardDutyPolicyType', 'GuardDutyOrganizationPolicyProvider'];

let outdir: string;
let findings: Finding[];

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'guardrails-policies-'));
  const app = new App({ outdir, context: REPORT_INSTEAD_OF_FAILING });
  for (const name of ['Default', 'Private']) {
    const stack = new Stack(app, `Management${name}`, { env: { account: '999999999999', region: 'us-east-1' } });
    const placement = name === 'Private' ? { vpc: new ec2.Vpc(stack, 'Vpc'), logEncryptionKey: new kms.Key(stack, 'LogKey', { enableKeyRotation: true }) } : {};
    new GuardDutyTamperProtection(stack, 'TamperProtection', { targetIds: ['ou-ab12-workloads1'], exemptRoleNames: ['security/BreakGlass'] });
    new GuardDutyOrganizationPolicy(stack, 'GuardDutyPolicy', {
      targetIds: ['ou-ab12-workloads1'],
      allRegions: { enable: [GuardDutyPolicyFeature.FOUNDATIONAL, GuardDutyPolicyFeature.S3_DATA_EVENTS] },
      disablePolicyTypeOnDelete: true,
      ...placement,
    });
  }
  addAllRulePacks(app);
  ({ findings } = synthesizeFindings(app));
}, 300_000);

afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

const ours = (stackName: string) => findings.filter((finding) => OURS.some((id) => finding.constructPath.startsWith(`${stackName}/${id}/`)));

test('with vpc and logEncryptionKey, no rule pack reports anything unacknowledged on the policies, the policy type resource or its provider', () => {
  expect(ours('ManagementPrivate').map((f) => `${f.plugin}: ${f.rule} ${f.constructPath}`)).toEqual([]);
});

test('with default props, only what vpc and logEncryptionKey resolve, and only on the provider: the policies themselves have no finding', () => {
  const found = ours('ManagementDefault');
  expect(found.filter((f) => !f.constructPath.startsWith('ManagementDefault/GuardDutyOrganizationPolicyProvider/'))).toEqual([]);
  expect([...new Set(found.map((f) => f.rule))].every((rule) => /LambdaInsideVPC|CloudWatchLogGroupEncrypted|CT\.LAMBDA\.PR\.3|CT\.CLOUDWATCH\.PR\.3/.test(rule))).toBe(true);
  expect(found.length).toBeGreaterThan(0);
});
