import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ADMINISTRATOR_ACCOUNT, REGIONS, buildExampleApp } from '../bin/example-app';

const outdirs: string[] = [];
function tempOutdir(): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'example-app-'));
  outdirs.push(outdir);
  return outdir;
}
afterAll(() => outdirs.forEach((outdir) => fs.rmSync(outdir, { recursive: true, force: true })));

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
const ofType = (template: { Resources: Resources }, type: string) => Object.values(template.Resources).filter((r) => r.Type === type);

test('the example app synthesizes an administrator stack per region, inviting the CSV\'s two members, with REPORT outputs', () => {
  const assembly = buildExampleApp({ outdir: tempOutdir() }).synth();

  for (const region of REGIONS) {
    const stack = assembly.getStackByName(`GuardDutyAdministrator-${region}`);
    expect(stack.environment).toMatchObject({ account: ADMINISTRATOR_ACCOUNT, region });
    const [invitations, ...others] = ofType(stack.template, 'Custom::GuardDutyMemberInvitations');
    expect(others).toHaveLength(0);
    // The members are in the asset the handler reads; the template names them by ID only.
    expect(invitations.Properties.MemberList).toMatchObject({ AccountCount: '2', FirstAccountIds: '222222222222,333333333333' });
    expect(JSON.stringify(stack.template)).not.toContain('@example.com');
    const key = (invitations.Properties.MemberList as { Key: string }).Key;
    expect(JSON.parse(fs.readFileSync(path.join(assembly.directory, `asset.${key}`), 'utf8'))).toEqual([
      { AccountId: '222222222222', Email: 'aws-root+workloads@example.com' },
      { AccountId: '333333333333', Email: 'aws-root+sandbox@example.com' },
    ]);
    expect(Object.keys(stack.template.Outputs)).toEqual([expect.stringMatching(/UnprocessedAccountIds/), expect.stringMatching(/UnprocessedAccountCount/)]);
    expect(ofType(stack.template, 'AWS::Scheduler::Schedule')).toHaveLength(1);
    expect(ofType(stack.template, 'AWS::CloudWatch::Dashboard')).toHaveLength(1);
  }
});

test('each member account has a stack per region that enables GuardDuty and accepts the administrator\'s invitation', () => {
  const assembly = buildExampleApp({ outdir: tempOutdir() }).synth();

  for (const region of REGIONS) {
    for (const account of ['222222222222', '333333333333']) {
      const stack = assembly.getStackByName(`GuardDutyMember-${account}-${region}`);
      expect(stack.environment).toMatchObject({ account, region });
      expect(ofType(stack.template, 'AWS::GuardDuty::Detector')).toHaveLength(1);
      const [accepter] = ofType(stack.template, 'Custom::GuardDutyInvitationAccepter');
      expect(accepter.Properties).toMatchObject({ AdministratorAccountId: ADMINISTRATOR_ACCOUNT });
      expect(ofType(stack.template, 'AWS::CloudWatch::Alarm').map((alarm) => alarm.Properties.MetricName)).toContain('MembershipDrift');
      // No dependency between the stacks: they are in different accounts, and the accepter waits.
      expect(stack.dependencies.map((d) => d.id).filter((id) => !id.endsWith('.assets'))).toEqual([]);
    }
  }
});

test('the example app runs cdk-nag\'s AwsSolutions checks on synth, so a clean synth means no unacknowledged finding', () => {
  const app = buildExampleApp({ outdir: tempOutdir() });
  new s3.Bucket(app.node.findChild('GuardDutyMember-222222222222-eu-west-1') as Stack, 'UnloggedBucket');

  expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
});
