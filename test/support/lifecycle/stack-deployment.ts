import { isDeepStrictEqual } from 'util';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { followUpRequest } from './cloudformation-requests';
import { StackStatus } from './local-aws/cloudformation-endpoint';
import { Delivery, DeliveryOptions } from './provider-framework';
import { ResourceEvents, resourceEvents } from './resource-events';
import { SynthesizedAppStack, SynthesizedStack } from './synthesized-stack';

/** Sends one request to the provider framework of `part` (one custom resource type of the stack) and returns its answer. */
export type DeliverRequest = (part: SynthesizedStack, event: CloudFormationCustomResourceEvent, options: DeliveryOptions) => Promise<Delivery>;

/** One request CloudFormation sent for a custom resource during a deployment, and the answer. */
export interface ResourceRequest {
  readonly logicalId: string;
  readonly requestType: CloudFormationCustomResourceEvent['RequestType'];
  readonly stackStatus: StackStatus;
  readonly delivery: Delivery;
}

/** The stack's status once a deployment ended, as `cdk deploy` reports it. */
export type DeploymentResult = 'CREATE_COMPLETE' | 'UPDATE_COMPLETE' | 'NO_CHANGES' | 'ROLLBACK_COMPLETE' | 'UPDATE_ROLLBACK_COMPLETE';

export interface StackOutcome {
  readonly result: DeploymentResult;
  /** Every request, the rollback's included, in the order sent. */
  readonly requests: readonly ResourceRequest[];
  /** The Reason of the request that failed the deployment. */
  readonly failureReason?: string;
}

interface DeployedResource {
  readonly physicalId: string;
  readonly properties: Record<string, unknown>;
  readonly part: SynthesizedStack;
}

const FAILED: readonly DeploymentResult[] = ['ROLLBACK_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE'];

/**
 * One stack as CloudFormation deploys it, version after version (each a synthesis of the
 * app): a resource new to the template gets a Create, one whose properties changed an
 * Update, an unchanged one nothing, in the template's creation order. The first failure
 * rolls the deployment back: the failed request's follow-up (cloudformation-requests.ts),
 * then, newest first, a Delete of each resource this deployment created and an Update
 * back of each it updated. A stack whose creation rolled back (ROLLBACK_COMPLETE) is
 * deleted by `cdk deploy` before it is created again, so the next version is a creation.
 * Removing a resource from the template is not modelled: no scenario needs it yet.
 */
export class CloudFormationStack {
  private resources = new Map<string, DeployedResource>();
  private created = false;

  constructor(private readonly deliver: DeliverRequest) {}

  public async deploy(version: SynthesizedAppStack): Promise<StackOutcome> {
    const creating = !this.created;
    const status: StackStatus = creating ? 'CREATE_IN_PROGRESS' : 'UPDATE_IN_PROGRESS';
    const previous = new Map(this.resources);
    const requests: ResourceRequest[] = [];
    const applied: Array<{ readonly event: CloudFormationCustomResourceEvent; readonly events: ResourceEvents; readonly part: SynthesizedStack; readonly physicalId: string }> = [];
    const send = async (part: SynthesizedStack, logicalId: string, event: CloudFormationCustomResourceEvent, stackStatus: StackStatus) => {
      const delivery = await this.deliver(part, event, { stackStatus });
      requests.push({ logicalId, requestType: event.RequestType, stackStatus, delivery });
      return delivery;
    };

    for (const logicalId of version.creationOrder) {
      const part = version.parts.find((p) => p.resources.some((r) => r.logicalId === logicalId))!;
      const resource = part.resources.find((r) => r.logicalId === logicalId)!;
      const events = resourceEvents(part, resource);
      const current = this.resources.get(logicalId);
      if (current && isDeepStrictEqual(current.properties, resource.properties)) {
        continue;
      }
      const event = current ? events.update(current.physicalId, resource.properties, current.properties) : events.create(resource.properties);
      const delivery = await send(part, logicalId, event, status);
      if (delivery.response.Status === 'FAILED') {
        const rollbackStatus: StackStatus = creating ? 'ROLLBACK_IN_PROGRESS' : 'UPDATE_ROLLBACK_IN_PROGRESS';
        const followUp = followUpRequest(events, event, delivery);
        if (followUp) {
          await send(part, logicalId, followUp.event, rollbackStatus);
        }
        for (const done of applied.reverse()) {
          const undo = done.event.RequestType === 'Create'
            ? done.events.delete(done.physicalId, done.event.ResourceProperties)
            : done.events.update(done.physicalId, (done.event as { OldResourceProperties: Record<string, unknown> }).OldResourceProperties, done.event.ResourceProperties);
          await send(done.part, done.event.LogicalResourceId, undo, rollbackStatus);
        }
        this.resources = creating ? new Map() : previous;
        return { result: creating ? 'ROLLBACK_COMPLETE' : 'UPDATE_ROLLBACK_COMPLETE', requests, failureReason: delivery.response.Reason };
      }
      applied.push({ event, events, part, physicalId: delivery.response.PhysicalResourceId });
      this.resources.set(logicalId, { physicalId: delivery.response.PhysicalResourceId, properties: resource.properties, part });
    }
    this.created = true;
    return { result: requests.length === 0 && !creating ? 'NO_CHANGES' : creating ? 'CREATE_COMPLETE' : 'UPDATE_COMPLETE', requests };
  }
}

/** What became of each stack of an app in one deployment; undefined: not deployed, because a stack it depends on failed. */
export type AppOutcome = Readonly<Record<string, StackOutcome | undefined>>;

export function deploymentFailed(outcome: StackOutcome | undefined): boolean {
  return outcome === undefined || FAILED.includes(outcome.result);
}

/**
 * Deploys every stack of `version` once the stacks it depends on are deployed, stacks
 * without a dependency between them at the same time, as CDK Pipelines runs a wave's
 * stacks: a stack whose dependency failed is not deployed; the others go on.
 */
export async function deployApp(version: readonly SynthesizedAppStack[], stackFor: (stack: SynthesizedAppStack) => CloudFormationStack): Promise<AppOutcome> {
  const byName = new Map(version.map((stack) => [stack.settings.stackName, stack]));
  const running = new Map<string, Promise<StackOutcome | undefined>>();
  const deploy = (stack: SynthesizedAppStack): Promise<StackOutcome | undefined> => {
    const name = stack.settings.stackName;
    if (!running.has(name)) {
      running.set(name, (async () => {
        const dependencies = await Promise.all(stack.dependsOn.filter((d) => byName.has(d)).map((d) => deploy(byName.get(d)!)));
        return dependencies.some(deploymentFailed) ? undefined : stackFor(stack).deploy(stack);
      })());
    }
    return running.get(name)!;
  };
  const outcomes = await Promise.all(version.map(deploy));
  return Object.fromEntries(version.map((stack, i) => [stack.settings.stackName, outcomes[i]]));
}
