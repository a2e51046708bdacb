/**
 * The ports the use cases share through `Deps` (deps.ts): decisions, the registry, page cursors, daily
 * quotas. A port only one use case needs is declared in that use case's module. The adapters implement
 * them (shared/store/beian-store.ts, shared/http/cursor.ts, shared/store/rate-limit.ts). Types and two
 * small errors only: an adapter importing them gains nothing in its bundle (deps.ts would bring the calendar).
 */
import type { HistoryEvent } from '../domain/history.ts';
import type { AgencyRecord, DecisionRecord, DecisionSummary, IdempotencyRecord, IdempotentResponse, JurisdictionRecord } from '../domain/records.ts';

/** Whose decisions a list reads: one agency's, one jurisdiction's, or all. */
export type ListScope = { agencyId: string } | { jurisdictionId: string } | 'all';

/** One page of a decision list: a scope, narrowed to one status when given, then filtered. */
export interface DecisionListQuery {
  scope: ListScope;
  status?: string;
  decidedFrom?: string;
  decidedTo?: string;
  dueBefore?: string;
  jurisdictionId?: string;
  limit: number;
  /** oldest first (the review queue); newest first otherwise */
  ascending?: boolean;
  startKey?: Record<string, unknown>;
}

export type CreateOutcome =
  | { kind: 'created' }
  | { kind: 'duplicate-case'; existingId: string }
  | { kind: 'idempotent-replay'; stored: IdempotentResponse };

/** Decisions, their history, and the responses kept for Idempotency-Key retries. */
export interface DecisionRepository {
  getDecision(id: string, options?: { consistent?: boolean }): Promise<DecisionRecord | undefined>;
  /** the decision, its case-number record, its first event (and idempotency record): all or nothing */
  createDecision(record: DecisionRecord, event: HistoryEvent, idempotency?: IdempotencyRecord): Promise<CreateOutcome>;
  /** the decision an agency reported under this case number (compared in its normalized form), if any */
  existingCase(agencyId: string, caseNumber: string): Promise<string | undefined>;
  history(decisionId: string): Promise<HistoryEvent[]>;
  getIdempotent(scope: string, key: string): Promise<IdempotentResponse | undefined>;
  /** a page of a list, with the key to go on from when the list goes on */
  listDecisions(q: DecisionListQuery): Promise<{ items: DecisionSummary[]; lastKey?: Record<string, unknown> }>;
}

/** Jurisdictions and agencies. */
export interface RegistryRepository {
  putJurisdiction(id: string, body: Omit<JurisdictionRecord, 'jurisdictionId' | 'createdAt' | 'updatedAt'>, now: string): Promise<JurisdictionRecord>;
  getJurisdiction(id: string): Promise<JurisdictionRecord | undefined>;
  listJurisdictions(): Promise<JurisdictionRecord[]>;
  /** throws JurisdictionMissingError when its jurisdiction is not registered, ClientTakenError when an app client is another agency's */
  putAgency(id: string, body: Omit<AgencyRecord, 'agencyId' | 'createdAt' | 'updatedAt'>, now: string): Promise<AgencyRecord>;
  getAgency(id: string): Promise<AgencyRecord | undefined>;
  listAgencies(): Promise<AgencyRecord[]>;
}

export class JurisdictionMissingError extends Error {
  override name = 'JurisdictionMissingError';
}
export class ClientTakenError extends Error {
  override name = 'ClientTakenError';
  constructor(readonly clientId: string) {
    super(`app client ${clientId} is linked to another agency`);
  }
}

/** Opaque page cursors, each bound to the query it came from: one made for another query is refused. */
export interface PageCursors {
  encode(key: Record<string, unknown>, boundTo: string): string;
  decode(cursor: string, boundTo: string): Record<string, unknown>;
}

/** An agency's count of one kind of write on a Shanghai day, and its limit. */
export interface DailyQuota {
  agencyId: string;
  what: 'decisions' | 'filings' | 'uploads';
  day: string;
  limit: number;
}

/** Daily quotas per agency on writes. */
export interface QuotaCounter {
  /** Runs `write` within the quota: 'exceeded' without running it; the unit given back when it does not create. */
  within<T>(quota: DailyQuota, write: () => Promise<T>, created: (result: T) => boolean): Promise<T | 'exceeded'>;
}
