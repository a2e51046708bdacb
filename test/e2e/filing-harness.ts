/**
 * End-to-end harness for the filing flow: one local stack per test file with the whole pipeline (API,
 * filings queue with a 1 s visibility timeout and its DLQ, the processor polling it, the SES emulator),
 * plus helpers to set up a jurisdiction/agency, report decisions, file them, and observe the asynchronous
 * outcome (decision status, mail in the SES emulator's /store, queue counts).
 *
 * Built on ./harness.ts's useStack, with queueVisibilityTimeoutSeconds: 1 (a failed message comes back in a
 * second, not in minutes).
 */
import { createHash, randomBytes } from 'node:crypto';
import { GetQueueAttributesCommand, SQSClient, SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, expect, vi } from 'vitest';
import type { TokenRequest } from '../../infra/local/jwt.ts';
import type { LocalStack, LocalStackOptions } from '../../infra/local/stack.ts';
import type { LocalQueue } from '../../infra/local/queues.ts';
import { parseIsoDate, formatDayNumber, shanghaiToday } from '../../shared/domain/dates.ts';
import type { DocumentKind } from '../../shared/schemas/filing.ts';
import { type DecisionRecord, type DocumentRecord, type FiledDocument, filedDocument } from '../../shared/store/records.ts';
import { type ApiOptions, type ApiResponse, type DecisionInput, THRESHOLDS, expectStatus, requiredDecision, uid, useStack } from './harness.ts';

export { expectFieldErrors, expectProblem, expectStatus, notRequiredDecision, requiredDecision, uid } from './harness.ts';
export type { ApiResponse, DecisionInput } from './harness.ts';

// ---------- dates ----------

/** A decision decided long ago: 2026-09-01 (Tue) + 10 working days = 2026-09-15, so filing now is late. */
export const LATE_DECIDED = '2026-09-01';
export const LATE_DUE = '2026-09-15';

/** Today in Asia/Shanghai (the code's own date helper, as the brief asks). */
export const today = () => shanghaiToday();
/** Yesterday in Asia/Shanghai: a decision made then is on time today whatever the calendar. */
export const yesterday = () => daysAgo(1);
/** n days before today in Asia/Shanghai */
export const daysAgo = (n: number) => formatDayNumber(parseIsoDate(shanghaiToday()) - n);

// ---------- filing bodies ----------

export const sha256 = () => randomBytes(32).toString('hex');

export interface DocSpec {
  kind: DocumentKind;
  title: string;
}

/** A document to upload (a small real PDF is made for it by `e2e.upload`). */
export function doc(kind: DocumentKind, overrides: Partial<DocSpec> = {}): DocSpec {
  const titles: Record<DocumentKind, string> = {
    DECISION_LETTER: '行政处罚决定书',
    LEGAL_REVIEW_OPINION: '法制审核意见',
    COLLECTIVE_DISCUSSION_RECORD: '集体讨论记录',
    HEARING_RECORD: '听证笔录',
    OTHER: '其他材料',
  };
  return { kind, title: titles[kind], ...overrides };
}

/** A small valid PDF, unique per call (its text carries random bytes). */
export function pdfFile(note = randomBytes(8).toString('hex')): Buffer {
  return Buffer.from(`%PDF-1.4\n% ${note}\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`);
}

/** What a penalty needs: decision letter, legal review opinion and collective discussion record. */
export const penaltyDocs = () => [doc('DECISION_LETTER'), doc('LEGAL_REVIEW_OPINION'), doc('COLLECTIVE_DISCUSSION_RECORD')];

export function filingBody(documents: unknown[], extra: Record<string, unknown> = {}): Record<string, any> {
  return { documents, contact: { name: '王五', phone: '022-12345678' }, ...extra };
}

/** An on-time penalty (decided yesterday in Shanghai). */
export const onTimePenalty = (overrides: DecisionInput = {}) => requiredDecision({ decidedOn: yesterday(), ...overrides });
/** A late penalty (decided 2026-09-01, due 2026-09-15). */
export const latePenalty = (overrides: DecisionInput = {}) => requiredDecision({ decidedOn: LATE_DECIDED, ...overrides });

// ---------- mail ----------

export interface StoredMail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc?: string[]; bcc?: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at?: number;
}

// ---------- the stack ----------

export interface Agency {
  jurisdictionId: string;
  agencyId: string;
  token: string;
  prefix: string;
  contactEmails: string[];
}

export interface FilingE2E {
  readonly stack: LocalStack;
  readonly sqs: SQSClient;
  readonly filingsQueue: LocalQueue;
  api<T = any>(method: string, path: string, options?: ApiOptions): Promise<ApiResponse<T>>;
  token(req: TokenRequest): Promise<string>;
  admin(): Promise<string>;
  /** a fresh jurisdiction (with filingNumberPrefix and hearingThresholds) and one agency in it with unique contact emails */
  setup(options?: { prefix?: string; jurisdictionId?: string; jurisdiction?: Record<string, unknown> }): Promise<Agency>;
  /** another agency in an existing jurisdiction */
  addAgency(jurisdictionId: string, prefix: string): Promise<Agency>;
  report(agencyToken: string, body: DecisionInput): Promise<DecisionRecord>;
  file(agencyToken: string, decisionId: string, body: unknown, headers?: Record<string, string>): Promise<ApiResponse>;
  get(agencyToken: string, decisionId: string): Promise<DecisionRecord>;
  /** polls GET /v1/decisions/{id} until its status is one of `statuses` */
  waitForStatus(agencyToken: string, decisionId: string, statuses: string[], timeout?: number): Promise<DecisionRecord>;
  /** every mail the SES emulator holds */
  mails(): Promise<StoredMail[]>;
  /** mails to the address */
  mailsTo(address: string): Promise<StoredMail[]>;
  /** polls /store until `pick` returns a non-empty list; returns it */
  waitForMails(pick: (all: StoredMail[]) => StoredMail[], timeout?: number): Promise<StoredMail[]>;
  queueCounts(queueUrl: string): Promise<{ visible: number; inFlight: number; delayed: number }>;
  /** polls until the queue holds no message, visible or in flight */
  waitQueueEmpty(queueUrl: string, timeout?: number): Promise<void>;
  send(body: string): Promise<void>;
  sendBatch(bodies: string[]): Promise<void>;
  /**
   * Uploads a small PDF for each spec to the decision (declare, PUT to the presigned URL), waits until every
   * one is VERIFIED, and returns the filing's `documents` ([{ documentId }]).
   */
  upload(agencyToken: string, decisionId: string, specs: readonly DocSpec[]): Promise<{ documentId: string }[]>;
  /** The uploaded documents as a filing keeps them (filing.documents), from GET /v1/decisions/{id}/documents, in the order of `refs`. */
  asFiled(token: string, decisionId: string, refs: readonly { documentId: string }[]): Promise<FiledDocument[]>;
}

/** `mailTransport: 'smtp'` sends the mail over SMTP to the local sink, whose /store `mails()` reads the same way. */
export function useFilingStack(options: Pick<LocalStackOptions, 'mailTransport'> = {}): FilingE2E {
  const base = useStack({ queueVisibilityTimeoutSeconds: 1, ...options });
  let sqs: SQSClient | undefined;
  beforeAll(() => {
    sqs = new SQSClient({ endpoint: base.stack.sqsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  });
  afterAll(() => sqs?.destroy());

  const e2e: FilingE2E = {
    get stack() {
      return base.stack;
    },
    get sqs() {
      if (!sqs) throw new Error('the stack is not started: call useFilingStack() at the top level of the test file');
      return sqs;
    },
    get filingsQueue() {
      return base.stack.queues.get('filings')!;
    },
    api: base.api,
    token: base.token,
    admin: base.admin,

    async setup(options = {}) {
      const jurisdictionId = options.jurisdictionId ?? uid('jur');
      const prefix = options.prefix ?? '宝坻备';
      const body = {
        name: '宝坻区',
        filingPeriodWorkingDays: 10,
        hearingThresholds: THRESHOLDS,
        escalationEmails: ['legal@example.org'],
        filingNumberPrefix: prefix,
        ...options.jurisdiction,
      };
      expectStatus(await e2e.api('PUT', `/v1/jurisdictions/${jurisdictionId}`, { token: await e2e.admin(), body }), 200);
      return e2e.addAgency(jurisdictionId, prefix);
    },

    async addAgency(jurisdictionId, prefix) {
      const agencyId = uid('ag');
      const contactEmails = [`${agencyId}-office@example.org`, `${agencyId}-legal@example.org`];
      const body = { name: '宝坻区市场监督管理局', jurisdictionId, contactEmails };
      expectStatus(await e2e.api('PUT', `/v1/agencies/${agencyId}`, { token: await e2e.admin(), body }), 200);
      return { jurisdictionId, agencyId, token: await e2e.token({ role: 'agency', agency: agencyId }), prefix, contactEmails };
    },

    async report(agencyToken, body) {
      return expectStatus(await e2e.api<DecisionRecord>('POST', '/v1/decisions', { token: agencyToken, body }), 201).json;
    },

    file(agencyToken, decisionId, body, headers) {
      return e2e.api('PUT', `/v1/decisions/${decisionId}/filing`, { token: agencyToken, body, ...(headers && { headers }) });
    },

    async get(agencyToken, decisionId) {
      return expectStatus(await e2e.api<DecisionRecord>('GET', `/v1/decisions/${decisionId}`, { token: agencyToken }), 200).json;
    },

    async waitForStatus(agencyToken, decisionId, statuses, timeout = 20_000) {
      return vi.waitFor(
        async () => {
          const d = await e2e.get(agencyToken, decisionId);
          expect(statuses, `status of decision ${decisionId}`).toContain(d.status);
          return d;
        },
        { timeout, interval: 100 },
      );
    },

    async mails() {
      const res = await fetch(`${base.stack.sesEndpoint}/store`);
      expect(res.status).toBe(200);
      return ((await res.json()) as { emails: StoredMail[] }).emails;
    },

    async mailsTo(address) {
      return (await e2e.mails()).filter((m) => m.destination.to.includes(address));
    },

    async waitForMails(pick, timeout = 20_000) {
      return vi.waitFor(
        async () => {
          const found = pick(await e2e.mails());
          expect(found.length, 'matching mails in the SES emulator').toBeGreaterThan(0);
          return found;
        },
        { timeout, interval: 100 },
      );
    },

    async queueCounts(queueUrl) {
      const out = await e2e.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
        }),
      );
      const a = out.Attributes ?? {};
      return {
        visible: Number(a.ApproximateNumberOfMessages ?? 0),
        inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
        delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
      };
    },

    async waitQueueEmpty(queueUrl, timeout = 20_000) {
      await vi.waitFor(
        async () => {
          expect(await e2e.queueCounts(queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
        },
        { timeout, interval: 100 },
      );
    },

    async send(body) {
      await e2e.sqs.send(new SendMessageCommand({ QueueUrl: e2e.filingsQueue.url, MessageBody: body }));
    },

    async upload(agencyToken, decisionId, specs) {
      const ids = await Promise.all(
        specs.map(async (spec, i) => {
          const bytes = pdfFile();
          const body = {
            kind: spec.kind, title: spec.title, fileName: `${spec.title}-${i + 1}.pdf`, contentType: 'application/pdf',
            sizeBytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'),
          };
          const declared = expectStatus(await e2e.api('POST', `/v1/decisions/${decisionId}/documents`, { token: agencyToken, body }), 201).json;
          const put = await fetch(declared.upload.url, { method: 'PUT', headers: declared.upload.headers, body: bytes });
          expect(put.status, `upload of ${spec.kind}`).toBe(200);
          return declared.documentId as string;
        }),
      );
      await vi.waitFor(
        async () => {
          const listed = expectStatus(await e2e.api('GET', `/v1/decisions/${decisionId}/documents`, { token: agencyToken }), 200).json.items as { documentId: string; status: string }[];
          expect(ids.map((id) => listed.find((d) => d.documentId === id)?.status)).toEqual(ids.map(() => 'VERIFIED'));
        },
        { timeout: 20_000, interval: 100 },
      );
      return ids.map((documentId) => ({ documentId }));
    },

    async asFiled(token, decisionId, refs) {
      const items = expectStatus(await e2e.api('GET', `/v1/decisions/${decisionId}/documents`, { token }), 200).json.items as DocumentRecord[];
      return refs.map(({ documentId }) => {
        const d = items.find((x) => x.documentId === documentId);
        expect(d, `document ${documentId} of decision ${decisionId}`).toBeDefined();
        return filedDocument(d!);
      });
    },

    async sendBatch(bodies) {
      for (let i = 0; i < bodies.length; i += 10) {
        const out = await e2e.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: e2e.filingsQueue.url,
            Entries: bodies.slice(i, i + 10).map((MessageBody, j) => ({ Id: String(j), MessageBody })),
          }),
        );
        expect(out.Failed ?? []).toEqual([]);
      }
    },
  };
  return e2e;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function inChunks<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

/** 宝坻备〔2026〕0001 */
export const filingNumber = (prefix: string, year: number | string, n: number) => `${prefix}〔${year}〕${String(n).padStart(4, '0')}`;

export const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
