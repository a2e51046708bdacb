/**
 * A digest goes out exactly once even when SES fails on the first attempt: the sweep writes it to the
 * outbox, the notice sender's use case delivers it (DynamoDB Local and the SES emulator; "SES down" is a
 * port nothing listens on).
 */
import { SYSTEM, reportedEvent } from '../../shared/store/history.ts';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startMail } from '../../infra/local/mail.ts';
import { freePort } from '../../infra/local/processes.ts';
import { sesMailer } from '../../shared/mail/mailer.ts';
import { FilingStore } from '../../shared/store/filing-store.ts';
import type { DecisionRecord } from '../../shared/store/records.ts';
import { SupervisionStore } from '../../shared/store/supervision-store.ts';
import { calendarCache } from '../../shared/use-cases/deps.ts';
import { type NoticeDeps, deliverNotice } from '../../shared/use-cases/notices.ts';
import { sweepJurisdiction } from '../../shared/use-cases/supervision.ts';
import { useDynamo } from './dynamo-harness.ts';

const db = useDynamo('beian-digests');
let mail: { server: Server; endpoint: string };
beforeAll(async () => {
  mail = await startMail(await freePort());
});
afterAll(() => new Promise((r) => mail.server.close(r)));

it('an overdue digest whose first send fails goes out once after the retry', async () => {
  const at = new Date().toISOString();
  const contact = `${randomUUID()}@example.org`;
  await db.store.putJurisdiction('dj', { name: '测试区', filingPeriodWorkingDays: 10, hearingThresholds: [], escalationEmails: [], extraOffDays: [], extraWorkingDays: [] }, at);
  await db.store.putAgency('dj-ag', { name: '测试局', jurisdictionId: 'dj', contactEmails: [contact], clientIds: [] }, at);
  const decision: DecisionRecord = {
    id: randomUUID(), agencyId: 'dj-ag', jurisdictionId: 'dj', caseNumber: '测罚〔2026〕7号', kind: 'COERCIVE', measures: ['SEAL_UP'], majorReasons: ['PUBLIC_INTEREST'],
    party: { type: 'ORGANIZATION', name: '某公司' }, decidedOn: '2026-09-01', status: 'AWAITING_FILING', filingRequired: true, filingReasons: [], filingDueOn: '2026-09-15',
    dueProvisional: false, createdAt: at, updatedAt: at,
  };
  expect((await db.store.createDecision(decision, reportedEvent(decision, SYSTEM.processor))).kind).toBe('created');
  const report = await sweepJurisdiction(
    { sweeps: new SupervisionStore(db.doc, db.tableName), registry: { agency: (id) => db.store.getAgency(id) }, calendarFor: calendarCache(), now: () => new Date(), log: () => {} },
    'dj',
    '2026-09-16',
  );
  // the overdue digest, and the week's summary (no sweep of this jurisdiction completed this week before)
  expect(report).toMatchObject({ overdueFlagged: 1, noticesWritten: 2, weeklySummary: true });
  const entries = await db.doc.send(new QueryCommand({ TableName: db.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'DIGEST#dj#2026-09-16' } }));
  const noticeId = entries.Items![0]!.digestId as string;
  const filings = new FilingStore(db.doc, db.tableName);
  expect(await filings.getNotice(noticeId)).toMatchObject({ kind: 'FILING_OVERDUE', status: 'PENDING', to: [contact], decisionIds: [decision.id] });

  const deps = (endpoint: string): NoticeDeps => ({ filings, now: () => new Date(), log: () => {}, mailer: sesMailer({ from: 'beian@example.gov.cn', endpoint }) });
  await expect(deliverNotice(deps(`http://127.0.0.1:${await freePort()}`), noticeId)).rejects.toThrow();
  expect((await filings.getNotice(noticeId))?.status).toBe('PENDING');
  expect(await deliverNotice(deps(mail.endpoint), noticeId)).toBe('sent');
  expect(await deliverNotice(deps(mail.endpoint), noticeId)).toBe('none');
  // once sent, the notice expires after the retention the operator guide states (400 days by default)
  const sentNotice = (await filings.getNotice(noticeId)) as unknown as { sentAt: string };
  const raw = await db.doc.send(new QueryCommand({ TableName: db.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `NOTICE#${noticeId}` } }));
  expect(raw.Items![0]!.expiresAt).toBe(Math.floor(Date.parse(sentNotice.sentAt) / 1000) + 400 * 86_400);
  const sent = ((await (await fetch(`${mail.endpoint}/store`)).json()) as { emails: { destination: { to: string[] }; subject: string; body: { text: string } }[] }).emails.filter((e) =>
    e.destination.to.includes(contact),
  );
  expect(sent).toHaveLength(1);
  expect(sent[0]!.subject).toMatch(/^【逾期未备案】1 件/);
  expect(sent[0]!.body.text).toContain('测罚〔2026〕7号');
});

it('an agency that reaches its daily mail cap gets no more mail that day: the rest is recorded SUPPRESSED, not sent', async () => {
  const filings = new FilingStore(db.doc, db.tableName);
  const to = `${randomUUID()}@example.org`;
  const agencyId = `cap-${randomUUID().slice(0, 8)}`;
  const ids = [1, 2, 3].map((n) => `cap-test#${agencyId}#${n}`);
  for (const id of ids) {
    await db.doc.send(
      new PutCommand({ TableName: db.tableName, Item: { pk: `NOTICE#${id}`, sk: 'NOTICE', id, kind: 'FILING_REMINDER', agencyId, to: [to], subject: 's', text: 't', html: '<p>t</p>', status: 'PENDING', createdAt: new Date().toISOString() } }),
    );
  }
  const deps: NoticeDeps = { filings, now: () => new Date(), log: () => {}, mailer: sesMailer({ from: 'beian@example.gov.cn', endpoint: mail.endpoint }), agencyDailyMailCap: 2 };
  expect(await Promise.all(ids.map((id) => deliverNotice(deps, id)))).toEqual(expect.arrayContaining(['sent', 'sent', 'none']));
  const statuses = await Promise.all(ids.map(async (id) => (await filings.getNotice(id))?.status));
  expect(statuses.sort()).toEqual(['SENT', 'SENT', 'SUPPRESSED']);
  const sent = ((await (await fetch(`${mail.endpoint}/store`)).json()) as { emails: { destination: { to: string[] } }[] }).emails.filter((e) => e.destination.to.includes(to));
  expect(sent).toHaveLength(2);
});

it('the sweep takes agencies from the jurisdiction item; one missing there is read from the registry; the API shows none of it', async () => {
  const at = new Date().toISOString();
  const contact = `${randomUUID()}@example.org`;
  await db.store.putJurisdiction('dir-j', { name: '测试区', filingPeriodWorkingDays: 10, hearingThresholds: [], escalationEmails: [], extraOffDays: [], extraWorkingDays: [] }, at);
  await db.store.putAgency('dir-ag', { name: '目录局', jurisdictionId: 'dir-j', contactEmails: [contact], clientIds: [] }, at);
  // as for an agency registered before jurisdictions kept the directory
  await db.doc.send(new UpdateCommand({ TableName: db.tableName, Key: { pk: 'JUR', sk: 'dir-j' }, UpdateExpression: 'REMOVE #ag', ExpressionAttributeNames: { '#ag': 'ag#dir-ag' } }));
  const decision: DecisionRecord = {
    id: randomUUID(), agencyId: 'dir-ag', jurisdictionId: 'dir-j', caseNumber: '目罚〔2026〕1号', kind: 'COERCIVE', measures: ['SEAL_UP'], majorReasons: ['PUBLIC_INTEREST'],
    party: { type: 'ORGANIZATION', name: '某公司' }, decidedOn: '2026-09-01', status: 'AWAITING_FILING', filingRequired: true, filingReasons: [], filingDueOn: '2026-09-15',
    dueProvisional: false, createdAt: at, updatedAt: at,
  };
  await db.store.createDecision(decision, reportedEvent(decision, SYSTEM.processor));
  let registryReads = 0;
  const report = await sweepJurisdiction(
    { sweeps: new SupervisionStore(db.doc, db.tableName), registry: { agency: (id) => (registryReads++, db.store.getAgency(id)) }, calendarFor: calendarCache(), now: () => new Date(), log: () => {} },
    'dir-j',
    '2026-09-16',
  );
  expect(report.overdueFlagged).toBe(1);
  expect(registryReads).toBe(1);
  const entries = await db.doc.send(new QueryCommand({ TableName: db.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'DIGEST#dir-j#2026-09-16' } }));
  expect((await new FilingStore(db.doc, db.tableName).getNotice(entries.Items![0]!.digestId as string))?.to).toEqual([contact]);
  // the bookkeeping on the jurisdiction's item is there, and the API's reads do not show it
  const raw = await db.doc.send(new QueryCommand({ TableName: db.tableName, KeyConditionExpression: 'pk = :pk AND sk = :sk', ExpressionAttributeValues: { ':pk': 'JUR', ':sk': 'dir-j' } }));
  expect(raw.Items![0]).toMatchObject({ lastCompletedOn: '2026-09-16' });
  await db.store.putAgency('dir-ag2', { name: '二局', jurisdictionId: 'dir-j', contactEmails: ['b@example.org'], clientIds: [] }, at);
  const shown = (await db.store.getJurisdiction('dir-j')) as unknown as Record<string, unknown>;
  expect(Object.keys(shown).filter((k) => /^(ag|run)#/.test(k) || k === 'lastCompletedOn' || k === 'calendarYears')).toEqual([]);
  expect(Object.keys((raw.Items![0] as Record<string, unknown>)).some((k) => k.startsWith('run#'))).toBe(false);
});
