/**
 * Business metrics through Powertools Metrics, in CloudWatch embedded metric format: namespace Beian, the
 * one dimension `stage` (Powertools' own `service` dimension is removed: a needless dimension multiplies
 * metrics and cost). Counted as things happen, flushed once per invocation by the flushMetrics middleware;
 * nothing is printed for an invocation that counted nothing. Powertools Metrics itself is loaded at the
 * first flush that has something to write: a cold start of the API (most of whose requests count nothing)
 * does not parse it, which keeps the api bundle within its 400 KB start budget.
 */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { BUSINESS_METRICS, type BusinessMetric, METRIC_DIMENSION, METRIC_NAMESPACE } from './metrics.ts';

export interface Telemetry {
  /** adds `value` (default 1: one more) to a business metric of this invocation, in its unit */
  record(metric: BusinessMetric, value?: number): void;
}

export class BufferedMetrics implements Telemetry {
  private pending: { metric: BusinessMetric; value: number }[] = [];
  private emitter: Metrics | undefined;

  constructor(private readonly stage = process.env.STAGE ?? 'local') {}

  record(metric: BusinessMetric, value = 1): void {
    this.pending.push({ metric, value });
  }

  /** Writes what was counted since the last flush as EMF (one line per 100 metrics), if anything was. */
  async flush(): Promise<void> {
    if (!this.pending.length) return;
    const batch = this.pending;
    this.pending = [];
    const { Metrics: PowertoolsMetrics, MetricUnit } = await import('@aws-lambda-powertools/metrics');
    if (!this.emitter) {
      this.emitter = new PowertoolsMetrics({ namespace: METRIC_NAMESPACE });
      this.emitter.clearDefaultDimensions();
      this.emitter.setDefaultDimensions({ [METRIC_DIMENSION]: this.stage });
    }
    for (const { metric, value } of batch) this.emitter.addMetric(metric, MetricUnit[BUSINESS_METRICS[metric].unit], value);
    this.emitter.publishStoredMetrics();
  }
}

/** The metrics of this function's invocations (shared/observability/middleware.ts flushes them). */
export const metrics = new BufferedMetrics();

export const createMetrics = (stage?: string) => new BufferedMetrics(stage);
export const telemetry = (target: BufferedMetrics = metrics): Telemetry => target;
export const flushStoredMetrics = (target: BufferedMetrics = metrics): Promise<void> => target.flush();
