import * as fs from 'fs';
import * as path from 'path';

// The build bundles each handler with the AWS SDK (scripts/bundle-handlers.mjs). The SDK
// clients carry the schema of every operation of their API; scripts/inline-schema-keys.mjs
// lets esbuild drop those a handler never calls. Operation names are strings in the
// schemas, so a name in the bundle means its schema was kept.

const bundle = (name: string) => fs.readFileSync(path.join(__dirname, '..', '..', 'assets', name, 'index.js'), 'utf8');

test('the member invitations bundle keeps the schemas of the GuardDuty, S3 and CloudFormation operations it calls', () => {
  const code = bundle('member-invitations');

  for (const operation of ['GetMembers', 'CreateMembers', 'InviteMembers', 'DeleteMembers', 'ListDetectors', 'GetObject', 'DescribeStacks']) {
    expect(code).toContain(`"${operation}"`);
  }
});

test.each([
  ['member-invitations', ['CreateMalwareProtectionPlan', 'UpdateThreatIntelSet', 'PutBucketLifecycleConfiguration', 'CreateMultipartUpload']],
  ['invitation-accepter', ['CreateMalwareProtectionPlan', 'CreateMembers']],
  ['membership-monitor', ['CreateMalwareProtectionPlan', 'DeleteMembers']],
])('the %s bundle carries no schema of an operation it never calls', (name, unused) => {
  const code = bundle(name);

  for (const operation of unused) {
    expect(code).not.toContain(`"${operation}"`);
  }
});
