import { beforeAll, describe, expect, it } from 'vitest';
import { routeKeys } from '../../functions/api/route-keys.ts';
import { env, functions, type FunctionSpec, type QueueSpec } from '../../functions/manifest.ts';
import { tableDefinition } from '../../shared/store/table-definition.ts';
import { TABLE_ACTIONS } from '../../infra/constructs/beian-function.ts';
import { API_THROTTLE } from '../../infra/stateless-stack.ts';
import { asArray, onlyResource, resourcesOf, statementsOfRole, synthBeian, type SynthesizedBeian } from './helpers.ts';

const AGENCIES = ['baodi-market', 'xiqing-court'];
const ORIGIN = 'https://beian.tj.example.gov.cn';
const RETENTION = 731; // not the default, so a test fails if the setting is ignored

let beian: SynthesizedBeian;
beforeAll(() => {
  beian = synthBeian({ context: { agencyClients: AGENCIES, allowedOrigins: [ORIGIN], logRetentionDays: RETENTION } });
});

const lambdas = () => resourcesOf(beian.statelessTemplate, 'AWS::Lambda::Function');
const lambdaOf = (name: string) => {
  const fn = beian.stateless.functions.get(name)!;
  const logicalId = beian.stateless.getLogicalId(fn.function.node.defaultChild as never);
  return { logicalId, resource: beian.statelessTemplate.toJSON().Resources[logicalId] as { Properties: Record<string, any> } };
};
const roleIdOf = (name: string) => beian.stateless.getLogicalId(beian.stateless.functions.get(name)!.role.node.defaultChild as never);

describe('functions', () => {
  it('creates one function per entry of functions/manifest.ts', () => {
    expect(lambdas()).toHaveLength(functions.length);
    expect([...beian.stateless.functions.keys()]).toEqual(functions.map((f) => f.name));
  });

  it.each(functions.map((f) => [f.name, f] as const))('%s: nodejs22.x on arm64, traced, sized from the manifest', (name, spec) => {
    const props = lambdaOf(name).resource.Properties;
    expect(props.Runtime).toBe('nodejs22.x');
    expect(props.Architectures).toEqual(['arm64']);
    expect(props.TracingConfig).toEqual({ Mode: 'Active' });
    expect(props.MemorySize).toBe(spec.memoryMb);
    expect(props.Timeout).toBe(spec.timeoutSeconds);
    expect(props.Handler).toBe('index.handler');
    // issue 11: no --enable-source-maps at every cold start (the logger maps a logged error's stack itself)
    expect(props.Environment.Variables).toMatchObject({ [env.stage]: 'dev', POWERTOOLS_SERVICE_NAME: name });
    // the level is Lambda's logging config (Powertools reads it); no debug sampling, which that config would defeat
    expect(props.LoggingConfig).toMatchObject({ ApplicationLogLevel: 'INFO', LogFormat: 'JSON' });
    expect(props.Environment.Variables.POWERTOOLS_LOGGER_SAMPLE_RATE).toBeUndefined();
    expect(props.Environment.Variables.NODE_OPTIONS).toBeUndefined();
  });

  it.each(functions.map((f) => [f.name] as const))('%s: logs to its own log group, kept logRetentionDays', (name) => {
    const logGroupRef = lambdaOf(name).resource.Properties.LoggingConfig.LogGroup as { Ref: string };
    const logGroup = beian.statelessTemplate.toJSON().Resources[logGroupRef.Ref];
    expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup.Properties.RetentionInDays).toBe(RETENTION);
  });

  it.each(functions.map((f) => [f.name] as const))('%s: its role has no managed policy, and no wildcard but X-Ray (and the documents prefix)', (name) => {
    const roleId = roleIdOf(name);
    const role = beian.statelessTemplate.toJSON().Resources[roleId];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const wildcards = statementsOfRole(beian.statelessTemplate, roleId).filter((s) => JSON.stringify(s.Resource).includes('*'));
    const documents = functions.find((f) => f.name === name)!.needs.documents;
    expect(wildcards).toEqual([
      { Effect: 'Allow', Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Resource: '*' },
      // issue 9: the API presigns uploads and downloads, the verifier reads; nobody deletes
      ...(documents
        ? [{ Effect: 'Allow', Action: documents === 'sign' ? ['s3:GetObject', 's3:PutObject'] : 's3:GetObject', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::beian-dev-docs-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }, '/documents/*']] } }]
        : []),
    ]);
  });
});

describe('the api function is bound to the table and the cursor key', () => {
  const spec = functions.find((f) => f.name === 'api')!;

  it('gets TABLE_NAME of the stateful table together with the item actions on the table and each index by name', () => {
    expect(spec.needs.table).toBe('readWrite');
    const tableName = lambdaOf('api').resource.Properties.Environment.Variables[env.tableName];
    expect(JSON.stringify(tableName)).toMatch(/"Fn::GetStackOutput".*"StackName":"Beian-dev-Stateful".*PublishOutputRefTable/);

    const all = statementsOfRole(beian.statelessTemplate, roleIdOf('api')).filter((s) => asArray(s.Action).some((a: string) => a.startsWith('dynamodb:')));
    // the second statement: DeleteItem of app client links only (issue 8: nothing may delete a history event)
    const dynamo = all.filter((s) => !asArray(s.Action).includes('dynamodb:DeleteItem'));
    expect(all.filter((s) => asArray(s.Action).includes('dynamodb:DeleteItem'))).toEqual([
      expect.objectContaining({ Action: 'dynamodb:DeleteItem', Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CLIENT'] } } }),
    ]);
    expect(dynamo).toHaveLength(1);
    expect([...asArray(dynamo[0]!.Action)].sort()).toEqual([...TABLE_ACTIONS.readWrite].sort());
    const resources = asArray(dynamo[0]!.Resource).map((r) => JSON.stringify(r));
    expect(resources).toHaveLength(1 + tableDefinition.globalSecondaryIndexes.length);
    expect(resources[0]).toMatch(/PublishOutputFnGetAttTable.*Arn/);
    for (const index of tableDefinition.globalSecondaryIndexes) {
      expect(resources.some((r) => r.includes(`"/index/${index.indexName}"`))).toBe(true);
    }
    expect(resources.join()).not.toContain('/index/*');
  });

  it('gets CURSOR_SECRET as a dynamic reference to the key, and no Secrets Manager right', () => {
    const value = lambdaOf('api').resource.Properties.Environment.Variables[env.cursorSecret];
    expect(value).toBe(`{{resolve:secretsmanager:${beian.stateful.cursorSecretName}:SecretString:::}}`);
    const actions = statementsOfRole(beian.statelessTemplate, roleIdOf('api')).flatMap((s) => asArray(s.Action));
    expect(actions.filter((a: string) => a.startsWith('secretsmanager:'))).toEqual([]);
  });
});

describe('HTTP API', () => {
  const routes = () => resourcesOf(beian.statelessTemplate, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties!);

  it('has one route per entry of functions/api/route-keys.ts', () => {
    expect(routes().map((r) => r.RouteKey).sort()).toEqual(routeKeys.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('puts the JWT authorizer on every authorized route and none on the public ones', () => {
    const [authorizerId] = onlyResource(beian.statelessTemplate, 'AWS::ApiGatewayV2::Authorizer');
    for (const key of routeKeys) {
      const route = routes().find((r) => r.RouteKey === `${key.method} ${key.path}`)!;
      if (key.authorized) {
        expect(route).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
      } else {
        expect(route.AuthorizationType).toBe('NONE');
        expect(route.AuthorizerId).toBeUndefined();
      }
    }
    expect(routeKeys.some((r) => !r.authorized) && routeKeys.some((r) => r.authorized)).toBe(true);
  });

  it('trusts the user pool as issuer and every app client (people + one per agency) as audience', () => {
    const props = onlyResource(beian.statelessTemplate, 'AWS::ApiGatewayV2::Authorizer')[1].Properties!;
    expect(props.AuthorizerType).toBe('JWT');
    expect(props.IdentitySource).toEqual(['$request.header.Authorization']);
    expect(JSON.stringify(props.JwtConfiguration.Issuer)).toMatch(/^\{"Fn::Join":\["",\["https:\/\/",\{"Fn::GetStackOutput":.*UserPool.*ProviderURL/);
    const audience = props.JwtConfiguration.Audience.map((a: unknown) => JSON.stringify(a));
    expect(audience).toHaveLength(1 + AGENCIES.length);
    expect(audience.filter((a: string) => /PublishOutputRefUserPoolPeopleClient/.test(a))).toHaveLength(1);
    for (const agency of AGENCIES) {
      expect(audience.filter((a: string) => a.includes(`PublishOutputRefUserPoolAgencyClient${agency.replace(/-/g, '')}`))).toHaveLength(1);
    }
  });

  it('allows CORS from allowedOrigins only, and has no CORS when none is given', () => {
    const api = onlyResource(beian.statelessTemplate, 'AWS::ApiGatewayV2::Api')[1].Properties!;
    expect(api.CorsConfiguration).toMatchObject({ AllowOrigins: [ORIGIN], AllowHeaders: expect.arrayContaining(['authorization']) });
    const bare = synthBeian();
    expect(onlyResource(bare.statelessTemplate, 'AWS::ApiGatewayV2::Api')[1].Properties!.CorsConfiguration).toBeUndefined();
  });

  it('throttles and access-logs the stage', () => {
    const stage = onlyResource(beian.statelessTemplate, 'AWS::ApiGatewayV2::Stage')[1].Properties!;
    expect(stage).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: API_THROTTLE.rateLimit, ThrottlingBurstLimit: API_THROTTLE.burstLimit },
    });
    const logGroupId = stage.AccessLogSettings.DestinationArn['Fn::GetAtt'][0];
    expect(beian.statelessTemplate.toJSON().Resources[logGroupId].Properties.RetentionInDays).toBe(RETENTION);
    expect(JSON.parse(stage.AccessLogSettings.Format)).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
  });

  it('alarms on the 5xx rate and on function errors, to the alarm topic', () => {
    const alarms = resourcesOf(beian.statelessTemplate, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties!);
    // issue 11: the share of 5xx answers, not any single one
    const fiveXx = (a: Record<string, any>) => (a.Metrics ?? []).some((m: any) => m.MetricStat?.Metric?.Namespace === 'AWS/ApiGateway' && m.MetricStat.Metric.MetricName === '5xx');
    expect(alarms.filter(fiveXx)).toHaveLength(1);
    expect(alarms.filter((a) => a.Namespace === 'AWS/Lambda' && a.MetricName === 'Errors')).toHaveLength(functions.length);
    for (const alarm of alarms) expect(JSON.stringify(alarm.AlarmActions)).toContain('PublishOutputRefAlarmTopic');
  });

  it('outputs the API URL', () => {
    beian.statelessTemplate.hasOutput('ApiUrl', {});
  });
});

describe('queue and schedule triggers, on test functions', () => {
  const api = functions.find((f) => f.name === 'api')!;
  const queues: QueueSpec[] = [{ name: 'filings', visibilityTimeoutSeconds: 180, maxReceiveCount: 5 }];
  const placeholder = { entry: 'functions/api/handler.ts', description: 'test function', timeoutSeconds: 30, memoryMb: 512 };
  const extra: FunctionSpec[] = [
    { ...placeholder, name: 'test-consumer', trigger: { kind: 'queue', queue: 'filings', batchSize: 10, maxBatchingWindowSeconds: 5 }, needs: { table: 'readWrite', mail: true } },
    { ...placeholder, name: 'test-daily', trigger: { kind: 'schedule', everyMinutes: 24 * 60 }, needs: { table: 'read', sendTo: ['filings'] } },
    { ...placeholder, name: 'test-every-15', trigger: { kind: 'schedule', everyMinutes: 15 }, needs: {} },
  ];
  let withQueues: SynthesizedBeian;
  beforeAll(() => {
    // only the api besides them, so these tests do not depend on what the manifest holds today
    withQueues = synthBeian({ context: { dailyRunTime: '07:45' }, manifest: { functions: [api, ...extra], queues } });
  });
  const lambdaEnv = (name: string) => {
    const fn = withQueues.stateless.functions.get(name)!;
    const id = withQueues.stateless.getLogicalId(fn.function.node.defaultChild as never);
    return withQueues.statelessTemplate.toJSON().Resources[id].Properties.Environment.Variables as Record<string, unknown>;
  };
  const statements = (name: string) =>
    statementsOfRole(withQueues.statelessTemplate, withQueues.stateless.getLogicalId(withQueues.stateless.functions.get(name)!.role.node.defaultChild as never));

  it('creates an encrypted, TLS-only queue with a dead-letter queue per QueueSpec', () => {
    const created = resourcesOf(withQueues.statefulTemplate, 'AWS::SQS::Queue').filter(([id]) => !id.startsWith('StreamDeadLetterQueue'));
    expect(created).toHaveLength(2);
    const main = created.find(([id]) => id.startsWith('filingsQueue'))![1].Properties!;
    expect(main).toMatchObject({ VisibilityTimeout: 180, SqsManagedSseEnabled: true, RedrivePolicy: { maxReceiveCount: 5 } });
    expect(resourcesOf(withQueues.statefulTemplate, 'AWS::SQS::QueuePolicy')).toHaveLength(3); // + the stream dead-letter queue
  });

  it('maps the queue to its consumer with partial batch failures', () => {
    const mapping = onlyResource(withQueues.statelessTemplate, 'AWS::Lambda::EventSourceMapping')[1].Properties!;
    expect(mapping).toMatchObject({ BatchSize: 10, MaximumBatchingWindowInSeconds: 5, FunctionResponseTypes: ['ReportBatchItemFailures'] });
  });

  it('runs a daily schedule at dailyRunTime in Asia/Shanghai, others at their rate', () => {
    const schedules = resourcesOf(withQueues.statelessTemplate, 'AWS::Scheduler::Schedule').map(([, s]) => s.Properties!);
    expect(schedules.map((s) => [s.ScheduleExpression, s.ScheduleExpressionTimezone]).sort()).toEqual([
      ['cron(45 7 * * ? *)', 'Asia/Shanghai'],
      ['rate(15 minutes)', 'Etc/UTC'],
    ]);
  });

  it('lets each schedule invoke its function and nothing else (no version wildcard)', () => {
    const statementsOfSchedulers = resourcesOf(withQueues.statelessTemplate, 'AWS::IAM::Policy')
      .filter(([id]) => id.startsWith('SchedulerRoleForTarget'))
      .flatMap(([, p]) => p.Properties!.PolicyDocument.Statement as Array<Record<string, any>>);
    expect(statementsOfSchedulers).toHaveLength(2);
    for (const statement of statementsOfSchedulers) {
      expect(statement).toEqual({ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [expect.stringMatching(/Function/), 'Arn'] } });
    }
  });

  it('alarms when a dead-letter queue holds a message', () => {
    const alarms = resourcesOf(withQueues.statelessTemplate, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties!);
    expect(alarms.filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible')).toEqual([
      expect.objectContaining({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', Namespace: 'AWS/SQS' }),
    ]);
  });

  it('bindQueue gives <QUEUE>_QUEUE_URL with the right to send', () => {
    expect(JSON.stringify(lambdaEnv('test-daily')[env.queueUrl('filings')])).toMatch(/"Fn::GetStackOutput".*PublishOutputReffilingsQueue/);
    const sqs = statements('test-daily').filter((s) => asArray(s.Action).includes('sqs:SendMessage'));
    expect(sqs).toHaveLength(1);
    expect(asArray(sqs[0]!.Action)).not.toContain('sqs:ReceiveMessage');
  });

  it('bindMail gives MAIL_FROM and the configuration set with SES send rights for that address only', () => {
    expect(lambdaEnv('test-consumer')).toMatchObject({ [env.mailFrom]: 'beian@example.gov.cn', [env.mailConfigurationSet]: 'beian-dev' });
    const ses = statements('test-consumer').filter((s) => asArray(s.Action).includes('ses:SendEmail'));
    expect(ses).toEqual([expect.objectContaining({ Condition: { StringEquals: { 'ses:FromAddress': 'beian@example.gov.cn' } } })]);
  });

  it('gives read access only the read actions, and the cursor key only to HTTP functions', () => {
    const dynamo = statements('test-daily').filter((s) => asArray(s.Action).some((a: string) => a.startsWith('dynamodb:')));
    expect([...asArray(dynamo[0]!.Action)].sort()).toEqual([...TABLE_ACTIONS.read].sort());
    expect(lambdaEnv('test-daily')[env.cursorSecret]).toBeUndefined();
    expect(statements('test-every-15').some((s) => asArray(s.Action).some((a: string) => a.startsWith('dynamodb:')))).toBe(false);
  });

  it('refuses a queue whose visibility timeout is shorter than its consumer timeout', () => {
    const slow = { ...extra[0]!, timeoutSeconds: 300 };
    expect(() => synthBeian({ manifest: { functions: [slow], queues } })).toThrow(/visibilityTimeoutSeconds \(180\) must be at least/);
  });
});
