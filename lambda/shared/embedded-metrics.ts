/**
 * CloudWatch metrics in embedded metric format (EMF): a JSON log line CloudWatch Logs
 * turns into metrics, so the monitors need no `cloudwatch:PutMetricData` call, permission
 * or client. One line carries one set of dimension values; a check writes one line per set.
 */
export interface MetricLine {
  readonly namespace: string;
  readonly timestampMs: number;
  /** Dimension name → value; every metric of the line has all of them. */
  readonly dimensions: Readonly<Record<string, string>>;
  /** Metric name → value, all counts. */
  readonly counts: Readonly<Record<string, number>>;
}

/** CloudWatch accepts at most 100 metrics and 30 dimensions in one EMF line. */
const MAX_METRICS_PER_LINE = 100;

export function embeddedMetricLine(line: MetricLine): string {
  const names = Object.keys(line.counts);
  if (names.length > MAX_METRICS_PER_LINE) {
    throw new Error(`An EMF line holds at most ${MAX_METRICS_PER_LINE} metrics, got ${names.length}`);
  }
  return JSON.stringify({
    _aws: {
      Timestamp: line.timestampMs,
      CloudWatchMetrics: [
        {
          Namespace: line.namespace,
          Dimensions: [Object.keys(line.dimensions)],
          Metrics: names.map((name) => ({ Name: name, Unit: 'Count' })),
        },
      ],
    },
    ...line.dimensions,
    ...line.counts,
  });
}

/**
 * Writes whole lines straight to stdout, which Lambda sends to the function's log group
 * as they are. `console.log` would not do for EMF: in Lambda's JSON log format it wraps
 * the line in an object of its own, and CloudWatch no longer sees the `_aws` key (the
 * reason aws-embedded-metrics 4.1.1 writes to stdout).
 */
export function writeLines(lines: readonly string[], write: (text: string) => void = (text) => process.stdout.write(text)): void {
  if (lines.length > 0) {
    write(lines.map((line) => `${line}\n`).join(''));
  }
}
