import { statSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { SynthJob, SynthResult } from '../child-protocol';
import { maxRssBytes, serveOneJob } from './child-io';

/**
 * `cdk synth` in a fresh process, without the CLI: loads aws-cdk-lib and the compiled
 * library (lib/index.js, as a consumer gets it), builds one stack with `members` member
 * accounts, either through GuardDutyMemberInvitations (waitForVerification: false) or as
 * one guardduty.CfnMember per account, and synthesizes it.
 */
type Cdk = typeof import('aws-cdk-lib');
type GuardDuty = typeof import('aws-cdk-lib/aws-guardduty');
type Library = typeof import('../../lib');

const ADMINISTRATOR = '111111111111';
const STACK_RESOURCE_LIMIT_CONTEXT = '@aws-cdk/core:stackResourceLimit';

serveOneJob(async (job: SynthJob): Promise<SynthResult> => {
  const loadStart = performance.now();
  // Resolved from the repository, as the app's own node_modules would be.
  const load = createRequire(join(job.repoRoot, 'package.json'));
  const cdk = load('aws-cdk-lib') as Cdk;
  const guardduty = load('aws-cdk-lib/aws-guardduty') as GuardDuty;
  const library = job.variant === 'construct' ? (load('./lib/index.js') as Library) : undefined;

  const constructStart = performance.now();
  // aws-cdk-lib refuses to synthesize a stack of more than 500 resources, CloudFormation's
  // limit; lifting that check for the CfnMember variant lets its time be measured. The
  // report marks such a stack undeployable.
  const context = job.variant === 'cfn-member' ? { [STACK_RESOURCE_LIMIT_CONTEXT]: 0 } : {};
  const app = new cdk.App({ outdir: job.outdir, context });
  const stack = new cdk.Stack(app, 'GuardDutyMembersBench', { env: { account: ADMINISTRATOR, region: 'us-east-1' } });
  const detector = new guardduty.CfnDetector(stack, 'Detector', { enable: true });
  const members = Array.from({ length: job.members }, (_, i) => {
    const accountId = String(200000000000 + i);
    return { accountId, email: `security+${accountId}@example.com` };
  });
  if (library) {
    // Without the verification wait at every size: with it, the provider framework passes
    // the request through Step Functions (256 KiB), which refuses a construct of more than
    // about 1,800 members at synth time. The template differs only in that property.
    new library.GuardDutyMemberInvitations(stack, 'Members', { detectorId: detector.ref, members, waitForVerification: false });
  } else {
    for (const member of members) {
      new guardduty.CfnMember(stack, `Member${member.accountId}`, { detectorId: detector.ref, memberId: member.accountId, email: member.email, status: 'Invited' });
    }
  }

  const synthStart = performance.now();
  app.synth();
  const synthEnd = performance.now();

  const templatePath = join(job.outdir, stack.templateFile);
  const template = JSON.parse(readFileSync(templatePath, 'utf8')) as { Resources?: Record<string, unknown> };
  return {
    loadMs: constructStart - loadStart,
    constructMs: synthStart - constructStart,
    synthMs: synthEnd - synthStart,
    templateBytes: statSync(templatePath).size,
    resourceCount: Object.keys(template.Resources ?? {}).length,
    maxRssBytes: maxRssBytes(),
  };
});
