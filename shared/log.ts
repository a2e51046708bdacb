/**
 * Structured log lines. Only what operators need: never a request body, never a party's name or id number.
 */
export type LogLevel = 'INFO' | 'WARN' | 'ERROR';

export function log(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, time: new Date().toISOString(), message, ...fields });
  if (level === 'ERROR') console.error(line);
  else console.log(line);
}

export function logError(error: unknown): void {
  const e = error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : { value: String(error) };
  log('ERROR', 'unexpected error', { error: e });
}
