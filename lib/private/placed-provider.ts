import { Stack } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { stackSingleton } from './bundled-handler';
import { ProviderPlacement, ProviderPlacementRecord, assertValidPlacement, rememberPlacement } from './provider-placement';

/** A stack's provider whose functions and log groups are placed as its first construct asked. */
export interface PlacedProvider extends IConstruct {
  readonly placementRecord: ProviderPlacementRecord;
}

export interface PlacedProviderOptions<T extends PlacedProvider> {
  /** The provider's construct ID at stack level (a compatibility contract, see each provider). */
  readonly id: string;
  /** The public construct that uses the provider, for errors: `GuardDutyMemberInvitations`. */
  readonly constructKind: string;
  /** What the provider is, for the error when its ID is taken: "GuardDuty member invitations provider". */
  readonly description: string;
  readonly create: (stack: Stack, id: string, placement: ProviderPlacementRecord) => T;
  readonly isInstance: (construct: IConstruct) => construct is T;
}

/**
 * The stack's provider for `requester`, which asks for `placement`: the placement is
 * checked, the provider is created with the first construct (which fixes its settings)
 * and found for every later one, which must ask for the same settings. All four
 * providers of this library go through here, so their placement behaves alike.
 */
export function placedStackProvider<T extends PlacedProvider>(requester: Construct, placement: ProviderPlacement, options: PlacedProviderOptions<T>): T {
  assertValidPlacement(requester, options.constructKind, placement);
  const provider = stackSingleton(
    requester,
    options.id,
    (stack, id) => options.create(stack, id, new ProviderPlacementRecord(requester.node.path, options.constructKind, placement)),
    options.isInstance,
    options.description,
  );
  provider.placementRecord.assertSame(requester, placement);
  rememberPlacement(requester, placement);
  return provider;
}
