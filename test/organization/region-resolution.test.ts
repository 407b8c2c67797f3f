import { KnownRegion, RegionDeclaration, knownRegions, resolveRegions } from '../../lib/private/region-resolution';

// A small fixed region table: the resolution is a function of it, whatever aws-cdk-lib ships.
const KNOWN: KnownRegion[] = [
  { name: 'us-east-1', partition: 'aws', optIn: false },
  { name: 'eu-west-1', partition: 'aws', optIn: false },
  { name: 'ap-southeast-4', partition: 'aws', optIn: true },
  { name: 'me-central-1', partition: 'aws', optIn: true },
  { name: 'cn-north-1', partition: 'aws-cn', optIn: false },
  { name: 'us-gov-west-1', partition: 'aws-us-gov', optIn: false },
  { name: 'us-iso-east-1', partition: 'aws-iso', optIn: false },
];

function resolve(declaration: Partial<RegionDeclaration>): { regions: string[]; problems: string[] } {
  return resolveRegions({ partition: 'aws', ...declaration }, KNOWN);
}

describe('the default list', () => {
  test('is every region of the partition enabled by default, alphabetically', () => {
    expect(resolve({})).toEqual({ regions: ['eu-west-1', 'us-east-1'], problems: [] });
  });

  test('adds the opt-in regions declared enabled, and only those', () => {
    expect(resolve({ enabledOptInRegions: ['me-central-1'] }).regions).toEqual(['eu-west-1', 'me-central-1', 'us-east-1']);
  });

  test('leaves out the excluded regions', () => {
    expect(resolve({ excludeRegions: ['eu-west-1'] }).regions).toEqual(['us-east-1']);
  });

  test('is the partition\'s own for China and GovCloud', () => {
    expect(resolve({ partition: 'aws-cn' }).regions).toEqual(['cn-north-1']);
    expect(resolve({ partition: 'aws-us-gov' }).regions).toEqual(['us-gov-west-1']);
  });
});

describe('an explicit list', () => {
  test('is kept in the declared order', () => {
    expect(resolve({ regions: ['us-east-1', 'eu-west-1'] })).toEqual({ regions: ['us-east-1', 'eu-west-1'], problems: [] });
  });

  test('takes an opt-in region only when it is declared enabled', () => {
    expect(resolve({ regions: ['us-east-1', 'ap-southeast-4'], enabledOptInRegions: ['ap-southeast-4'] }).regions).toEqual(['us-east-1', 'ap-southeast-4']);
    expect(resolve({ regions: ['us-east-1', 'ap-southeast-4'] }).problems).toEqual([expect.stringMatching(/^regions: ap-southeast-4 is an opt-in region; add it to enabledOptInRegions/)]);
  });
});

describe('a declaration fails naming the value', () => {
  test.each([
    [{ regions: ['us-east-1', 'eu-west-9'] }, /^regions: "eu-west-9" is not an AWS region aws-cdk-lib knows/],
    [{ regions: ['us-east-1', 'us-east-1'] }, /^regions: "us-east-1" is listed more than once/],
    [{ excludeRegions: ['EU-WEST-1'] }, /^excludeRegions: "EU-WEST-1" is not an AWS region/],
    [{ regions: ['us-east-1', 'eu-west-1'], excludeRegions: ['eu-west-1'] }, /^regions: eu-west-1 is also in excludeRegions/],
    [{ regions: ['cn-north-1'] }, /^regions: cn-north-1 is in partition aws-cn, not in the rollout's partition aws/],
    [{ enabledOptInRegions: ['eu-west-1'] }, /^enabledOptInRegions: eu-west-1 is enabled by default .* not an opt-in region/],
    [{ enabledOptInRegions: ['me-central-1', 'me-central-1'] }, /^enabledOptInRegions: "me-central-1" is listed more than once/],
    [{ regions: [] }, /^regions: the list is empty/],
    [{ excludeRegions: ['eu-west-1', 'us-east-1'] }, /^excludeRegions: every region of the partition is excluded/],
    [{ partition: 'aws-iso' }, /^partition: "aws-iso" is not supported; use one of aws, aws-cn, aws-us-gov/],
  ])('%j', (declaration, message) => {
    const resolution = resolve(declaration);
    expect(resolution.problems).toEqual([expect.stringMatching(message)]);
    expect(resolution.regions).toEqual([]);
  });

  test('every problem is reported at once', () => {
    expect(resolve({ regions: ['us-east-1', 'nowhere-1', 'us-east-1'], excludeRegions: ['us-east-1'] }).problems).toHaveLength(3);
  });
});

describe('aws-cdk-lib\'s region table', () => {
  const regions = knownRegions();

  test('has the commercial regions enabled by default, and marks the newer ones opt-in', () => {
    const commercial = regions.filter((region) => region.partition === 'aws');
    expect(commercial.filter((region) => !region.optIn).map((region) => region.name)).toEqual(expect.arrayContaining(['us-east-1', 'us-west-2', 'eu-west-1', 'ap-northeast-1', 'sa-east-1']));
    expect(commercial.filter((region) => region.optIn).map((region) => region.name)).toEqual(expect.arrayContaining(['ap-southeast-4', 'me-central-1', 'af-south-1', 'il-central-1']));
    expect(commercial.length).toBeGreaterThanOrEqual(30);
  });

  test('puts China and GovCloud in their own partitions', () => {
    expect(regions.find((region) => region.name === 'cn-north-1')?.partition).toBe('aws-cn');
    expect(regions.find((region) => region.name === 'us-gov-west-1')?.partition).toBe('aws-us-gov');
  });
});
