/**
 * The rules GuardDuty applies to member accounts, checked once at synth time by the
 * construct and again by the handler (which can be reached by raw events that never
 * went through the construct). Pure functions: no CDK, no SDK.
 *
 * The limits are those of the GuardDuty API model (`AccountId` is 12 characters,
 * `Email` 1 to 64, `AccountIds`/`AccountDetails` 1 to 50 entries).
 */

/** Most accounts GuardDuty accepts in one CreateMembers/InviteMembers/GetMembers/... call. */
export const MAX_ACCOUNTS_PER_CALL = 50;
export const EMAIL_MIN_LENGTH = 1;
export const EMAIL_MAX_LENGTH = 64;
/**
 * What can be a detector ID. The API model bounds `DetectorId` to 1 to 300 characters and
 * gives it no pattern, but its `GuardDutyArn` does: a detector's ARN ends in `detector/`
 * and 32 to 264 of `A-Z a-z 0-9 _ / . -`. The ID is also the `{detectorId}` label of every
 * request path, where `/` would split it, so `/` is left out. GuardDuty's own IDs are 32
 * lowercase hexadecimal digits (`12abc34d567e8fa901bc2d34e56789f0`).
 */
export const DETECTOR_ID_MIN_LENGTH = 32;
export const DETECTOR_ID_MAX_LENGTH = 264;
const DETECTOR_ID_PATTERN = /^[A-Za-z0-9_.-]+$/;
/** Longest invitation message accepted (GuardDuty documents none; this bounds the event). */
export const MESSAGE_MAX_LENGTH = 10_000;
/**
 * Most members one resource may declare: GuardDuty's own limit of members per
 * administrator (50,000, invited ones included). Large lists travel as an asset, not in
 * the request (lib/private/member-list-asset.ts).
 */
export const MAX_DECLARED_MEMBERS = 50_000;

const ACCOUNT_ID_PATTERN = /^\d{12}$/;

/** Why an account ID is not acceptable, or undefined when it is. */
export function accountIdProblem(accountId: unknown): string | undefined {
  if (typeof accountId !== 'string') {
    return `account ID must be a string of 12 digits, got ${describeType(accountId)}`;
  }
  if (!ACCOUNT_ID_PATTERN.test(accountId)) {
    return `account ID "${accountId}" must be exactly 12 digits (it has ${accountId.length} characters)`;
  }
  return undefined;
}

/**
 * Why a value cannot be a GuardDuty detector ID, or undefined when it can. The message
 * shows the value (cut at 64 characters), `name` says where it came from.
 */
export function detectorIdProblem(detectorId: unknown, name: string): string | undefined {
  const expected = `a GuardDuty detector ID: ${DETECTOR_ID_MIN_LENGTH} to ${DETECTOR_ID_MAX_LENGTH} letters, digits, "_", "." or "-", as in detector.ref or ListDetectors`;
  if (typeof detectorId !== 'string') {
    return `${name} must be ${expected}; got ${describeType(detectorId)}`;
  }
  if (detectorId.length < DETECTOR_ID_MIN_LENGTH || detectorId.length > DETECTOR_ID_MAX_LENGTH || !DETECTOR_ID_PATTERN.test(detectorId)) {
    const shown = detectorId.length > 64 ? `${detectorId.slice(0, 64)}…` : detectorId;
    return `${name} must be ${expected}; got ${JSON.stringify(shown)} (${detectorId.length} characters)`;
  }
  return undefined;
}

/**
 * Why an email address is not acceptable, or undefined when it is. The message never
 * contains the address itself, so it can be logged and sent to CloudFormation.
 */
export function emailProblem(email: unknown): string | undefined {
  if (typeof email !== 'string') {
    return `email must be a string, got ${describeType(email)}`;
  }
  if (email.length < EMAIL_MIN_LENGTH || email.length > EMAIL_MAX_LENGTH) {
    return `email must be ${EMAIL_MIN_LENGTH} to ${EMAIL_MAX_LENGTH} characters long (GuardDuty's limit), it has ${email.length}`;
  }
  const at = email.split('@').length - 1;
  if (at !== 1) {
    return `email must contain exactly one "@", it has ${at}`;
  }
  const [local, domain] = email.split('@');
  if (local.length === 0 || domain.length === 0) {
    return 'email needs text on both sides of the "@"';
  }
  if (/\s/.test(email)) {
    return 'email must not contain white space';
  }
  return undefined;
}

/**
 * Masks an email address for logs and messages: the first character of the local part
 * and the domain stay readable so an operator can tell addresses apart
 * (`j***@example.com`).
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) {
    return '***';
  }
  return `${email[0]}***${email.slice(at)}`;
}

/** Account IDs that occur more than once, each named once, in first-seen order. */
export function duplicateAccountIds(accountIds: readonly string[]): string[] {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const id of accountIds) {
    if (seen.has(id)) {
      duplicates.add(id);
    }
    seen.add(id);
  }
  return [...duplicates];
}

/** Splits a list into consecutive chunks of at most `size` items. */
export function chunk<T>(items: readonly T[], size: number = MAX_ACCOUNTS_PER_CALL): T[][] {
  if (!Number.isInteger(size) || size < 1) {
    throw new Error(`chunk size must be a positive integer, got ${size}`);
  }
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    chunks.push(items.slice(i, i + size));
  }
  return chunks;
}

function describeType(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'an array';
  }
  return typeof value === 'string' ? `"${value}"` : `${typeof value} ${JSON.stringify(value)}`;
}
