import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Token } from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { InvitationResourceProperties, MemberListLocation } from './invitation-contract';

/**
 * Members go into a CDK asset that the handler reads, never into the template: the
 * template holds the members' root user email addresses otherwise, readable by anyone
 * with cloudformation:GetTemplate, in every stack update's history and in `cdk diff`.
 * The asset also keeps each copy of the properties under its limit: the template (1 MB),
 * CloudFormation's request to the provider (1 MB, holding old and new properties on an
 * Update), the waiter's Step Functions input (256 KiB), and the error cause Step
 * Functions hands the framework's timeout handler (32,768 characters), which must hold
 * the whole request for the framework to answer CloudFormation at all. With the list out
 * of the request, one construct holds GuardDuty's 50,000 members, with the verification
 * wait. Only a list holding tokens stays inline (a token cannot be written to a file),
 * and an empty one (there is nothing to hide).
 */

/** How many account IDs `FirstAccountIds` shows, for a reviewer reading `cdk diff`. */
const PREVIEW_ACCOUNT_IDS = 10;

type MemberEntries = ReadonlyArray<{ readonly AccountId: string; readonly Email: string }>;

/**
 * The properties that carry `members`: the location of an asset holding them (created
 * under `scope`), with `grantRead` given the object to grant; inline only when the list
 * is empty or holds tokens.
 */
export function memberListProperties(
  scope: Construct,
  members: MemberEntries,
  grantRead: (objectArn: string) => void,
): Pick<InvitationResourceProperties, 'Members' | 'MemberList'> {
  const json = JSON.stringify(members);
  if (Token.isUnresolved(json) || members.length === 0) {
    return { Members: members };
  }
  const sha256 = createHash('sha256').update(json).digest('hex');
  const asset = new s3assets.Asset(scope, 'MemberList', { path: writeContentAddressed(sha256, json) });
  grantRead(asset.bucket.arnForObjects(asset.s3ObjectKey));
  const location: MemberListLocation = {
    Bucket: asset.s3BucketName,
    Key: asset.s3ObjectKey,
    Sha256: sha256,
    AccountCount: String(members.length),
    FirstAccountIds: members.map((m) => m.AccountId).sort().slice(0, PREVIEW_ACCOUNT_IDS).join(','),
  };
  return { MemberList: location };
}

/**
 * The asset's source file, named by its content so that repeated synths (and several
 * apps) reuse one file instead of leaving a new one in the temp directory each time.
 * CDK copies it into the cloud assembly.
 */
function writeContentAddressed(sha256: string, json: string): string {
  const dir = path.join(os.tmpdir(), 'cdk-guardduty-members-lists');
  const file = path.join(dir, `${sha256}.json`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dir, { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(partial, json);
    fs.renameSync(partial, file);
  }
  return file;
}
