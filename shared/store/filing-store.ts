/**
 * Filing writes. Each state change is one conditional transaction, so a crash or a redelivered message
 * can never leave half a change or make a second one:
 * - submit: decision -> SUBMITTED (+ idempotency record), only from AWAITING_FILING or INCOMPLETE;
 * - register: counter +1, decision -> RECEIVED with that number, receipt notice queued in the outbox,
 *   only while the same submission is still SUBMITTED: numbers are gapless and never given twice;
 * - incomplete: decision -> INCOMPLETE with the missing documents, same condition.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type CreateOutcome, sleep, strip, unmarshallStored } from './beian-store.ts';
import { SUBMITTED_PARTITION, keys, openDueKeys } from './keys.ts';
import type { DecisionRecord, DecisionStatus, FilingState, IdempotentResponse } from './records.ts';

export interface Notice {
  id: string;
  kind: 'RECEIPT';
  decisionId: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  status: 'PENDING' | 'SENDING' | 'SENT' | 'NO_RECIPIENT';
  /** while SENDING: the claim lapses then, so a crashed sender's notice is sent by the next delivery */
  claimedUntil?: string;
  createdAt: string;
  sentAt?: string;
  messageId?: string;
}

export type SubmitOutcome = Exclude<CreateOutcome, { kind: 'duplicate-case' }> | { kind: 'wrong-status'; status: DecisionStatus };
export type ProcessOutcome = 'done' | 'stale';

const OPEN_FOR_FILING: DecisionStatus[] = ['AWAITING_FILING', 'INCOMPLETE'];
const MAX_ATTEMPTS = 60;

export class FilingStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  async submit(decision: DecisionRecord, filing: FilingState, idempotency?: { scope: string; key: string; response: IdempotentResponse }): Promise<SubmitOutcome> {
    const now = Math.floor(Date.parse(filing.submittedAt) / 1000);
    const items = [
      {
        Update: {
          TableName: this.tableName,
          Key: keys.decision(decision.id),
          UpdateExpression: 'SET #status = :submitted, filing = :filing, updatedAt = :at, duePk = :duePk, dueSk = :dueSk',
          ConditionExpression: 'attribute_exists(pk) AND #status IN (:awaiting, :incomplete)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':submitted': 'SUBMITTED',
            ':filing': filing,
            ':at': filing.submittedAt,
            ':duePk': SUBMITTED_PARTITION,
            ':dueSk': `${filing.submittedAt}#${decision.id}`,
            ':awaiting': OPEN_FOR_FILING[0],
            ':incomplete': OPEN_FOR_FILING[1],
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
        },
      },
      ...(idempotency
        ? [
            {
              Put: {
                TableName: this.tableName,
                Item: { ...keys.idempotency(idempotency.scope, idempotency.key), ...idempotency.response, expiresAt: now + 24 * 3600 },
                ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
                ExpressionAttributeValues: { ':now': now },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
              },
            },
          ]
        : []),
    ];
    for (let attempt = 0; ; attempt++) {
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: items }));
        return { kind: 'created' };
      } catch (e) {
        if (!(e instanceof TransactionCanceledException)) throw e;
        const [update, idem] = e.CancellationReasons ?? [];
        if (idem?.Code === 'ConditionalCheckFailed' && idem.Item) return { kind: 'idempotent-replay', stored: unmarshallStored(idem.Item) };
        if (update?.Code === 'ConditionalCheckFailed') return { kind: 'wrong-status', status: (update.Item?.status?.S ?? 'AWAITING_FILING') as DecisionStatus };
        if ((e.CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict') && attempt < 8) {
          await sleep(10 + Math.random() * 20 * 2 ** Math.min(attempt, 4));
          continue;
        }
        throw e;
      }
    }
  }

  /** Registers the submission under the next number of (jurisdiction, year), with its receipt in the outbox. */
  async register(
    decision: DecisionRecord,
    submissionId: string,
    year: number,
    numberFor: (sequence: number) => string,
    receipt: (filingNumber: string) => Notice,
    registeredAt: string,
  ): Promise<{ outcome: ProcessOutcome; filingNumber?: string; notice?: Notice }> {
    const counterKey = keys.filingCounter(decision.jurisdictionId, year);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const counter = await this.db.send(new GetCommand({ TableName: this.tableName, Key: counterKey, ConsistentRead: true }));
      const current = Number(counter.Item?.sequence ?? 0);
      const filingNumber = numberFor(current + 1);
      const notice = receipt(filingNumber);
      try {
        await this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.tableName,
                  Key: counterKey,
                  UpdateExpression: 'SET #seq = :next',
                  ConditionExpression: current === 0 ? 'attribute_not_exists(#seq)' : '#seq = :current',
                  ExpressionAttributeNames: { '#seq': 'sequence' },
                  ExpressionAttributeValues: { ':next': current + 1, ...(current !== 0 && { ':current': current }) },
                },
              },
              {
                Update: {
                  TableName: this.tableName,
                  Key: keys.decision(decision.id),
                  UpdateExpression:
                    'SET #status = :received, filing.filingNumber = :number, filing.registeredAt = :at, filing.checkedAt = :at, updatedAt = :at REMOVE duePk, dueSk',
                  ConditionExpression: '#status = :submitted AND filing.submissionId = :sid',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':received': 'RECEIVED', ':number': filingNumber, ':at': registeredAt, ':submitted': 'SUBMITTED', ':sid': submissionId },
                },
              },
              { Put: { TableName: this.tableName, Item: { ...keys.notice(notice.id), ...notice }, ConditionExpression: 'attribute_not_exists(pk)' } },
            ],
          }),
        );
        return { outcome: 'done', filingNumber, notice };
      } catch (e) {
        if (!(e instanceof TransactionCanceledException)) throw e;
        const [counterReason, decisionReason] = e.CancellationReasons ?? [];
        if (decisionReason?.Code === 'ConditionalCheckFailed') return { outcome: 'stale' };
        if (counterReason?.Code === 'ConditionalCheckFailed' || (e.CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict')) {
          await sleep(Math.random() * 10 * 2 ** Math.min(attempt, 5)); // another registration took this number: read again
          continue;
        }
        throw e;
      }
    }
    throw new Error(`could not take a filing number for ${decision.jurisdictionId}/${year} after ${MAX_ATTEMPTS} attempts`);
  }

  /** The submission lacks documents: INCOMPLETE, and the deadline is open again. */
  async markIncomplete(decision: DecisionRecord, submissionId: string, missing: string[], checkedAt: string): Promise<ProcessOutcome> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.decision(decision.id),
          UpdateExpression: 'SET #status = :incomplete, filing.missingDocuments = :missing, filing.checkedAt = :at, updatedAt = :at, duePk = :duePk, dueSk = :dueSk',
          ConditionExpression: '#status = :submitted AND filing.submissionId = :sid',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':incomplete': 'INCOMPLETE', ':missing': missing, ':at': checkedAt, ':submitted': 'SUBMITTED', ':sid': submissionId, ...prefixKeys(openDueKeys(decision)) },
        }),
      );
      return 'done';
    } catch (e) {
      if ((e as Error).name === 'ConditionalCheckFailedException') return 'stale';
      throw e;
    }
  }

  async getNotice(id: string): Promise<Notice | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.notice(id), ConsistentRead: true }));
    return strip<Notice>(out.Item);
  }

  /**
   * Claims a notice for sending: only one delivery at a time may send it. A claim lapses after
   * `leaseSeconds`, so a sender that crashed before sending does not block the notice for ever.
   */
  async claimNotice(id: string, now: Date, leaseSeconds: number): Promise<Notice | undefined> {
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.notice(id),
          UpdateExpression: 'SET #status = :sending, claimedUntil = :until',
          ConditionExpression: '#status = :pending OR (#status = :sending AND claimedUntil < :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':sending': 'SENDING',
            ':pending': 'PENDING',
            ':now': now.toISOString(),
            ':until': new Date(now.getTime() + leaseSeconds * 1000).toISOString(),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return strip<Notice>(out.Attributes);
    } catch (e) {
      if ((e as Error).name === 'ConditionalCheckFailedException') return undefined;
      throw e;
    }
  }

  /** Records that the claimed notice went out (or had nobody to go to). */
  async markNoticeSent(id: string, status: 'SENT' | 'NO_RECIPIENT', sentAt: string, messageId?: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.notice(id),
        UpdateExpression: `SET #status = :status, sentAt = :at${messageId ? ', messageId = :mid' : ''} REMOVE claimedUntil`,
        ConditionExpression: '#status = :sending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': status, ':at': sentAt, ':sending': 'SENDING', ...(messageId && { ':mid': messageId }) },
      }),
    );
  }

  /** Submissions still SUBMITTED since before `before` (ISO instant), oldest first. */
  async submittedBefore(before: string, limit = 100): Promise<{ decisionId: string; submissionId: string }[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'due',
        KeyConditionExpression: 'duePk = :pk AND dueSk < :before',
        ExpressionAttributeValues: { ':pk': SUBMITTED_PARTITION, ':before': before },
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map((i) => ({ decisionId: i.id as string, submissionId: (i.filing as FilingState).submissionId }));
  }
}

const prefixKeys = (k: { duePk: string; dueSk: string }) => ({ ':duePk': k.duePk, ':dueSk': k.dueSk });
