/** Deadline supervision as the real manifest deploys it: daily schedule, sweeps queue, consumer, grants, alarms. */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { env, functions, queues } from '../../functions/manifest.ts';
import { TABLE_ACTIONS } from '../../infra/constructs/beian-function.ts';
import { SWEEP_HEARTBEAT } from '../../infra/stateless-stack.ts';
import { asArray, type CfnResource, resourcesOf, statementsOfRole, synthBeian, type SynthesizedBeian } from './helpers.ts';

const STAGE = 'pilot'; // not the default, so the heartbeat's dimension is seen to follow the stage
const OPERATORS = ['duty@beian.example.gov.cn', 'ops@beian.example.gov.cn'];
/** what the SQS event source grants the consumer: read and delete, never send */
const CONSUME_ACTIONS = ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'];

let beian: SynthesizedBeian;
beforeAll(() => {
  // a comma-separated string, as `-c operatorEmails=a,b` passes it
  beian = synthBeian({ context: { stage: STAGE, operatorEmails: OPERATORS.join(',') } });
});

const resources = () => beian.statelessTemplate.toJSON().Resources as Record<string, CfnResource>;
const functionIdOf = (b: SynthesizedBeian, name: string) => b.stateless.getLogicalId(b.stateless.functions.get(name)!.function.node.defaultChild as never);
const lambdaEnv = (name: string) => (resources()[functionIdOf(beian, name)]!.Properties!.Environment.Variables ?? {}) as Record<string, unknown>;
const statements = (name: string) =>
  statementsOfRole(beian.statelessTemplate, beian.stateless.getLogicalId(beian.stateless.functions.get(name)!.role.node.defaultChild as never));
const sqsStatements = (name: string) => statements(name).filter((s) => asArray(s.Action).some((a: string) => a.startsWith('sqs:')));
const alarms = () => resourcesOf(beian.statelessTemplate, 'AWS::CloudWatch::Alarm').map(([id, a]): Record<string, any> => ({ id, ...a.Properties }));
/** an Fn::GetStackOutput reference to an output of the stateful stack, by the logical id it publishes */
const statefulOutput = (value: unknown, logicalIdPrefix: string, attribute: 'Ref' | 'Arn' | 'QueueName') =>
  new RegExp(`"Fn::GetStackOutput".*"StackName":"Beian-${STAGE}-Stateful".*PublishOutput${attribute === 'Ref' ? 'Ref' : 'FnGetAtt'}${logicalIdPrefix}[0-9A-F]{8}${attribute === 'Ref' ? '' : attribute}`).test(
    JSON.stringify(value),
  );

describe('the daily schedule', () => {
  const schedulesOf = (b: SynthesizedBeian) => resourcesOf(b.statelessTemplate, 'AWS::Scheduler::Schedule').map(([, s]) => s.Properties!);
  const sweepScheduleOf = (b: SynthesizedBeian) => {
    const found = schedulesOf(b).filter((s) => JSON.stringify(s.Target.Arn) === JSON.stringify({ 'Fn::GetAtt': [functionIdOf(b, 'sweep-deadlines'), 'Arn'] }));
    expect(found).toHaveLength(1);
    return found[0]!;
  };

  it('runs sweep-deadlines at 09:00 Asia/Shanghai by EventBridge Scheduler (the default dailyRunTime)', () => {
    expect(sweepScheduleOf(beian)).toMatchObject({
      ScheduleExpression: 'cron(0 9 * * ? *)',
      ScheduleExpressionTimezone: 'Asia/Shanghai',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
    });
    // one schedule per scheduled function: the reconciler keeps its rate
    expect(schedulesOf(beian).map((s) => s.ScheduleExpression).sort()).toEqual(['cron(0 9 * * ? *)', 'rate(5 minutes)']);
  });

  it('follows the context key dailyRunTime', () => {
    const moved = synthBeian({ context: { dailyRunTime: '07:30' } });
    expect(sweepScheduleOf(moved)).toMatchObject({ ScheduleExpression: 'cron(30 7 * * ? *)', ScheduleExpressionTimezone: 'Asia/Shanghai' });
  });
});

describe('the sweeps queue', () => {
  const queue = (prefix: string) => {
    const found = resourcesOf(beian.statefulTemplate, 'AWS::SQS::Queue').filter(([id]) => new RegExp(`^${prefix}[0-9A-F]{8}$`).test(id));
    expect(found).toHaveLength(1);
    return found[0]!;
  };
  const spec = queues.find((q) => q.name === 'sweeps')!;

  it('has a dead-letter queue after 3 receives and a 5400 s visibility timeout, 6x the consumer timeout (900 s)', () => {
    const [dlqId, dlq] = queue('sweepsDeadLetterQueue');
    const [, main] = queue('sweepsQueue');
    expect(main.Properties).toMatchObject({
      VisibilityTimeout: 5400,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { maxReceiveCount: 3, deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
    });
    expect([spec.visibilityTimeoutSeconds, spec.maxReceiveCount]).toEqual([5400, 3]);
    expect(main.Properties!.VisibilityTimeout).toBe(6 * functions.find((f) => f.name === 'sweep-jurisdiction')!.timeoutSeconds);
    expect(dlq.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    expect([main.DeletionPolicy, dlq.DeletionPolicy]).toEqual(['Retain', 'Retain']);
  });

  it('feeds sweep-jurisdiction one jurisdiction at a time, without batching window, with partial batch failures', () => {
    const mappings = resourcesOf(beian.statelessTemplate, 'AWS::Lambda::EventSourceMapping')
      .map(([, m]) => m.Properties!)
      .filter((m) => JSON.stringify(m.FunctionName) === JSON.stringify({ Ref: functionIdOf(beian, 'sweep-jurisdiction') }));
    expect(mappings).toHaveLength(1);
    const mapping = mappings[0]!;
    expect(mapping).toMatchObject({ BatchSize: 1, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    expect(mapping.MaximumBatchingWindowInSeconds).toBeUndefined();
    expect(statefulOutput(mapping.EventSourceArn, 'sweepsQueue', 'Arn')).toBe(true);
  });
});

describe('grants and environment', () => {
  it('lets sweep-deadlines send to the sweeps queue only, with SWEEPS_QUEUE_URL', () => {
    const send = sqsStatements('sweep-deadlines');
    expect(send.flatMap((s) => asArray(s.Action))).toContain('sqs:SendMessage');
    for (const statement of send) {
      const targets = asArray(statement.Resource);
      expect(targets).toHaveLength(1);
      expect(statefulOutput(targets[0], 'sweepsQueue', 'Arn'), JSON.stringify(targets[0])).toBe(true);
      expect(asArray(statement.Action)).not.toContain('sqs:ReceiveMessage');
    }
    expect(statefulOutput(lambdaEnv('sweep-deadlines')[env.queueUrl('sweeps')], 'sweepsQueue', 'Ref')).toBe(true);
    expect(lambdaEnv('sweep-deadlines')).not.toHaveProperty(env.queueUrl('filings'));
  });

  it('lets sweep-jurisdiction consume the sweeps queue and send to no queue', () => {
    const sqs = sqsStatements('sweep-jurisdiction');
    expect(sqs.length).toBeGreaterThan(0);
    for (const statement of sqs) {
      expect(CONSUME_ACTIONS).toEqual(expect.arrayContaining(asArray(statement.Action)));
      expect(asArray(statement.Resource).every((r) => statefulOutput(r, 'sweepsQueue', 'Arn'))).toBe(true);
    }
    expect(Object.keys(lambdaEnv('sweep-jurisdiction')).filter((name) => name.endsWith('_QUEUE_URL'))).toEqual([]);
  });

  it.each(['sweep-deadlines', 'sweep-jurisdiction'])('%s: reads and writes the table, sends no mail, gets no cursor key', (name) => {
    const dynamo = statements(name).filter((s) => asArray(s.Action).some((a: string) => a.startsWith('dynamodb:')));
    expect(dynamo).toHaveLength(1);
    expect([...asArray(dynamo[0]!.Action)].sort()).toEqual([...TABLE_ACTIONS.readWrite].sort());
    expect(statements(name).flatMap((s) => asArray(s.Action)).filter((a: string) => a.startsWith('ses:'))).toEqual([]);
    expect(lambdaEnv(name)).not.toHaveProperty(env.cursorSecret);
    expect(lambdaEnv(name)).not.toHaveProperty(env.mailFrom);
  });

  it('gives OPERATOR_EMAILS, from the context key operatorEmails, to sweep-deadlines and to no other function', () => {
    const withOperators = functions.filter((f) => f.needs.operatorEmails).map((f) => f.name);
    expect(withOperators).toEqual(['sweep-deadlines']);
    expect(lambdaEnv('sweep-deadlines')[env.operatorEmails]).toBe(OPERATORS.join(','));
    for (const spec of functions.filter((f) => !f.needs.operatorEmails)) {
      expect(lambdaEnv(spec.name), spec.name).not.toHaveProperty(env.operatorEmails);
    }
  });

  it('sets OPERATOR_EMAILS empty, not unset, when no operator is configured', () => {
    const bare = synthBeian();
    const variables = bare.statelessTemplate.toJSON().Resources[functionIdOf(bare, 'sweep-deadlines')].Properties.Environment.Variables;
    expect(variables[env.operatorEmails]).toBe('');
  });
});

describe('alarms', () => {
  const heartbeats = () => alarms().filter((a) => JSON.stringify(a.Metrics ?? []).includes(`"MetricName":"${SWEEP_HEARTBEAT.metricName}"`));

  it('alarms on errors of both sweep functions, to the alarm topic', () => {
    for (const name of ['sweep-deadlines', 'sweep-jurisdiction']) {
      const errors = alarms().filter(
        (a) => a.Namespace === 'AWS/Lambda' && a.MetricName === 'Errors' && JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: { Ref: functionIdOf(beian, name) } }]),
      );
      expect(errors, name).toHaveLength(1);
      expect(errors[0]).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', Period: 300, Statistic: 'Sum' });
      expect(statefulOutput(errors[0]!.AlarmActions, 'AlarmTopic', 'Ref')).toBe(true);
    }
  });

  it('alarms when a message waits in the sweeps dead-letter queue', () => {
    const depth = alarms().filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible' && statefulOutput(a.Dimensions, 'sweepsDeadLetterQueue', 'QueueName'));
    expect(depth).toHaveLength(1);
    expect(depth[0]).toMatchObject({ Namespace: 'AWS/SQS', Statistic: 'Maximum', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    expect(statefulOutput(depth[0]!.AlarmActions, 'AlarmTopic', 'Ref')).toBe(true);
  });

  it('alarms when no jurisdiction sweep completed in a day: Beian/SweepCompleted of the stage, Sum < 1, missing data breaching', () => {
    expect(heartbeats()).toHaveLength(1);
    const alarm = heartbeats()[0]!;
    expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'LessThanThreshold', EvaluationPeriods: 1, TreatMissingData: 'breaching' });
    expect(statefulOutput(alarm.AlarmActions, 'AlarmTopic', 'Ref')).toBe(true);
    const metrics = alarm.Metrics as Array<Record<string, any>>;
    const stat = metrics.find((m) => m.MetricStat)!;
    expect(stat).toMatchObject({
      ReturnData: false,
      MetricStat: {
        Metric: { Namespace: 'Beian', MetricName: 'SweepCompleted', Dimensions: [{ Name: 'stage', Value: STAGE }] },
        Period: 86400,
        Stat: 'Sum',
      },
    });
    // a day without any data point counts as 0 at once, instead of being skipped while older data remains
    expect(metrics.filter((m) => m.ReturnData !== false)).toEqual([expect.objectContaining({ Expression: `FILL(${stat.Id}, 0)` })]);
    expect([SWEEP_HEARTBEAT.namespace, SWEEP_HEARTBEAT.metricName, SWEEP_HEARTBEAT.dimension]).toEqual(['Beian', 'SweepCompleted', 'stage']);
  });

  it('says in its description what failed and where the runbook entry is, and that entry exists', () => {
    const description = String(heartbeats()[0]!.AlarmDescription);
    expect(description).toMatch(/daily deadline sweep completed/);
    // issue 11: every alarm links to its runbook entry by anchor
    expect(description).toContain('Runbook: docs/operating.md#runbook-sweep-heartbeat');
    const runbook = readFileSync(new URL('../../docs/operating.md', import.meta.url), 'utf8');
    expect(runbook).toMatch(/^#+ Deadline supervision$/m);
    expect(runbook).toMatch(/<a id="runbook-sweep-heartbeat"><\/a>\n+#+ Heartbeat missing\b/m);
  });

  it('has no heartbeat alarm in an app without sweep-jurisdiction', () => {
    const apiOnly = synthBeian({ manifest: { functions: functions.filter((f) => f.name === 'api'), queues } });
    const found = resourcesOf(apiOnly.statelessTemplate, 'AWS::CloudWatch::Alarm').filter(([, a]) => JSON.stringify(a.Properties).includes(SWEEP_HEARTBEAT.metricName));
    expect(found).toEqual([]);
  });
});
