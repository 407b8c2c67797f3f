import {
  MAX_VERIFICATION_TIMEOUT_SECONDS,
  MEMBER_REMOVAL_POLICIES,
  MemberRemovalPolicy,
  UNPROCESSED_POLICIES,
  UnprocessedPolicy,
} from '../../lib/private/invitation-contract';
import {
  MAX_DECLARED_MEMBERS,
  MESSAGE_MAX_LENGTH,
  accountIdProblem,
  detectorIdProblem,
  duplicateAccountIds,
  emailProblem,
} from '../../lib/private/member-account-rules';
import { HandlerError } from '../shared/handler-error';

/** A declared member account, as GuardDuty's CreateMembers takes it. */
export interface DeclaredMember {
  readonly accountId: string;
  readonly email: string;
}

/** The resource's properties, parsed and validated. */
export interface InvitationSettings {
  readonly detectorId?: string;
  readonly members: readonly DeclaredMember[];
  readonly message?: string;
  readonly disableEmailNotification: boolean;
  readonly onUnprocessed: UnprocessedPolicy;
  readonly removalPolicy: MemberRemovalPolicy;
  /** 0: do not wait for email verification. */
  readonly verificationTimeoutSeconds: number;
}

const MAX_PROBLEMS_LISTED = 10;

/**
 * Parses the raw `ResourceProperties` of a CloudFormation event. CloudFormation hands
 * every scalar to the handler as a string ("true", "14"), and the event may not come
 * from our construct at all, so nothing about its shape is assumed. Every problem is
 * collected, so one failed deployment tells the user everything to fix. Throws a
 * HandlerError naming each bad value (emails are never echoed, only their position
 * and account).
 */
export function parseInvitationSettings(raw: unknown): InvitationSettings {
  const problems: string[] = [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new HandlerError(`ResourceProperties must be an object, got ${describe(raw)}.`);
  }
  const props = raw as Record<string, unknown>;

  const detectorId = parseDetectorId(props.DetectorId, problems);
  const message = optionalString(props, 'Message', MESSAGE_MAX_LENGTH, problems);
  const disableEmailNotification = parseBoolean(props.DisableEmailNotification, 'DisableEmailNotification', false, problems);
  const onUnprocessed = parseChoice(props.OnUnprocessed, 'OnUnprocessed', UNPROCESSED_POLICIES, 'FAIL', problems);
  const removalPolicy = parseChoice(props.RemovalPolicy, 'RemovalPolicy', MEMBER_REMOVAL_POLICIES, 'RETAIN', problems);
  // With OrganizationMembers, Members holds what the selection resolved to (plus the
  // accounts declared outright), which may be none yet.
  const members = parseMembers(props.Members, problems, props.OrganizationMembers !== undefined);
  const verificationTimeoutSeconds = parseWholeNumber(props.VerificationTimeoutSeconds, 'VerificationTimeoutSeconds', MAX_VERIFICATION_TIMEOUT_SECONDS, problems);

  if (problems.length > 0) {
    const listed = problems.slice(0, MAX_PROBLEMS_LISTED).join('; ');
    const more = problems.length > MAX_PROBLEMS_LISTED ? `; … and ${problems.length - MAX_PROBLEMS_LISTED} more` : '';
    throw new HandlerError(`Invalid GuardDutyMemberInvitations properties: ${listed}${more}.`);
  }
  return { detectorId, members, message, disableEmailNotification, onUnprocessed, removalPolicy, verificationTimeoutSeconds };
}

function parseMembers(raw: unknown, problems: string[], selected: boolean): DeclaredMember[] {
  if (raw === undefined && selected) {
    return [];
  }
  if (!Array.isArray(raw)) {
    problems.push(`Members must be a list of {AccountId, Email}, got ${describe(raw)}`);
    return [];
  }
  if (raw.length === 0 && !selected) {
    problems.push('Members must declare at least one account');
    return [];
  }
  if (raw.length > MAX_DECLARED_MEMBERS) {
    problems.push(`Members declares ${raw.length} accounts; one resource takes at most ${MAX_DECLARED_MEMBERS} (split them over several resources)`);
    return [];
  }
  const members: DeclaredMember[] = [];
  raw.forEach((entry, index) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push(`Members[${index}] must be an object {AccountId, Email}, got ${describe(entry)}`);
      return;
    }
    const { AccountId: accountId, Email: email } = entry as Record<string, unknown>;
    const idProblem = accountIdProblem(accountId);
    const label = idProblem ? `Members[${index}]` : `Members[${index}] (account ${accountId})`;
    if (idProblem) {
      problems.push(`${label}: ${idProblem}`);
    }
    const mailProblem = emailProblem(email);
    if (mailProblem) {
      problems.push(`${label}: ${mailProblem}`);
    }
    if (!idProblem && !mailProblem) {
      members.push({ accountId: accountId as string, email: email as string });
    }
  });
  const duplicates = duplicateAccountIds(members.map((m) => m.accountId));
  if (duplicates.length > 0) {
    problems.push(`Members lists these accounts more than once: ${duplicates.join(', ')}`);
  }
  return members;
}

/** Absent or empty: the handler looks the detector up. */
function parseDetectorId(value: unknown, problems: string[]): string | undefined {
  if (value === undefined || value === '') {
    return undefined;
  }
  const problem = detectorIdProblem(value, 'DetectorId');
  if (problem) {
    problems.push(problem);
    return undefined;
  }
  return value as string;
}

function optionalString(props: Record<string, unknown>, name: string, maxLength: number, problems: string[]): string | undefined {
  const value = props[name];
  if (value === undefined || value === '') {
    return undefined;
  }
  if (typeof value !== 'string') {
    problems.push(`${name} must be a string, got ${describe(value)}`);
    return undefined;
  }
  if (value.length > maxLength) {
    problems.push(`${name} must be at most ${maxLength} characters, it has ${value.length}`);
    return undefined;
  }
  return value;
}

/** CloudFormation sends booleans as "true"/"false"; a real boolean is accepted too. */
function parseBoolean(value: unknown, name: string, fallback: boolean, problems: string[]): boolean {
  if (value === undefined) {
    return fallback;
  }
  if (value === true || value === 'true') {
    return true;
  }
  if (value === false || value === 'false') {
    return false;
  }
  problems.push(`${name} must be "true" or "false", got ${describe(value)}`);
  return fallback;
}

/** CloudFormation sends numbers as strings ("600"). */
function parseWholeNumber(value: unknown, name: string, max: number, problems: string[]): number {
  if (value === undefined) {
    return 0;
  }
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\d+$/.test(text) || Number(text) > max) {
    problems.push(`${name} must be a whole number of seconds from 0 to ${max}, got ${describe(value)}`);
    return 0;
  }
  return Number(text);
}

function parseChoice<T extends string>(value: unknown, name: string, choices: readonly T[], fallback: T, problems: string[]): T {
  if (value === undefined) {
    return fallback;
  }
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) {
    return value as T;
  }
  problems.push(`${name} must be one of ${choices.join(', ')}, got ${describe(value)}`);
  return fallback;
}

function describe(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return `a list of ${value.length}`;
  }
  if (typeof value === 'string') {
    // A stray string may be an email address: those are never echoed.
    if (value.includes('@')) {
      return `a string of ${value.length} characters`;
    }
    return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  }
  if (typeof value === 'object') {
    return 'an object';
  }
  return `${typeof value} ${String(value)}`;
}
