/**
 * The one definition of the Beian table. The CDK app, the local runner and the repositories all read it,
 * so a key or an index is named in exactly one place.
 *
 * Items (pk / sk):
 * - jurisdiction      JUR / <jurisdictionId>
 * - agency            AGENCY / <agencyId>
 * - app client link   CLIENT / <clientId>                 -> agencyId (how an agency's machine token maps to it)
 * - decision          DEC#<id> / META                     byAgency, byJurisdiction, all, due (sparse)
 * - case uniqueness   CASE#<agencyId>#<caseNumber> / CASE -> decisionId
 * - idempotency       IDEM#<scope>#<key> / IDEM           request hash + stored response, expires via TTL
 * - filing counter    COUNTER#<jurisdictionId>#<year> / COUNTER
 * - notice (outbox)   NOTICE#<id> / NOTICE                 written with the change it reports; sent from the stream
 * - digest entry      DIGEST#<jurisdictionId>#<day> / <kind>#<recipient>#<decisionId>   a sweep's line for a digest; expires
 * - (on the jurisdiction item: ag#<agencyId> {name, contactEmails}, run#<runId>, lastCompletedOn, calendarYears: see keys.ts)
 * - daily quota       QUOTA#<agencyId>#<decisions|filings>#<day> / QUOTA                counted with each write; expires
 * - rate window       RATE#<caller>#<window> / RATE                                    a caller's requests in a window; expires
 * - mail count        MAILCOUNT#<agencyId>#<day> / COUNT                               mails sent for an agency that day (its cap); expires
 */
export const tableDefinition = {
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLiveAttribute: 'expiresAt',
  /** the change stream: new images feed the notice sender (the outbox of receipts and other mail) */
  stream: 'NEW_IMAGE',
  globalSecondaryIndexes: [
    { indexName: 'byAgency', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { indexName: 'byJurisdiction', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    { indexName: 'all', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
    { indexName: 'due', partitionKey: 'duePk', sortKey: 'dueSk' },
  ],
} as const;

export type IndexName = (typeof tableDefinition.globalSecondaryIndexes)[number]['indexName'];
