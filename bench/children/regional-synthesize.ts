import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { RegionalSynthJob, RegionalSynthResult } from '../child-protocol';
import { maxRssBytes, serveOneJob } from './child-io';

/**
 * `cdk synth` of a GuardDuty organization in several commercial regions (`every`: the
 * default-enabled ones and every opt-in one), in a fresh process, without
 * the CLI: a GuardDutyOrganizationRollout (the management and administrator stacks of
 * each region, members chosen from the whole organization), and in each administrator
 * stack the `members` listed accounts (a GuardDutyMemberInvitations, its list in an
 * asset). The listed accounts are not the rollout's `members`: those are outside accounts,
 * and each gets a stack of its own per region, which is another measure (5,000 outside
 * accounts are 5,000 stacks per region).
 */
type Cdk = typeof import('aws-cdk-lib');
type Library = typeof import('../../lib');
type RegionInfoModule = typeof import('aws-cdk-lib/region-info');

const MANAGEMENT = '999999999999';
const ADMINISTRATOR = '111111111111';

serveOneJob(async (job: RegionalSynthJob): Promise<RegionalSynthResult> => {
  const loadStart = performance.now();
  // Resolved from the repository, as the app's own node_modules would be.
  const load = createRequire(join(job.repoRoot, 'package.json'));
  const cdk = load('aws-cdk-lib') as Cdk;
  const library = load('./lib/index.js') as Library;
  const { RegionInfo } = load('aws-cdk-lib/region-info') as RegionInfoModule;
  const props = {
    managementAccountId: MANAGEMENT,
    administratorAccountId: ADMINISTRATOR,
    autoEnableOrganizationMembers: library.OrganizationAutoEnable.NEW,
    organizationMembers: library.OrganizationMembers.wholeOrganization(),
  };
  // Every commercial region: the rollout's default list, plus every opt-in region declared
  // enabled, read from a rollout that is never synthesized.
  const optIn = RegionInfo.regions.filter((region) => region.partition === 'aws' && region.isOptInRegion).map((region) => region.name);
  const everyRegion = new library.GuardDutyOrganizationRollout(new cdk.App(), 'Regions', { ...props, enabledOptInRegions: optIn }).regions;
  const regions = job.regions === 'every' ? everyRegion : everyRegion.slice(0, job.regions);
  if (regions.length < (job.regions === 'every' ? 1 : job.regions)) {
    throw new Error(`Asked for ${job.regions} regions; the rollout knows ${everyRegion.length}`);
  }

  const constructStart = performance.now();
  const app = new cdk.App({ outdir: job.outdir });
  const rollout = new library.GuardDutyOrganizationRollout(app, 'GuardDuty', { ...props, regions, enabledOptInRegions: optIn.filter((region) => regions.includes(region)) });
  const members = Array.from({ length: job.members }, (_, i) => {
    const accountId = String(200000000000 + i);
    return { accountId, email: `security+${accountId}@example.com` };
  });
  for (const region of rollout.regions) {
    new library.GuardDutyMemberInvitations(rollout.administratorStack(region), 'ListedMembers', { members });
  }

  const synthStart = performance.now();
  const assembly = app.synth();
  const synthEnd = performance.now();

  const templates = assembly.stacks.map((stack) => join(assembly.directory, stack.templateFile));
  const resources = templates.map((file) => Object.keys((JSON.parse(readFileSync(file, 'utf8')) as { Resources?: object }).Resources ?? {}).length);
  return {
    regionCount: regions.length,
    loadMs: constructStart - loadStart,
    constructMs: synthStart - constructStart,
    synthMs: synthEnd - synthStart,
    stackCount: assembly.stacks.length,
    assemblyBytes: directoryBytes(assembly.directory),
    largestTemplateBytes: Math.max(...templates.map((file) => statSync(file).size)),
    mostResources: Math.max(...resources),
    maxRssBytes: maxRssBytes(),
  };
});

function directoryBytes(directory: string): number {
  return readdirSync(directory, { withFileTypes: true }).reduce((total, entry) => {
    const path = join(directory, entry.name);
    return total + (entry.isDirectory() ? directoryBytes(path) : statSync(path).size);
  }, 0);
}
