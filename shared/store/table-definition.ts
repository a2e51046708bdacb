/**
 * The one definition of the Beian table. The CDK app, the local runner and the repositories all read it,
 * so a key or an index is named in exactly one place.
 *
 * Items (pk / sk):
 * - jurisdiction      JUR / <jurisdictionId>
 * - agency            AGENCY / <agencyId>
 * - app client link   CLIENT / <clientId>                 -> agencyId (how an agency's machine token maps to it)
 * - decision          DEC#<id> / META                     byAgency, byJurisdiction, all, by*Status, due (sparse)
 * - history event     DEC#<id> / EV#<at>#<n>               one per change of the decision, written with it; never changed
 * - case uniqueness   CASE#<agencyId>#<caseNumber> / CASE -> decisionId
 * - idempotency       IDEM#<scope>#<key> / IDEM           request hash + stored response, expires via TTL
 * - filing counter    COUNTER#<jurisdictionId>#<year> / COUNTER
 * - calendar year   CAL / <year>                        a national schedule an admin loaded (holiday-cn), with who and when
 * - calendar version CALHIST / <year>#<loadedAt>          every version ever loaded; never changed
 * - statistics      STATS#<jurisdictionId> / <YYYY-MM>#<agencyId>      counters of the decisions decided that month, kept with each change
 * - notice (outbox)   NOTICE#<id> / NOTICE                 written with the change it reports; sent from the stream
 * - digest entry      DIGEST#<jurisdictionId>#<day> / <kind>#<recipient>#<decisionId>   a sweep's line for a digest; expires
 * - (on the jurisdiction item: ag#<agencyId> {name, contactEmails}, run#<runId>, lastCompletedOn, calendarYears: see keys.ts)
 * - daily quota       QUOTA#<agencyId>#<decisions|filings>#<day> / QUOTA                counted with each write; expires
 * - rate window       RATE#<caller>#<window> / RATE                                    a caller's requests in a window; expires
 * - mail count        MAILCOUNT#<agencyId>#<day> / COUNT                               mails sent for an agency that day (its cap); expires
 */
import { DECISION_LIST_ATTRIBUTES } from '../domain/records.ts';

/** What a decision list shows (shared/domain/records.ts): all the list indexes project it. */
export { DECISION_LIST_ATTRIBUTES };

/**
 * The list indexes, two per scope (agency, jurisdiction, all): one over every decision of the scope, one
 * partitioned by status too, so a status filter is a key condition, not a filter over the scope's history.
 * All six sort by `decidedOn#createdAt#id` (newest first when read backwards). `due` is the sweep's and the
 * reconciler's work list and keeps whole items.
 */
export const tableDefinition = {
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLiveAttribute: 'expiresAt',
  /** the change stream: new images feed the notice sender (the outbox of receipts and other mail) */
  stream: 'NEW_IMAGE',
  globalSecondaryIndexes: [
    { indexName: 'byAgency', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', projection: DECISION_LIST_ATTRIBUTES },
    { indexName: 'byJurisdiction', partitionKey: 'gsi2pk', sortKey: 'gsi2sk', projection: DECISION_LIST_ATTRIBUTES },
    { indexName: 'all', partitionKey: 'gsi3pk', sortKey: 'gsi3sk', projection: DECISION_LIST_ATTRIBUTES },
    { indexName: 'byAgencyStatus', partitionKey: 'gsi4pk', sortKey: 'gsi1sk', projection: DECISION_LIST_ATTRIBUTES },
    { indexName: 'byJurisdictionStatus', partitionKey: 'gsi5pk', sortKey: 'gsi1sk', projection: DECISION_LIST_ATTRIBUTES },
    { indexName: 'allByStatus', partitionKey: 'gsi6pk', sortKey: 'gsi1sk', projection: DECISION_LIST_ATTRIBUTES },
    { indexName: 'due', partitionKey: 'duePk', sortKey: 'dueSk', projection: 'ALL' },
  ],
} as const;

export type IndexDefinition = (typeof tableDefinition.globalSecondaryIndexes)[number];
export type IndexName = (typeof tableDefinition.globalSecondaryIndexes)[number]['indexName'];
