/**
 * Issue 11: the log lines and metrics every function writes, read as CloudWatch would read them: the
 * Powertools Logger's JSON with the correlation id, the business metrics as embedded-metric-format lines
 * (namespace Beian, dimension stage only), and a minified bundle's stack trace turned back into sources.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bundleFunction } from '../../infra/bundling.ts';
import { cleanCorrelationId, correlationId, withCorrelation } from '../../shared/observability/correlation.ts';
import { log, logContext, logError, logsWritten } from '../../shared/observability/logger.ts';
import { createMetrics, flushStoredMetrics, telemetry } from '../../shared/observability/metrics-emitter.ts';
import { BUSINESS_METRICS, BUSINESS_METRIC_NAMES } from '../../shared/observability/metrics.ts';
import { readableStack } from '../../shared/observability/stack-trace.ts';

/** Every line written to stdout or through console while `fn` runs, parsed as JSON where it is JSON. */
async function linesOf(fn: () => unknown): Promise<Record<string, any>[]> {
  const lines: string[] = [];
  const take = (chunk: unknown) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(take as never),
    vi.spyOn(process.stderr, 'write').mockImplementation(take as never),
    ...(['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void take(args.join(' ')))),
  ];
  try {
    await fn();
    await logsWritten(); // the Logger is loaded at the first line: wait for the lines to be written
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return lines.map((l) => {
    try {
      return JSON.parse(l) as Record<string, any>;
    } catch {
      return { raw: l };
    }
  });
}

describe('business metrics (embedded metric format)', () => {
  it('writes what an invocation counted as one EMF line: namespace Beian, the one dimension stage, each metric with its unit', async () => {
    const metrics = createMetrics('test-stage');
    const t = telemetry(metrics);
    const [line, ...rest] = await linesOf(() => {
      t.record('DecisionsReported');
      t.record('DecisionsReported');
      t.record('FilingRequired');
      t.record('NoticeSendLatency', 1234);
      return flushStoredMetrics(metrics);
    });
    expect(rest).toEqual([]);
    const directive = line!._aws.CloudWatchMetrics;
    expect(directive).toHaveLength(1);
    expect(directive[0].Namespace).toBe('Beian');
    expect(directive[0].Dimensions).toEqual([['stage']]);
    expect(Object.fromEntries(directive[0].Metrics.map((m: { Name: string; Unit: string }) => [m.Name, m.Unit]))).toEqual({
      DecisionsReported: 'Count',
      FilingRequired: 'Count',
      NoticeSendLatency: 'Milliseconds',
    });
    expect(line!.stage).toBe('test-stage');
    expect(line!.service).toBeUndefined();
    // two additions of one metric in an invocation: both values, summed by CloudWatch
    expect(line!.DecisionsReported).toEqual([1, 1]);
    expect(line!.FilingRequired).toBe(1);
    expect(line!.NoticeSendLatency).toBe(1234);
  });

  it('writes nothing (not even a warning) for an invocation that counted nothing, and starts afresh after a flush', async () => {
    const metrics = createMetrics('test-stage');
    expect(await linesOf(() => flushStoredMetrics(metrics))).toEqual([]);
    telemetry(metrics).record('Reminders', 3);
    const first = await linesOf(() => flushStoredMetrics(metrics));
    expect(first).toHaveLength(1);
    expect(first[0]!.Reminders).toBe(3);
    expect(await linesOf(() => flushStoredMetrics(metrics))).toEqual([]);
  });

  it('names every metric of the catalogue with a CloudWatch unit, and each has the function that emits it', () => {
    for (const name of BUSINESS_METRIC_NAMES) {
      expect(['Count', 'Milliseconds', 'Seconds']).toContain(BUSINESS_METRICS[name].unit);
      expect(BUSINESS_METRICS[name].emittedBy).toMatch(/^[a-z-]+$/);
    }
  });
});

describe('log lines (Powertools Logger)', () => {
  it('carry the invocation\'s context: cold start on the first invocation only, the request id and function of each', async () => {
    const middleware = logContext();
    const invoke = async (awsRequestId: string) => {
      await middleware.before!({ context: { awsRequestId, functionName: 'api', memoryLimitInMB: '1024', invokedFunctionArn: 'arn:aws:lambda:x', functionVersion: '$LATEST' } } as never);
      log('INFO', `handled ${awsRequestId}`);
      await middleware.after!({} as never);
    };
    const lines = await linesOf(async () => {
      await invoke('req-a');
      await invoke('req-b');
    });
    expect(lines.map((l) => [l.message, l.function_request_id, l.cold_start, l.function_name])).toEqual([
      ['handled req-a', 'req-a', expect.any(Boolean), 'api'],
      ['handled req-b', 'req-b', false, 'api'],
    ]);
  });

  it('are JSON with level, message, service, timestamp and the fields given', async () => {
    const [line] = await linesOf(() => log('INFO', 'filing processed', { decisionId: 'd-1', outcome: 'registered' }));
    expect(line).toMatchObject({ level: 'INFO', message: 'filing processed', service: 'beian', decisionId: 'd-1', outcome: 'registered' });
    expect(Date.parse(line!.timestamp)).toBeGreaterThan(0);
  });

  it('carry the correlation id of what is being handled, and only there', async () => {
    const lines = await linesOf(async () => {
      log('INFO', 'before');
      await withCorrelation('req-123', async () => {
        await new Promise((r) => setTimeout(r, 1));
        log('WARN', 'inside, after an await');
      });
      log('INFO', 'after');
    });
    expect(lines.map((l) => [l.message, l.correlation_id])).toEqual([
      ['before', undefined],
      ['inside, after an await', 'req-123'],
      ['after', undefined],
    ]);
  });

  it('keeps records handled in parallel apart', async () => {
    const seen = await Promise.all(
      ['a', 'b', 'c'].map((id, i) =>
        withCorrelation(id, async () => {
          await new Promise((r) => setTimeout(r, 10 - i * 3));
          return correlationId();
        }),
      ),
    );
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('accepts as a correlation id only the shapes this system makes, 8-128 characters', () => {
    for (const good of ['JmLQFhb9IAMEb4Q=', '3f0128bb-9c1e-4f4e-8a51-0a4d1f5f2b11', 'sweep:baodi:2026-12-08', 'receipt#d-1#s-1']) expect(cleanCorrelationId(good)).toBe(good);
    for (const bad of ['', 'short', 'a b c d e', 'line\nbreak..', 'x'.repeat(129), '中文中文中文中文', '"quoted"x', 'a{b}c[d]e', 42, undefined]) expect(cleanCorrelationId(bad)).toBeUndefined();
  });

  it('caps what an error quotes, so one log event stays far under CloudWatch\'s 256 KB', async () => {
    const [line] = await linesOf(() => logError(new Error(`bad key ${'k'.repeat(200_000)}`)));
    expect(JSON.stringify(line).length).toBeLessThan(12_000);
    expect(line!.error.message).toMatch(/\.\.\. \(200008 characters\)$/);
  });

  it('logs an unexpected error with its name, message and stack', async () => {
    const [line] = await linesOf(() => logError(new TypeError('boom')));
    expect(line).toMatchObject({ level: 'ERROR', message: 'unexpected error', error: { name: 'TypeError', message: 'boom' } });
    expect(line!.error.stack).toContain('observability.test.ts');
  });
});

describe('readable stack traces from a minified bundle', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'beian-stack-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('maps each frame of the shipped bundle back to the TypeScript file and line, reading the .map only then', async () => {
    await bundleFunction('test/unit/fixtures/throws.ts', dir);
    // a plain Node process, as Lambda runs it (vitest would map the stack itself)
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', `try { (await import(${JSON.stringify(join(dir, 'index.mjs'))})).failOnLineFour() } catch (e) { console.log(e.stack) }`], { encoding: 'utf8' });
    const stack = run.stdout.trim();
    expect(stack).toMatch(/index\.mjs:2:\d+/); // minified: all the code on the line after the banner
    const readable = readableStack(stack)!;
    expect(readable).toContain('test/unit/fixtures/throws.ts:4:');
    expect(readable).not.toMatch(/index\.mjs:\d/);
    expect(readable.split('\n')[0]).toBe('Error: expected failure for the stack-trace test');
  });

  it('leaves a stack without a map (the sources, run by tests and the local stack) as it is', () => {
    const stack = new Error('plain').stack!;
    expect(readableStack(stack)).toBe(stack);
    expect(readableStack(undefined)).toBeUndefined();
  });
});
