import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { buildExampleApp } from '../bin/example-app';

const STACK_NAME = 'GuardDutyAdministratorExample';

function tempOutdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'example-app-'));
}

test('the example app synthesizes the administrator stack: one invitation resource for three members, with REPORT outputs', () => {
  const assembly = buildExampleApp({ outdir: tempOutdir() }).synth();

  const template = assembly.getStackByName(STACK_NAME).template;
  const invitations = Object.values(template.Resources as Record<string, { Type: string; Properties: { Members: unknown[] } }>)
    .filter((resource) => resource.Type === 'Custom::GuardDutyMemberInvitations');
  expect(invitations).toHaveLength(1);
  expect(invitations[0].Properties.Members).toHaveLength(3);
  expect(Object.keys(template.Outputs)).toEqual([expect.stringMatching(/UnprocessedAccountIds/), expect.stringMatching(/UnprocessedAccountCount/)]);
});

test('the example app runs cdk-nag\'s AwsSolutions checks on synth, so a clean synth means no unacknowledged finding', () => {
  const app = buildExampleApp({ outdir: tempOutdir() });
  new s3.Bucket(app.node.findChild(STACK_NAME) as Stack, 'UnloggedBucket');

  expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
});
