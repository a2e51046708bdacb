/**
 * What Beian keeps: the registry, decisions with their filing and review, documents, notices, loaded
 * calendar years. Plain types, as the use cases handle them; the stores (shared/store/) persist them.
 */
import type { HolidayYear } from './calendar.ts';
import type { FilingReason } from './classify.ts';
import type { Actor } from './history.ts';
import type { FirstFiling } from './statistics.ts';
import type { LateExplanation } from './supervision.ts';
import type { AgencyBody, DecisionBody, JurisdictionBody } from '../schemas/api.ts';
import type { DocumentBody, DocumentKind, FilingBody } from '../schemas/filing.ts';

/** Supervision settings are optional on a stored record: one written before they existed takes the defaults. */
type SupervisionKeys = 'reminderWorkingDaysBefore' | 'escalationWorkingDaysOverdue' | 'dailyQuotaPerAgency';
export interface JurisdictionRecord extends Omit<JurisdictionBody, SupervisionKeys>, Partial<Pick<JurisdictionBody, SupervisionKeys>> {
  jurisdictionId: string;
  createdAt: string;
  updatedAt: string;
}

/** contactEmailDomains is optional on a stored record: one written before it existed allows none. */
export interface AgencyRecord extends Omit<AgencyBody, 'contactEmailDomains'>, Partial<Pick<AgencyBody, 'contactEmailDomains'>> {
  agencyId: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * AWAITING_FILING -> SUBMITTED (accepted, queued) -> RECEIVED (registered, numbered) or INCOMPLETE
 * (documents missing; resubmit -> SUBMITTED). NOT_REQUIRED decisions are recorded and never filed.
 * AWAITING_FILING or INCOMPLETE -> OVERDUE when the daily sweep finds the deadline passed; an overdue
 * decision can still be filed (late, with a reason).
 * RECEIVED -> ACCEPTED (reviewed, closed) or CORRECTION_REQUIRED (a correction ordered, due by
 * correctionDueOn; -> CORRECTION_OVERDUE when the sweep finds it passed); the agency answers by filing
 * again -> SUBMITTED -> RECEIVED (or back to CORRECTION_REQUIRED when documents are missing).
 */
export type DecisionStatus =
  | 'AWAITING_FILING'
  | 'NOT_REQUIRED'
  | 'SUBMITTED'
  | 'RECEIVED'
  | 'INCOMPLETE'
  | 'OVERDUE'
  | 'ACCEPTED'
  | 'CORRECTION_REQUIRED'
  | 'CORRECTION_OVERDUE';

/** The latest review of a decision's filing by the Legal Affairs Office. */
export interface ReviewState {
  outcome: 'ACCEPTED' | 'CORRECTION_REQUIRED';
  comments: string;
  reviewedAt: string;
  /** Shanghai date of the review */
  reviewedOn: string;
  /** the reviewer's token subject */
  reviewer: string;
  /** CORRECTION_REQUIRED: the working days given (the due date is correctionDueOn) */
  correctionWorkingDays?: number;
}

/** A file of a filing: declared by the agency, uploaded straight to S3, verified from its bytes. */
export interface DocumentRecord extends DocumentBody {
  documentId: string;
  decisionId: string;
  agencyId: string;
  /** the S3 key: ids only, no personal data */
  key: string;
  /** PENDING until the verifier has read the bytes; VERIFIED or REJECTED (with reason) after */
  status: 'PENDING' | 'VERIFIED' | 'REJECTED';
  reason?: string;
  createdAt: string;
  /** the upload URL's end: a document still PENDING some minutes after it was never uploaded */
  uploadExpiresAt: string;
  /** when the verifier (or a filing that found it never uploaded) settled it */
  checkedAt?: string;
  /** VERIFIED: when */
  verifiedAt?: string;
  /** the S3 object version the verifier read (a versioned bucket): the one downloads serve */
  versionId?: string;
}

/** What a filing keeps of each document it lists (as it was when filed). */
export type FiledDocument = Pick<DocumentRecord, 'documentId' | 'kind' | 'title' | 'fileName' | 'contentType' | 'sizeBytes' | 'sha256'>;
export const filedDocument = ({ documentId, kind, title, fileName, contentType, sizeBytes, sha256 }: FiledDocument): FiledDocument => ({
  documentId, kind, title, fileName, contentType, sizeBytes, sha256,
});

/** A required kind the processor found no VERIFIED document of, and why. */
export interface MissingDocument {
  kind: DocumentKind;
  reason: string;
}

export interface FilingState extends Omit<FilingBody, 'documents'> {
  documents: FiledDocument[];
  submissionId: string;
  submittedAt: string;
  /** Shanghai date of receipt */
  filedOn: string;
  onTime: boolean;
  workingDaysLate: number;
  /** working days d with decidedOn < d <= filedOn (absent on a filing stored before it was counted) */
  workingDaysToFile?: number;
  /** how many times this decision's filing was submitted */
  submissions: number;
  /** submitted in answer to a correction order: timeliness counts against correctionDueOn */
  correction?: boolean;
  /** how many times the reconciler queued this submission again */
  requeues?: number;
  filingNumber?: string;
  registeredAt?: string;
  missingDocuments?: MissingDocument[];
  checkedAt?: string;
}

export interface DecisionRecord extends DecisionBody {
  id: string;
  agencyId: string;
  jurisdictionId: string;
  status: DecisionStatus;
  filingRequired: boolean;
  filingReasons: FilingReason[];
  filingDueOn: string | null;
  dueProvisional: boolean;
  filing?: FilingState;
  /** OVERDUE: the day after the deadline */
  overdueSince?: string;
  /** the day the case was escalated to the jurisdiction's escalation addresses */
  escalatedOn?: string;
  lateExplanation?: LateExplanation;
  review?: ReviewState;
  /** how many documents the agency declared (at most MAX_DOCUMENTS_PER_DECISION) */
  documentCount?: number;
  /** how many corrections the Legal Affairs Office ordered */
  corrections?: number;
  /** the first filing that was registered (set once; a correction's resubmission does not replace it): what the statistics count */
  firstFiling?: FirstFiling;
  /** CORRECTION_REQUIRED / CORRECTION_OVERDUE: the correction is due by this day */
  correctionDueOn?: string;
  correctionDueProvisional?: boolean;
  /** CORRECTION_OVERDUE: the day after correctionDueOn */
  correctionOverdueSince?: string;
  /** the day the overdue correction was escalated */
  correctionEscalatedOn?: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * What a decision list shows, and all the list indexes project: a list page reads these small attributes,
 * not the decision's texts and filing (GET /v1/decisions/{id} has those). DynamoDB allows 100 projected
 * attributes over all indexes of a table; these 14 in six indexes take 84.
 */
export const DECISION_LIST_ATTRIBUTES = [
  'id',
  'agencyId',
  'jurisdictionId',
  'caseNumber',
  'kind',
  'measures',
  'party',
  'decidedOn',
  'status',
  'filingRequired',
  'filingDueOn',
  'dueProvisional',
  'overdueSince',
  'correctionDueOn',
] as const;

/** A decision as a list shows it: what the list indexes project (shared/store/table-definition.ts). */
export type DecisionSummary = Pick<DecisionRecord, (typeof DECISION_LIST_ATTRIBUTES)[number]>;

/** A stored response, replayed for a retry that carries the same Idempotency-Key and body. */
export interface IdempotentResponse {
  requestHash: string;
  statusCode: number;
  body: string;
  location?: string;
}

/** A response to keep with the write it answers, under its Idempotency-Key in a scope (the agency and the action). */
export interface IdempotencyRecord {
  scope: string;
  key: string;
  response: IdempotentResponse;
}

/** RECEIPT and REVIEW_OUTCOME: one decision; the others are digests of the daily sweep (many decisions, one mail). */
export type NoticeKind =
  | 'RECEIPT'
  | 'REVIEW_OUTCOME'
  | 'FILING_REMINDER'
  | 'FILING_OVERDUE'
  | 'ESCALATION'
  | 'CORRECTION_REMINDER'
  | 'CORRECTION_OVERDUE'
  | 'CORRECTION_ESCALATION'
  | 'WEEKLY_SUMMARY'
  | 'CALENDAR_WATCH';

/** A mail in the outbox: written PENDING in the transaction of the change it reports, sent once by send-notices. */
export interface Notice {
  id: string;
  kind: NoticeKind;
  /** the decision a receipt is about */
  decisionId?: string;
  /** the decisions a digest lists */
  decisionIds?: string[];
  /** the jurisdiction a sweep notice belongs to */
  jurisdictionId?: string;
  /** the agency whose activity the notice reports (receipts, its reminders and overdue digests): counted against its daily mail cap */
  agencyId?: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** SUPPRESSED: over the agency's daily mail cap, recorded and logged, not sent */
  status: 'PENDING' | 'SENDING' | 'SENT' | 'NO_RECIPIENT' | 'SUPPRESSED';
  /** while SENDING: the claim lapses then, so a crashed sender's notice is sent by the next delivery */
  claimedUntil?: string;
  createdAt: string;
  sentAt?: string;
  messageId?: string;
}

/** A year of the national holiday schedule an admin loaded (PUT /v1/calendar/{year}). */
export interface LoadedYear {
  year: number;
  /** the year file as loaded (holiday-cn format), validated */
  file: HolidayYear;
  loadedAt: string;
  loadedBy: Actor;
}

export interface CalendarVersion {
  loadedAt: string;
  loadedBy: Actor;
  days: number;
  sha256: string;
}
