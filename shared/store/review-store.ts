/** The review of a filing: the decision's outcome, its outcome mail in the outbox and its events, all or nothing. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { HistoryEvent } from '../domain/history.ts';
import type { DecisionRecord, Notice, ReviewState } from '../domain/records.ts';
import type { ReviewWrites } from '../use-cases/review.ts';
import { eventPut } from './history.ts';
import { keys, openDueKeys, setStatus } from './keys.ts';
import { statsUpdate } from './stats.ts';
import { transact } from './transactions.ts';

export class ReviewStore implements ReviewWrites {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  /**
   * RECEIVED -> ACCEPTED or CORRECTION_REQUIRED, only from RECEIVED and the submission the reviewer read
   * (two reviewers at once: one wins). A correction opens its deadline on the `due` index. Returns the
   * decision's status when another change came first.
   */
  async record(
    d: DecisionRecord,
    review: ReviewState,
    correction: { correctionDueOn: string; correctionDueProvisional: boolean } | undefined,
    notice: Notice,
    events: HistoryEvent[],
  ): Promise<{ ok: true } | { ok: false; status: string }> {
    const status = setStatus(d, review.outcome);
    const open = correction && openDueKeys({ ...d, filingDueOn: correction.correctionDueOn });
    const result = await transact(this.db, [
      {
        Update: {
          TableName: this.tableName,
          Key: keys.decision(d.id),
          UpdateExpression: [
            `SET ${status.expression}, review = :review, updatedAt = :at`,
            ...(correction && open ? [', correctionDueOn = :cdue, correctionDueProvisional = :cprov, duePk = :duePk, dueSk = :dueSk'] : []),
            ' REMOVE correctionOverdueSince, correctionEscalatedOn',
            ...(correction ? [' ADD corrections :one'] : []),
          ].join(''),
          ConditionExpression: '#status = :received AND filing.submissionId = :sid',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ...status.values,
            ':review': review,
            ':at': review.reviewedAt,
            ':received': 'RECEIVED',
            ':sid': d.filing?.submissionId ?? '',
            ...(correction && { ':one': 1 }),
            ...(correction && open && { ':cdue': correction.correctionDueOn, ':cprov': correction.correctionDueProvisional, ':duePk': open.duePk, ':dueSk': open.dueSk }),
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      { Put: { TableName: this.tableName, Item: { ...keys.notice(notice.id), ...notice }, ConditionExpression: 'attribute_not_exists(pk)' } },
      ...events.map((e) => eventPut(this.tableName, d.id, e)),
      ...statsUpdate(this.tableName, d, d, { ...d, status: review.outcome, corrections: (d.corrections ?? 0) + (correction ? 1 : 0) }),
    ]);
    if (result.ok) return { ok: true };
    return { ok: false, status: result.reasons[0]?.Item?.status?.S ?? d.status };
  }
}
