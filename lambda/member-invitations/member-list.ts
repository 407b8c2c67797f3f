import { createHash } from 'crypto';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { MemberListLocation } from '../../lib/private/invitation-contract';
import { Deadline } from '../shared/deadline';
import { HandlerError } from '../shared/handler-error';

/**
 * A large member list is not in the properties but in a CDK asset (see
 * lib/private/member-list-asset.ts): `MemberList` names the S3 object and its SHA-256.
 * This module puts the list back into the properties, as `Members`, so that everything
 * after it — validation, planning — reads one shape whatever the list's size.
 */
export interface MemberListReader {
  read(location: MemberListLocation): Promise<unknown>;
}

/**
 * The properties with `Members` filled in from `MemberList` when they name one; other
 * properties are returned as they are. Throws a HandlerError naming the object when it
 * cannot be read, does not match its SHA-256, or is not JSON.
 */
export async function withMemberList(raw: unknown, reader: MemberListReader): Promise<unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return raw;
  }
  const props = raw as Record<string, unknown>;
  if (props.MemberList === undefined) {
    return raw;
  }
  if (props.Members !== undefined) {
    throw new HandlerError('Invalid GuardDutyMemberInvitations properties: Members and MemberList are both set; a resource declares its members one way.');
  }
  const location = parseLocation(props.MemberList);
  return { ...props, Members: await reader.read(location) };
}

/** The location as the construct writes it; a HandlerError names what is missing. */
export function parseLocation(raw: unknown): MemberListLocation {
  const value = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const missing = ['Bucket', 'Key', 'Sha256'].filter((name) => typeof value[name] !== 'string' || value[name] === '');
  if (missing.length > 0 || !/^[0-9a-f]{64}$/.test(String(value.Sha256))) {
    throw new HandlerError(
      `Invalid GuardDutyMemberInvitations properties: MemberList must name the asset holding the members as {Bucket, Key, Sha256 (64 hex digits)}; ` +
        `${missing.length > 0 ? `missing ${missing.join(', ')}` : `Sha256 is ${JSON.stringify(String(value.Sha256).slice(0, 80))}`}.`,
    );
  }
  return {
    Bucket: value.Bucket as string,
    Key: value.Key as string,
    Sha256: value.Sha256 as string,
    AccountCount: String(value.AccountCount ?? ''),
    FirstAccountIds: String(value.FirstAccountIds ?? ''),
  };
}

/** Checks the object's bytes against the SHA-256 the template holds, then parses them. */
export function decodeMemberList(location: MemberListLocation, body: Buffer): unknown {
  const actual = createHash('sha256').update(body).digest('hex');
  if (actual !== location.Sha256) {
    throw new HandlerError(
      `The member list s3://${location.Bucket}/${location.Key} does not match the SHA-256 in the template (${location.Sha256}, the object's is ${actual}). ` +
        'The object was changed or replaced after synthesis: deploy again with `cdk deploy`, which uploads it anew.',
    );
  }
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new HandlerError(`The member list s3://${location.Bucket}/${location.Key} is not JSON (${(error as Error).message}).`);
  }
}

/**
 * Reads member lists from S3, each object once per container: isComplete polls every
 * 30 s with the same list, and the key is content-addressed, so a cached list is never
 * stale.
 */
export function s3MemberListReader(client: S3Client, deadline: Deadline): MemberListReader {
  return {
    async read(location) {
      const cached = cache.get(location.Sha256);
      if (cached !== undefined) {
        return cached;
      }
      let body: Buffer;
      try {
        const output = await deadline.run('reading the member list', (abortSignal) =>
          client.send(new GetObjectCommand({ Bucket: location.Bucket, Key: location.Key }), { abortSignal }),
        );
        body = Buffer.from(await output.Body!.transformToByteArray());
      } catch (error) {
        if (error instanceof HandlerError) {
          throw error;
        }
        const e = error as { name?: string; message?: string };
        throw new HandlerError(
          `Could not read the member list s3://${location.Bucket}/${location.Key} (${e.name ?? 'Error'}: ${e.message ?? String(error)}). ` +
            'It is the asset `cdk deploy` uploads with the stack: check that it exists and that the bucket policy and key policy let the handler role read it.',
        );
      }
      const members = decodeMemberList(location, body);
      cache.set(location.Sha256, members);
      return members;
    },
  };
}

const cache = new Map<string, unknown>();

/** The endpoint comes from the standard SDK settings (`AWS_ENDPOINT_URL_S3`), which is how tests reach a local one. */
export function createS3Client(): S3Client {
  return new S3Client({
    retryMode: 'adaptive',
    maxAttempts: 5,
    forcePathStyle: process.env.AWS_ENDPOINT_URL_S3 !== undefined,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000, throwOnRequestTimeout: true },
  });
}
