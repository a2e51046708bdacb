/** Reporting decisions (and learning their deadline at once), reading and listing them, scoped by role. */
import { type Caller, registeredJurisdiction } from '../auth/caller.ts';
import { classify } from '../domain/classify.ts';
import { shanghaiDate } from '../domain/dates.ts';
import { InvalidInputError, conflict, notAllowed, notFound, quotaExceeded, unprocessable } from '../errors.ts';
import { DEFAULT_DAILY_QUOTA } from '../schemas/api.ts';
import type { DecisionBody, ListDecisionsQuery } from '../schemas/api.ts';
import { actorOf, type HistoryEvent, reportedEvent } from '../domain/history.ts';
import type { DecisionRecord, DecisionSummary, IdempotentResponse } from '../domain/records.ts';
import { obligationOf, workingDaysOverdue } from '../domain/supervision.ts';
import { replayStored, requestHash } from './idempotency.ts';
import type { Deps } from './deps.ts';
import type { ListScope } from './ports.ts';

export interface Created {
  status: 201;
  body: DecisionView;
  location: string;
  replayed: boolean;
}


/**
 * 1. the agency must be registered, its jurisdiction's rules known; 2. a decision cannot be dated in the
 * future (Shanghai date); 3. classify and compute the deadline; 4. write decision + uniqueness
 * (+ idempotency) in one transaction; 5. a duplicate case number is a 409 naming the existing decision.
 */
export async function reportDecision(deps: Deps, caller: Extract<Caller, { role: 'agency' }>, body: DecisionBody, idempotencyKey?: string): Promise<Created> {
  const jurisdictionId = registeredJurisdiction(caller);
  const scope = `${caller.agencyId}:decisions`;
  const hash = requestHash(body);
  if (idempotencyKey) {
    const stored = await deps.store.getIdempotent(scope, idempotencyKey);
    if (stored) return replay(stored, hash);
  }
  const now = deps.now();
  const today = shanghaiDate(now);
  if (body.decidedOn > today) {
    throw new InvalidInputError([{ field: 'decidedOn', in: 'body', reason: `is in the future: today is ${today} in Asia/Shanghai` }]);
  }
  const jurisdiction = await deps.rules.get(jurisdictionId);
  if (!jurisdiction) throw unprocessable('unknown-jurisdiction', `the agency's jurisdiction "${jurisdictionId}" is not registered`);
  const classification = classify(body, jurisdiction, deps.calendarFor(jurisdiction));
  const createdAt = now.toISOString();
  const record: DecisionRecord = {
    ...body,
    id: deps.newId(),
    agencyId: caller.agencyId,
    jurisdictionId,
    status: classification.filingRequired ? 'AWAITING_FILING' : 'NOT_REQUIRED',
    ...classification,
    createdAt,
    updatedAt: createdAt,
  };
  const location = `/v1/decisions/${record.id}`;
  // answered as a read shows it (a decision reported after its deadline is overdue at once)
  const view = await presentDecision(deps, record);
  const limit = jurisdiction.dailyQuotaPerAgency?.decisions ?? DEFAULT_DAILY_QUOTA.decisions;
  const outcome = await deps.quotas.within(
    { agencyId: caller.agencyId, what: 'decisions', day: today, limit },
    () =>
      deps.store.createDecision(
        record,
        reportedEvent(record, actorOf(caller)),
        idempotencyKey ? { scope, key: idempotencyKey, response: { requestHash: hash, statusCode: 201, body: JSON.stringify(view), location } } : undefined,
      ),
    (o) => o.kind === 'created',
  );
  if (outcome === 'exceeded') {
    // a retry of a report already made learns that, not to wait until tomorrow
    const existingId = await deps.store.existingCase(caller.agencyId, body.caseNumber);
    if (existingId) throw duplicateCase(body.caseNumber, existingId);
    throw quotaExceeded('decisions', limit, now);
  }
  if (outcome.kind === 'idempotent-replay') return replay(outcome.stored, hash);
  if (outcome.kind === 'duplicate-case') throw duplicateCase(body.caseNumber, outcome.existingId);
  return { status: 201, body: view, location, replayed: false };
}

function duplicateCase(caseNumber: string, existingId: string) {
  return conflict('duplicate-case-number', `case number "${caseNumber}" was already reported by this agency as decision ${existingId}`, {
    existingId,
    existing: `/v1/decisions/${existingId}`,
  });
}

function replay(stored: IdempotentResponse, hash: string): Created {
  const { body, location } = replayStored<DecisionRecord>(stored, hash);
  return { status: 201, body, location: location ?? `/v1/decisions/${body.id}`, replayed: true };
}

function canSee(caller: Caller, d: DecisionRecord): boolean {
  if (caller.role === 'admin') return true;
  if (caller.role === 'reviewer') return d.jurisdictionId === caller.jurisdictionId;
  return d.agencyId === caller.agencyId;
}

export async function getDecision(deps: Deps, caller: Caller, id: string): Promise<DecisionRecord> {
  const d = await deps.store.getDecision(id);
  // another's decision is "not found", not "forbidden": its existence is not disclosed
  if (!d || !canSee(caller, d)) throw notFound(`decision ${id} does not exist or is not visible to you`);
  return d;
}

export async function listDecisions(deps: Deps, caller: Caller, q: ListDecisionsQuery): Promise<{ items: DecisionSummary[]; nextCursor: string | null }> {
  if (q.decidedFrom && q.decidedTo && q.decidedFrom > q.decidedTo) {
    throw new InvalidInputError([{ field: 'decidedFrom', in: 'query', reason: `must not be after decidedTo (${q.decidedTo})` }]);
  }
  return listScoped(deps, caller, q, false);
}

/** A page of a scope's decisions, narrowed to a status when given: newest first, or oldest first (`ascending`). */
export async function listScoped(
  deps: Deps,
  caller: Caller,
  q: Omit<ListDecisionsQuery, 'status'> & { status?: string | undefined; jurisdictionId?: string | undefined },
  ascending: boolean,
): Promise<{ items: DecisionSummary[]; nextCursor: string | null }> {
  let scope: ListScope;
  let jurisdictionFilter: string | undefined;
  if (caller.role === 'agency') {
    if (q.agencyId && q.agencyId !== caller.agencyId) throw notAllowed('an agency can list only its own decisions');
    scope = { agencyId: caller.agencyId };
  } else if (q.agencyId) {
    if (caller.role === 'reviewer') {
      // another jurisdiction's agency is "not found", as for every other read; nothing of it is queried
      const agency = await deps.store.getAgency(q.agencyId);
      if (agency?.jurisdictionId !== caller.jurisdictionId) throw notFound(`agency "${q.agencyId}" does not exist or is not visible to you`);
      // an agency that moved keeps its earlier decisions in the jurisdiction that had it then
      jurisdictionFilter = caller.jurisdictionId;
    } else if (q.jurisdictionId) {
      jurisdictionFilter = q.jurisdictionId;
    }
    scope = { agencyId: q.agencyId };
  } else if (caller.role === 'reviewer') {
    scope = { jurisdictionId: caller.jurisdictionId };
  } else {
    scope = q.jurisdictionId ? { jurisdictionId: q.jurisdictionId } : 'all';
  }
  // the cursor is bound to the query that made it: reusing it with other filters or scope is refused
  const boundTo = JSON.stringify([scope, q.status, jurisdictionFilter, q.decidedFrom, q.decidedTo, q.dueBefore, ...(ascending ? ['asc'] : [])]);
  const startKey = q.cursor ? deps.cursors.decode(q.cursor, boundTo) : undefined;
  const page = await deps.store.listDecisions({
    scope,
    ...(q.status && { status: q.status }),
    limit: q.limit ?? 25,
    ...(ascending && { ascending }),
    ...(startKey && { startKey }),
    ...(q.decidedFrom && { decidedFrom: q.decidedFrom }),
    ...(q.decidedTo && { decidedTo: q.decidedTo }),
    ...(q.dueBefore && { dueBefore: q.dueBefore }),
    ...(jurisdictionFilter && { jurisdictionId: jurisdictionFilter }),
  });
  return { items: page.items, nextCursor: page.lastKey ? deps.cursors.encode(page.lastKey, boundTo) : null };
}

/** The history of a decision the caller may see, in order. */
export async function decisionHistory(deps: Deps, caller: Caller, id: string): Promise<{ items: HistoryEvent[] }> {
  await getDecision(deps, caller, id);
  return { items: await deps.store.history(id) };
}

/** A decision as the API shows it: with `workingDaysOverdue`, counted today, while its filing is awaited past the deadline. */
export type DecisionView<D extends DecisionSummary = DecisionRecord> = D & { workingDaysOverdue?: number };

export async function presentDecision<D extends DecisionSummary>(deps: Deps, d: D): Promise<DecisionView<D>> {
  const today = shanghaiDate(deps.now());
  const o = obligationOf(d);
  if (!o || today <= o.dueOn) return d;
  const calendar = deps.calendarFor(await deps.rules.get(d.jurisdictionId));
  return { ...d, workingDaysOverdue: workingDaysOverdue(o.dueOn, today, calendar) };
}
