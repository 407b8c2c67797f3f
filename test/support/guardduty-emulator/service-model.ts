import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The slice of the botocore service-model format the emulator reads. The model is the
 * single source for routes, wire names and constraints, so the emulator rejects exactly
 * what the published API says the service rejects, and follows the model when it changes.
 */
export interface ShapeRef {
  readonly shape: string;
  /** Where a request member travels; absent means the JSON body. */
  readonly location?: 'uri' | 'querystring' | 'header' | 'headers' | 'statusCode';
  /** The wire name: the URI label, query-string key or JSON key. */
  readonly locationName?: string;
}

export interface Shape {
  readonly type: 'structure' | 'list' | 'map' | 'string' | 'integer' | 'long' | 'double' | 'float' | 'boolean' | 'timestamp' | 'blob';
  readonly members?: Readonly<Record<string, ShapeRef>>;
  readonly required?: readonly string[];
  readonly member?: ShapeRef;
  readonly key?: ShapeRef;
  readonly value?: ShapeRef;
  /** Length for strings, entry count for lists and maps, value for numbers. */
  readonly min?: number;
  readonly max?: number;
  readonly enum?: readonly string[];
}

export interface OperationModel {
  readonly name: string;
  readonly http: { readonly method: string; readonly requestUri: string; readonly responseCode?: number };
  readonly input?: ShapeRef;
  readonly output?: ShapeRef;
}

interface ServiceModelDocument {
  readonly operations: Readonly<Record<string, OperationModel>>;
  readonly shapes: Readonly<Record<string, Shape>>;
}

export const GUARDDUTY_MODEL_PATH = path.join(__dirname, '..', 'aws-models', 'guardduty-2017-11-28.json');

/** Read access to a botocore API model: operations, shapes and the path to any nested shape. */
export class ServiceModel {
  private static readonly cache = new Map<string, ServiceModel>();

  /** Loads (once per file) the model at `file`, by default GuardDuty's. */
  public static load(file: string = GUARDDUTY_MODEL_PATH): ServiceModel {
    let model = ServiceModel.cache.get(file);
    if (!model) {
      model = new ServiceModel(JSON.parse(readFileSync(file, 'utf8')) as ServiceModelDocument);
      ServiceModel.cache.set(file, model);
    }
    return model;
  }

  private constructor(private readonly document: ServiceModelDocument) {}

  public operationNames(): string[] {
    return Object.keys(this.document.operations);
  }

  public operation(name: string): OperationModel {
    const operation = this.document.operations[name];
    if (!operation) {
      throw new Error(`The model has no operation ${name}`);
    }
    return operation;
  }

  public shape(name: string): Shape {
    const shape = this.document.shapes[name];
    if (!shape) {
      throw new Error(`The model has no shape ${name}`);
    }
    return shape;
  }

  /**
   * The shape reached from an operation's input by member names, `member` stepping into
   * a list's element: `shapeAt('CreateMembers', 'AccountDetails', 'member', 'Email')`.
   * Tests read limits this way instead of copying numbers from the documentation.
   */
  public shapeAt(operationName: string, ...memberPath: string[]): Shape {
    const input = this.operation(operationName).input;
    if (!input) {
      throw new Error(`${operationName} takes no input`);
    }
    let shape = this.shape(input.shape);
    for (const step of memberPath) {
      const ref = step === 'member' ? shape.member : shape.members?.[step];
      if (!ref) {
        throw new Error(`${operationName}: no member ${step} in ${memberPath.join('.')}`);
      }
      shape = this.shape(ref.shape);
    }
    return shape;
  }
}
