/**
 * Security review item 8 (issue 12), in the templates: table grants limited to the partition keys each
 * function touches (dynamodb:LeadingKeys), the caller's subject in the API access log, notices that expire
 * (TTL) after the configured retention, no loopback sign-in callback on a production stage, and a maximum
 * concurrency on the queue triggers.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { functions, queues, type FunctionSpec } from '../../functions/manifest.ts';
import { NOTICE_RETENTION_DAYS_ENV } from '../../infra/constructs/beian-function.ts';
import { QUEUE_MAX_CONCURRENCY } from '../../infra/stateless-stack.ts';
import { TABLE_ACTIONS, TABLE_DELETE_PREFIXES, TABLE_KEY_PREFIXES, leadingKeyAllowed, leadingKeysOf } from '../../infra/table-actions.ts';
import { keys, openDueKeys, statusIndexKeys, SUBMITTED_PARTITION } from '../../shared/store/keys.ts';
import { tableDefinition } from '../../shared/store/table-definition.ts';
import { asArray, onlyResource, resourcesOf, statementsOfRole, synthBeian, type SynthesizedBeian } from './helpers.ts';

let beian: SynthesizedBeian;
beforeAll(() => {
  beian = synthBeian();
});

const functionProps = (b: SynthesizedBeian, name: string) =>
  b.statelessTemplate.toJSON().Resources[b.stateless.getLogicalId(b.stateless.functions.get(name)!.function.node.defaultChild as never)].Properties;
const tableStatements = (b: SynthesizedBeian, name: string) =>
  statementsOfRole(b.statelessTemplate, b.stateless.getLogicalId(b.stateless.functions.get(name)!.role.node.defaultChild as never)).filter((s) =>
    asArray(s.Action).some((a: string) => a.startsWith('dynamodb:') && TABLE_ACTIONS.readWrite.includes(a)),
  );
const withTable = functions.filter((f) => f.needs.table);

describe('table grants limited to the partition keys each function touches', () => {
  it('declares key prefixes for every function of the manifest that uses the table', () => {
    expect(withTable.filter((f) => !TABLE_KEY_PREFIXES[f.name]).map((f) => f.name)).toEqual([]);
    // and none for a function that is gone
    expect(Object.keys(TABLE_KEY_PREFIXES).filter((name) => !functions.some((f) => f.name === name))).toEqual([]);
  });

  it.each(withTable.map((f) => [f.name] as const))('%s: its one table statement carries ForAllValues:StringLike on dynamodb:LeadingKeys', (name) => {
    const statements = tableStatements(beian, name);
    expect(statements).toHaveLength(1);
    expect(statements[0]!.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...TABLE_KEY_PREFIXES[name]!] } });
  });

  const allowed = (name: string, pk: string) => leadingKeyAllowed(TABLE_KEY_PREFIXES[name]!, pk);
  const decision = { jurisdictionId: 'tj-baodi', agencyId: 'baodi-market', filingDueOn: '2026-12-31', id: 'd-1' };

  it('lets the notice sender touch only notices, mail counts and (for its NOTICE_SENT events) decisions', () => {
    expect(allowed('send-notices', keys.notice('receipt#d-1#s-1').pk)).toBe(true);
    expect(allowed('send-notices', keys.mailCount('baodi-market', '2026-12-01').pk)).toBe(true);
    // issue 8: a sent notice is an event in the history of each decision it is about, written with its mark
    expect(allowed('send-notices', keys.historyEvent('d-1', '2026-12-01T00:00:00.000Z', 'x').pk)).toBe(true);
    for (const pk of [keys.filingCounter('tj-baodi', 2026).pk, 'JUR', 'AGENCY', keys.idempotency('s', 'k').pk]) {
      expect(allowed('send-notices', pk), pk).toBe(false);
    }
  });

  it('keeps the API from the outbox, the filing-number counters, digests and mail counts', () => {
    for (const pk of [keys.notice('n').pk, keys.filingCounter('tj-baodi', 2026).pk, keys.digestEntry('tj-baodi', '2026-12-01', 'K', 'r', 'd').pk, keys.mailCount('a', '2026-12-01').pk]) {
      expect(allowed('api', pk), pk).toBe(false);
    }
    for (const pk of ['JUR', 'AGENCY', keys.client('c').pk, keys.decision('d').pk, keys.caseNumber('a', 'X-1').pk, keys.idempotency('s', 'k').pk, 'AG#baodi-market', 'JUR#tj-baodi', 'DEC']) {
      expect(allowed('api', pk), pk).toBe(true);
    }
  });

  it('gives the processor the decision, its registry items, the counter and the receipt, and nothing of the sweeps', () => {
    for (const pk of [keys.decision('d').pk, 'JUR', 'AGENCY', keys.filingCounter('tj-baodi', 2026).pk, keys.notice('n').pk]) expect(allowed('process-filing', pk), pk).toBe(true);
    for (const pk of [keys.digestEntry('tj-baodi', '2026-12-01', 'K', 'r', 'd').pk, keys.idempotency('s', 'k').pk, 'CLIENT', 'AG#a']) expect(allowed('process-filing', pk), pk).toBe(false);
  });

  it('gives the reconciler the SUBMITTED partition of the due index and decisions, and the sweep its open-deadline partitions', () => {
    expect(allowed('reconcile-filings', SUBMITTED_PARTITION)).toBe(true);
    expect(allowed('reconcile-filings', openDueKeys(decision).duePk)).toBe(false);
    expect(allowed('sweep-jurisdiction', openDueKeys(decision).duePk)).toBe(true);
    expect(allowed('sweep-jurisdiction', SUBMITTED_PARTITION)).toBe(false);
    expect(allowed('sweep-jurisdiction', 'JUR#tj-baodi')).toBe(false); // the byJurisdiction list is the API's
  });

  it('lets the functions that change what the statistics count add to them, and only the API and the sweeps read the loaded calendar (issue 8)', () => {
    const stats = keys.stats('tj-baodi', '2026-12', 'baodi-market').pk;
    for (const name of ['api', 'process-filing', 'sweep-jurisdiction']) expect(allowed(name, stats), name).toBe(true);
    for (const name of ['send-notices', 'reconcile-filings', 'sweep-deadlines']) expect(allowed(name, stats), name).toBe(false);
    const calendar = keys.calendarYear(2027).pk;
    for (const name of ['api', 'sweep-jurisdiction', 'sweep-deadlines']) expect(allowed(name, calendar), name).toBe(true);
    for (const name of ['send-notices', 'reconcile-filings', 'process-filing']) expect(allowed(name, calendar), name).toBe(false);
    // every version ever loaded: kept by the API, the one function that loads
    const versions = keys.calendarVersion(2027, '2026-12-01T00:00:00.000Z').pk;
    expect(Object.keys(TABLE_KEY_PREFIXES).filter((name) => allowed(name, versions))).toEqual(['api']);
  });

  it('lets no function delete a history event, nor batch-write (which can delete); the API deletes only app client links', () => {
    expect(TABLE_ACTIONS.readWrite).not.toContain('dynamodb:DeleteItem');
    expect(TABLE_ACTIONS.readWrite).not.toContain('dynamodb:BatchWriteItem');
    expect(Object.keys(TABLE_DELETE_PREFIXES)).toEqual(['api']);
    expect(leadingKeyAllowed(TABLE_DELETE_PREFIXES.api!, keys.client('c').pk)).toBe(true);
    expect(leadingKeyAllowed(TABLE_DELETE_PREFIXES.api!, keys.historyEvent('d-1', '2026-12-01T00:00:00.000Z', 'x').pk)).toBe(false);
    for (const name of functions.map((f) => f.name)) {
      const deletes = statementsOfRole(beian.statelessTemplate, beian.stateless.getLogicalId(beian.stateless.functions.get(name)!.role.node.defaultChild as never)).filter((st) => asArray(st.Action).some((a: string) => /Delete|BatchWrite|\*/.test(a) && a.startsWith('dynamodb:')));
      for (const st of deletes) expect(st.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'], name).toEqual(['CLIENT']);
      if (name !== 'api') expect(deletes, name).toEqual([]);
    }
  });

  it('reads the leading keys of recorded commands as IAM sees them (for the grant check of test/integration/iam.ts)', () => {
    const table = 'beian';
    expect(leadingKeysOf('GetItemCommand', { TableName: table, Key: keys.decision('d') })).toEqual(['DEC#d']);
    expect(leadingKeysOf('PutCommand', { TableName: table, Item: { ...keys.notice('n'), status: 'PENDING' } })).toEqual(['NOTICE#n']);
    expect(
      leadingKeysOf('TransactWriteItemsCommand', {
        TransactItems: [{ Update: { Key: keys.filingCounter('j', 2026) } }, { Put: { Item: keys.notice('n') } }, { ConditionCheck: { Key: keys.jurisdiction('j') } }],
      }),
    ).toEqual(['COUNTER#j#2026', 'NOTICE#n', 'JUR']);
    expect(leadingKeysOf('QueryCommand', { IndexName: 'due', KeyConditionExpression: 'duePk = :pk AND dueSk < :before', ExpressionAttributeValues: { ':pk': 'SUBMITTED', ':before': 'x' } })).toEqual(['SUBMITTED']);
    expect(
      leadingKeysOf('QueryCommand', { IndexName: 'byAgency', KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to', ExpressionAttributeNames: { '#pk': 'gsi1pk', '#sk': 'gsi1sk' }, ExpressionAttributeValues: { ':pk': 'AG#a' } }),
    ).toEqual(['AG#a']);
    expect(leadingKeysOf('QueryCommand', { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'JUR' } })).toEqual(['JUR']);
    expect(leadingKeysOf('BatchWriteItemCommand', { RequestItems: { [table]: [{ DeleteRequest: { Key: keys.client('c') } }] } })).toEqual(['CLIENT']);
    expect(tableDefinition.globalSecondaryIndexes.map((i) => i.indexName)).toEqual(['byAgency', 'byJurisdiction', 'all', 'byAgencyStatus', 'byJurisdictionStatus', 'allByStatus', 'due']);
    // the status lists' partitions are within the API's patterns, and outside every other function's
    for (const status of ['RECEIVED', 'OVERDUE']) {
      for (const partition of Object.values(statusIndexKeys({ agencyId: 'ag-a', jurisdictionId: 'tj-baodi' }, status))) {
        expect(allowed('api', partition), partition).toBe(true);
        expect(allowed('sweep-jurisdiction', partition), partition).toBe(false);
      }
    }
  });

  it('matches as IAM StringLike does: * is any run of characters, the rest literally', () => {
    expect(leadingKeyAllowed(['JUR#*#OPEN'], 'JUR#tj-baodi#OPEN')).toBe(true);
    expect(leadingKeyAllowed(['JUR#*#OPEN'], 'JUR#tj-baodi')).toBe(false);
    expect(leadingKeyAllowed(['JUR'], 'JUR#x')).toBe(false);
    expect(leadingKeyAllowed(['DEC#*'], 'DEC')).toBe(false);
    expect(leadingKeyAllowed(['A.B'], 'AxB')).toBe(false);
  });

  it('warns at synthesis about a function with a table need and no key prefixes, whose grant then covers the table', () => {
    const base = functions.find((f) => f.name === 'reconcile-filings')!;
    const stray: FunctionSpec = { ...base, name: 'test-stray', needs: { table: 'read' } };
    const app = synthBeian({ manifest: { functions: [stray], queues } });
    const [statement] = tableStatements(app, 'test-stray');
    expect(statement!.Condition).toBeUndefined();
    const warnings = app.assembly.getStackByName(app.stateless.stackName).messages.filter((m) => m.level === 'warning').map((m) => String(m.entry.data));
    expect(warnings.some((w) => w.includes('test-stray has no key prefixes in infra/table-actions.ts'))).toBe(true);
  });
});

describe('notices expire', () => {
  it("keeps the table's TTL on expiresAt", () => {
    const [, table] = onlyResource(beian.statefulTemplate, 'AWS::DynamoDB::GlobalTable');
    expect(tableDefinition.timeToLiveAttribute).toBe('expiresAt');
    expect(table.Properties!.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
  });

  const writers = functions.filter((f) => f.needs.table === 'readWrite');

  it('tells every function that writes notices how long they are kept (400 days by default)', () => {
    expect(writers.map((f) => f.name)).toEqual(expect.arrayContaining(['process-filing', 'send-notices', 'sweep-deadlines', 'sweep-jurisdiction']));
    for (const f of writers) expect(functionProps(beian, f.name).Environment.Variables[NOTICE_RETENTION_DAYS_ENV], f.name).toBe('400');
  });

  it('follows the context key noticeRetentionDays', () => {
    const custom = synthBeian({ context: { noticeRetentionDays: 731 } });
    for (const f of writers) expect(functionProps(custom, f.name).Environment.Variables[NOTICE_RETENTION_DAYS_ENV], f.name).toBe('731');
  });
});

describe('queue triggers have a maximum concurrency', () => {
  const mappings = () =>
    resourcesOf(beian.statelessTemplate, 'AWS::Lambda::EventSourceMapping')
      .map(([, m]) => m.Properties!)
      .filter((m) => JSON.stringify(m.EventSourceArn).includes('Queue'));

  it('runs at most 5 processors at once on the filings queue (filing-number counter contention)', () => {
    const filings = mappings().filter((m) => JSON.stringify(m.EventSourceArn).includes('filings'));
    expect(filings).toHaveLength(1);
    expect(filings[0]!.ScalingConfig).toEqual({ MaximumConcurrency: 5 });
  });

  it('runs at most 2 jurisdiction sweeps at once', () => {
    const sweeps = mappings().filter((m) => JSON.stringify(m.EventSourceArn).includes('sweeps'));
    expect(sweeps).toHaveLength(1);
    expect(sweeps[0]!.ScalingConfig).toEqual({ MaximumConcurrency: 2 });
  });

  it('has a maximum for every queue, within what Lambda accepts (2-1000)', () => {
    expect(Object.keys(QUEUE_MAX_CONCURRENCY).sort()).toEqual(queues.map((q) => q.name).sort());
    for (const n of Object.values(QUEUE_MAX_CONCURRENCY)) expect(n >= 2 && n <= 1000).toBe(true);
  });
});

describe('API access log', () => {
  it("records the caller's subject next to the client id", () => {
    const [, stage] = onlyResource(beian.statelessTemplate, 'AWS::ApiGatewayV2::Stage');
    const format = JSON.parse(stage.Properties!.AccessLogSettings.Format as string) as Record<string, string>;
    expect(format).toMatchObject({ clientId: '$context.authorizer.claims.client_id', sub: '$context.authorizer.claims.sub' });
  });
});

describe('sign-in callback', () => {
  const peopleCallbacks = (b: SynthesizedBeian) =>
    resourcesOf(b.statefulTemplate, 'AWS::Cognito::UserPoolClient')
      .map(([, c]) => c.Properties!)
      .find((c) => c.ClientName === 'people')!.CallbackURLs as string[];

  it('has the loopback default on a stage that is not production', () => {
    expect(peopleCallbacks(beian)).toEqual(['http://localhost:8765/callback']);
  });

  it('has only the configured URLs on a production stage', () => {
    const prod = synthBeian({ context: { stage: 'prod', peopleCallbackUrls: ['https://beian.tj.gov.cn/callback'] } });
    expect(peopleCallbacks(prod)).toEqual(['https://beian.tj.gov.cn/callback']);
  });

  it('stops synthesis of a production stage that sets none', () => {
    expect(() => synthBeian({ context: { stage: 'prod-tj' } })).toThrow(/context "peopleCallbackUrls": must be set on a production stage/);
  });
});

describe('the SES send permission may be limited to recipient domains (security review item 1)', () => {
  const sesStatement = (b: SynthesizedBeian) =>
    resourcesOf(b.statelessTemplate, 'AWS::IAM::Policy')
      .flatMap(([, p]) => p.Properties?.PolicyDocument.Statement as Array<Record<string, any>>)
      .find((s) => asArray(s.Action).includes('ses:SendEmail'))!;

  it('by default: only the From address is conditioned', () => {
    const statement = sesStatement(beian);
    expect(statement.Condition).toEqual({ StringEquals: { 'ses:FromAddress': expect.any(String) } });
  });

  it('with allowedRecipientDomains: every recipient must be in one of them or a subdomain', () => {
    const custom = synthBeian({ context: { allowedRecipientDomains: 'TJ.gov.cn,example.org' } });
    expect(sesStatement(custom).Condition['ForAllValues:StringLike']).toEqual({ 'ses:Recipients': ['*@tj.gov.cn', '*@*.tj.gov.cn', '*@example.org', '*@*.example.org'] });
  });

  it('refuses an entry that is not a mail domain', () => {
    expect(() => synthBeian({ context: { allowedRecipientDomains: '["*.example.org"]' } })).toThrow(/allowedRecipientDomains.*mail domain/s);
  });
});
