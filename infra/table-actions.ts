/**
 * The DynamoDB actions each kind of table access grants, and the partition keys each function may touch.
 * Explicit action lists instead of grantReadData / grantReadWriteData: those add Scan, DescribeTable and
 * stream reads, and an `index/*` wildcard.
 * Transactions need no action of their own: DynamoDB checks the Put/Update/Delete/ConditionCheck of each
 * item. Kept apart from the CDK construct so tests can check the code's calls against it cheaply.
 */
import { tableDefinition } from '../shared/store/table-definition.ts';

export type TableAccess = 'read' | 'readWrite';

export const TABLE_ACTIONS: Record<TableAccess, readonly string[]> = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
  readWrite: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:ConditionCheckItem',
  ],
};

/**
 * Deleting is granted apart, and only where a function deletes: the API removes an app client's link
 * (CLIENT). No other function may delete, and none may delete a decision's history events (DEC#…):
 * BatchWriteItem (which can delete) is granted to none.
 */
export const TABLE_DELETE_PREFIXES: Readonly<Record<string, readonly string[]>> = {
  api: ['CLIENT'],
};

/**
 * The partition keys each function may touch, as `dynamodb:LeadingKeys` patterns (IAM StringLike: `*` is any
 * run of characters). The grant of a function listed here carries the condition
 * `ForAllValues:StringLike: { dynamodb:LeadingKeys: [...] }`; for a Query on an index, DynamoDB checks the
 * index's partition key, so the index partitions the function queries are listed too (`AG#…`, `JUR#…`, `ALL#…`,
 * `DEC`, `JUR#…#OPEN`, `SUBMITTED`; shared/store/keys.ts). A function with a table need that is missing here
 * gets the whole table (test/infra/hardening.test.ts fails for one of functions/manifest.ts).
 *
 * From the code each function runs (handler -> shared/use-cases -> shared/store); a new key prefix in the
 * code is an AccessDenied in AWS until it is added here.
 */
export const TABLE_KEY_PREFIXES: Readonly<Record<string, readonly string[]>> = {
  // registry (JUR, AGENCY, CLIENT links), decisions and their case-number and idempotency items, the
  // per-caller rate windows and per-agency daily quotas; lists on the byAgency (AG#), byJurisdiction (JUR#)
  // and all (DEC) indexes and their by-status twins (AG#…#<status>, JUR#…#<status>, ALL#<status>). Not: filing-number counters, the outbox, digests, sweep state, mail counts: the
  // internet-facing function can neither forge a notice nor move a filing number or a mail cap. The one
  // notice it writes is a review outcome (NOTICE#review#…), in the review's own transaction. The statistics
  // counters (STATS#…) it reads for GET /v1/stats and adds to with reports, filings and reviews; the national
  // calendar years (CAL) it reads every minute and an admin loads, with every version loaded (CALHIST).
  api: ['JUR', 'AGENCY', 'CLIENT', 'DEC#*', 'CASE#*', 'IDEM#*', 'RATE#*', 'QUOTA#*', 'AG#*', 'JUR#*', 'DEC', 'ALL#*', 'NOTICE#review#*', 'STATS#*', 'CAL', 'CALHIST'],
  // the decision, its jurisdiction and agency, the filing-number counter, the receipt in the outbox, the
  // statistics counters (a registration counts the first filing)
  'process-filing': ['DEC#*', 'JUR', 'AGENCY', 'COUNTER#*', 'NOTICE#*', 'STATS#*'],
  // the documents of decisions (DEC#<id> / DOC#<documentId>) it settles, and their events
  'verify-document': ['DEC#*'],
  // the outbox, the per-agency daily mail count, and the NOTICE_SENT events in the decisions' histories
  // (written with the notice's mark, never changed)
  'send-notices': ['NOTICE#*', 'MAILCOUNT#*', 'DEC#*'],
  // the due index's SUBMITTED partition, and the re-queue count on the decision
  'reconcile-filings': ['SUBMITTED', 'DEC#*'],
  // the list of jurisdictions, the calendar-watch notice, the national years loaded at run time
  'sweep-deadlines': ['JUR', 'NOTICE#*', 'CAL'],
  // the jurisdiction and its agencies, its open deadlines (due index), the decisions, digest entries,
  // sweep state, the digest and weekly notices, the statistics counters (overdue flags), the national
  // years loaded at run time
  'sweep-jurisdiction': ['JUR', 'AGENCY', 'JUR#*#OPEN', 'DEC#*', 'DIGEST#*', 'NOTICE#*', 'STATS#*', 'CAL'],
};

/** Whether a partition key value matches one of `patterns` as IAM's StringLike matches it (`*` any run, `?` one character). */
export function leadingKeyAllowed(patterns: readonly string[], value: string): boolean {
  return patterns.some((pattern) => {
    const regex = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    return new RegExp(`^${regex}$`, 's').test(value);
  });
}

type Input = Record<string, any>;

/**
 * The partition key values (`dynamodb:LeadingKeys`) of one DynamoDB document-client command as a test
 * recorded it (`GetCommand` or `GetItemCommand`, `QueryCommand`, `TransactWriteItemsCommand`...): the item's `pk`, or for a Query
 * the value its key condition gives the partition key of the table or index it reads.
 */
export function leadingKeysOf(commandName: string, input: Input): string[] {
  const pkOf = (keyOrItem: Input | undefined) => (keyOrItem?.[tableDefinition.partitionKey] as string | undefined) ?? '';
  // the document client's name (GetCommand) or the service's (GetItemCommand), as the middleware stack sees it
  switch (commandName.replace(/Command$/, '').replace(/Items?$/, '')) {
    case 'Get':
    case 'Update':
    case 'Delete':
      return [pkOf(input.Key)];
    case 'Put':
      return [pkOf(input.Item)];
    case 'TransactWrite':
      return (input.TransactItems as Input[]).map((t) => {
        const op = Object.values(t)[0] as Input;
        return pkOf(op.Key ?? op.Item);
      });
    case 'BatchGet':
      return Object.values(input.RequestItems as Record<string, { Keys: Input[] }>).flatMap((r) => r.Keys.map(pkOf));
    case 'BatchWrite':
      return Object.values(input.RequestItems as Record<string, Input[]>).flatMap((requests) =>
        requests.map((r) => pkOf(r.PutRequest?.Item ?? r.DeleteRequest?.Key)),
      );
    case 'Query': {
      const index = tableDefinition.globalSecondaryIndexes.find((i) => i.indexName === input.IndexName);
      const attribute = index ? index.partitionKey : tableDefinition.partitionKey;
      const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
      for (const [, name, placeholder] of String(input.KeyConditionExpression).matchAll(/([#\w]+)\s*=\s*(:\w+)/g)) {
        if ((names[name!] ?? name) === attribute) return [String(input.ExpressionAttributeValues?.[placeholder!])];
      }
      return [''];
    }
    default:
      return []; // Scan and the rest carry no leading key (and no function is granted them)
  }
}
