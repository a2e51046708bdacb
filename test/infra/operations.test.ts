/**
 * Issue 11: one dashboard per stage and the alarms that say Beian is not doing its job, each with its
 * threshold, period, missing-data treatment, action and runbook entry.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { functions, queues } from '../../functions/manifest.ts';
import { ALARM_THRESHOLDS } from '../../infra/constructs/operations.ts';
import { BUSINESS_METRIC_NAMES } from '../../shared/observability/metrics.ts';
import { onlyResource, resourcesOf, synthBeian, type SynthesizedBeian } from './helpers.ts';

const runbook = readFileSync(new URL('../../docs/operating.md', import.meta.url), 'utf8');
let beian: SynthesizedBeian;
type Alarm = Record<string, any> & { id: string };
let alarms: Alarm[];
const alarm = (prefix: string) => {
  const found = alarms.filter((a) => a.id.startsWith(prefix));
  expect(found, prefix).toHaveLength(1);
  return found[0]!;
};
/** The dashboard body, with the tokens CDK leaves in it joined into placeholders. */
let body: { widgets: Array<{ type: string; properties: Record<string, any> }> };

beforeAll(() => {
  beian = synthBeian({ context: { stage: 'ops', alarmEmails: ['ops@beian.example.gov.cn'] } });
  alarms = resourcesOf(beian.statelessTemplate, 'AWS::CloudWatch::Alarm').map(([id, a]) => ({ id, ...a.Properties }));
  const [, dashboard] = onlyResource(beian.statelessTemplate, 'AWS::CloudWatch::Dashboard');
  const parts = dashboard.Properties!.DashboardBody['Fn::Join'][1] as unknown[];
  body = JSON.parse(parts.map((p) => (typeof p === 'string' ? p : '"TOKEN"').replace(/""TOKEN""/g, '"TOKEN"')).join('').replace(/"TOKEN"/g, 'TOKEN').replace(/TOKEN/g, 'TOKEN'));
});

describe('the dashboard', () => {
  const titles = () => body.widgets.map((w) => w.properties.title).filter(Boolean);
  const metricsOf = (title: string) => body.widgets.find((w) => w.properties.title === title)!.properties.metrics as unknown[][];

  it('is one per stage, named after it', () => {
    onlyResource(beian.statelessTemplate, 'AWS::CloudWatch::Dashboard');
    beian.statelessTemplate.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'beian-ops' });
  });

  it('shows every business metric per day, in the namespace Beian with the one dimension stage', () => {
    const drawn = body.widgets.flatMap((w) => (w.properties.metrics ?? []) as unknown[][]).filter((m) => m[0] === 'Beian');
    for (const name of BUSINESS_METRIC_NAMES) expect(drawn.some((m) => m[1] === name), name).toBe(true);
    for (const m of drawn) expect(m.slice(2, 4)).toEqual(['stage', 'ops']);
    for (const title of ['Decisions reported per day', 'Filings per day', 'Notices per day', 'Daily supervision']) {
      const widget = body.widgets.find((w) => w.properties.title === title)!;
      expect(widget.properties).toMatchObject({ period: 86400, stat: 'Sum' });
    }
  });

  it('shows the API: requests, 4xx, 5xx, p50 and p99 latency', () => {
    expect(titles()).toEqual(expect.arrayContaining(['API requests, 4xx, 5xx', 'API latency (ms)']));
    const traffic = metricsOf('API requests, 4xx, 5xx').map((m) => m[1]);
    expect(traffic).toEqual(['Count', '4xx', '5xx']);
    const latency = metricsOf('API latency (ms)');
    expect(latency.map((m) => [m[1], (m.at(-1) as { stat: string }).stat])).toEqual([['Latency', 'p50'], ['Latency', 'p99']]);
  });

  it("shows each function's errors, throttles, duration and concurrent executions", () => {
    for (const [title, metric] of [
      ['Function errors', 'Errors'],
      ['Function throttles', 'Throttles'],
      ['Function duration p99 (ms)', 'Duration'],
      ['Concurrent executions', 'ConcurrentExecutions'],
    ] as const) {
      const lines = metricsOf(title);
      expect(lines.map((m) => m[1]), title).toEqual(functions.map(() => metric));
      expect(lines.map((m) => (m.at(-1) as { label: string }).label)).toEqual(functions.map((f) => f.name));
    }
  });

  it('shows depth and oldest message age of every queue, every dead-letter queue and the stream dead-letter queue', () => {
    const expected = [...queues.flatMap((q) => [q.name, `${q.name} DLQ`]), 'stream-dlq'];
    for (const [title, metric] of [
      ['Queue depth (messages visible)', 'ApproximateNumberOfMessagesVisible'],
      ['Oldest message age (s)', 'ApproximateAgeOfOldestMessage'],
    ] as const) {
      const lines = metricsOf(title);
      expect(lines.map((m) => (m.at(-1) as { label: string }).label), title).toEqual(expected);
      for (const m of lines) expect(m.slice(0, 2)).toEqual(['AWS/SQS', metric]);
    }
  });

  it("shows the table's consumed capacity and throttles", () => {
    expect(metricsOf('Table consumed capacity (units per 5 minutes)').map((m) => m[1])).toEqual(['ConsumedReadCapacityUnits', 'ConsumedWriteCapacityUnits']);
    expect(metricsOf('Table throttles').map((m) => m[1])).toEqual(['ReadThrottleEvents', 'WriteThrottleEvents', 'ThrottledRequests']);
  });
});

describe('the alarms', () => {
  it('each goes to the alarm topic and links to a runbook entry that exists', () => {
    expect(alarms.length).toBeGreaterThan(10);
    for (const a of alarms) {
      expect(JSON.stringify(a.AlarmActions), a.id).toContain('PublishOutputRefAlarmTopic');
      const anchor = /Runbook: docs\/operating\.md#(runbook-[a-z0-9-]+)$/.exec(a.AlarmDescription)?.[1];
      expect(anchor, a.id).toBeDefined();
      expect(runbook, `${a.id}: ${anchor}`).toContain(`<a id="${anchor}"></a>`);
    }
  });

  it('follows runbookUrl to where operators read the runbook', () => {
    const hosted = synthBeian({ context: { runbookUrl: 'https://git.example.gov.cn/beian/blob/main/docs/operating.md' } });
    for (const [, a] of resourcesOf(hosted.statelessTemplate, 'AWS::CloudWatch::Alarm')) {
      expect(a.Properties!.AlarmDescription).toMatch(/Runbook: https:\/\/git\.example\.gov\.cn\/beian\/blob\/main\/docs\/operating\.md#runbook-/);
    }
  });

  it('API 5xx rate: above 1% of the answers in 5 minutes; an idle API does not breach', () => {
    const a = alarm('Api5xxAlarm');
    expect(a).toMatchObject({ Threshold: ALARM_THRESHOLDS.api5xxRatePercent, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
    const expression = a.Metrics.find((m: any) => m.Expression);
    expect(expression.Expression).toBe('100 * FILL(errors, 0) / MAX([FILL(requests, 0), 1])');
    const stats = Object.fromEntries(a.Metrics.filter((m: any) => m.MetricStat).map((m: any) => [m.Id, [m.MetricStat.Metric.MetricName, m.MetricStat.Period, m.MetricStat.Stat]]));
    expect(stats).toEqual({ errors: ['5xx', 300, 'Sum'], requests: ['Count', 300, 'Sum'] });
  });

  it('API p99 latency: above 3,000 ms in 3 periods of 5 minutes in a row', () => {
    expect(alarm('ApiLatencyAlarm')).toMatchObject({
      MetricName: 'Latency',
      Namespace: 'AWS/ApiGateway',
      ExtendedStatistic: 'p99',
      Period: 300,
      Threshold: ALARM_THRESHOLDS.apiP99LatencyMs,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('any function throttling: the sum over every function, at least 1 in 5 minutes', () => {
    const a = alarm('FunctionThrottlesAlarm');
    expect(a).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
    const throttles = a.Metrics.filter((m: any) => m.MetricStat);
    expect(throttles).toHaveLength(functions.length);
    for (const m of throttles) expect(m.MetricStat).toMatchObject({ Metric: { Namespace: 'AWS/Lambda', MetricName: 'Throttles' }, Period: 300, Stat: 'Sum' });
    expect(a.Metrics.find((m: any) => m.Expression).Expression).toMatch(/^SUM\(\[FILL\(t0, 0\)/);
  });

  it('filings waiting: the oldest message of the filings queue above 15 minutes', () => {
    expect(alarm('FilingsQueueAgeAlarm')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 900,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(JSON.stringify(alarm('FilingsQueueAgeAlarm').Dimensions)).toContain('filingsQueue');
  });

  it('notices failing: 3 or more failed deliveries in 15 minutes', () => {
    expect(alarm('NoticesFailingAlarm')).toMatchObject({
      Namespace: 'Beian',
      MetricName: 'NoticesFailed',
      Dimensions: [{ Name: 'stage', Value: 'ops' }],
      Statistic: 'Sum',
      Period: 900,
      Threshold: ALARM_THRESHOLDS.noticesFailedIn15Minutes,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('keeps the earlier alarms: errors per function, every dead-letter queue, the stream DLQ, the sweep heartbeat', () => {
    expect(alarms.filter((a) => a.MetricName === 'Errors' && a.Namespace === 'AWS/Lambda')).toHaveLength(functions.length);
    for (const q of queues) expect(alarms.some((a) => a.id.startsWith(`${q.name[0]!.toUpperCase()}${q.name.slice(1)}DeadLetterAlarm`)), q.name).toBe(true);
    alarm('StreamDeadLetterAlarm');
    expect(alarm('SweepHeartbeatAlarm')).toMatchObject({ TreatMissingData: 'breaching', ComparisonOperator: 'LessThanThreshold', Threshold: 1 });
  });
});
