/**
 * Structured logs: one JSON object per line, so CloudWatch Logs Insights can filter on
 * fields. Callers pass account IDs, counts and reasons; never email addresses, which is
 * why nothing here takes a member object.
 */
export type LogLevel = 'INFO' | 'WARN' | 'ERROR';
export type LogFields = Record<string, string | number | boolean | undefined | readonly string[] | object>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export function createLogger(context: LogFields, sink: (line: string) => void = (line) => console.log(line)): Logger {
  const write = (level: LogLevel) => (message: string, fields: LogFields = {}) =>
    sink(JSON.stringify({ level, message, ...context, ...fields }));
  return { info: write('INFO'), warn: write('WARN'), error: write('ERROR') };
}
