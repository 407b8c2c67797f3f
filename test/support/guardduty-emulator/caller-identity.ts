import { ServiceError } from './service-error';

export interface Caller {
  readonly accountId: string;
  readonly region: string;
}

export interface EmulatorCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/**
 * Convention: an access key ID is `AKIA` (long-term) or `ASIA` (temporary) followed by
 * the 12-digit account ID, then anything (`AKIA111111111111TEST`). The account is thus
 * readable from the SigV4 credential scope without a registry, and any test or handler can
 * make up credentials for any account. Signatures are not verified.
 */
const ACCESS_KEY = /^(?:AKIA|ASIA)(\d{12})/;
const CREDENTIAL_SCOPE = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\/[^/]+\/aws4_request/;

export function credentialsFor(accountId: string): EmulatorCredentials {
  if (!/^\d{12}$/.test(accountId)) {
    throw new Error(`An account ID is 12 digits, got '${accountId}'`);
  }
  return { accessKeyId: `AKIA${accountId}TEST`, secretAccessKey: 'guardduty-emulator-secret' };
}

/** The caller named by a SigV4 `Authorization` header, or undefined when it names none. */
export function parseCaller(authorization: string | undefined): Caller | undefined {
  const scope = CREDENTIAL_SCOPE.exec(authorization ?? '');
  const account = scope ? ACCESS_KEY.exec(scope[1]) : null;
  return scope && account ? { accountId: account[1], region: scope[2] } : undefined;
}

/** As parseCaller, answering like AWS does for a request it cannot attribute to an account. */
export function requireCaller(authorization: string | undefined): Caller {
  const caller = parseCaller(authorization);
  if (!caller) {
    throw new ServiceError('UnrecognizedClientException', 403, 'The security token included in the request is invalid.');
  }
  return caller;
}
