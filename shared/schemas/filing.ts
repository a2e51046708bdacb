/**
 * Filings (备案材料): what an agency submits for a decision, and the message that carries a submission
 * to the processor. DECISION_LETTER 决定书; LEGAL_REVIEW_OPINION 法制审核意见;
 * COLLECTIVE_DISCUSSION_RECORD 集体讨论记录; HEARING_RECORD 听证笔录.
 */
import * as z from 'zod/mini';
import { email, isoDate, line, noForbidden } from './common.ts';

export const DOCUMENT_KINDS = ['DECISION_LETTER', 'LEGAL_REVIEW_OPINION', 'COLLECTIVE_DISCUSSION_RECORD', 'HEARING_RECORD', 'OTHER'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** The file types a document may be: PDF, OFD (the national electronic document format), JPEG, PNG. */
export const DOCUMENT_CONTENT_TYPES = ['application/pdf', 'application/ofd', 'image/jpeg', 'image/png'] as const;
export type DocumentContentType = (typeof DOCUMENT_CONTENT_TYPES)[number];
export const MAX_DOCUMENT_BYTES = 50 * 1024 * 1024;
export const MAX_DOCUMENTS_PER_DECISION = 30;

const sha256Hex = z.string().check(z.regex(/^[0-9a-f]{64}$/i, 'must be the SHA-256 of the file as 64 hexadecimal characters'));

/** The file name endings of each type: a download is saved under its name, so the name must say what it is. */
export const EXTENSIONS: Record<DocumentContentType, readonly string[]> = {
  'application/pdf': ['.pdf'],
  'application/ofd': ['.ofd'],
  'image/jpeg': ['.jpg', '.jpeg'],
  'image/png': ['.png'],
};

/** POST /v1/decisions/{id}/documents: what the agency declares of a file before uploading it. */
export const documentBody = z.strictObject({
  kind: z.enum(DOCUMENT_KINDS),
  title: line(200),
  fileName: line(255).check(z.refine((s) => !/[/\\]/.test(s), 'must be a file name, without / or \\')),
  contentType: z.enum(DOCUMENT_CONTENT_TYPES, { error: `must be one of ${DOCUMENT_CONTENT_TYPES.join(', ')}` }),
  sizeBytes: z.int().check(z.minimum(1, 'must be at least 1'), z.maximum(MAX_DOCUMENT_BYTES, `must be at most ${MAX_DOCUMENT_BYTES} (50 MB)`)),
  sha256: sha256Hex,
}).check(
  z.superRefine((d, ctx) => {
    const endings = EXTENSIONS[d.contentType];
    if (endings && !endings.some((e) => d.fileName.toLowerCase().endsWith(e))) {
      ctx.addIssue({ code: 'custom', path: ['fileName'], message: `must end with ${endings.join(' or ')} for ${d.contentType}`, input: d });
    }
  }),
);
export type DocumentBody = z.output<typeof documentBody>;

const HOW_TO_UPLOAD =
  'list uploaded documents by id: upload each file first (POST /v1/decisions/{id}/documents, then PUT its bytes to the upload URL it returns), then send { "documentId": "..." }';

/** A filing lists uploaded documents by id (the inline title-and-hash form is gone: a 400 says how to upload). */
export const filingDocumentRef = z.pipe(
  z.unknown().check(
    z.refine((d) => !(d && typeof d === 'object' && ('sha256' in d || 'title' in d || 'sizeBytes' in d)), { message: HOW_TO_UPLOAD, abort: true }),
  ),
  z.strictObject({ documentId: z.string().check(z.regex(/^[0-9a-f-]{36}$/, 'must be the documentId that POST /v1/decisions/{id}/documents returned')) }),
);

export const filingBody = z.strictObject({
  documents: z
    .array(filingDocumentRef)
    .check(
      z.minLength(1, 'must list at least one document'),
      z.maxLength(MAX_DOCUMENTS_PER_DECISION),
      z.superRefine((docs, ctx) => {
        const seen = new Set<string>();
        docs.forEach((d, i) => {
          if (seen.has(d.documentId)) ctx.addIssue({ code: 'custom', path: [i, 'documentId'], message: 'is listed twice', input: d });
          seen.add(d.documentId);
        });
      }),
    ),
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
