/**
 * Issue 11, after the outside review: Powertools' documented switch POWERTOOLS_LOGGER_LOG_EVENT=true would
 * log every event whole (bearer tokens, party names). The middy chain says logEvent: false, which wins.
 */
import { expect, it, vi } from 'vitest';

it('never logs the event, even with POWERTOOLS_LOGGER_LOG_EVENT=true', async () => {
  vi.stubEnv('POWERTOOLS_LOGGER_LOG_EVENT', 'true');
  vi.resetModules();
  const { lambda } = await import('../../shared/observability/middleware.ts');
  const lines: string[] = [];
  const take = (chunk: unknown) => (lines.push(String(chunk)), true);
  const spies: { mockRestore(): void }[] = [vi.spyOn(process.stdout, 'write').mockImplementation(take as never), vi.spyOn(process.stderr, 'write').mockImplementation(take as never)];
  for (const m of ['log', 'info', 'warn', 'error', 'debug'] as const) spies.push(vi.spyOn(console, m).mockImplementation((...a: unknown[]) => void take(a.join(' '))));
  try {
    const handler = lambda(async () => 'ok');
    const out = await handler({ headers: { authorization: 'Bearer SECRET-TOKEN' }, body: '{"party":{"name":"张三丰"}}' }, { awsRequestId: 'r-1', functionName: 'api' } as never);
    expect(out).toBe('ok');
  } finally {
    for (const spy of spies) spy.mockRestore();
    vi.unstubAllEnvs();
  }
  expect(lines.join('\n')).not.toContain('SECRET-TOKEN');
  expect(lines.join('\n')).not.toContain('张三丰');
});
