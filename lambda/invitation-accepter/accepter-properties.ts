import {
  DEFAULT_INVITATION_TIMEOUT_SECONDS,
  MAX_INVITATION_TIMEOUT_SECONDS,
  MIN_INVITATION_TIMEOUT_SECONDS,
} from '../../lib/private/accepter-contract';
import { MEMBER_REMOVAL_POLICIES, MemberRemovalPolicy } from '../../lib/private/invitation-contract';
import { accountIdProblem, detectorIdProblem } from '../../lib/private/member-account-rules';
import { HandlerError } from '../shared/handler-error';

/** The resource's properties, parsed and validated. */
export interface AccepterSettings {
  readonly administratorAccountId: string;
  /** Undefined: look up the detector of the account and region. */
  readonly detectorId?: string;
  readonly invitationTimeoutSeconds: number;
  readonly removalPolicy: MemberRemovalPolicy;
}

/**
 * Parses the raw `ResourceProperties` of a CloudFormation event, before any GuardDuty
 * call. CloudFormation hands scalars over as strings ("900"), and the event may not come
 * from the construct at all, so nothing about its shape is assumed. Every problem is
 * collected into one HandlerError that names each bad value. `ownAccountId` is the
 * account the handler runs in, when known: it cannot be its own administrator.
 */
export function parseAccepterSettings(raw: unknown, ownAccountId?: string): AccepterSettings {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new HandlerError(`ResourceProperties must be an object, got ${show(raw)}.`);
  }
  const props = raw as Record<string, unknown>;
  const problems: string[] = [];
  const check = <T>(result: { value: T } | { problem: string }, fallback: T): T => {
    if ('problem' in result) {
      problems.push(result.problem);
      return fallback;
    }
    return result.value;
  };

  const settings: AccepterSettings = {
    administratorAccountId: check(administratorAccountId(props.AdministratorAccountId, ownAccountId), ''),
    detectorId: check(detectorId(props.DetectorId), undefined),
    invitationTimeoutSeconds: check(invitationTimeoutSeconds(props.InvitationTimeoutSeconds), DEFAULT_INVITATION_TIMEOUT_SECONDS),
    removalPolicy: check(removalPolicy(props.RemovalPolicy), 'RETAIN'),
  };
  if (problems.length > 0) {
    throw new HandlerError(`Invalid GuardDutyInvitationAccepter properties: ${problems.join('; ')}.`);
  }
  return settings;
}

type Parsed<T> = { value: T } | { problem: string };

function administratorAccountId(value: unknown, ownAccountId: string | undefined): Parsed<string> {
  const problem = accountIdProblem(value);
  if (problem) {
    return { problem: `AdministratorAccountId: ${problem}` };
  }
  if (value === ownAccountId) {
    return { problem: `AdministratorAccountId ${value} is this account's own ID: an account cannot be its own GuardDuty administrator` };
  }
  return { value: value as string };
}

function detectorId(value: unknown): Parsed<string | undefined> {
  if (value === undefined || value === '') {
    return { value: undefined };
  }
  const problem = detectorIdProblem(value, 'DetectorId');
  return problem ? { problem } : { value: value as string };
}

/** CloudFormation sends numbers as strings ("900"); a number is accepted too. */
function invitationTimeoutSeconds(value: unknown): Parsed<number> {
  if (value === undefined) {
    return { value: DEFAULT_INVITATION_TIMEOUT_SECONDS };
  }
  const text = typeof value === 'number' ? String(value) : value;
  const seconds = typeof text === 'string' && /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(seconds >= MIN_INVITATION_TIMEOUT_SECONDS && seconds <= MAX_INVITATION_TIMEOUT_SECONDS)) {
    return { problem: `InvitationTimeoutSeconds must be a whole number of seconds from ${MIN_INVITATION_TIMEOUT_SECONDS} to ${MAX_INVITATION_TIMEOUT_SECONDS}, got ${show(value)}` };
  }
  return { value: seconds };
}

function removalPolicy(value: unknown): Parsed<MemberRemovalPolicy> {
  if (value === undefined) {
    return { value: 'RETAIN' };
  }
  if (typeof value === 'string' && (MEMBER_REMOVAL_POLICIES as readonly string[]).includes(value)) {
    return { value: value as MemberRemovalPolicy };
  }
  return { problem: `RemovalPolicy must be one of ${MEMBER_REMOVAL_POLICIES.join(', ')}, got ${show(value)}` };
}

/** A value as the messages show it: strings quoted and cut short, everything else by kind. */
function show(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  }
  if (Array.isArray(value)) {
    return `a list of ${value.length}`;
  }
  if (value === null || value === undefined) {
    return String(value);
  }
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
