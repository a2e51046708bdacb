/**
 * Everything that can be destroyed and redeployed freely: one BeianFunction per entry of
 * functions/manifest.ts, its trigger (HTTP routes, queue mapping, schedule), its grants, its alarms.
 */
import { Annotations, CfnOutput, Duration, Stack, type StackProps, TimeZone, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { CorsHttpMethod, DomainName, HttpApi, HttpMethod, HttpNoneAuthorizer, HttpStage, LogGroupLogDestination, SecurityPolicy } from 'aws-cdk-lib/aws-apigatewayv2';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { ComparisonOperator, MathExpression, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type IScheduleTarget, Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { ScheduleTargetBase, type ScheduleTargetBaseProps } from 'aws-cdk-lib/aws-scheduler-targets';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { DAILY, type FunctionSpec, type HttpRoute, type QueueName, type Trigger } from '../functions/manifest.ts';
import type { BeianConfig } from './config.ts';
import { BeianFunction, type MailBinding } from './constructs/beian-function.ts';
import type { ApiIdentity } from './constructs/cognito-identity.ts';
import { Operations } from './constructs/operations.ts';
import { TABLE_DELETE_PREFIXES, TABLE_KEY_PREFIXES } from './table-actions.ts';
import { type QueuePair, documentsBucketName } from './stateful-stack.ts';

/** Stage-wide throttling of the HTTP API (requests per second, and the burst above it). */
export const API_THROTTLE = { rateLimit: 50, burstLimit: 100 } as const;

/**
 * Most invocations of a queue's consumer at once (the SQS event source's maximum concurrency; 2 is the
 * least Lambda accepts). filings: every registration of a jurisdiction takes the next number of one counter,
 * so parallel consumers only contend (150 at once needed up to 45 of 60 attempts and 26 s of the 30 s
 * timeout); 5 consumers, each taking its batch's records one after another, keep the retries few and still
 * register well over the API's rate. sweeps: one message per jurisdiction and day, each sweep up to 900 s at
 * 1,769 MB; 2 at a time keep the daily run from taking the table's and the account's capacity from the API.
 */
export const QUEUE_MAX_CONCURRENCY: Readonly<Record<QueueName, number>> = { filings: 5, sweeps: 2, documents: 5 };

/**
 * The heartbeat of the daily deadline sweep. The function `emittedBy` writes, each time it completes the
 * sweep of one jurisdiction, an embedded-metric-format log line: namespace `namespace`, metric `metricName`
 * (value 1, unit Count) with the one dimension `dimension` = the stage (env STAGE). An alarm fires when no
 * sweep completed during the last day.
 */
export const SWEEP_HEARTBEAT = {
  emittedBy: 'sweep-jurisdiction',
  namespace: 'Beian',
  metricName: 'SweepCompleted',
  dimension: 'stage',
} as const;

/** What the stateless stack needs from the stateful one. */
export interface StatefulResources {
  table: ITableV2;
  cursorSecretName: string;
  /** whom the JWT authorizer trusts: the user pool and its app clients, or the external OIDC issuer and audience */
  identity: ApiIdentity;
  mail: MailBinding;
  queues: ReadonlyMap<QueueName, QueuePair>;
  streamDeadLetterQueue: IQueue;
  alarmTopic: ITopic;
}

export interface StatelessStackProps extends StackProps {
  config: BeianConfig;
  stateful: StatefulResources;
  /** the functions to build; functions/manifest.ts `functions` in the app */
  functions: readonly FunctionSpec[];
}

export class StatelessStack extends Stack {
  readonly functions: ReadonlyMap<string, BeianFunction>;
  /** the dashboard and the alarms, each with its runbook entry */
  readonly operations: Operations;
  readonly api?: HttpApi;
  readonly apiStage?: HttpStage;
  private readonly props: StatelessStackProps;
  private readonly alarmAction: SnsAction;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    this.props = props;
    const { config, stateful } = props;
    this.alarmAction = new SnsAction(stateful.alarmTopic);

    const functions = new Map<string, BeianFunction>();
    for (const spec of props.functions) {
      const fn = new BeianFunction(this, pascal(spec.name), {
        spec,
        stage: config.stage,
        logRetention: config.logRetentionDays as RetentionDays,
        tracing: config.tracing,
        architecture: config.architecture,
      });
      if (spec.trigger.kind === 'http') fn.bindIdentity(config);
      if (spec.needs.table) {
        const leadingKeys = TABLE_KEY_PREFIXES[spec.name];
        if (!leadingKeys) {
          Annotations.of(fn).addWarningV2(
            'beian:table-key-prefixes',
            `Function ${spec.name} has no key prefixes in infra/table-actions.ts TABLE_KEY_PREFIXES: its table grant covers every item.`,
          );
        }
        fn.bindTable(stateful.table, spec.needs.table, leadingKeys, TABLE_DELETE_PREFIXES[spec.name]);
        // every writer may write or finish notices: each knows how long a notice is kept
        if (spec.needs.table === 'readWrite') fn.bindNoticeRetention(config.noticeRetentionDays);
      }
      for (const queueName of spec.needs.sendTo ?? []) fn.bindQueue(queueName, this.queue(queueName, spec).queue);
      if (spec.needs.mail) fn.bindMail(stateful.mail, config.allowedRecipientDomains);
      if (spec.needs.documents) fn.bindDocuments(documentsBucketName(config.stage), spec.needs.documents);
      if (spec.needs.operatorEmails) fn.bindOperatorEmails(config.operatorEmails);
      // Only HTTP functions page through lists, so only they get the cursor-signing key.
      if (spec.trigger.kind === 'http') fn.bindCursorSecret(stateful.cursorSecretName);
      functions.set(spec.name, fn);
    }
    this.functions = functions;

    const httpFunctions = [...functions.values()].filter((fn) => fn.spec.trigger.kind === 'http');
    if (httpFunctions.length > 0) {
      const { api, stage } = this.createApi(httpFunctions);
      this.api = api;
      this.apiStage = stage;
    }
    for (const fn of functions.values()) {
      const trigger = fn.spec.trigger;
      if (trigger.kind === 'queue') this.subscribe(fn, trigger);
      if (trigger.kind === 'schedule') this.schedule(fn, trigger);
      if (trigger.kind === 'tableStream') this.followStream(fn, trigger);
    }
    this.operations = new Operations(this, 'Operations', {
      stage: config.stage,
      runbook: config.runbookUrl,
      alarmAction: this.alarmAction,
      functions: [...functions.values()],
      api: this.api,
      queues: [
        ...[...stateful.queues].map(([name, pair]) => ({ name, queue: pair.queue, deadLetterQueue: pair.deadLetterQueue })),
        ...(props.functions.some((f) => f.trigger.kind === 'tableStream') ? [{ name: 'stream-dlq', queue: stateful.streamDeadLetterQueue }] : []),
      ],
      table: stateful.table,
      emitting: new Set(props.functions.map((f) => f.name)),
    });
    for (const fn of functions.values()) {
      this.operations.alarm(
        `${pascal(fn.spec.name)}ErrorsAlarm`,
        `Function ${fn.spec.name} reported errors`,
        'function-errors',
        fn.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        1,
      );
    }
    if (props.functions.some((f) => f.trigger.kind === 'tableStream')) {
      this.operations.alarm(
        'StreamDeadLetterAlarm',
        'Table-stream records failed every retry (for example a notice that could not be sent) and wait in the stream dead-letter queue',
        'stream-dead-letters',
        stateful.streamDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        0,
        ComparisonOperator.GREATER_THAN_THRESHOLD,
      );
    }
    for (const [name, pair] of stateful.queues) {
      this.operations.alarm(
        `${pascal(name)}DeadLetterAlarm`,
        `Messages of queue ${name} failed ${pair.spec.maxReceiveCount} times and wait in its dead-letter queue`,
        name === 'sweeps' ? 'sweeps-dead-letters' : 'dead-letters',
        pair.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        0,
        ComparisonOperator.GREATER_THAN_THRESHOLD,
      );
    }
    if (props.functions.some((f) => f.name === SWEEP_HEARTBEAT.emittedBy)) this.sweepHeartbeatAlarm();
  }

  /**
   * No completed jurisdiction sweep in the last day. FILL(…, 0) turns a day without any data point into 0:
   * on the bare metric, CloudWatch would skip missing days while an older real data point remains in its
   * evaluation range, and only notice days later. TreatMissingData BREACHING covers a metric with no data
   * at all (a new stage before its first sweep, a stage with no jurisdiction).
   */
  private sweepHeartbeatAlarm(): void {
    const { stage } = this.props.config;
    const completed = new Metric({
      namespace: SWEEP_HEARTBEAT.namespace,
      metricName: SWEEP_HEARTBEAT.metricName,
      dimensionsMap: { [SWEEP_HEARTBEAT.dimension]: stage },
      statistic: 'Sum',
      period: Duration.days(1),
    });
    this.operations.alarm(
      'SweepHeartbeatAlarm',
      `No daily deadline sweep completed in the last day (${SWEEP_HEARTBEAT.namespace}/${SWEEP_HEARTBEAT.metricName}, ${SWEEP_HEARTBEAT.dimension}=${stage}): reminders, overdue flags and escalations may not have gone out today. Check that the sweep-deadlines schedule ran, the errors of sweep-deadlines and sweep-jurisdiction, and the sweeps queue and its dead-letter queue`,
      'sweep-heartbeat',
      new MathExpression({
        expression: 'FILL(completed, 0)',
        usingMetrics: { completed },
        period: Duration.days(1),
        label: 'Jurisdiction sweeps completed in the last day',
      }),
      1,
      ComparisonOperator.LESS_THAN_THRESHOLD,
      { treatMissingData: TreatMissingData.BREACHING },
    );
  }

  private createApi(httpFunctions: readonly BeianFunction[]): { api: HttpApi; stage: HttpStage } {
    const { config, stateful } = this.props;
    const api = new HttpApi(this, 'HttpApi', {
      apiName: `beian-${config.stage}`,
      description: 'Beian API',
      createDefaultStage: false,
      // with a custom domain, only it answers (in China every domain serving the API needs the ICP licence)
      disableExecuteApiEndpoint: config.apiDomainName !== undefined,
      corsPreflight:
        config.allowedOrigins.length > 0
          ? {
              allowOrigins: config.allowedOrigins,
              allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.PUT, CorsHttpMethod.POST, CorsHttpMethod.DELETE],
              allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
              exposeHeaders: ['location', 'idempotent-replayed'],
              maxAge: Duration.hours(1),
            }
          : undefined,
    });

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: config.logRetentionDays as RetentionDays,
    });
    const domainName = config.apiDomainName
      ? new DomainName(this, 'ApiDomain', {
          domainName: config.apiDomainName,
          certificate: Certificate.fromCertificateArn(this, 'ApiCertificate', config.certificateArn!),
          securityPolicy: SecurityPolicy.TLS_1_2,
        })
      : undefined;
    const stage = api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      ...(domainName && { domainMapping: { domainName } }),
      throttle: API_THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            method: '$context.httpMethod',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            responseLength: '$context.responseLength',
            clientId: `$context.authorizer.claims.${config.identity === 'oidc' && /^\w+$/.test(config.oidcClientIdClaim) ? config.oidcClientIdClaim : 'client_id'}`,
            // the caller: the person's user id, or the machine client's own id (client credentials tokens)
            sub: '$context.authorizer.claims.sub',
            authorizerError: '$context.authorizer.error',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    // Issuer = the user pool, audience = every app client (people and agencies); or the external OIDC
    // issuer and its configured audience. The JWT authorizer checks signature (RSA keys from the issuer's
    // JWKS), expiry, issuer and aud/client_id; the function maps the caller to a role.
    const authorizer = new HttpJwtAuthorizer(config.identity === 'cognito' ? 'CognitoAuthorizer' : 'OidcAuthorizer', stateful.identity.issuer, {
      authorizerName: config.identity === 'cognito' ? 'cognito-jwt' : 'oidc-jwt',
      jwtAudience: stateful.identity.audiences,
    });

    for (const fn of httpFunctions) {
      if (fn.spec.trigger.kind !== 'http') continue;
      const integration = new HttpLambdaIntegration(`${pascal(fn.spec.name)}Integration`, fn.function);
      for (const route of fn.spec.trigger.routes) {
        const [httpRoute] = api.addRoutes({
          path: route.path,
          methods: [HttpMethod[route.method]],
          integration,
          authorizer: route.authorized ? authorizer : new HttpNoneAuthorizer(),
        });
        if (!route.authorized && httpRoute) {
          Validations.of(httpRoute).acknowledge({
            id: 'AwsSolutions-APIG4',
            reason: `${routeKey(route)} is public by design: marked authorized: false in functions/api/route-keys.ts, where each public route is reviewed (today only the API document).`,
          });
        }
      }
    }

    new CfnOutput(this, 'ApiUrl', { description: 'Base URL of the Beian API', value: domainName ? `https://${config.apiDomainName}/` : stage.url });
    if (domainName) {
      new CfnOutput(this, 'ApiDomainTarget', {
        description: `Point ${config.apiDomainName} here (a CNAME, or an alias record) once its ICP filing is done`,
        value: domainName.regionalDomainName,
      });
    }
    return { api, stage };
  }

  /** An SQS event source that reports partial batch failures, so one bad message does not fail its batch. */
  private subscribe(fn: BeianFunction, trigger: Extract<Trigger, { kind: 'queue' }>): void {
    const pair = this.queue(trigger.queue, fn.spec);
    if (pair.spec.visibilityTimeoutSeconds < fn.spec.timeoutSeconds) {
      throw new Error(
        `Queue "${pair.spec.name}": visibilityTimeoutSeconds (${pair.spec.visibilityTimeoutSeconds}) must be at least the timeout of its consumer "${fn.spec.name}" (${fn.spec.timeoutSeconds}); AWS recommends 6x.`,
      );
    }
    fn.function.addEventSource(
      new SqsEventSource(pair.queue, {
        batchSize: trigger.batchSize,
        maxBatchingWindow: trigger.maxBatchingWindowSeconds > 0 ? Duration.seconds(trigger.maxBatchingWindowSeconds) : undefined,
        reportBatchItemFailures: true,
        maxConcurrency: QUEUE_MAX_CONCURRENCY[trigger.queue],
      }),
    );
  }

  /**
   * The table's stream, filtered to the new images the function wants (Lambda event filtering: the
   * function is not even invoked for other changes), with partial batch failures, bisection of failing
   * batches, and a dead-letter queue after the last retry.
   */
  private followStream(fn: BeianFunction, trigger: Extract<Trigger, { kind: 'tableStream' }>): void {
    const newImage = Object.fromEntries(Object.entries(trigger.newImageFilter).map(([name, values]) => [name, { S: [...values] }]));
    fn.function.addEventSource(
      new DynamoEventSource(this.props.stateful.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: trigger.batchSize,
        retryAttempts: trigger.retryAttempts,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        filters: [FilterCriteria.filter({ dynamodb: { NewImage: newImage } })],
        onFailure: new SqsDlq(this.props.stateful.streamDeadLetterQueue),
      }),
    );
  }

  private schedule(fn: BeianFunction, trigger: Extract<Trigger, { kind: 'schedule' }>): void {
    const [hour, minute] = this.props.config.dailyRunTime.split(':').map((part) => String(Number(part)));
    const expression =
      trigger.everyMinutes === DAILY
        ? ScheduleExpression.cron({ hour, minute, timeZone: TimeZone.ASIA_SHANGHAI })
        : ScheduleExpression.rate(Duration.minutes(trigger.everyMinutes));
    new Schedule(this, `${pascal(fn.spec.name)}Schedule`, {
      description: `Runs ${fn.spec.name}`,
      schedule: expression,
      target: new InvokeFunction(fn.function, { retryAttempts: 2, maxEventAge: Duration.hours(1) }),
    });
  }

  private queue(name: QueueName, consumer: FunctionSpec): QueuePair {
    const pair = this.props.stateful.queues.get(name);
    if (!pair) throw new Error(`Function "${consumer.name}" uses queue "${name}", which functions/manifest.ts \`queues\` does not declare.`);
    return pair;
  }
}

/**
 * The scheduler-targets LambdaInvoke, minus its grant on `<function arn>:*` (every version and alias):
 * the schedule invokes the function's unqualified ARN and may invoke nothing else.
 */
class InvokeFunction extends ScheduleTargetBase implements IScheduleTarget {
  private readonly fn: IFunction;

  constructor(fn: IFunction, props: ScheduleTargetBaseProps) {
    super(props, fn.functionArn);
    this.fn = fn;
  }

  protected addTargetActionToRole(role: IRole): void {
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.fn.functionArn] }));
  }
}

export function routeKey(route: HttpRoute): string {
  return `${route.method} ${route.path}`;
}

/** "process-filing" -> "ProcessFiling", for construct ids. */
function pascal(name: string): string {
  return name
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}
