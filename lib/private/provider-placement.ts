import { Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { EnvironmentMatch, Supplied, resourceEnvironmentProblems } from './same-environment';

/**
 * Where a stack's provider runs and how it encrypts its logs: the props the four
 * custom-resource constructs (and, for their one function, the monitors) take under the
 * names aws-cdk-lib's `custom-resources.Provider` uses. One provider serves every construct
 * of its kind in a stack, so these are the provider's settings, not a construct's: the
 * first construct sets them, and every other must ask for the same.
 */
export interface ProviderPlacement {
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
  readonly logEncryptionKey?: kms.IKey;
  /** Reserve the functions' concurrency (see guardrails.ts); off unless asked for. */
  readonly reserveConcurrency?: boolean;
}

/**
 * Throws, naming the construct and every problem, when `placement` cannot work
 * (see placementProblems): the same check for every construct that takes these props.
 */
export function assertValidPlacement(requester: IConstruct, constructKind: string, placement: ProviderPlacement): void {
  const problems = placementProblems(placement, requester);
  if (problems.length > 0) {
    throw new Error(`Invalid ${constructKind} props at ${requester.node.path}:${problems.map((problem) => `\n  ${problem}`).join('')}`);
  }
}

/**
 * A monitor's placement: what it asks for itself, and otherwise what the construct it
 * watches asked for, so that `addMonitor()` on a construct in a VPC stays in that VPC.
 * Subnets and security groups are taken over only with the watched construct's VPC: a
 * monitor given its own `vpc` must not get another VPC's subnets or security groups.
 */
export function inheritedPlacement(own: ProviderPlacement, watched: ProviderPlacement): ProviderPlacement {
  const network: ProviderPlacement = own.vpc !== undefined
    ? { vpc: own.vpc, vpcSubnets: own.vpcSubnets, securityGroups: own.securityGroups }
    : { vpc: watched.vpc, vpcSubnets: own.vpcSubnets ?? watched.vpcSubnets, securityGroups: own.securityGroups ?? watched.securityGroups };
  return { ...network, logEncryptionKey: own.logEncryptionKey ?? watched.logEncryptionKey, reserveConcurrency: own.reserveConcurrency ?? watched.reserveConcurrency };
}

/**
 * The placement each construct asked its provider for, so a monitor added to it later
 * can inherit it (inheritedPlacement) without the construct exposing its props.
 */
const requestedPlacements = new WeakMap<IConstruct, ProviderPlacement>();

export function rememberPlacement(construct: IConstruct, placement: ProviderPlacement): void {
  requestedPlacements.set(construct, ownSettings(placement));
}

/** What `construct` asked for; nothing (every default) for a construct that asked for nothing. */
export function placementOf(construct: IConstruct): ProviderPlacement {
  return requestedPlacements.get(construct) ?? {};
}

/**
 * What is wrong with a placement, checked at synth time where the values are known:
 * subnets the VPC lacks, security groups of another VPC, and a VPC, subnet, security
 * group or key of another region or account than `requester`. Values that are tokens
 * are let through; CloudFormation reports those.
 */
export function placementProblems(placement: ProviderPlacement, requester: IConstruct): string[] {
  const { vpc, vpcSubnets, securityGroups, logEncryptionKey } = placement;
  const problems: string[] = [];
  if (vpc === undefined) {
    if (vpcSubnets !== undefined) {
      problems.push('vpcSubnets is set without vpc: the subnets are selected from vpc, so pass both');
    }
    if (securityGroups !== undefined) {
      problems.push('securityGroups is set without vpc: security groups apply only to functions in a VPC, so pass vpc as well');
    }
  } else {
    problems.push(...networkEnvironmentProblems(requester, vpc, vpcSubnets, securityGroups ?? []));
    problems.push(...subnetProblems(vpc, vpcSubnets), ...securityGroupProblems(vpc, securityGroups ?? []));
  }
  problems.push(...resourceEnvironmentProblems(requester, LOG_KEY, logEncryptionKey));
  return problems;
}

const VPC_REASON =
  'Lambda places functions only in subnets of their own region and account ' +
  '(a subnet shared with this account through AWS RAM is imported in this stack, with ec2.Vpc.fromLookup or fromVpcAttributes)';

const LOG_KEY: Supplied = {
  prop: 'logEncryptionKey',
  reason:
    'CloudWatch Logs encrypts a log group only with a KMS key of its own region, and this library adds the statement ' +
    'CloudWatch Logs needs only to the policy of a key of the stack\'s own account',
  match: EnvironmentMatch.ACCOUNT_AND_REGION,
};

function networkEnvironmentProblems(
  requester: IConstruct,
  vpc: ec2.IVpc,
  selection: ec2.SubnetSelection | undefined,
  securityGroups: readonly ec2.ISecurityGroup[],
): string[] {
  return [
    ...resourceEnvironmentProblems(requester, { prop: 'vpc', reason: VPC_REASON }, vpc),
    ...(selection?.subnets ?? []).flatMap((subnet, index) =>
      resourceEnvironmentProblems(requester, { prop: `vpcSubnets.subnets[${index}]`, reason: VPC_REASON }, subnet),
    ),
    ...securityGroups.flatMap((securityGroup, index) =>
      resourceEnvironmentProblems(
        requester,
        { prop: `securityGroups[${index}]`, reason: 'Lambda attaches to its functions only security groups of their own region and account' },
        securityGroup,
      ),
    ),
  ];
}

function subnetProblems(vpc: ec2.IVpc, selection: ec2.SubnetSelection | undefined): string[] {
  const described = `vpc ${vpc.node.path} ${selection ? `with vpcSubnets ${describeSelection(selection)}` : '(its default subnets)'}`;
  let selected: ec2.SelectedSubnets;
  try {
    selected = vpc.selectSubnets(selection);
  } catch (error) {
    return [`${described} selects no subnets: ${(error as Error).message}`];
  }
  if (selected.subnetIds.length === 0) {
    return [`${described} selects no subnets: the functions need at least one`];
  }
  if (selected.hasPublic) {
    // A function in a public subnet gets no public IP, so it could reach neither GuardDuty
    // nor CloudFormation's response URL, and every deployment would time out.
    return [`${described} selects public subnets: Lambda functions get no public IP there, so they could reach no AWS API; select private subnets with a NAT gateway or interface endpoints`];
  }
  return [];
}

function securityGroupProblems(vpc: ec2.IVpc, securityGroups: readonly ec2.ISecurityGroup[]): string[] {
  const problems: string[] = [];
  for (const securityGroup of securityGroups) {
    const cfn = securityGroup.node.defaultChild;
    if (!(cfn instanceof ec2.CfnSecurityGroup) || cfn.vpcId === undefined) {
      continue; // an imported security group does not say its VPC
    }
    // Two tokens are the same VPC only if they are the same token; a token and a literal
    // ID cannot be compared at synth time.
    if (Token.isUnresolved(cfn.vpcId) === Token.isUnresolved(vpc.vpcId) && cfn.vpcId !== vpc.vpcId) {
      problems.push(`securityGroups: ${securityGroup.node.path} belongs to another VPC than vpc ${vpc.node.path}; Lambda accepts only security groups of the functions' VPC`);
    }
  }
  return problems;
}

/**
 * How each setting reads in an error: what it is (construct paths, which say more than
 * token IDs) and what makes two equal (the IDs, so that one VPC passed twice is one VPC).
 */
interface SettingView {
  readonly name: keyof ProviderPlacement;
  readonly identity: string;
  readonly shown: string;
}

/** Only the placement settings of `props` (a construct's whole props are passed as its placement). */
function ownSettings(props: ProviderPlacement): ProviderPlacement {
  const { vpc, vpcSubnets, securityGroups, logEncryptionKey, reserveConcurrency } = props;
  return { vpc, vpcSubnets, securityGroups, logEncryptionKey, reserveConcurrency };
}

function settingViews(placement: ProviderPlacement): SettingView[] {
  const { vpc, vpcSubnets, securityGroups, logEncryptionKey, reserveConcurrency } = placement;
  const subnets = vpc ? safeSelect(vpc, vpcSubnets) : undefined;
  return [
    { name: 'vpc', identity: vpc?.vpcId ?? '', shown: vpc ? vpc.node.path : 'none (not in a VPC)' },
    {
      name: 'vpcSubnets',
      identity: subnets ? subnets.subnetIds.join(',') : JSON.stringify(vpcSubnets ?? null),
      shown: subnets ? `${describeSelection(vpcSubnets)} (${subnets.subnets.map((s) => s.node.path).join(', ')})` : describeSelection(vpcSubnets),
    },
    {
      name: 'securityGroups',
      identity: (securityGroups ?? []).map((sg) => sg.securityGroupId).sort().join(','),
      shown: securityGroups && securityGroups.length > 0 ? securityGroups.map((sg) => sg.node.path).join(', ') : 'none (a security group per function)',
    },
    { name: 'logEncryptionKey', identity: logEncryptionKey?.keyArn ?? '', shown: logEncryptionKey ? logEncryptionKey.node.path : 'none (CloudWatch Logs\' own encryption)' },
    { name: 'reserveConcurrency', identity: String(reserveConcurrency === true), shown: reserveConcurrency === true ? 'true' : 'false (the default)' },
  ];
}

function safeSelect(vpc: ec2.IVpc, selection: ec2.SubnetSelection | undefined): ec2.SelectedSubnets | undefined {
  try {
    return vpc.selectSubnets(selection);
  } catch {
    return undefined;
  }
}

function describeSelection(selection: ec2.SubnetSelection | undefined): string {
  if (selection === undefined) {
    return 'the default';
  }
  const parts = [
    selection.subnetType && `subnetType ${selection.subnetType}`,
    selection.subnetGroupName && `subnetGroupName ${selection.subnetGroupName}`,
    selection.availabilityZones && `availabilityZones ${selection.availabilityZones.join(', ')}`,
    selection.subnets && `subnets ${selection.subnets.map((s) => s.node.path).join(', ')}`,
    selection.onePerAz && 'onePerAz',
  ].filter(Boolean);
  return parts.length > 0 ? `{ ${parts.join('; ')} }` : '{}';
}

/**
 * The provider's settings, fixed by the first construct, and the check that every later
 * construct in the stack asks for the same.
 */
export class ProviderPlacementRecord {
  private readonly views: SettingView[];

  /** The settings the provider was created with. */
  public readonly placement: ProviderPlacement;

  constructor(private readonly ownerPath: string, private readonly constructKind: string, placement: ProviderPlacement) {
    this.placement = ownSettings(placement);
    this.views = settingViews(placement);
  }

  /** Throws, naming both constructs and each differing setting, when `placement` differs. */
  public assertSame(requester: IConstruct, placement: ProviderPlacement): void {
    const requested = settingViews(placement);
    const differences = requested
      .map((view, index) => ({ view, first: this.views[index] }))
      .filter(({ view, first }) => view.identity !== first.identity)
      .map(({ view, first }) => `\n  ${view.name}: ${requester.node.path} asks for ${view.shown}; ${this.ownerPath} set ${first.shown}`);
    if (differences.length > 0) {
      throw new Error(
        `${this.constructKind} at ${requester.node.path} asks for other provider settings than ${this.ownerPath} in the same stack:${differences.join('')}\n` +
          `All ${this.constructKind} constructs of a stack share one provider (its Lambda functions and log groups), so they must pass the same ` +
          'vpc, vpcSubnets, securityGroups, logEncryptionKey and reserveConcurrency. Pass the same values, or put the constructs in different stacks.',
      );
    }
  }
}
