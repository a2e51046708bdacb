/**
 * Filing writes. Each state change is one conditional transaction, so a crash or a redelivered message
 * can never leave half a change or make a second one:
 * - submit: decision -> SUBMITTED (+ idempotency record), only from AWAITING_FILING or INCOMPLETE;
 * - register: counter +1, decision -> RECEIVED with that number, receipt notice queued in the outbox,
 *   only while the same submission is still SUBMITTED: numbers are gapless and never given twice;
 * - incomplete: decision -> INCOMPLETE with the missing documents, same condition.
 */
import { noticeItem } from './notice-item.ts';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { strip } from './beian-store.ts';
import { idempotencyPut, sleep, storedResponse, transact } from './transactions.ts';
import { SUBMITTED_PARTITION, keys, openDueKeys, setStatus } from './keys.ts';
import { eventPut } from './history.ts';
import { statsUpdate } from './stats.ts';
import { type HistoryEvent, SYSTEM, historyEvent, noticeDetail } from '../domain/history.ts';
import type { DecisionRecord, DecisionStatus, FilingState, IdempotencyRecord, MissingDocument, Notice } from '../domain/records.ts';
import type { FirstFiling } from '../domain/statistics.ts';
import type { FilingWrites, ProcessOutcome, SubmitOutcome } from '../use-cases/filings.ts';
import type { Outbox } from '../use-cases/notices.ts';
import { NOTICE_RETENTION_DAYS, env } from '../../functions/manifest.ts';

/** The statistics' record of a decision's first registered filing. */
function firstFilingOf(d: DecisionRecord): FirstFiling {
  const f = d.filing!;
  return { filedOn: f.filedOn, onTime: f.onTime, workingDaysLate: f.workingDaysLate, ...(f.workingDaysToFile !== undefined && { workingDaysToFile: f.workingDaysToFile }) };
}

const MAX_ATTEMPTS = 60;

export class FilingStore implements FilingWrites, Outbox {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    readonly tableName: string,
    /** days a notice is kept once sent (NOTICE_RETENTION_DAYS in AWS) */
    private readonly noticeRetentionDays = Number(process.env[env.noticeRetentionDays]) || NOTICE_RETENTION_DAYS,
  ) {}

  /**
   * `deadline`: the due date as counted now (a provisional one may have changed since the report).
   * Conditional on the status the caller read, so the events' statusBefore is exact; `events` are the
   * submission's (and a recomputed deadline's), written in the same transaction.
   */
  async submit(
    decision: DecisionRecord,
    filing: FilingState,
    deadline: { filingDueOn: string; dueProvisional: boolean },
    events: HistoryEvent[],
    idempotency?: IdempotencyRecord,
  ): Promise<SubmitOutcome> {
    const status = setStatus(decision, 'SUBMITTED');
    const result = await transact(this.db, [
      {
        Update: {
          TableName: this.tableName,
          Key: keys.decision(decision.id),
          UpdateExpression: `SET ${status.expression}, filing = :filing, updatedAt = :at, duePk = :duePk, dueSk = :dueSk, filingDueOn = :dueOn, dueProvisional = :provisional`,
          ConditionExpression: 'attribute_exists(pk) AND #status = :seen',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ...status.values,
            ':filing': filing,
            ':at': filing.submittedAt,
            ':duePk': SUBMITTED_PARTITION,
            ':dueSk': `${filing.submittedAt}#${decision.id}`,
            ':dueOn': deadline.filingDueOn,
            ':provisional': deadline.dueProvisional,
            ':seen': decision.status,
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      ...(idempotency ? [idempotencyPut(this.tableName, idempotency, filing.submittedAt)] : []),
      ...events.map((e) => eventPut(this.tableName, decision.id, e)),
      // an overdue decision being filed leaves "overdue and unfiled"
      ...statsUpdate(this.tableName, decision, decision, { ...decision, status: 'SUBMITTED' }),
    ]);
    if (result.ok) return { kind: 'created' };
    const stored = idempotency ? storedResponse(result.reasons[1]) : undefined;
    if (stored) return { kind: 'idempotent-replay', stored };
    return { kind: 'wrong-status', status: (result.reasons[0]?.Item?.status?.S ?? 'AWAITING_FILING') as DecisionStatus };
  }

  /** Registers the submission under the next number of (jurisdiction, year), with its receipt in the outbox. */
  async register(
    decision: DecisionRecord,
    submissionId: string,
    year: number,
    numberFor: (sequence: number) => string,
    receipt: (filingNumber: string) => Notice,
    registeredAt: string,
  ): Promise<{ outcome: ProcessOutcome; filingNumber?: string }> {
    const counterKey = keys.filingCounter(decision.jurisdictionId, year);
    const received = setStatus(decision, 'RECEIVED');
    // the first registered filing is what the statistics count: on time or late, and how long it took
    const first = decision.firstFiling ?? (decision.filing && !decision.filing.correction ? firstFilingOf(decision) : undefined);
    const counted = statsUpdate(this.tableName, decision, decision, { ...decision, status: 'RECEIVED', firstFiling: first });
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
                  UpdateExpression: `SET ${received.expression}, filing.filingNumber = :number, filing.registeredAt = :at, filing.checkedAt = :at, updatedAt = :at${first && !decision.firstFiling ? ', firstFiling = :first' : ''} REMOVE duePk, dueSk`,
                  ConditionExpression: '#status = :submitted AND filing.submissionId = :sid',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: {
                    ...received.values, ':number': filingNumber, ':at': registeredAt, ':submitted': 'SUBMITTED', ':sid': submissionId,
                    ...(first && !decision.firstFiling && { ':first': first }),
                  },
                },
              },
              { Put: { TableName: this.tableName, Item: noticeItem(notice), ConditionExpression: 'attribute_not_exists(pk)' } },
              eventPut(this.tableName, decision.id, historyEvent('RECEIVED', registeredAt, SYSTEM.processor, 'SUBMITTED', 'RECEIVED', `registered as ${filingNumber}`)),
              eventPut(this.tableName, decision.id, historyEvent('NOTICE_WRITTEN', registeredAt, SYSTEM.processor, 'RECEIVED', 'RECEIVED', noticeDetail(notice))),
              ...counted,
            ],
          }),
        );
        return { outcome: 'done', filingNumber };
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

  /**
   * The submission lacks documents: INCOMPLETE, and the deadline is open again; a correction that lacks
   * them is back to CORRECTION_REQUIRED, its correction deadline open again.
   */
  async markIncomplete(decision: DecisionRecord, submissionId: string, missing: MissingDocument[], checkedAt: string): Promise<ProcessOutcome> {
    const correction = decision.filing?.correction === true && !!decision.correctionDueOn;
    const next = correction ? 'CORRECTION_REQUIRED' : 'INCOMPLETE';
    const status = setStatus(decision, next);
    const open = openDueKeys({ ...decision, filingDueOn: correction ? decision.correctionDueOn! : decision.filingDueOn });
    const result = await transact(this.db, [
      {
        Update: {
          TableName: this.tableName,
          Key: keys.decision(decision.id),
          UpdateExpression: `SET ${status.expression}, filing.missingDocuments = :missing, filing.checkedAt = :at, updatedAt = :at, duePk = :duePk, dueSk = :dueSk`,
          ConditionExpression: '#status = :submitted AND filing.submissionId = :sid',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ...status.values, ':missing': missing, ':at': checkedAt, ':submitted': 'SUBMITTED', ':sid': submissionId, ...prefixKeys(open) },
        },
      },
      eventPut(this.tableName, decision.id, historyEvent('INCOMPLETE', checkedAt, SYSTEM.processor, 'SUBMITTED', next, `documents missing: ${missing.map((m) => m.kind).join(', ')}`)),
    ]);
    return result.ok ? 'done' : 'stale';
  }

  async getNotice(id: string): Promise<Notice | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.notice(id), ConsistentRead: true }));
    return strip<Notice>(out.Item);
  }

  /**
   * Claims a notice for sending: only one delivery at a time may send it. A claim lapses after
   * `leaseSeconds`, so a sender that crashed before sending does not block the notice for ever.
   * `busyUntil`: another delivery holds the claim until then; `done`: already sent; `absent`: no such notice.
   */
  async claimNotice(id: string, now: Date, leaseSeconds: number): Promise<Notice | { busyUntil: string } | 'done' | 'absent'> {
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
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return strip<Notice>(out.Attributes)!;
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      const status = e.Item?.status?.S;
      if (status === 'SENDING') return { busyUntil: e.Item?.claimedUntil?.S ?? now.toISOString() };
      return status === undefined ? 'absent' : 'done';
    }
  }

  /** Gives a claimed notice back (its send failed), so the next delivery sends it at once. */
  async releaseNotice(id: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.notice(id),
        UpdateExpression: 'SET #status = :pending REMOVE claimedUntil',
        ConditionExpression: '#status = :sending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pending': 'PENDING', ':sending': 'SENDING' },
      }),
    );
  }

  /**
   * Counts one mail against an agency's cap for a Shanghai day; false when the cap is reached (nothing
   * counted). The counter item expires a few days later.
   */
  async countAgencyMail(agencyId: string, day: string, cap: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.mailCount(agencyId, day),
          UpdateExpression: 'ADD #count :one SET expiresAt = if_not_exists(expiresAt, :expires)',
          ConditionExpression: 'attribute_not_exists(#count) OR #count < :cap',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':one': 1, ':cap': cap, ':expires': Math.floor(Date.parse(`${day}T00:00:00+08:00`) / 1000) + 7 * 86_400 },
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }

  /**
   * Records that the claimed notice went out (or had nobody to go to, or was over the cap). A sent notice
   * about decisions (a receipt, a review outcome, a digest: at most 99 decisions) is an event in each one's
   * history, in the same transaction.
   */
  async markNoticeSent(
    id: string,
    status: 'SENT' | 'NO_RECIPIENT' | 'SUPPRESSED',
    sentAt: string,
    messageId?: string,
    notice?: Pick<Notice, 'kind' | 'to' | 'decisionId' | 'decisionIds'>,
  ): Promise<void> {
    // kept for the retention the operator guide states, then removed by TTL; a notice not sent is never removed
    const expiresAt = Math.floor(Date.parse(sentAt) / 1000) + this.noticeRetentionDays * 86_400;
    const about = status === 'SENT' && notice && notice.kind !== 'WEEKLY_SUMMARY' ? [...new Set([...(notice.decisionId ? [notice.decisionId] : []), ...(notice.decisionIds ?? [])])] : [];
    const result = await transact(this.db, [
      {
        Update: {
          TableName: this.tableName,
          Key: keys.notice(id),
          UpdateExpression: `SET #status = :status, sentAt = :at, expiresAt = :expires${messageId ? ', messageId = :mid' : ''} REMOVE claimedUntil`,
          ConditionExpression: '#status = :sending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': status, ':at': sentAt, ':expires': expiresAt, ':sending': 'SENDING', ...(messageId && { ':mid': messageId }) },
        },
      },
      ...about.slice(0, 99).map((decisionId) => eventPut(this.tableName, decisionId, historyEvent('NOTICE_SENT', sentAt, SYSTEM.notices, null, null, noticeDetail(notice!)))),
    ]);
    // as the single update did: the claim was lost (it lapsed and another delivery took it)
    if (!result.ok) throw new ConditionalCheckFailedException({ message: `notice ${id} is no longer claimed by this delivery`, $metadata: {} });
  }

  /**
   * Submissions still SUBMITTED since before `before` (ISO instant), oldest first, leaving out those
   * already re-queued `maxRequeues` times (their messages wait in the dead-letter queue for a person).
   */
  async submittedBefore(before: string, maxRequeues: number, limit = 100): Promise<{ decisionId: string; submissionId: string; requeues: number }[]> {
    const found: { decisionId: string; submissionId: string; requeues: number }[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'due',
          KeyConditionExpression: 'duePk = :pk AND dueSk < :before',
          FilterExpression: 'attribute_not_exists(filing.requeues) OR filing.requeues < :max',
          ExpressionAttributeValues: { ':pk': SUBMITTED_PARTITION, ':before': before, ':max': maxRequeues },
          Limit: limit,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const i of out.Items ?? []) {
        const filing = i.filing as FilingState;
        found.push({ decisionId: i.id as string, submissionId: filing.submissionId, requeues: filing.requeues ?? 0 });
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey && found.length < limit);
    return found.slice(0, limit);
  }

  /**
   * A submission that waits for its documents' verification and was re-queued by the processor itself: its
   * place in the reconciler's list moves to `at`, so the reconciler does not queue it a second time meanwhile.
   */
  async markWaiting(decisionId: string, submissionId: string, at: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.decision(decisionId),
          UpdateExpression: 'SET dueSk = :sk',
          ConditionExpression: '#status = :submitted AND filing.submissionId = :sid',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':sk': `${at}#${decisionId}`, ':submitted': 'SUBMITTED', ':sid': submissionId },
        }),
      );
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e; // processed meanwhile
    }
  }

  /** Counts a re-queue of the submission; false when it is no longer SUBMITTED or was counted meanwhile. */
  async countRequeue(decisionId: string, submissionId: string, requeues: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.decision(decisionId),
          UpdateExpression: 'SET filing.requeues = :next',
          ConditionExpression: '#status = :submitted AND filing.submissionId = :sid AND (attribute_not_exists(filing.requeues) OR filing.requeues = :seen)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':next': requeues + 1, ':seen': requeues, ':submitted': 'SUBMITTED', ':sid': submissionId },
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }
}

const prefixKeys = (k: { duePk: string; dueSk: string }) => ({ ':duePk': k.duePk, ':dueSk': k.dueSk });
