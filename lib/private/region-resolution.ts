import { RegionInfo } from 'aws-cdk-lib/region-info';

/** A region as aws-cdk-lib's region-info knows it. */
export interface KnownRegion {
  readonly name: string;
  /** The ARN partition: aws, aws-cn, aws-us-gov, aws-iso… */
  readonly partition: string;
  /** Opt-in regions are disabled in an account until someone enables them there. */
  readonly optIn: boolean;
}

/** The regions a rollout declares, as its props carry them. */
export interface RegionDeclaration {
  readonly partition: string;
  readonly regions?: readonly string[];
  readonly excludeRegions?: readonly string[];
  readonly enabledOptInRegions?: readonly string[];
}

export interface RegionResolution {
  /** The regions to deploy to, in the declared order (explicit list) or alphabetical order (default list). */
  readonly regions: string[];
  /** Every problem found, each naming the value and the prop it came from; empty when the declaration is valid. */
  readonly problems: string[];
}

/** The partitions a rollout may target: those where GuardDuty and Organizations both run. */
export const SUPPORTED_PARTITIONS: readonly string[] = ['aws', 'aws-cn', 'aws-us-gov'];

/**
 * The regions aws-cdk-lib knows, from its region-info module, which aws-cdk-lib keeps in
 * step with AWS's region launches: a region newer than the installed aws-cdk-lib is not
 * there until aws-cdk-lib is upgraded.
 */
export function knownRegions(): KnownRegion[] {
  return RegionInfo.regions
    .filter((region) => region.partition !== undefined)
    .map((region) => ({ name: region.name, partition: region.partition!, optIn: region.isOptInRegion }));
}

/**
 * Which regions a declaration means, checked against the known regions. Without an
 * explicit list: every region of the partition enabled by default, plus the opt-in
 * regions declared enabled, minus the excluded ones. With one: that list. Either way an
 * opt-in region must be declared enabled, because CloudFormation cannot deploy to a
 * region the account has not enabled: the deployment would fail, not skip it.
 */
export function resolveRegions(declaration: RegionDeclaration, known: readonly KnownRegion[]): RegionResolution {
  const byName = new Map(known.map((region) => [region.name, region]));
  const problems: string[] = [];

  if (!SUPPORTED_PARTITIONS.includes(declaration.partition)) {
    problems.push(
      `partition: ${JSON.stringify(declaration.partition)} is not supported; use one of ${SUPPORTED_PARTITIONS.join(', ')} ` +
        '(the isolated and sovereign partitions are not covered: declare their stacks with the constructs directly)',
    );
    return { regions: [], problems };
  }

  const checkList = (name: string, values: readonly string[] | undefined): string[] => {
    const valid: string[] = [];
    const seen = new Set<string>();
    for (const value of values ?? []) {
      if (seen.has(value)) {
        problems.push(`${name}: ${JSON.stringify(value)} is listed more than once`);
        continue;
      }
      seen.add(value);
      const region = byName.get(value);
      if (region === undefined) {
        problems.push(
          `${name}: ${JSON.stringify(value)} is not an AWS region aws-cdk-lib knows ` +
            '(a region name such as "eu-west-1"; for a region AWS launched after the installed aws-cdk-lib, upgrade aws-cdk-lib)',
        );
      } else if (region.partition !== declaration.partition) {
        problems.push(
          `${name}: ${value} is in partition ${region.partition}, not in the rollout's partition ${declaration.partition}; ` +
            'one rollout covers one partition (its accounts exist in that partition only)',
        );
      } else {
        valid.push(value);
      }
    }
    return valid;
  };

  const listed = declaration.regions === undefined ? undefined : checkList('regions', declaration.regions);
  const excluded = new Set(checkList('excludeRegions', declaration.excludeRegions));
  const enabledOptIn = new Set(checkList('enabledOptInRegions', declaration.enabledOptInRegions));

  for (const name of enabledOptIn) {
    if (!byName.get(name)!.optIn) {
      problems.push(`enabledOptInRegions: ${name} is enabled by default in every account, not an opt-in region; remove it from enabledOptInRegions`);
    }
  }
  if (declaration.regions !== undefined && declaration.regions.length === 0) {
    problems.push('regions: the list is empty; leave regions out for every region of the partition, or name at least one');
  }

  let regions: string[];
  if (listed === undefined) {
    regions = known
      .filter((region) => region.partition === declaration.partition && (!region.optIn || enabledOptIn.has(region.name)))
      .map((region) => region.name)
      .sort()
      .filter((name) => !excluded.has(name));
  } else {
    for (const name of listed) {
      if (excluded.has(name)) {
        problems.push(`regions: ${name} is also in excludeRegions; remove it from one of the two`);
      }
      if (byName.get(name)!.optIn && !enabledOptIn.has(name)) {
        problems.push(
          `regions: ${name} is an opt-in region; add it to enabledOptInRegions once it is enabled in every account of the rollout ` +
            '(CloudFormation fails to deploy to a region an account has not enabled)',
        );
      }
    }
    regions = listed.filter((name) => !excluded.has(name));
  }

  if (problems.length === 0 && regions.length === 0) {
    problems.push('excludeRegions: every region of the partition is excluded; the rollout would have no stack');
  }
  return { regions: problems.length === 0 ? regions : [], problems };
}
