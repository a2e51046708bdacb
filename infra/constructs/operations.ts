/**
 * What an operator looks at: one CloudWatch dashboard per stage (the API, every function, every queue and
 * dead-letter queue, the table, and the business metrics per day), and the alarms that say Beian is not
 * doing its job, each to the alarm topic with a description that names its runbook entry in
 * docs/operating.md (anchor `runbook-<name>`).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  type IWidget,
  MathExpression,
  Metric,
  Stats,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BUSINESS_METRICS, type BusinessMetric, METRIC_DIMENSION, METRIC_NAMESPACE } from '../../shared/observability/metrics.ts';
import type { BeianFunction } from './beian-function.ts';

/** Thresholds of the alarms, in one place (the runbook quotes them). */
export const ALARM_THRESHOLDS = {
  /** share of API answers that are 5xx, in percent, over 5 minutes */
  api5xxRatePercent: 1,
  /** p99 latency of the API in ms, 3 periods of 5 minutes in a row */
  apiP99LatencyMs: 3_000,
  /** age of the oldest filing waiting in the filings queue, in seconds (15 minutes) */
  filingsOldestMessageSeconds: 15 * 60,
  /** failed notice deliveries in 15 minutes (a retried hiccup does not page; a provider that is down fails them all) */
  noticesFailedIn15Minutes: 3,
} as const;

export interface QueueToWatch {
  name: string;
  queue: IQueue;
  deadLetterQueue?: IQueue;
}

export interface OperationsProps {
  stage: string;
  /** base of the runbook links, e.g. docs/operating.md or https://git.example.gov.cn/beian/blob/main/docs/operating.md */
  runbook: string;
  alarmAction: SnsAction;
  functions: readonly BeianFunction[];
  api?: HttpApi;
  queues: readonly QueueToWatch[];
  table: ITableV2;
  /** the business metrics are drawn only for the functions that emit them */
  emitting: ReadonlySet<string>;
}

export class Operations extends Construct {
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];
  private readonly props: OperationsProps;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    this.props = props;
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `beian-${props.stage}`,
      defaultInterval: Duration.days(7),
    });
    this.dashboard.addWidgets(
      new TextWidget({
        width: 24,
        height: 2,
        markdown: `# Beian ${props.stage}\nIs Beian doing its job today? Business metrics per day, then the API, functions, queues and table. Every alarm's runbook: ${props.runbook}`,
      }),
    );
    this.businessWidgets();
    if (props.api) this.apiWidgets(props.api);
    this.functionWidgets();
    this.queueWidgets();
    this.tableWidgets();

    if (props.api) this.apiAlarms(props.api);
    this.throttleAlarm();
    const filings = props.queues.find((q) => q.name === 'filings');
    if (filings) {
      this.alarm(
        'FilingsQueueAgeAlarm',
        `A filing has waited more than ${ALARM_THRESHOLDS.filingsOldestMessageSeconds / 60} minutes in the filings queue: the processor is not keeping up or not running`,
        'filings-queue-age',
        filings.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: Stats.MAXIMUM }),
        ALARM_THRESHOLDS.filingsOldestMessageSeconds,
        ComparisonOperator.GREATER_THAN_THRESHOLD,
      );
    }
    if (props.emitting.has(BUSINESS_METRICS.NoticesFailed.emittedBy)) {
      this.alarm(
        'NoticesFailingAlarm',
        `${ALARM_THRESHOLDS.noticesFailedIn15Minutes} or more notice deliveries failed in 15 minutes: mail is not leaving (the notices wait in the outbox and are retried)`,
        'notices-failing',
        this.business('NoticesFailed', Duration.minutes(15), Stats.SUM),
        ALARM_THRESHOLDS.noticesFailedIn15Minutes,
      );
    }
  }

  /** A business metric of this stage. */
  business(name: BusinessMetric, period = Duration.days(1), statistic: string = Stats.SUM): Metric {
    return new Metric({
      namespace: METRIC_NAMESPACE,
      metricName: name,
      dimensionsMap: { [METRIC_DIMENSION]: this.props.stage },
      period,
      statistic,
    });
  }

  /** An alarm to the topic; its description ends with the runbook link `<runbook>#runbook-<anchor>`. */
  alarm(
    id: string,
    description: string,
    anchor: string,
    metric: IMetric,
    threshold: number,
    comparisonOperator = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    options: { treatMissingData?: TreatMissingData; evaluationPeriods?: number; scope?: Construct } = {},
  ): Alarm {
    const alarm = new Alarm(options.scope ?? Stack.of(this), id, {
      alarmDescription: `${description} (Beian ${this.props.stage}). Runbook: ${runbookLink(this.props.runbook, anchor)}`,
      metric,
      threshold,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      datapointsToAlarm: options.evaluationPeriods ?? 1,
      comparisonOperator,
      treatMissingData: options.treatMissingData ?? TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.props.alarmAction);
    this.alarms.push(alarm);
    return alarm;
  }

  private apiAlarms(api: HttpApi): void {
    const period = Duration.minutes(5);
    this.alarm(
      'Api5xxAlarm',
      `More than ${ALARM_THRESHOLDS.api5xxRatePercent}% of the API's answers in 5 minutes were server errors (5xx)`,
      'api-5xx',
      new MathExpression({
        // no request at all is no error: FILL keeps an idle API from breaching, MAX avoids a division by zero
        expression: '100 * FILL(errors, 0) / MAX([FILL(requests, 0), 1])',
        usingMetrics: { errors: api.metricServerError({ period, statistic: Stats.SUM }), requests: api.metricCount({ period, statistic: Stats.SUM }) },
        period,
        label: 'API 5xx rate (%)',
      }),
      ALARM_THRESHOLDS.api5xxRatePercent,
      ComparisonOperator.GREATER_THAN_THRESHOLD,
    );
    this.alarm(
      'ApiLatencyAlarm',
      `The API's p99 latency was above ${ALARM_THRESHOLDS.apiP99LatencyMs} ms for 15 minutes`,
      'api-latency',
      api.metricLatency({ period, statistic: Stats.percentile(99) }),
      ALARM_THRESHOLDS.apiP99LatencyMs,
      ComparisonOperator.GREATER_THAN_THRESHOLD,
      { evaluationPeriods: 3 },
    );
  }

  /** Any function throttled (its concurrency or the account's ran out): one alarm over all of them. */
  private throttleAlarm(): void {
    const period = Duration.minutes(5);
    const usingMetrics = Object.fromEntries(
      this.props.functions.map((fn, i) => [`t${i}`, fn.function.metricThrottles({ period, statistic: Stats.SUM })]),
    );
    if (!Object.keys(usingMetrics).length) return;
    this.alarm(
      'FunctionThrottlesAlarm',
      'A function was throttled in the last 5 minutes: its requests or events were refused or delayed for lack of concurrency (the dashboard shows which)',
      'function-throttles',
      new MathExpression({ expression: `SUM([${Object.keys(usingMetrics).map((k) => `FILL(${k}, 0)`).join(', ')}])`, usingMetrics, period, label: 'Throttles, all functions' }),
      1,
    );
  }

  private businessWidgets(): void {
    const groups: [string, BusinessMetric[]][] = [
      ['Decisions reported per day', ['DecisionsReported', 'FilingRequired']],
      ['Filings per day', ['FilingsSubmitted', 'FilingsReceived', 'FilingsIncomplete', 'LateFilings']],
      ['Notices per day', ['NoticesSent', 'NoticesFailed']],
      ['Daily supervision', ['Reminders', 'OverdueFlagged', 'Escalations', 'SweepCompleted']],
    ];
    const widgets: IWidget[] = groups
      .map(([title, names]) => [title, names.filter((n) => this.props.emitting.has(BUSINESS_METRICS[n].emittedBy))] as const)
      .filter(([, names]) => names.length > 0)
      .map(([title, names]) => new GraphWidget({ title, width: 6, left: names.map((n) => this.business(n).with({ label: n })), period: Duration.days(1), statistic: Stats.SUM }));
    const timings = (['NoticeSendLatency', 'QueueMessageAge'] as const).filter((n) => this.props.emitting.has(BUSINESS_METRICS[n].emittedBy));
    if (timings.length) {
      widgets.push(
        new GraphWidget({
          title: 'Waiting (ms): notice creation to sending, filing in the queue (p50, p99)',
          width: 24,
          left: timings.flatMap((n) => [this.business(n, Duration.hours(1), Stats.p(50)).with({ label: `${n} p50` }), this.business(n, Duration.hours(1), Stats.p(99)).with({ label: `${n} p99` })]),
        }),
      );
    }
    this.dashboard.addWidgets(...widgets);
  }

  private apiWidgets(api: HttpApi): void {
    const period = Duration.minutes(5);
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'API requests, 4xx, 5xx',
        width: 12,
        left: [api.metricCount({ period, statistic: Stats.SUM, label: 'requests' })],
        right: [api.metricClientError({ period, statistic: Stats.SUM, label: '4xx' }), api.metricServerError({ period, statistic: Stats.SUM, label: '5xx' })],
      }),
      new GraphWidget({
        title: 'API latency (ms)',
        width: 12,
        left: [
          api.metricLatency({ period, statistic: Stats.p(50), label: 'p50' }),
          api.metricLatency({ period, statistic: Stats.p(99), label: 'p99' }),
        ],
        leftAnnotations: [{ value: ALARM_THRESHOLDS.apiP99LatencyMs, label: 'p99 alarm' }],
      }),
    );
  }

  private functionWidgets(): void {
    const period = Duration.minutes(5);
    const each = (metric: (fn: BeianFunction) => IMetric) => this.props.functions.map(metric);
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Function errors', width: 6, left: each((fn) => fn.function.metricErrors({ period, statistic: Stats.SUM, label: fn.spec.name })) }),
      new GraphWidget({ title: 'Function throttles', width: 6, left: each((fn) => fn.function.metricThrottles({ period, statistic: Stats.SUM, label: fn.spec.name })) }),
      new GraphWidget({ title: 'Function duration p99 (ms)', width: 6, left: each((fn) => fn.function.metricDuration({ period, statistic: Stats.p(99), label: fn.spec.name })) }),
      new GraphWidget({
        title: 'Concurrent executions',
        width: 6,
        left: each((fn) => fn.function.metric('ConcurrentExecutions', { period, statistic: Stats.MAXIMUM, label: fn.spec.name })),
      }),
    );
  }

  private queueWidgets(): void {
    const period = Duration.minutes(5);
    const all = this.props.queues.flatMap((q) => [
      { label: q.name, queue: q.queue },
      ...(q.deadLetterQueue ? [{ label: `${q.name} DLQ`, queue: q.deadLetterQueue }] : []),
    ]);
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Queue depth (messages visible)',
        width: 12,
        left: all.map(({ label, queue }) => queue.metricApproximateNumberOfMessagesVisible({ period, statistic: Stats.MAXIMUM, label })),
      }),
      new GraphWidget({
        title: 'Oldest message age (s)',
        width: 12,
        left: all.map(({ label, queue }) => queue.metricApproximateAgeOfOldestMessage({ period, statistic: Stats.MAXIMUM, label })),
        leftAnnotations: [{ value: ALARM_THRESHOLDS.filingsOldestMessageSeconds, label: 'filings alarm' }],
      }),
    );
  }

  private tableWidgets(): void {
    const period = Duration.minutes(5);
    const table = (metricName: string, label: string, statistic: string = Stats.SUM) =>
      new Metric({ namespace: 'AWS/DynamoDB', metricName, dimensionsMap: { TableName: this.props.table.tableName }, period, statistic, label });
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Table consumed capacity (units per 5 minutes)',
        width: 12,
        left: [table('ConsumedReadCapacityUnits', 'read'), table('ConsumedWriteCapacityUnits', 'write')],
      }),
      new GraphWidget({
        title: 'Table throttles',
        width: 12,
        left: [table('ReadThrottleEvents', 'read throttles'), table('WriteThrottleEvents', 'write throttles'), table('ThrottledRequests', 'throttled requests')],
      }),
    );
  }
}

export const runbookLink = (base: string, anchor: string) => `${base}#runbook-${anchor}`;
