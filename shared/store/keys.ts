import { caseNumberKey } from '../domain/text.ts';
import type { ListScope } from '../use-cases/ports.ts';
import type { IndexName } from './table-definition.ts';

/** Key values of every item; the attribute names are in table-definition.ts. */
export const keys = {
  jurisdiction: (id: string) => ({ pk: 'JUR', sk: id }),
  agency: (id: string) => ({ pk: 'AGENCY', sk: id }),
  client: (clientId: string) => ({ pk: 'CLIENT', sk: clientId }),
  decision: (id: string) => ({ pk: `DEC#${id}`, sk: 'META' }),
  /** one event of a decision's history, beside it in its partition; ordered by time */
  historyEvent: (decisionId: string, at: string, suffix: string) => ({ pk: `DEC#${decisionId}`, sk: `EV#${at}#${suffix}` }),
  /** on the case number's normalized form: full-width digits or extra spaces do not make a new case */
  caseNumber: (agencyId: string, caseNumber: string) => ({ pk: `CASE#${agencyId}#${caseNumberKey(caseNumber)}`, sk: 'CASE' }),
  idempotency: (scope: string, key: string) => ({ pk: `IDEM#${scope}#${key}`, sk: 'IDEM' }),
  filingCounter: (jurisdictionId: string, year: number) => ({ pk: `COUNTER#${jurisdictionId}#${year}`, sk: 'COUNTER' }),
  notice: (id: string) => ({ pk: `NOTICE#${id}`, sk: 'NOTICE' }),
  /** a national holiday schedule an admin loaded (PUT /v1/calendar/{year}); all years in one small partition */
  calendarYear: (year: number) => ({ pk: 'CAL', sk: String(year) }),
  /** every version of a year ever loaded, kept for good (who loaded what, when) */
  calendarVersion: (year: number, loadedAt: string) => ({ pk: 'CALHIST', sk: `${year}#${loadedAt}` }),
  /** the statistics counters of one agency's decisions decided in one month; one partition per jurisdiction */
  stats: (jurisdictionId: string, month: string, agencyId: string) => ({ pk: `STATS#${jurisdictionId}`, sk: `${month}#${agencyId}` }),
  /** one line of a sweep digest: what the sweep of `day` did for one decision, until a digest notice lists it */
  digestEntry: (jurisdictionId: string, day: string, kind: string, recipientKey: string, decisionId: string) => ({
    pk: `DIGEST#${jurisdictionId}#${day}`,
    sk: `${kind}#${recipientKey}#${decisionId}`,
  }),

  /** an agency's writes of one kind on a Shanghai day, against its jurisdiction's daily quota; expires */
  dailyQuota: (agencyId: string, what: string, day: string) => ({ pk: `QUOTA#${agencyId}#${what}#${day}`, sk: 'QUOTA' }),
  /** a caller's requests in one window of the API's rate limit; expires */
  rateWindow: (callerKey: string, window: number) => ({ pk: `RATE#${callerKey}#${window}`, sk: 'RATE' }),
  /** mails sent for an agency on a Shanghai day, against its cap; expires */
  mailCount: (agencyId: string, day: string) => ({ pk: `MAILCOUNT#${agencyId}#${day}`, sk: 'COUNT' }),
};

/**
 * Attributes kept on a jurisdiction's item beside its rules, so the daily sweep gets all it needs from one
 * write (its begin) and reads only what is due: `ag#<agencyId>` {name, contactEmails} (kept by PUT
 * /v1/agencies), `run#<runId>` the day of a sweep in progress, `lastCompletedOn`, `calendarYears`.
 * They are never shown by the API.
 */
export const JURISDICTION_AGENCY_PREFIX = 'ag#';
export const JURISDICTION_RUN_PREFIX = 'run#';
export const JURISDICTION_SWEEP_FIELDS = ['lastCompletedOn', 'calendarYears'] as const;

/**
 * The `due` index is a work list with two kinds of partitions, each sparse:
 * - `JUR#<jurisdiction>#OPEN`, sorted by due date: decisions whose filing is still awaited (or incomplete);
 * - `SUBMITTED`, sorted by submission time: filings accepted but not yet processed (the reconciler's list).
 */
export const SUBMITTED_PARTITION = 'SUBMITTED';
export const openDueKeys = (d: { jurisdictionId: string; filingDueOn: string | null; id: string }) => ({
  duePk: `JUR#${d.jurisdictionId}#OPEN`,
  dueSk: `${d.filingDueOn}#${d.id}`,
});

/** Sort key of the list indexes: newest decision first when read backwards. */
export const decisionSortKey = (d: { decidedOn: string; createdAt: string; id: string }) => `${d.decidedOn}#${d.createdAt}#${d.id}`;

/** The list index and partition of a scope (one agency, one jurisdiction, all), narrowed to one status when given. */
export function listPartition(scope: ListScope, status?: string): { index: IndexName; partition: string } {
  // all by status is ALL#<status>, not DEC#…: that is the decision items' prefix, which other functions may touch
  if (scope === 'all') return status ? { index: 'allByStatus', partition: `ALL#${status}` } : { index: 'all', partition: 'DEC' };
  if ('agencyId' in scope) {
    return status ? { index: 'byAgencyStatus', partition: `AG#${scope.agencyId}#${status}` } : { index: 'byAgency', partition: `AG#${scope.agencyId}` };
  }
  return status
    ? { index: 'byJurisdictionStatus', partition: `JUR#${scope.jurisdictionId}#${status}` }
    : { index: 'byJurisdiction', partition: `JUR#${scope.jurisdictionId}` };
}

/** Partitions of the status list indexes (byAgencyStatus, byJurisdictionStatus, allByStatus): they move with the status. */
export const statusIndexKeys = (d: { agencyId: string; jurisdictionId: string }, status: string) => ({
  gsi4pk: listPartition({ agencyId: d.agencyId }, status).partition,
  gsi5pk: listPartition({ jurisdictionId: d.jurisdictionId }, status).partition,
  gsi6pk: listPartition('all', status).partition,
});

/**
 * The same as an update: `SET status = :status, <the status index keys>` with its values, for every write
 * that changes a decision's status (so its status lists follow in the same write).
 */
export function setStatus(d: { agencyId: string; jurisdictionId: string }, status: string): { expression: string; values: Record<string, string> } {
  const k = statusIndexKeys(d, status);
  return {
    expression: '#status = :status, gsi4pk = :gsi4pk, gsi5pk = :gsi5pk, gsi6pk = :gsi6pk',
    values: { ':status': status, ':gsi4pk': k.gsi4pk, ':gsi5pk': k.gsi5pk, ':gsi6pk': k.gsi6pk },
  };
}

export const decisionIndexKeys = (d: { agencyId: string; jurisdictionId: string; decidedOn: string; createdAt: string; id: string; status: string; filingDueOn: string | null }) => {
  const sk = decisionSortKey(d);
  return {
    gsi1pk: listPartition({ agencyId: d.agencyId }).partition,
    gsi1sk: sk,
    gsi2pk: listPartition({ jurisdictionId: d.jurisdictionId }).partition,
    gsi2sk: sk,
    gsi3pk: listPartition('all').partition,
    gsi3sk: sk,
    ...statusIndexKeys(d, d.status),
    // sparse: present only while a filing is awaited, so the deadline sweep reads only open items
    ...((d.status === 'AWAITING_FILING' || d.status === 'INCOMPLETE' || d.status === 'OVERDUE') && d.filingDueOn && openDueKeys(d)),
  };
};
