import type { FilingReason } from '../domain/classify.ts';
import type { AgencyBody, DecisionBody, JurisdictionBody } from '../schemas/api.ts';
import type { DocumentKind, FilingBody } from '../schemas/filing.ts';

export interface JurisdictionRecord extends JurisdictionBody {
  jurisdictionId: string;
  createdAt: string;
  updatedAt: string;
}

export interface AgencyRecord extends AgencyBody {
  agencyId: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * AWAITING_FILING -> SUBMITTED (accepted, queued) -> RECEIVED (registered, numbered) or INCOMPLETE
 * (documents missing; resubmit -> SUBMITTED). NOT_REQUIRED decisions are recorded and never filed.
 */
export type DecisionStatus = 'AWAITING_FILING' | 'NOT_REQUIRED' | 'SUBMITTED' | 'RECEIVED' | 'INCOMPLETE';

export interface FilingState extends FilingBody {
  submissionId: string;
  submittedAt: string;
  /** Shanghai date of receipt */
  filedOn: string;
  onTime: boolean;
  workingDaysLate: number;
  /** how many times this decision's filing was submitted */
  submissions: number;
  /** how many times the reconciler queued this submission again */
  requeues?: number;
  filingNumber?: string;
  registeredAt?: string;
  missingDocuments?: DocumentKind[];
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
  createdAt: string;
  updatedAt: string;
}

/** A stored response, replayed for a retry that carries the same Idempotency-Key and body. */
export interface IdempotentResponse {
  requestHash: string;
  statusCode: number;
  body: string;
  location?: string;
}
