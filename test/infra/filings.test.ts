/** The filing flow as the real manifest deploys it: queue + DLQ, processor mapping, reconciler schedule, grants. */
import { beforeAll, describe, expect, it } from 'vitest';
import { env } from '../../functions/manifest.ts';
import { type SynthesizedBeian, onlyResource, resourcesOf, statementsOfRole, synthBeian } from './helpers.ts';

describe('filings, from functions/manifest.ts', () => {
  let beian: SynthesizedBeian;
  beforeAll(() => {
    beian = synthBeian();
  });
  const fn = (name: string) => beian.stateless.functions.get(name)!;
  const props = (name: string) => beian.statelessTemplate.toJSON().Resources[beian.stateless.getLogicalId(fn(name).function.node.defaultChild as never)].Properties;
  const actions = (name: string) =>
    statementsOfRole(beian.statelessTemplate, beian.stateless.getLogicalId(fn(name).role.node.defaultChild as never)).flatMap((s) => [s.Action].flat() as string[]);

  it('has the filings queue with a dead-letter queue after 3 receives, and a visibility timeout above the processor timeout', () => {
    const queues = resourcesOf(beian.statefulTemplate, 'AWS::SQS::Queue');
    // filings, sweeps and documents, each with its dead-letter queue, and the stream dead-letter queue
    expect(queues).toHaveLength(7);
    const [, filings] = queues.find(([id]) => /^filingsQueue[0-9A-F]{8}$/.test(id))!;
    const [dlqId] = queues.find(([id]) => /^filingsDeadLetterQueue[0-9A-F]{8}$/.test(id))!;
    const main = filings.Properties!;
    expect(main.RedrivePolicy).toEqual({ maxReceiveCount: 3, deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] } });
    expect(main.VisibilityTimeout).toBeGreaterThan(props('process-filing').Timeout);
    expect(queues.every(([, q]) => q.Properties?.SqsManagedSseEnabled || q.Properties?.KmsMasterKeyId)).toBe(true);
  });

  const mappingOf = (name: string) =>
    resourcesOf(beian.statelessTemplate, 'AWS::Lambda::EventSourceMapping')
      .map(([, m]) => m.Properties!)
      .filter((m) => JSON.stringify(m.FunctionName).includes(beian.stateless.getLogicalId(fn(name).function.node.defaultChild as never)));

  it('feeds the processor in batches of 10 with partial batch failures', () => {
    // process-filing, sweep-jurisdiction and verify-document on their queues, send-notices on the table stream
    expect(resourcesOf(beian.statelessTemplate, 'AWS::Lambda::EventSourceMapping')).toHaveLength(4);
    const [mapping] = mappingOf('process-filing');
    expect(mapping).toMatchObject({ BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    expect(JSON.stringify(mapping!.EventSourceArn)).toContain('filings');
  });

  it('sends notices from the table stream: only PENDING notices, partial failures, bisection, a dead-letter queue', () => {
    const [, table] = onlyResource(beian.statefulTemplate, 'AWS::DynamoDB::GlobalTable');
    expect(table.Properties!.StreamSpecification).toEqual({ StreamViewType: 'NEW_IMAGE' });
    const mappings = mappingOf('send-notices');
    expect(mappings).toHaveLength(1);
    const m = mappings[0]!;
    expect(m).toMatchObject({ StartingPosition: 'TRIM_HORIZON', BatchSize: 10, BisectBatchOnFunctionError: true, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    expect(JSON.parse(m.FilterCriteria.Filters[0].Pattern)).toEqual({ dynamodb: { NewImage: { sk: { S: ['NOTICE'] }, status: { S: ['PENDING'] } } } });
    expect(m.DestinationConfig.OnFailure.Destination).toBeDefined();
  });

  it('runs the reconciler every 5 minutes', () => {
    const schedules = resourcesOf(beian.statelessTemplate, 'AWS::Scheduler::Schedule').map(([, s]) => s.Properties!.ScheduleExpression);
    expect(schedules).toContain('rate(5 minutes)');
  });

  it('lets the API, the reconciler and the processor (a filing waiting for its documents) send to the queue, and only the notice sender send mail', () => {
    expect(actions('api')).toContain('sqs:SendMessage');
    expect(actions('reconcile-filings')).toContain('sqs:SendMessage');
    expect(actions('process-filing')).toContain('sqs:SendMessage');
    expect(props('process-filing').Environment.Variables).toHaveProperty(env.queueUrl('filings'));
    // (send-notices sends only to its stream dead-letter queue, as the stream's on-failure destination)
    for (const name of ['verify-document', 'sweep-jurisdiction']) expect(actions(name), name).not.toContain('sqs:SendMessage');
    expect(actions('send-notices')).toContain('ses:SendEmail');
    for (const name of ['api', 'process-filing', 'reconcile-filings']) expect(actions(name)).not.toContain('ses:SendEmail');
    expect(actions('reconcile-filings')).toContain('dynamodb:UpdateItem'); // it counts re-queues
    expect(props('api').Environment.Variables).toHaveProperty(env.queueUrl('filings'));
    expect(props('send-notices').Environment.Variables).toHaveProperty(env.mailFrom);
    expect(props('process-filing').Environment.Variables).not.toHaveProperty(env.mailFrom);
  });

  it('alarms when the dead-letter queue is not empty', () => {
    const alarms = resourcesOf(beian.statelessTemplate, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties!);
    expect(alarms.some((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible' && a.Threshold === 0 && a.ComparisonOperator === 'GreaterThanThreshold')).toBe(true);
  });
});
