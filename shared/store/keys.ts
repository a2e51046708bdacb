import { caseNumberKey } from '../domain/text.ts';

/** Key values of every item; the attribute names are in table-definition.ts. */
export const keys = {
  jurisdiction: (id: string) => ({ pk: 'JUR', sk: id }),
  agency: (id: string) => ({ pk: 'AGENCY', sk: id }),
  client: (clientId: string) => ({ pk: 'CLIENT', sk: clientId }),
  decision: (id: string) => ({ pk: `DEC#${id}`, sk: 'META' }),
  /** on the case number's normalized form: full-width digits or extra spaces do not make a new case */
  caseNumber: (agencyId: string, caseNumber: string) => ({ pk: `CASE#${agencyId}#${caseNumberKey(caseNumber)}`, sk: 'CASE' }),
  idempotency: (scope: string, key: string) => ({ pk: `IDEM#${scope}#${key}`, sk: 'IDEM' }),
  filingCounter: (jurisdictionId: string, year: number) => ({ pk: `COUNTER#${jurisdictionId}#${year}`, sk: 'COUNTER' }),
  notice: (id: string) => ({ pk: `NOTICE#${id}`, sk: 'NOTICE' }),
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

export const decisionIndexKeys = (d: { agencyId: string; jurisdictionId: string; decidedOn: string; createdAt: string; id: string; status: string; filingDueOn: string | null }) => {
  const sk = decisionSortKey(d);
  return {
    gsi1pk: `AG#${d.agencyId}`,
    gsi1sk: sk,
    gsi2pk: `JUR#${d.jurisdictionId}`,
    gsi2sk: sk,
    gsi3pk: 'DEC',
    gsi3sk: sk,
    // sparse: present only while a filing is awaited, so the deadline sweep reads only open items
    ...((d.status === 'AWAITING_FILING' || d.status === 'INCOMPLETE' || d.status === 'OVERDUE') && d.filingDueOn && openDueKeys(d)),
  };
};
