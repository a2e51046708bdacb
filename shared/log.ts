/**
 * Structured log lines. Only what operators need: never a request body, never a party's name or id number.
 */
export function logError(error: unknown): void {
  const e = error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : { value: String(error) };
  console.error(JSON.stringify({ level: 'ERROR', time: new Date().toISOString(), error: e }));
}
