import type { FilingReason } from '../domain/classify.ts';
import type { AgencyBody, DecisionBody, JurisdictionBody } from '../schemas/api.ts';

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

export type DecisionStatus = 'AWAITING_FILING' | 'NOT_REQUIRED';

export interface DecisionRecord extends DecisionBody {
  id: string;
  agencyId: string;
  jurisdictionId: string;
  status: DecisionStatus;
  filingRequired: boolean;
  filingReasons: FilingReason[];
  filingDueOn: string | null;
  dueProvisional: boolean;
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
