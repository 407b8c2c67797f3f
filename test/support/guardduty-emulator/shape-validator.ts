import { ServiceModel, Shape, ShapeRef } from './service-model';
import { isObject } from './wire-codec';

/**
 * Checks a decoded input (model member names) against its shape, recursively: required
 * members, types, enums, and `min`/`max` as string length, list or map size, or numeric
 * range. `pattern` is not checked: botocore patterns are written for Java regexes and
 * none of the emulated operations' inputs carries one.
 *
 * Messages follow the AWS validation wording (`Value at 'accountIds' failed to satisfy
 * constraint: ...`) with the wire path, 1-based list indexes as AWS prints them.
 */
export function validateInput(model: ServiceModel, inputRef: ShapeRef | undefined, input: unknown): string[] {
  return inputRef ? validateValue(model, inputRef.shape, input, '') : [];
}

function validateValue(model: ServiceModel, shapeName: string, value: unknown, at: string): string[] {
  const shape = model.shape(shapeName);
  const typeError = checkType(shape, value);
  if (typeError) {
    return [violation(at, typeError)];
  }
  switch (shape.type) {
    case 'structure':
      return validateStructure(model, shape, value as Record<string, unknown>, at);
    case 'list':
      return [...checkRange(shape, (value as unknown[]).length, at, 'length'), ...(value as unknown[]).flatMap((element, i) => validateValue(model, shape.member!.shape, element, `${at}.${i + 1}.member`))];
    case 'map':
      return [
        ...checkRange(shape, Object.keys(value as object).length, at, 'length'),
        ...Object.entries(value as object).flatMap(([key, v]) => [...validateValue(model, shape.key!.shape, key, `${at}.${key}.key`), ...validateValue(model, shape.value!.shape, v, `${at}.${key}.value`)]),
      ];
    case 'string':
      return [...checkRange(shape, (value as string).length, at, 'length'), ...checkEnum(shape, value as string, at)];
    case 'integer':
    case 'long':
    case 'double':
    case 'float':
      return checkRange(shape, value as number, at, 'value');
    default:
      return [];
  }
}

function validateStructure(model: ServiceModel, shape: Shape, value: Record<string, unknown>, at: string): string[] {
  return Object.entries(shape.members ?? {}).flatMap(([name, ref]) => {
    const memberAt = at ? `${at}.${ref.locationName ?? name}` : (ref.locationName ?? name);
    if (value[name] === undefined || value[name] === null) {
      return shape.required?.includes(name) ? [violation(memberAt, 'Member must not be null')] : [];
    }
    return validateValue(model, ref.shape, value[name], memberAt);
  });
}

function checkType(shape: Shape, value: unknown): string | undefined {
  const ok: Record<Shape['type'], (v: unknown) => boolean> = {
    structure: isObject,
    map: isObject,
    list: Array.isArray,
    string: (v) => typeof v === 'string',
    blob: (v) => typeof v === 'string',
    boolean: (v) => typeof v === 'boolean',
    integer: Number.isInteger,
    long: Number.isInteger,
    double: (v) => typeof v === 'number',
    float: (v) => typeof v === 'number',
    timestamp: (v) => typeof v === 'string' || typeof v === 'number',
  };
  return ok[shape.type](value) ? undefined : `Member must be of type ${shape.type}`;
}

function checkRange(shape: Shape, measure: number, at: string, what: 'length' | 'value'): string[] {
  if (shape.min !== undefined && measure < shape.min) {
    return [violation(at, `Member must have ${what} greater than or equal to ${shape.min}`)];
  }
  if (shape.max !== undefined && measure > shape.max) {
    return [violation(at, `Member must have ${what} less than or equal to ${shape.max}`)];
  }
  return [];
}

function checkEnum(shape: Shape, value: string, at: string): string[] {
  return shape.enum && !shape.enum.includes(value) ? [violation(at, `Member must satisfy enum value set: [${shape.enum.join(', ')}]`)] : [];
}

function violation(at: string, constraint: string): string {
  return `Value at '${at}' failed to satisfy constraint: ${constraint}`;
}

/** The message of the BadRequestException for a list of violations. */
export function validationMessage(violations: readonly string[]): string {
  const count = `${violations.length} validation error${violations.length === 1 ? '' : 's'} detected`;
  return `${count}: ${violations.join('; ')}`;
}
