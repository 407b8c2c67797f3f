import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { GuardDutyEmulator } from '../support/guardduty-emulator';
import { LambdaContainer } from '../support/lifecycle/lambda-container';

/**
 * A monitor as the cloud assembly ships it: the scheduled function's staged asset
 * directory (bundle and declaration.json) and its environment, with the attributes of
 * the custom resources it names (`Fn::GetAtt`) resolved as CloudFormation would.
 */
export interface ShippedMonitor {
  /** Its template, for the alarms' thresholds. */
  readonly resources: Record<string, TemplateResource>;
  readonly assetDirectory: string;
  readonly timeoutMs: number;
  readonly variables: Record<string, string>;
  readonly functionName: string;
}

export interface TemplateResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

/** Values of `Fn::GetAtt` on the stack's custom resources, by resource type and attribute. */
export type AttributeValues = Record<string, Record<string, string>>;

const outdirs: string[] = [];

/**
 * Synthesizes a stack in the given account and region, with what `declare` adds, into a
 * temporary cloud assembly (removed by removeMonitorAssemblies), and returns the monitor
 * function whose logical ID contains `functionHint`.
 */
export function synthesizeMonitor(
  settings: { account: string; region: string },
  declare: (stack: Stack) => void,
  attributes: AttributeValues,
  functionHint = 'MonitorFunction',
): ShippedMonitor {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'guardduty-members-monitor-'));
  outdirs.push(outdir);
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
  const stack = new Stack(app, 'Monitored', { env: settings });
  declare(stack);
  const assembly = app.synth();
  const resources = assembly.getStackByName('Monitored').template.Resources as Record<string, TemplateResource>;
  const [logicalId, fn] = Object.entries(resources).find(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.includes(functionHint)) ?? [];
  if (!logicalId || !fn) {
    throw new Error(`No Lambda function with ${functionHint} in its logical ID`);
  }
  const resolve = (value: unknown): string => {
    if (typeof value === 'string') {
      return value;
    }
    const [target, attribute] = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'] ?? [];
    const resolved = target && attribute ? attributes[resources[target]?.Type]?.[attribute] : undefined;
    if (resolved === undefined) {
      throw new Error(`Cannot resolve ${JSON.stringify(value)}`);
    }
    return resolved;
  };
  const raw = (fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
  return {
    resources,
    assetDirectory: path.join(assembly.directory, String(fn.Metadata?.['aws:asset:path'])),
    timeoutMs: Number(fn.Properties.Timeout) * 1_000,
    variables: Object.fromEntries(Object.entries(raw).map(([name, value]) => [name, resolve(value)])),
    functionName: `Monitored-${logicalId}`.slice(0, 51) + '-AbCdEfGh1234',
  };
}

export function removeMonitorAssemblies(): void {
  outdirs.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true }));
}

/** A warm container of the monitor function, signed as `accountId`. */
export async function startMonitor(monitor: ShippedMonitor, emulator: GuardDutyEmulator, accountId: string, region: string): Promise<Invoker> {
  const container = await LambdaContainer.start(
    { logicalId: monitor.functionName, file: path.join(monitor.assetDirectory, 'index.js'), exportName: 'handler', timeoutMs: monitor.timeoutMs },
    { endpoint: emulator.endpoint, region, credentials: emulator.credentialsFor(accountId), variables: monitor.variables },
  );
  return async (clockOffsetMs = 0) => {
    const outcome = await container.invoke({}, monitor.timeoutMs, clockOffsetMs);
    if (outcome.kind !== 'result') {
      throw new Error(`The check failed: ${outcome.error.errorType}: ${outcome.error.errorMessage}`);
    }
    return { result: outcome.result, logs: outcome.logs };
  };
}

/** Runs one scheduled check, `clockOffsetMs` ahead of the wall clock. */
export type Invoker = (clockOffsetMs?: number) => Promise<{ result: unknown; logs: readonly string[] }>;

/** One metric line as CloudWatch would read it: its namespace, dimension values and metric values. */
export interface EmittedMetrics {
  readonly namespace: string;
  readonly dimensions: Record<string, string>;
  readonly values: Record<string, number>;
}

/**
 * The log lines in embedded metric format, read as CloudWatch does: the line is a JSON
 * object whose `_aws` names the namespace, the dimension keys and the metrics, each a
 * key of the object itself. A line that claims to be EMF but breaks the format fails.
 */
export function emittedMetrics(logs: readonly string[]): EmittedMetrics[] {
  return logs.flatMap((line) => {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line);
    } catch {
      return [];
    }
    const aws = parsed._aws as { Timestamp?: unknown; CloudWatchMetrics?: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> } | undefined;
    if (!aws) {
      return [];
    }
    if (typeof aws.Timestamp !== 'number' || !Array.isArray(aws.CloudWatchMetrics)) {
      throw new Error(`Not embedded metric format: ${line}`);
    }
    return aws.CloudWatchMetrics.map((directive) => {
      const pick = <T>(names: string[], type: string) =>
        Object.fromEntries(
          names.map((name) => {
            if (typeof parsed[name] !== type) {
              throw new Error(`EMF line lacks a ${type} ${name}: ${line}`);
            }
            return [name, parsed[name] as T];
          }),
        );
      return {
        namespace: directive.Namespace,
        dimensions: pick<string>(directive.Dimensions.flat(), 'string'),
        values: pick<number>(directive.Metrics.map((metric) => metric.Name), 'number'),
      };
    });
  });
}

/** The structured log lines with the given message. */
export function logRecords(logs: readonly string[], message: string): Array<Record<string, unknown>> {
  return logs.flatMap((line) => {
    try {
      const parsed = JSON.parse(line);
      return parsed?.message === message ? [parsed] : [];
    } catch {
      return [];
    }
  });
}
