import { createServer, RequestListener, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { credentialsFor, EmulatorCredentials } from './caller-identity';
import { CallRecord, isWriteOperation } from './call-log';
import { FaultInjector, FaultOptions } from './fault-injector';
import { S3ObjectEndpoint } from './s3-object-endpoint';

/** What a regional endpoint shares with the emulator that started it. */
export interface RegionalEndpointHost {
  /** The HTTP listener for this endpoint, with its pipeline reading `faults` at each call. */
  readonly listener: (faults: () => FaultInjector, region: string) => RequestListener;
  readonly calls: () => readonly CallRecord[];
  readonly settled: () => Promise<void>;
  readonly organizationsEndpoint: () => string;
  readonly s3: S3ObjectEndpoint;
}

/**
 * GuardDuty's endpoint in one region (`guardduty.<region>.amazonaws.com`), on a port of its
 * own: the emulator's state, which keeps detectors, members, the delegated administrator
 * and the organization configuration per region, seen through one region. A call signed
 * for another region is refused (InvalidSignatureException), so a handler that reaches
 * the wrong region's endpoint, or signs for a region it was not deployed in, fails as it
 * would in AWS. Faults are the region's own: a scenario breaks one region while the
 * others answer. AWS Organizations is global: every region shares the emulator's.
 */
export class RegionalEndpoint {
  public static async start(region: string, host: RegionalEndpointHost): Promise<RegionalEndpoint> {
    const endpoint = new RegionalEndpoint(region, host);
    await new Promise<void>((resolve, reject) => {
      endpoint.server.once('error', reject);
      endpoint.server.listen(0, '127.0.0.1', () => resolve());
    });
    return endpoint;
  }

  private readonly server: Server;
  private faults = new FaultInjector();

  private constructor(
    public readonly region: string,
    private readonly host: RegionalEndpointHost,
  ) {
    this.server = createServer(host.listener(() => this.faults, region));
  }

  /** `http://127.0.0.1:<port>`: this region's `AWS_ENDPOINT_URL_GUARDDUTY` (and S3's, for member-list assets). */
  public get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public get organizationsEndpoint(): string {
    return this.host.organizationsEndpoint();
  }

  public get s3(): S3ObjectEndpoint {
    return this.host.s3;
  }

  public credentialsFor(accountId: string): EmulatorCredentials {
    return credentialsFor(accountId);
  }

  /** The settings a GuardDutyClient needs to call this region's endpoint as the given account. */
  public clientConfig(accountId: string): { readonly endpoint: string; readonly region: string; readonly credentials: EmulatorCredentials } {
    return { endpoint: this.endpoint, region: this.region, credentials: credentialsFor(accountId) };
  }

  /** Replaces this region's faults (the emulator's own endpoint and other regions keep theirs). */
  public setFaults(faults: FaultOptions): void {
    this.faults = new FaultInjector(faults);
  }

  public clearFaults(): void {
    this.setFaults({});
  }

  /** Finished calls signed for this region, in the order they finished. */
  public calls(): readonly CallRecord[] {
    return this.host.calls().filter((call) => call.region === this.region);
  }

  /** Finished calls of this region that change state (anything but Get/List/Describe). */
  public writeCalls(): readonly CallRecord[] {
    return this.calls().filter((call) => isWriteOperation(call.operation));
  }

  /** Resolves once no call is in flight, in any region (the call log is the emulator's). */
  public settled(): Promise<void> {
    return this.host.settled();
  }

  public async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}
