import { ServiceModel, Shape, ShapeRef } from './service-model';

/**
 * Translation between GuardDuty's REST-JSON wire form (camelCase `locationName` keys,
 * URI labels, query-string parameters) and the model's member names (`AccountIds`), which
 * are also the names the SDK exposes. Operation logic works on member names only; the
 * wire names come from the model, never from hand-written strings.
 */
export type Document = Record<string, unknown>;

export interface WireRequest {
  readonly labels: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: unknown;
}

/** Gathers an operation's input from the URI, the query string and the JSON body. */
export function decodeRequest(model: ServiceModel, operationName: string, request: WireRequest): Document {
  const inputRef = model.operation(operationName).input;
  if (!inputRef) {
    return {};
  }
  const body = isObject(request.body) ? request.body : {};
  const input: Document = {};
  for (const [name, ref] of Object.entries(model.shape(inputRef.shape).members ?? {})) {
    const wireName = ref.locationName ?? name;
    const value = ref.location === 'uri' ? request.labels[wireName] : ref.location === 'querystring' ? fromQuery(model, ref, request.query, wireName) : decodeValue(model, ref, body[wireName]);
    if (value !== undefined) {
      input[name] = value;
    }
  }
  return input;
}

/** Renders an operation's output with wire names, leaving out members that are absent. */
export function encodeResponse(model: ServiceModel, operationName: string, output: Document): Document {
  const outputRef = model.operation(operationName).output;
  return outputRef ? (encodeValue(model, outputRef, output) as Document) : {};
}

function decodeValue(model: ServiceModel, ref: ShapeRef, value: unknown): unknown {
  return mapShape(model, ref, value, (memberRef, memberName) => [memberRef.locationName ?? memberName, memberName], decodeValue);
}

function encodeValue(model: ServiceModel, ref: ShapeRef, value: unknown): unknown {
  return mapShape(model, ref, value, (memberRef, memberName) => [memberName, memberRef.locationName ?? memberName], encodeValue);
}

/**
 * Walks a value along its shape, renaming structure keys `from` → `to`. Values of the
 * wrong type pass through untouched so that validation, not decoding, reports them.
 */
function mapShape(
  model: ServiceModel,
  ref: ShapeRef,
  value: unknown,
  keys: (memberRef: ShapeRef, memberName: string) => [from: string, to: string],
  recurse: (model: ServiceModel, ref: ShapeRef, value: unknown) => unknown,
): unknown {
  const shape: Shape = model.shape(ref.shape);
  if (shape.type === 'structure' && isObject(value)) {
    const result: Document = {};
    for (const [memberName, memberRef] of Object.entries(shape.members ?? {})) {
      const [from, to] = keys(memberRef, memberName);
      if (value[from] !== undefined && value[from] !== null) {
        result[to] = recurse(model, memberRef, value[from]);
      }
    }
    return result;
  }
  if (shape.type === 'list' && shape.member && Array.isArray(value)) {
    return value.map((element) => recurse(model, shape.member!, element));
  }
  if (shape.type === 'map' && shape.value && isObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, recurse(model, shape.value!, v)]));
  }
  return value;
}

/** Query-string values are text; numbers and booleans are parsed when they are well-formed. */
function fromQuery(model: ServiceModel, ref: ShapeRef, query: URLSearchParams, wireName: string): unknown {
  const shape = model.shape(ref.shape);
  if (shape.type === 'list') {
    const values = query.getAll(wireName);
    return values.length > 0 ? values : undefined;
  }
  const text = query.get(wireName);
  if (text === null) {
    return undefined;
  }
  if ((shape.type === 'integer' || shape.type === 'long') && /^-?\d+$/.test(text)) {
    return Number(text);
  }
  if (shape.type === 'boolean' && (text === 'true' || text === 'false')) {
    return text === 'true';
  }
  return text;
}

export function isObject(value: unknown): value is Document {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
