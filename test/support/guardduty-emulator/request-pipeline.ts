import { IncomingMessage, ServerResponse } from 'node:http';
import { ADMINISTRATOR_OPERATIONS } from './administrator-operations';
import { CallFault, CallLog } from './call-log';
import { parseCaller, requireCaller } from './caller-identity';
import { FaultInjector } from './fault-injector';
import { GuardDutyState } from './guardduty-state';
import { Answer, dropConnection, errorAnswer, readBody, send } from './http-exchange';
import { DETECTOR_OPERATIONS } from './detector-operations';
import { MEMBER_ACCOUNT_OPERATIONS } from './member-account-operations';
import { OperationHandler } from './operation-context';
import { ORGANIZATION_OPERATIONS } from './organization-operations';
import { RouteTable } from './route-table';
import { badRequest, ServiceError } from './service-error';
import { ServiceModel } from './service-model';
import { serviceControlPolicyDenial } from './service-control-policies';
import { validateInput, validationMessage } from './shape-validator';
import { decodeRequest, Document, encodeResponse } from './wire-codec';

// The organization operations come last: their CreateMembers and InviteMembers handle a
// delegated administrator's organization accounts and pass every other call on.
const OPERATIONS: Readonly<Record<string, OperationHandler>> = { ...ADMINISTRATOR_OPERATIONS, ...MEMBER_ACCOUNT_OPERATIONS, ...DETECTOR_OPERATIONS, ...ORGANIZATION_OPERATIONS };

/** A request, decoded as far as it can be before any fault or validation. */
interface ParsedCall {
  readonly operation: string;
  readonly method: string;
  readonly pathname: string;
  readonly authorization?: string;
  /** Undefined when the body is not JSON. */
  readonly input?: Document;
}

interface Outcome {
  readonly statusCode: number;
  readonly fault?: CallFault;
}

export interface PipelineDependencies {
  readonly model: ServiceModel;
  readonly routes: RouteTable;
  readonly state: GuardDutyState;
  readonly log: CallLog;
  /** Read at each call's arrival, so a test can change faults while the emulator runs. */
  readonly faults: () => FaultInjector;
  /** A delay the emulator cancels on reset and stop. */
  readonly sleep: (ms: number) => Promise<void>;
  /**
   * The region of a regional endpoint (regional-endpoint.ts): a call signed for another
   * region is refused, as GuardDuty's endpoint in a region refuses it.
   * @default any region: the emulator's own endpoint serves every region
   */
  readonly region?: string;
}

/**
 * One call from arrival to log entry, in this order: latency; a drop before anything is
 * applied; the rate limit (429); an injected 500 or 403; then the operation proper (identity,
 * validation against the model, state change); a drop after the change; a slow response.
 * A call answered with a fault before the operation never changes state. A service
 * control policy's denial comes after identity, before validation, as IAM's does.
 */
export class RequestPipeline {
  private readonly inFlight = new Set<IncomingMessage>();

  constructor(private readonly deps: PipelineDependencies) {}

  public async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const startedAt = Date.now();
    const sequence = this.deps.log.begin();
    this.inFlight.add(request);
    response.once('close', () => this.inFlight.delete(request));
    const call = await this.parse(request);
    let outcome: Outcome = { statusCode: 0, fault: 'dropped' };
    try {
      outcome = await this.respond(call, request, response);
    } finally {
      const caller = parseCaller(call.authorization);
      this.deps.log.end({ sequence, operation: call.operation, accountId: caller?.accountId, region: caller?.region, accountCount: countAccounts(call.input), ...outcome, startedAt, durationMs: Date.now() - startedAt });
    }
  }

  /**
   * Cuts every call still in flight (one held back as slow, say) so that none of them
   * touches state or the log after a reset or stop. Their pending delays are cancelled
   * by the owner of `sleep`.
   */
  public abortInFlight(): void {
    this.inFlight.forEach((request) => request.socket.destroy());
    this.inFlight.clear();
  }

  private async parse(request: IncomingMessage): Promise<ParsedCall> {
    const url = new URL(request.url ?? '/', 'http://emulator');
    const method = request.method ?? 'GET';
    const route = this.deps.routes.resolve(method, url.pathname);
    const text = await readBody(request);
    const operation = route?.operation ?? 'Unknown';
    const base = { operation, method, pathname: url.pathname, authorization: request.headers.authorization };
    try {
      const body: unknown = text ? JSON.parse(text) : {};
      return { ...base, input: route ? decodeRequest(this.deps.model, operation, { labels: route.labels, query: url.searchParams, body }) : {} };
    } catch {
      return base;
    }
  }

  private async respond(call: ParsedCall, request: IncomingMessage, response: ServerResponse): Promise<Outcome> {
    const faults = this.deps.faults();
    const scripted = faults.scripted(call.operation);
    await this.deps.sleep(faults.latencyMs());
    if (scripted === 'dropped' || (scripted === undefined && faults.dropsBeforeApply(call.operation))) {
      dropConnection(request);
      return { statusCode: 0, fault: 'dropped' };
    }
    if (scripted === 'throttled' || (scripted === undefined && faults.throttles())) {
      return this.answer(response, errorAnswer(new ServiceError('TooManyRequestsException', 429, 'Rate exceeded')), 'throttled');
    }
    if (scripted === 'server-error' || (scripted === undefined && faults.failsWithServerError(call.operation))) {
      return this.answer(response, errorAnswer(new ServiceError('InternalServerErrorException', 500, 'The request failed due to an internal error (injected by the emulator).')), 'server-error');
    }
    if (scripted === undefined && faults.deniesAccess(call.operation)) {
      const message = `User is not authorized to perform: guardduty:${call.operation} with an explicit deny in a service control policy (injected by the emulator).`;
      return this.answer(response, errorAnswer(new ServiceError('AccessDeniedException', 403, message)), 'access-denied');
    }
    const answer = this.execute(call);
    if (scripted === 'dropped-after-apply' || (scripted === undefined && faults.dropsAfterApply(call.operation))) {
      dropConnection(request);
      return { statusCode: 0, fault: 'dropped-after-apply' };
    }
    const delayMs = scripted === undefined ? faults.responseDelayMs(call.operation) : 0;
    await this.deps.sleep(delayMs);
    return this.answer(response, answer, delayMs > 0 ? 'slow' : undefined);
  }

  private answer(response: ServerResponse, answer: Answer, fault?: CallFault): Outcome {
    return send(response, answer) ? { statusCode: answer.statusCode, fault } : { statusCode: 0, fault };
  }

  /** The operation itself; every refusal becomes the error answer GuardDuty would give. */
  private execute(call: ParsedCall): Answer {
    try {
      return { statusCode: this.deps.model.operation(call.operation).http.responseCode ?? 200, body: this.run(call) };
    } catch (error) {
      if (error instanceof ServiceError) {
        return errorAnswer(error);
      }
      // An emulator bug: surfaced to the test as a 500 carrying the cause.
      return errorAnswer(new ServiceError('InternalServerErrorException', 500, `Emulator failure: ${(error as Error).stack ?? String(error)}`));
    }
  }

  private run(call: ParsedCall): Document {
    if (call.operation === 'Unknown') {
      throw new ServiceError('UnknownOperationException', 404, `No GuardDuty operation is routed at ${call.method} ${call.pathname}.`);
    }
    const handler = OPERATIONS[call.operation];
    if (!handler) {
      throw new ServiceError('NotImplementedException', 501, `The GuardDuty emulator does not implement ${call.operation}.`);
    }
    const caller = requireCaller(call.authorization);
    if (this.deps.region !== undefined && caller.region !== this.deps.region) {
      throw new ServiceError('InvalidSignatureException', 403, `Credential should be scoped to a valid region, not '${caller.region}'.`);
    }
    const denial = serviceControlPolicyDenial(this.deps.state, caller, call.operation);
    if (denial) {
      throw denial;
    }
    if (!call.input) {
      throw badRequest('The request is rejected because the request body is not valid JSON.');
    }
    const violations = validateInput(this.deps.model, this.deps.model.operation(call.operation).input, call.input);
    if (violations.length > 0) {
      throw badRequest(validationMessage(violations));
    }
    this.deps.state.settleDueEmailVerifications();
    const output = handler({ caller, state: this.deps.state }, call.input);
    return encodeResponse(this.deps.model, call.operation, output);
  }
}

/** The batch size of a member operation: how many accounts one call carries. */
function countAccounts(input: Document | undefined): number {
  const accounts = input?.AccountIds ?? input?.AccountDetails;
  return Array.isArray(accounts) ? accounts.length : 0;
}
