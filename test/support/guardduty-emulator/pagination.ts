import { badRequest } from './service-error';
import { Document } from './wire-codec';

/**
 * One page of `items` under `listName`, GuardDuty style: `MaxResults` (the model bounds it;
 * the service defaults it to 50) and an opaque `NextToken`, here the offset of the next item.
 */
export function paginate(items: readonly unknown[], listName: string, input: Document): Document {
  const pageSize = typeof input.MaxResults === 'number' ? input.MaxResults : 50;
  const start = input.NextToken === undefined ? 0 : decodeToken(String(input.NextToken));
  const end = start + pageSize;
  return { [listName]: items.slice(start, end), NextToken: end < items.length ? encodeToken(end) : undefined };
}

function encodeToken(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64');
}

function decodeToken(token: string): number {
  const match = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64').toString());
  if (!match) {
    throw badRequest('The request is rejected because the input nextToken is not valid.');
  }
  return Number(match[1]);
}
