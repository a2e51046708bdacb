/**
 * Structured log lines. Only what operators need: never a request body, never a party's name or id number.
 */
export type LogLevel = 'INFO' | 'WARN' | 'ERROR';

const RANK: Record<string, number> = { DEBUG: 0, INFO: 1, WARN: 2, ERROR: 3 };
/** Lambda's own level setting (AWS_LAMBDA_LOG_LEVEL, from the function's logging config) applies here too. */
const threshold = () => RANK[(process.env.AWS_LAMBDA_LOG_LEVEL ?? 'INFO').toUpperCase()] ?? 1;

export function log(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
  if (RANK[level]! < threshold()) return;
  const line = JSON.stringify({ level, time: new Date().toISOString(), message, ...fields });
  if (level === 'ERROR') console.error(line);
  else console.log(line);
}

export function logError(error: unknown): void {
  const e = error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : { value: String(error) };
  log('ERROR', 'unexpected error', { error: e });
}

/**
 * One CloudWatch metric as an embedded-metric-format log line (namespace Beian, dimension stage only;
 * `fields` are searchable properties, not dimensions).
 */
export function emitMetric(name: string, value: number, fields: Record<string, unknown> = {}, unit = 'Count'): void {
  const stage = process.env.STAGE ?? 'local';
  // straight to stdout: Lambda's JSON log format wraps console output, and CloudWatch would not see the metric
  process.stdout.write(
    JSON.stringify({
      _aws: { Timestamp: Date.now(), CloudWatchMetrics: [{ Namespace: 'Beian', Dimensions: [['stage']], Metrics: [{ Name: name, Unit: unit }] }] },
      stage,
      [name]: value,
      ...fields,
    }) + '\n',
  );
}
