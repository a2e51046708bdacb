/**
 * Filing a decision: the agency submits (durably, then queued), the processor checks and registers,
 * the receipt goes out once, and the reconciler re-queues what a failed send left behind.
 */
import { randomUUID } from 'node:crypto';
import type { Caller } from '../auth/caller.ts';
import { shanghaiDate } from '../domain/dates.ts';
import { formatFilingNumber, missingDocuments, timeliness } from '../domain/filing.ts';
import { type Actor, type HistoryEvent, SYSTEM, actorOf, historyEvent } from '../domain/history.ts';
import {
  type AgencyRecord,
  type DecisionRecord,
  type DecisionStatus,
  type FiledDocument,
  type FilingState,
  type IdempotencyRecord,
  type IdempotentResponse,
  type JurisdictionRecord,
  type MissingDocument,
  type Notice,
  filedDocument,
} from '../domain/records.ts';
import { InvalidInputError, conflict, quotaExceeded, unprocessable } from '../errors.ts';
import { renderReceipt } from '../notices/receipt.ts';
import { DEFAULT_DAILY_QUOTA } from '../schemas/api.ts';
import type { FilingBody, FilingMessage } from '../schemas/filing.ts';
import { type DocumentRepository, UPLOAD_GRACE_SECONDS } from './documents.ts';
import { getDecision } from './decisions.ts';
import { replayStored, requestHash } from './idempotency.ts';
import type { Deps } from './deps.ts';
import type { CreateOutcome, DecisionRepository } from './ports.ts';

export type SubmitOutcome = Exclude<CreateOutcome, { kind: 'duplicate-case' }> | { kind: 'wrong-status'; status: DecisionStatus };
/** stale: the submission is no longer the one SUBMITTED, and nothing was changed */
export type ProcessOutcome = 'done' | 'stale';

/** The filing writes (shared/store/filing-store.ts): each one conditional transaction with its events. */
export interface FilingWrites {
  /** SUBMITTED, only from the status read (+ the idempotency record); `deadline` as counted now */
  submit(
    decision: DecisionRecord,
    filing: FilingState,
    deadline: { filingDueOn: string; dueProvisional: boolean },
    events: HistoryEvent[],
    idempotency?: IdempotencyRecord,
  ): Promise<SubmitOutcome>;
  /** RECEIVED under the next number of (jurisdiction, year), with its receipt in the outbox */
  register(
    decision: DecisionRecord,
    submissionId: string,
    year: number,
    numberFor: (sequence: number) => string,
    receipt: (filingNumber: string) => Notice,
    registeredAt: string,
  ): Promise<{ outcome: ProcessOutcome; filingNumber?: string }>;
  markIncomplete(decision: DecisionRecord, submissionId: string, missing: MissingDocument[], checkedAt: string): Promise<ProcessOutcome>;
  /** the submission waits for its documents' verification (the reconciler leaves it alone meanwhile) */
  markWaiting(decisionId: string, submissionId: string, at: string): Promise<void>;
  /** submissions SUBMITTED since before `before`, oldest first, but those queued again `maxRequeues` times */
  submittedBefore(before: string, maxRequeues: number): Promise<{ decisionId: string; submissionId: string; requeues: number }[]>;
  /** false when the submission was processed meanwhile */
  countRequeue(decisionId: string, submissionId: string, requeues: number): Promise<boolean>;
}

/** The queue the processor reads filings from (shared/queue/filing-queue.ts). */
export interface FilingQueue {
  /** `delaySeconds` (0-900): the message becomes visible that much later */
  enqueue(message: FilingMessage, options?: { delaySeconds?: number }): Promise<void>;
}

export interface FilingDeps extends Deps {
  filings: FilingWrites;
  queue: FilingQueue;
  documents: Pick<DocumentRepository, 'list'>;
  log: (level: 'INFO' | 'WARN' | 'ERROR', message: string, fields?: Record<string, unknown>) => void;
}

/** What the processor counts for the business metrics (shared/observability/metrics-emitter.ts implements it). */
export interface FilingCounters {
  record(metric: 'FilingsReceived' | 'FilingsIncomplete' | 'LateFilings'): void;
}

export interface ProcessorDeps extends Pick<FilingDeps, 'filings' | 'now' | 'log'> {
  counters?: FilingCounters;
  store: Pick<DecisionRepository, 'getDecision'>;
  documents: Pick<DocumentRepository, 'list' | 'settle'>;
  /** a filing whose documents are still being verified goes back to the queue, delayed */
  queue: FilingQueue;
  /** the jurisdiction (number prefix) and agency (name, contacts) of a decision; may be cached briefly */
  registry: {
    jurisdiction: (id: string) => Promise<JurisdictionRecord | undefined>;
    agency: (id: string) => Promise<AgencyRecord | undefined>;
  };
}

export interface SubmittedFiling {
  decisionId: string;
  status: 'SUBMITTED';
  submissionId: string;
  submittedAt: string;
  filedOn: string;
  onTime: boolean;
  workingDaysLate: number;
}

export const receiptNoticeId = (m: FilingMessage) => `receipt#${m.decisionId}#${m.submissionId}`;

/**
 * 1. the agency's own decision (another's is a 404); 2. it must await filing, be incomplete, or await a
 * correction (else 409);
 * 3. timeliness on the Shanghai date of receipt; a late filing must give its reason (422);
 * 4. one transaction: status SUBMITTED + the filing (+ idempotency record); 5. then queue it. If queueing
 * fails the filing is still stored and the reconciler queues it later: the 202 claims only what is stored.
 */
export async function submitFiling(
  deps: FilingDeps,
  caller: Extract<Caller, { role: 'agency' }>,
  decisionId: string,
  body: FilingBody,
  idempotencyKey?: string,
): Promise<{ body: SubmittedFiling; replayed: boolean }> {
  const scope = `${caller.agencyId}:filing:${decisionId}`;
  const hash = requestHash(body);
  if (idempotencyKey) {
    const stored = await deps.store.getIdempotent(scope, idempotencyKey);
    if (stored) return replay(stored, hash);
  }
  // a retry racing its own first request sees the status that request set: replay, not 409
  const replayIfRetry = async (id: string, status: string) => {
    const stored = idempotencyKey ? await deps.store.getIdempotent(scope, idempotencyKey) : undefined;
    if (stored) return replay(stored, hash);
    throw wrongStatus(id, status);
  };
  // the write is conditional on the status read; if the sweep changed it meanwhile (flagged it overdue),
  // read again and submit on the new status
  for (let attempt = 0; ; attempt++) {
    const decision = await getDecision(deps, caller, decisionId);
    if (!OPEN_FOR_SUBMISSION.includes(decision.status)) return replayIfRetry(decision.id, decision.status);
    const prepared = await prepareSubmission(deps, decision, body, actorOf(caller));
    const { filing, deadline, events } = prepared;
    const response: SubmittedFiling = {
      decisionId, status: 'SUBMITTED', submissionId: filing.submissionId, submittedAt: filing.submittedAt,
      filedOn: filing.filedOn, onTime: filing.onTime, workingDaysLate: filing.workingDaysLate,
    };
    const limit = prepared.jurisdiction?.dailyQuotaPerAgency?.filings ?? DEFAULT_DAILY_QUOTA.filings;
    const outcome = await deps.quotas.within(
      { agencyId: caller.agencyId, what: 'filings', day: filing.filedOn, limit },
      () =>
        deps.filings.submit(
          decision,
          filing,
          deadline,
          events,
          idempotencyKey ? { scope, key: idempotencyKey, response: { requestHash: hash, statusCode: 202, body: JSON.stringify(response) } } : undefined,
        ),
      (o) => o.kind === 'created',
    );
    if (outcome === 'exceeded') throw quotaExceeded('filings', limit, deps.now());
    if (outcome.kind === 'idempotent-replay') return replay(outcome.stored, hash);
    if (outcome.kind === 'wrong-status') {
      if (OPEN_FOR_SUBMISSION.includes(outcome.status) && attempt < 3) continue;
      return replayIfRetry(decision.id, outcome.status);
    }
    try {
      await deps.queue.enqueue({ decisionId, submissionId: filing.submissionId });
    } catch (e) {
      deps.log('WARN', 'filing stored but not queued; the reconciler will queue it', { decisionId, error: (e as Error).message });
    }
    return { body: response, replayed: false };
  }
}

/** Statuses a filing may be submitted in: awaited (on time or late), incomplete, or answering a correction order. */
const OPEN_FOR_SUBMISSION: readonly string[] = ['AWAITING_FILING', 'INCOMPLETE', 'OVERDUE', 'CORRECTION_REQUIRED', 'CORRECTION_OVERDUE'];

/**
 * The filing state of a submission, its deadline and its events: timeliness on the Shanghai date of
 * receipt, against the filing deadline (counted again if provisional) or, for a correction, against the
 * correction's; a late one must give its reason (422).
 */
async function prepareSubmission(deps: FilingDeps, decision: DecisionRecord, body: FilingBody, actor: Actor) {
  const now = deps.now();
  const at = now.toISOString();
  const filedOn = shanghaiDate(now);
  const [jurisdiction, declared] = await Promise.all([deps.rules.get(decision.jurisdictionId), deps.documents.list(decision.id)]);
  const calendar = deps.calendarFor(jurisdiction);
  // the documents listed must be this decision's (another decision's or agency's id is refused, naming it)
  const byId = new Map(declared.map((d) => [d.documentId, d]));
  const unknown = body.documents.flatMap((d, i) => (byId.has(d.documentId) ? [] : [i]));
  if (unknown.length) {
    throw unprocessable('unknown-document', `the filing lists ${unknown.length} document(s) that are not documents of decision ${decision.id}`, {
      errors: unknown.map((i) => ({ field: `documents.${i}.documentId`, in: 'body', reason: `is not a document of decision ${decision.id}: declare it with POST /v1/decisions/${decision.id}/documents` })),
    });
  }
  // a document the verifier already rejected cannot count: say so now rather than after the queue
  const rejected = body.documents.flatMap((d, i) => (byId.get(d.documentId)?.status === 'REJECTED' ? [i] : []));
  if (rejected.length) {
    throw unprocessable('rejected-document', `the filing lists ${rejected.length} document(s) that failed verification: upload the right file as a new document and list that`, {
      errors: rejected.map((i) => ({ field: `documents.${i}.documentId`, in: 'body', reason: `was REJECTED (${byId.get(body.documents[i]!.documentId)!.reason ?? 'not the declared file'}): declare and upload it again` })),
    });
  }
  const documents: FiledDocument[] = body.documents.map(({ documentId }) => filedDocument(byId.get(documentId)!));
  const correction = decision.status === 'CORRECTION_REQUIRED' || decision.status === 'CORRECTION_OVERDUE';
  // a provisional deadline is never taken as final: count it again on today's calendar
  const deadline = decision.dueProvisional && !correction
    ? (({ date, provisional }) => ({ filingDueOn: date, dueProvisional: provisional }))(
        calendar.addWorkingDays(decision.decidedOn, jurisdiction?.filingPeriodWorkingDays ?? 10),
      )
    : { filingDueOn: decision.filingDueOn!, dueProvisional: decision.dueProvisional };
  const dueOn = correction ? (decision.correctionDueOn ?? deadline.filingDueOn) : deadline.filingDueOn;
  const when = timeliness(filedOn, dueOn, calendar);
  if (!when.onTime && !body.lateReason) {
    const what = correction ? 'correction' : 'filing';
    throw unprocessable('late-reason-required', `this ${what} is ${when.workingDaysLate} working day(s) late (due ${dueOn}): state the reason in lateReason`, {
      errors: [{ field: 'lateReason', in: 'body', reason: `is required for a late ${what}` }],
    });
  }
  if (body.promisedOn && body.promisedOn < filedOn) {
    throw new InvalidInputError([{ field: 'promisedOn', in: 'body', reason: `must not be before today (${filedOn})` }]);
  }
  const filing: FilingState = {
    ...body,
    documents,
    submissionId: randomUUID(),
    submittedAt: at,
    ...when,
    workingDaysToFile: calendar.workingDaysBetween(decision.decidedOn, filedOn).days,
    submissions: (decision.filing?.submissions ?? 0) + 1,
    ...(correction && { correction: true }),
  };
  const events: HistoryEvent[] = [];
  if (deadline.filingDueOn !== decision.filingDueOn || deadline.dueProvisional !== decision.dueProvisional) {
    events.push(historyEvent('DEADLINE_RECOMPUTED', at, actor, decision.status, decision.status, `filing due ${deadline.filingDueOn}${deadline.dueProvisional ? ' (provisional)' : ''}, was ${decision.filingDueOn}`));
  }
  events.push(
    historyEvent(
      correction ? 'CORRECTION_SUBMITTED' : 'FILING_SUBMITTED',
      at,
      actor,
      decision.status,
      'SUBMITTED',
      `submission ${filing.submissions}, ${when.onTime ? 'on time' : `${when.workingDaysLate} working day(s) late`} (due ${dueOn}), ${body.documents.length} document(s)`,
    ),
  );
  return { filing, deadline, events, jurisdiction };
}

function wrongStatus(id: string, status: string) {
  const why: Record<string, string> = {
    NOT_REQUIRED: 'needs no filing',
    SUBMITTED: 'has a filing being processed; wait for its outcome',
    RECEIVED: 'is already filed and registered',
  };
  return conflict('filing-not-open', `decision ${id} ${why[status] ?? `is ${status}`}`, { currentStatus: status });
}

function replay(stored: IdempotentResponse, hash: string) {
  return { body: replayStored<SubmittedFiling>(stored, hash).body, replayed: true };
}

/**
 * Checks and registers one submission. Safe to run any number of times for the same message: a
 * submission that is no longer SUBMITTED is left alone, and its receipt is sent at most once.
 */
export async function processFiling(deps: ProcessorDeps, message: FilingMessage): Promise<'registered' | 'incomplete' | 'waiting' | 'stale'> {
  const decision = await deps.store.getDecision(message.decisionId, { consistent: true });
  let result: 'registered' | 'incomplete' | 'waiting' | 'stale' = 'stale';
  if (decision?.status === 'SUBMITTED' && decision.filing?.submissionId === message.submissionId) {
    const checkedAt = deps.now().toISOString();
    const verified = await verifiedDocuments(deps, decision);
    if (verified === 'waiting') {
      // a listed upload is still being verified: look again shortly, without failing the message; the
      // reconciler leaves it alone meanwhile (its place in the SUBMITTED list moves on), so one chain of
      // messages waits, not several
      await deps.queue.enqueue(message, { delaySeconds: DOCUMENTS_WAIT_SECONDS });
      await deps.filings.markWaiting(decision.id, message.submissionId, checkedAt);
      return 'waiting';
    }
    // every listed document must count: a rejected one (of any kind) is named too, and never registered
    const required = missingDocuments(decision, verified.documents, verified.why);
    const missing = [...required, ...verified.rejected.filter((r) => !required.some((m) => m.kind === r.kind))];
    if (missing.length) {
      result = (await deps.filings.markIncomplete(decision, message.submissionId, missing, checkedAt)) === 'done' ? 'incomplete' : 'stale';
      if (result === 'incomplete') deps.counters?.record('FilingsIncomplete');
    } else {
      const [jurisdiction, agency] = await Promise.all([deps.registry.jurisdiction(decision.jurisdictionId), deps.registry.agency(decision.agencyId)]);
      const prefix = jurisdiction?.filingNumberPrefix ?? `${jurisdiction?.name ?? decision.jurisdictionId}备`;
      const year = Number(decision.filing.filedOn.slice(0, 4));
      const to = receiptRecipients(agency, decision.filing.contact.email);
      const registration = await deps.filings.register(
        decision,
        message.submissionId,
        year,
        (n) => formatFilingNumber(prefix, year, n),
        (filingNumber): Notice => ({
          id: receiptNoticeId(message),
          kind: 'RECEIPT',
          decisionId: decision.id,
          agencyId: decision.agencyId,
          to,
          ...renderReceipt(decision, agency?.name ?? decision.agencyId, filingNumber),
          // the outbox: written with the registration, sent by send-notices from the table's stream
          status: 'PENDING',
          createdAt: checkedAt,
        }),
        checkedAt,
      );
      result = registration.outcome === 'done' ? 'registered' : 'stale';
      if (result === 'registered') {
        deps.counters?.record('FilingsReceived');
        // after the legal deadline, as judged at submission on that day's calendar
        if (!decision.filing.onTime) deps.counters?.record('LateFilings');
      }
    }
  }
  return result;
}

/** How long a filing whose documents are still being verified waits before it is checked again. */
export const DOCUMENTS_WAIT_SECONDS = 30;

/**
 * The listed documents that are VERIFIED, and why each other one does not count. One still PENDING while
 * its upload could still come makes the filing wait; one PENDING past its upload URL (and a grace) was
 * never uploaded, and is settled REJECTED here.
 */
async function verifiedDocuments(
  deps: ProcessorDeps,
  decision: DecisionRecord,
): Promise<'waiting' | { documents: FiledDocument[]; why: Map<string, string>; rejected: MissingDocument[] }> {
  const listed = new Set(decision.filing!.documents.map((d) => d.documentId));
  const docs = (await deps.documents.list(decision.id)).filter((d) => listed.has(d.documentId));
  const now = deps.now();
  const why = new Map<string, string>();
  const rejected: MissingDocument[] = [];
  for (const d of docs) {
    if (d.status === 'PENDING' && Date.parse(d.uploadExpiresAt) + UPLOAD_GRACE_SECONDS * 1000 > now.getTime()) return 'waiting';
    if (d.status === 'PENDING') {
      const reason = 'not verified: no upload arrived (or none could be read) before the upload URL expired';
      const at = now.toISOString();
      await deps.documents.settle(d, { status: 'REJECTED', reason }, at, historyEvent('DOCUMENT_REJECTED', at, SYSTEM.processor, null, null, `${d.kind} document ${d.documentId} rejected: ${reason}`));
      why.set(d.kind, reason);
      rejected.push({ kind: d.kind, reason });
    } else if (d.status === 'REJECTED') {
      const reason = `REJECTED: ${d.reason ?? 'the file is not the one declared'}`;
      why.set(d.kind, reason);
      rejected.push({ kind: d.kind, reason });
    }
  }
  return { documents: decision.filing!.documents.filter((f) => docs.some((d) => d.documentId === f.documentId && d.status === 'VERIFIED')), why, rejected };
}

/**
 * Official mail goes only to addresses an admin registered: the agency's contactEmails, and the filer's
 * contact address only when its domain is one the admin allowed for the agency (contactEmailDomains).
 */
export function receiptRecipients(agency: Pick<AgencyRecord, 'contactEmails' | 'contactEmailDomains'> | undefined, contact: string | undefined): string[] {
  const domain = contact?.split('@').pop()?.toLowerCase();
  const allowed = !!domain && (agency?.contactEmailDomains ?? []).includes(domain);
  return [...new Set([...(agency?.contactEmails ?? []), ...(contact && allowed ? [contact] : [])])];
}

/** Queues again every submission left SUBMITTED for longer than `olderThanSeconds`. */
/** After this many re-queues a submission is left alone: its messages wait in the dead-letter queue. */
export const MAX_REQUEUES = 3;

/**
 * Queues again every submission left SUBMITTED for longer than `olderThanSeconds` (a send that failed
 * after the write, a lost message), at most MAX_REQUEUES times each, so a submission that fails every
 * time is not sent round for ever: after the last try it is logged for a person.
 */
export async function reconcileFilings(deps: Pick<FilingDeps, 'filings' | 'queue' | 'now' | 'log'>, olderThanSeconds = 120): Promise<number> {
  const before = new Date(deps.now().getTime() - olderThanSeconds * 1000).toISOString();
  const stuck = await deps.filings.submittedBefore(before, MAX_REQUEUES);
  let requeued = 0;
  for (const m of stuck) {
    try {
      // sent first, counted after: a send that fails uses up none of the submission's tries
      await deps.queue.enqueue({ decisionId: m.decisionId, submissionId: m.submissionId });
    } catch (e) {
      deps.log('WARN', 'could not re-queue a filing; the next run tries again', { decisionId: m.decisionId, error: (e as Error).message });
      continue;
    }
    if (!(await deps.filings.countRequeue(m.decisionId, m.submissionId, m.requeues))) continue; // processed meanwhile
    requeued++;
    if (m.requeues + 1 === MAX_REQUEUES) {
      deps.log('ERROR', 'filing queued again for the last time; if it fails, its messages wait in the dead-letter queue', { decisionId: m.decisionId });
    }
  }
  if (requeued) deps.log('INFO', 're-queued filings left in SUBMITTED', { count: requeued });
  return requeued;
}
