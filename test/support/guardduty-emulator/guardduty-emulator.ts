import { createServer, RequestListener, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { CallLog, CallRecord } from './call-log';
import { EmulatedOrganization } from './emulated-organization';
import { OrganizationsCallRecord, OrganizationsServer } from './organizations-server';
import { credentialsFor, EmulatorCredentials } from './caller-identity';
import { FaultInjector, FaultOptions } from './fault-injector';
import { GuardDutyState, MemberRecord } from './guardduty-state';
import { RelationshipStatus } from './relationship-status';
import { RegionalEndpoint } from './regional-endpoint';
import { RequestPipeline } from './request-pipeline';
import { RouteTable } from './route-table';
import { IamEndpoint } from './iam-endpoint';
import { S3ObjectEndpoint } from './s3-object-endpoint';
import { ServiceModel } from './service-model';
import { StackStatusEndpoint } from './stack-status-endpoint';

export interface GuardDutyEmulatorOptions {
  /** Faults from the start; replace them later with setFaults(). @default none */
  readonly faults?: FaultOptions;
  /**
   * How long an invited member stays EmailVerificationInProgress before it becomes
   * Invited (or EmailVerificationFailed, see failEmailVerification()). Infinity keeps it
   * there until completeEmailVerification().
   * @default 0 - InviteMembers leaves the member Invited at once
   */
  readonly emailVerificationDelayMs?: number;
  /** Epoch milliseconds for timestamps and email verification. @default Date.now */
  readonly clock?: () => number;
}

export interface SeedMember {
  readonly accountId: string;
  /** @default `security+<accountId>@example.com` */
  readonly email?: string;
  /**
   * Any status but Created comes with an invitation ID and time, not counted as sent.
   * EmailVerificationInProgress settles at the next read unless emailVerificationDelayMs
   * holds it there.
   * @default 'Created'
   */
  readonly relationshipStatus?: RelationshipStatus;
}

/** The settings a GuardDutyClient needs to talk to the emulator as the given account. */
export interface EmulatorClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: EmulatorCredentials;
}

/**
 * A local GuardDuty for tests: an HTTP server on 127.0.0.1 speaking the REST-JSON protocol
 * of `@aws-sdk/client-guardduty`, with routes, wire names and input constraints read from
 * the published API model, per-account and per-region state, fault injection and a call
 * log. The caller's account and region come from the SigV4 credential scope (see
 * caller-identity.ts for the access key convention). Its endpoint serves every region;
 * startRegion opens one endpoint per region, with faults of its own, for scenarios that
 * deploy several regions.
 */
export class GuardDutyEmulator {
  public static async start(options: GuardDutyEmulatorOptions = {}): Promise<GuardDutyEmulator> {
    const emulator = new GuardDutyEmulator(options);
    await new Promise<void>((resolve, reject) => {
      emulator.server.once('error', reject);
      emulator.server.listen(0, '127.0.0.1', () => resolve());
    });
    emulator.organizationsServer = await OrganizationsServer.start(emulator.state, (ms) => emulator.sleep(ms));
    return emulator;
  }

  /** CloudFormation's DescribeStacks on the same port: set its `status` to model a rollback. */
  public readonly cloudFormation = new StackStatusEndpoint();
  /** S3 objects the handlers read (member-list assets), on the same port. */
  public readonly s3 = new S3ObjectEndpoint();
  /** IAM's CreateServiceLinkedRole (`AWS_ENDPOINT_URL_IAM`), on the same port. */
  public readonly iam = new IamEndpoint();
  private readonly server: Server;
  private readonly log = new CallLog();
  private readonly pendingDelays = new Set<NodeJS.Timeout>();
  private readonly state: GuardDutyState;
  private readonly model = ServiceModel.load();
  private readonly routes = new RouteTable(this.model);
  /** The emulator's own endpoint's pipeline first, then one per regional endpoint. */
  private readonly pipelines: RequestPipeline[] = [];
  private readonly regionalEndpoints = new Map<string, RegionalEndpoint>();
  private faults: FaultInjector;
  private organizationsServer!: OrganizationsServer;
  /** The emulated AWS Organization (see emulated-organization.ts). */
  public readonly organization: EmulatedOrganization;

  private constructor(private readonly options: GuardDutyEmulatorOptions) {
    this.state = new GuardDutyState({ clock: options.clock ?? Date.now, emailVerificationDelayMs: options.emailVerificationDelayMs ?? 0 });
    this.faults = new FaultInjector(options.faults);
    this.organization = new EmulatedOrganization(this.state);
    this.server = createServer(this.listener(() => this.faults));
  }

  /** IAM's CreateServiceLinkedRole, CloudFormation's DescribeStacks, S3's GetObject, and GuardDuty through a pipeline of its own. */
  private listener(faults: () => FaultInjector, region?: string): RequestListener {
    const pipeline = new RequestPipeline({ model: this.model, routes: this.routes, state: this.state, log: this.log, faults, sleep: (ms) => this.sleep(ms), region });
    this.pipelines.push(pipeline);
    return (request, response) => {
      // IAM before CloudFormation: both speak the query protocol, and only IAM's are signed for "iam".
      const served = IamEndpoint.serves(request)
        ? this.iam.handle(request, response)
        : StackStatusEndpoint.isQueryRequest(request)
        ? this.cloudFormation.handle(request, response)
        : this.s3.serves(request)
          ? this.s3.handle(request, response)
          : pipeline.handle(request, response);
      served.catch(() => request.socket.destroy());
    };
  }

  /**
   * Opens GuardDuty's endpoint in `region` (see regional-endpoint.ts), or returns the one
   * already open: for scenarios that deploy several regions, each reaching its own.
   */
  public async startRegion(region: string): Promise<RegionalEndpoint> {
    const open = this.regionalEndpoints.get(region);
    if (open) {
      return open;
    }
    const endpoint = await RegionalEndpoint.start(region, {
      listener: (faults, name) => this.listener(faults, name),
      calls: () => this.calls(),
      settled: () => this.settled(),
      organizationsEndpoint: () => this.organizationsEndpoint,
      s3: this.s3,
    });
    this.regionalEndpoints.set(region, endpoint);
    return endpoint;
  }

  /** The endpoint startRegion opened for `region`. */
  public region(region: string): RegionalEndpoint {
    const endpoint = this.regionalEndpoints.get(region);
    if (!endpoint) {
      throw new Error(`No GuardDuty endpoint is open for ${region}: call startRegion('${region}') first`);
    }
    return endpoint;
  }

  /** `http://127.0.0.1:<port>`, for the client's `endpoint`. */
  public get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Closes every connection, keep-alive ones included, and cancels held-back responses. */
  public async stop(): Promise<void> {
    this.abortInFlightCalls();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await Promise.all([closed, this.organizationsServer.stop(), ...[...this.regionalEndpoints.values()].map((endpoint) => endpoint.stop())]);
  }

  /** The AWS Organizations endpoint (`AWS_ENDPOINT_URL_ORGANIZATIONS`), sharing this emulator's state. */
  public get organizationsEndpoint(): string {
    return this.organizationsServer.endpoint;
  }

  /** The settings an OrganizationsClient needs to talk to the emulator as the given account. */
  public organizationsClientConfig(accountId: string): EmulatorClientConfig {
    return { endpoint: this.organizationsEndpoint, region: 'us-east-1', credentials: credentialsFor(accountId) };
  }

  public organizationsCalls(): readonly OrganizationsCallRecord[] {
    return this.organizationsServer.calls();
  }

  public credentialsFor(accountId: string): EmulatorCredentials {
    return credentialsFor(accountId);
  }

  public clientConfig(accountId: string, region = 'us-east-1'): EmulatorClientConfig {
    return { endpoint: this.endpoint, region, credentials: credentialsFor(accountId) };
  }

  /** Replaces the fault configuration; counters and the PRNG start afresh. */
  public setFaults(faults: FaultOptions): void {
    this.faults = new FaultInjector(faults);
  }

  public clearFaults(): void {
    this.setFaults({});
  }

  /** Replaces the faults of the Organizations endpoint (organizations-server.ts); reset() clears them. */
  public setOrganizationsFaults(faults: FaultOptions): void {
    this.organizationsServer.setFaults(faults);
  }

  /** Creates the account's detector in the region (if absent) and returns its ID. */
  public seedDetector(accountId: string, region: string): string {
    return this.state.detectorId(accountId, region) ?? this.state.addDetector(accountId, region);
  }

  public detectorId(accountId: string, region: string): string | undefined {
    return this.state.detectorId(accountId, region);
  }

  /** The account's detector's FindingPublishingFrequency, as GetDetector reports it. */
  public findingPublishingFrequency(accountId: string, region: string): string | undefined {
    return this.state.detector(accountId, region)?.findingPublishingFrequency;
  }

  /** Puts a member record straight into the administrator's detector, replacing any. */
  public seedMember(administratorId: string, region: string, member: SeedMember): void {
    if (!this.state.detectorId(administratorId, region)) {
      throw new Error(`seedMember: ${administratorId} has no detector in ${region}; call seedDetector first`);
    }
    const record: MemberRecord = {
      accountId: member.accountId,
      email: member.email ?? `security+${member.accountId}@example.com`,
      relationshipStatus: member.relationshipStatus ?? 'Created',
      administratorId,
      updatedAt: this.state.now(),
    };
    if (record.relationshipStatus !== 'Created') {
      this.state.assignInvitation(record);
    }
    this.state.members(administratorId, region).set(member.accountId, record);
  }

  /** A copy of the administrator's member records, email verification settled as of now. */
  public members(administratorId: string, region: string): MemberRecord[] {
    this.state.settleDueEmailVerifications();
    return [...this.state.members(administratorId, region).values()].map((record) => ({ ...record }));
  }

  /** Invitations GuardDuty accepted to send to the account, across administrators and regions. */
  public invitationsSentTo(accountId: string): number {
    return this.state.invitationsSentTo(accountId);
  }

  /** Makes the account a member of an administrator outside the emulator; undefined clears it. */
  public setExternalAdministrator(memberAccountId: string, administratorId: string | undefined): void {
    if (administratorId) {
      this.state.externalAdministrators.set(memberAccountId, administratorId);
    } else {
      this.state.externalAdministrators.delete(memberAccountId);
    }
  }

  /** Invitations to this account end EmailVerificationFailed instead of Invited. */
  public failEmailVerification(accountId: string): void {
    this.state.failingEmailVerification.add(accountId);
  }

  /** Settles every EmailVerificationInProgress member now, whatever the delay. */
  public completeEmailVerification(): void {
    this.state.settleAllEmailVerifications();
  }

  /**
   * Back to the state at start: no detectors or members, the start options' faults (none
   * at the regional endpoints, which stay open), an empty log. Calls still in flight are cut off so they cannot leak into the next test.
   */
  public reset(): void {
    this.abortInFlightCalls();
    this.state.clear();
    this.faults = new FaultInjector(this.options.faults);
    this.regionalEndpoints.forEach((endpoint) => endpoint.clearFaults());
    this.log.clear();
    this.cloudFormation.reset();
    this.s3.reset();
    this.iam.reset();
    this.organizationsServer.clearLog();
    this.organizationsServer.setFaults({});
  }

  public calls(): readonly CallRecord[] {
    return this.log.calls();
  }

  /** Finished calls, of one operation or of all. */
  public callCount(operation?: string): number {
    return this.log.callCount(operation);
  }

  /** Finished calls of operations that change state (anything but Get/List/Describe). */
  public writeCallCount(): number {
    return this.log.writeCallCount();
  }

  /** The most calls in flight at once since start or reset. */
  public peakConcurrency(): number {
    return this.log.peakConcurrency();
  }

  /**
   * Resolves once no call is in flight: every request a client sent has been applied,
   * refused or dropped, including one the client abandoned at its deadline (GuardDuty, like
   * this emulator, still applies a request whose caller stopped waiting). The state then is
   * the one CloudFormation's next request meets, seconds later in AWS. Rejects after `timeoutMs`.
   */
  public async settled(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.log.callsInFlight() > 0) {
      if (Date.now() > deadline) {
        throw new Error(`The emulator still has ${this.log.callsInFlight()} call(s) in flight after ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  private abortInFlightCalls(): void {
    this.pendingDelays.forEach((timer) => clearTimeout(timer));
    this.pendingDelays.clear();
    this.pipelines.forEach((pipeline) => pipeline.abortInFlight());
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pendingDelays.delete(timer);
        resolve();
      }, ms);
      this.pendingDelays.add(timer);
    });
  }
}
