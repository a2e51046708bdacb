/**
 * Filings (备案材料): what an agency submits for a decision, and the message that carries a submission
 * to the processor. DECISION_LETTER 决定书; LEGAL_REVIEW_OPINION 法制审核意见;
 * COLLECTIVE_DISCUSSION_RECORD 集体讨论记录; HEARING_RECORD 听证笔录.
 */
import * as z from 'zod/mini';
import { email, isoDate, line, noForbidden } from './common.ts';

export const DOCUMENT_KINDS = ['DECISION_LETTER', 'LEGAL_REVIEW_OPINION', 'COLLECTIVE_DISCUSSION_RECORD', 'HEARING_RECORD', 'OTHER'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

export const filingDocument = z.strictObject({
  kind: z.enum(DOCUMENT_KINDS),
  title: line(200),
  sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/i, 'must be the SHA-256 of the document as 64 hexadecimal characters')),
  sizeBytes: z.int().check(z.minimum(1, 'must be at least 1'), z.maximum(1_000_000_000, 'must be at most 1000000000')),
});

export const filingBody = z.strictObject({
  documents: z.array(filingDocument).check(z.minLength(1, 'must list at least one document'), z.maxLength(50)),
  contact: z.strictObject({
    name: line(100),
    phone: z.optional(z.string().check(z.regex(/^[0-9+\- ()]{3,30}$/, 'must be a phone number'))),
    email: z.optional(email),
  }),
  /** why the filing is late (as a late filer states its reasons); required when it is */
  lateReason: z.optional(z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(2000), noForbidden(true))),
  /** when a late filing's missing parts will follow */
  promisedOn: z.optional(isoDate),
});
export type FilingBody = z.output<typeof filingBody>;

/** The filings queue message: which submission of which decision to process. */
export const filingMessage = z.strictObject({
  decisionId: z.string().check(z.regex(/^[0-9a-f-]{36}$/)),
  submissionId: z.string().check(z.regex(/^[0-9a-f-]{36}$/)),
});
export type FilingMessage = z.output<typeof filingMessage>;
