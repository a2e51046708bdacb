/**
 * The business metrics: one CloudWatch namespace, the one dimension `stage`, nothing unbounded (no
 * agency, jurisdiction or decision as a dimension: those go into the log line as searchable properties).
 * The code emits them (embedded metric format), the CDK app draws and alarms on them: both read this list.
 */
export const METRIC_NAMESPACE = 'Beian';
export const METRIC_DIMENSION = 'stage';

export type MetricUnit = 'Count' | 'Milliseconds' | 'Seconds';

export const BUSINESS_METRICS = {
  /** decisions reported through the API (a duplicate case or an idempotent replay is not counted) */
  DecisionsReported: { unit: 'Count', emittedBy: 'api' },
  /** of those, the ones the rules say must be filed */
  FilingRequired: { unit: 'Count', emittedBy: 'api' },
  /** filings accepted by the API (202) */
  FilingsSubmitted: { unit: 'Count', emittedBy: 'api' },
  /** filings the processor registered (RECEIVED, with a filing number) */
  FilingsReceived: { unit: 'Count', emittedBy: 'process-filing' },
  /** filings the processor found incomplete */
  FilingsIncomplete: { unit: 'Count', emittedBy: 'process-filing' },
  /** registered filings that came after the legal deadline */
  LateFilings: { unit: 'Count', emittedBy: 'process-filing' },
  /** how long a filing waited in the queue before the processor took it */
  QueueMessageAge: { unit: 'Milliseconds', emittedBy: 'process-filing' },
  NoticesSent: { unit: 'Count', emittedBy: 'send-notices' },
  /** a delivery attempt that failed (it is retried: the outbox keeps the notice until it is sent) */
  NoticesFailed: { unit: 'Count', emittedBy: 'send-notices' },
  /** from the notice's creation (the change it reports) to its mail leaving */
  NoticeSendLatency: { unit: 'Milliseconds', emittedBy: 'send-notices' },
  Reminders: { unit: 'Count', emittedBy: 'sweep-jurisdiction' },
  OverdueFlagged: { unit: 'Count', emittedBy: 'sweep-jurisdiction' },
  Escalations: { unit: 'Count', emittedBy: 'sweep-jurisdiction' },
  /** one per jurisdiction swept for a day: the heartbeat of the daily supervision */
  SweepCompleted: { unit: 'Count', emittedBy: 'sweep-jurisdiction' },
} as const satisfies Record<string, { unit: MetricUnit; emittedBy: string }>;

export type BusinessMetric = keyof typeof BUSINESS_METRICS;
export const BUSINESS_METRIC_NAMES = Object.keys(BUSINESS_METRICS) as BusinessMetric[];
