/** The outcome of a filing's review (审查结果): accepted (予以备案) or a correction ordered (责令纠正), in Chinese. */
import type { DecisionRecord, ReviewState } from '../domain/records.ts';
import { agencyText } from './digests.ts';
import { type RenderedMail, officialLetter } from './receipt.ts';

const COMMENTS_MAX = 2000;

export function renderReviewOutcome(
  decision: Pick<DecisionRecord, 'id' | 'caseNumber' | 'decidedOn' | 'filing' | 'correctionDueOn' | 'correctionDueProvisional'>,
  review: ReviewState,
  agencyName: string,
): RenderedMail {
  const accepted = review.outcome === 'ACCEPTED';
  // reviewers' comments are people's text: cleaned and bounded like agency text; never in the subject
  const comments = agencyText(review.comments, COMMENTS_MAX);
  const due = `${decision.correctionDueOn ?? ''}${decision.correctionDueProvisional ? '（暂定：该年度法定节假日安排尚未公布）' : ''}`;
  const subject = accepted ? `【予以备案】备案审查结果（${review.reviewedOn}）` : `【责令纠正】备案审查结果（${review.reviewedOn}）`;
  const lead = accepted
    ? '你单位报送的重大行政执法决定备案材料经审查，予以备案。'
    : `你单位报送的重大行政执法决定备案材料经审查，发现问题，责令纠正。请在 ${due} 前纠正，并通过 PUT /v1/decisions/${decision.id}/filing 重新提交备案材料。`;
  const rows: [string, string][] = [
    ['备案号', decision.filing?.filingNumber ?? '—'],
    ['案号', agencyText(decision.caseNumber, 100)],
    ['决定日期', decision.decidedOn],
    ['审查结果', accepted ? '予以备案' : '责令纠正'],
    ...(accepted ? [] : ([['整改期限', due]] as [string, string][])),
    ['审查意见', comments || '—'],
    ['审查日期', review.reviewedOn],
    ['决定编号', decision.id],
  ];
  return { subject, ...officialLetter(agencyName, lead, rows) };
}
