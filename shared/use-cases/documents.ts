/**
 * Filing documents as real files: the agency declares a file and gets a presigned S3 PUT bound to its type,
 * length and SHA-256; the bytes go straight to S3 (never through Lambda or API Gateway); the verifier reads
 * them once and settles the document VERIFIED or REJECTED; the agency, the jurisdiction's reviewers and admins
 * list them and download a verified one through a presigned GET with its original name.
 */
import type { Caller } from '../auth/caller.ts';
import { shanghaiDate } from '../domain/dates.ts';
import { attachmentDisposition, documentKey, parseDocumentKey, verifyFile } from '../domain/documents.ts';
import { type HistoryEvent, SYSTEM, actorOf, historyEvent } from '../domain/history.ts';
import type { DocumentRecord, IdempotencyRecord, IdempotentResponse } from '../domain/records.ts';
import { conflict, notFound, quotaExceeded } from '../errors.ts';
import { DEFAULT_DAILY_QUOTA } from '../schemas/api.ts';
import type { DocumentBody } from '../schemas/filing.ts';
import { getDecision } from './decisions.ts';
import type { Deps } from './deps.ts';
import { replayStored, requestHash } from './idempotency.ts';

/** How long an upload URL works (the issue: 15 minutes), and a download URL (5 minutes). */
export const UPLOAD_URL_SECONDS = 15 * 60;
export const DOWNLOAD_URL_SECONDS = 5 * 60;
/** A document still PENDING this long after its upload URL expired was never uploaded. */
export const UPLOAD_GRACE_SECONDS = 5 * 60;

export type DeclareOutcome =
  | { kind: 'created' }
  | { kind: 'idempotent-replay'; stored: IdempotentResponse }
  | { kind: 'too-many' }
  | { kind: 'not-open'; status: string };

/** A decision's documents (shared/store/document-store.ts). */
export interface DocumentRepository {
  /** the document, counted on its decision while the filing is open (at most 30), with its event (+ idempotency record) */
  declare(doc: DocumentRecord, event: HistoryEvent, idempotency?: IdempotencyRecord): Promise<DeclareOutcome>;
  /** in the order they were declared */
  list(decisionId: string): Promise<DocumentRecord[]>;
  get(decisionId: string, documentId: string): Promise<DocumentRecord | undefined>;
  /** PENDING -> VERIFIED or REJECTED, once, with its event; false when it was settled already */
  settle(doc: DocumentRecord, verdict: { status: 'VERIFIED' | 'REJECTED'; reason?: string; versionId?: string }, at: string, event: HistoryEvent): Promise<boolean>;
}

/** The documents' files (shared/files/document-files.ts). */
export interface DocumentFiles {
  /** a presigned PUT bound to the declared type, length and SHA-256 (S3 refuses other bytes) */
  presignPut(key: string, file: { contentType: string; sizeBytes: number; sha256Base64: string }, expiresSeconds: number): Promise<{ url: string; headers: Record<string, string> }>;
  /** a presigned GET that answers with the original file name and type (of that version, when given) */
  presignGet(key: string, file: { contentDisposition: string; contentType: string; versionId?: string | undefined }, expiresSeconds: number): Promise<string>;
  /** the object's bytes as they stream, and its version (a versioned bucket), or undefined when there is no such object */
  read(key: string): Promise<{ bytes: AsyncIterable<Uint8Array>; versionId?: string } | undefined>;
}

export interface DocumentDeps extends Deps {
  documents: Pick<DocumentRepository, 'declare' | 'list' | 'get'>;
  files: Pick<DocumentFiles, 'presignPut' | 'presignGet'>;
}

export interface DeclaredDocument {
  documentId: string;
  status: 'PENDING';
  upload: { method: 'PUT'; url: string; headers: Record<string, string>; expiresAt: string };
}

/** What the API shows of a document (the S3 key and the agency stay inside). */
export type DocumentView = Omit<DocumentRecord, 'key' | 'agencyId' | 'decisionId' | 'uploadExpiresAt' | 'versionId'>;
const view = ({ key: _k, agencyId: _a, decisionId: _d, uploadExpiresAt: _u, versionId: _v, ...rest }: DocumentRecord): DocumentView => rest;

/**
 * Declares a document of the agency's own decision (another's is a 404) while its filing is open (409
 * otherwise), at most 30 per decision (409), within the agency's daily upload quota (429); a retry with the
 * same Idempotency-Key and body replays the 201 (the same document and URL, no second one).
 */
export async function declareDocument(
  deps: DocumentDeps,
  caller: Extract<Caller, { role: 'agency' }>,
  decisionId: string,
  body: DocumentBody,
  idempotencyKey?: string,
): Promise<{ body: DeclaredDocument; location: string; replayed: boolean }> {
  const scope = `${caller.agencyId}:documents:${decisionId}`;
  const hash = requestHash(body);
  if (idempotencyKey) {
    const stored = await deps.store.getIdempotent(scope, idempotencyKey);
    if (stored) return { ...replayed(stored, hash), replayed: true };
  }
  const decision = await getDecision(deps, caller, decisionId);
  const now = deps.now();
  const documentId = deps.newId();
  const key = documentKey(decision.id, documentId);
  const sha256Base64 = Buffer.from(body.sha256, 'hex').toString('base64');
  const upload = await deps.files.presignPut(key, { contentType: body.contentType, sizeBytes: body.sizeBytes, sha256Base64 }, UPLOAD_URL_SECONDS);
  const expiresAt = new Date(now.getTime() + UPLOAD_URL_SECONDS * 1000).toISOString();
  const doc: DocumentRecord = {
    ...body,
    sha256: body.sha256.toLowerCase(),
    documentId,
    decisionId: decision.id,
    agencyId: decision.agencyId,
    key,
    status: 'PENDING',
    createdAt: now.toISOString(),
    uploadExpiresAt: expiresAt,
  };
  const response: DeclaredDocument = { documentId, status: 'PENDING', upload: { method: 'PUT', url: upload.url, headers: upload.headers, expiresAt } };
  const location = `/v1/decisions/${decision.id}/documents/${documentId}`;
  const jurisdiction = await deps.rules.get(decision.jurisdictionId);
  const limit = jurisdiction?.dailyQuotaPerAgency?.uploads ?? DEFAULT_DAILY_QUOTA.uploads;
  const event = historyEvent('DOCUMENT_DECLARED', doc.createdAt, actorOf(caller), decision.status, decision.status, `${body.kind} document ${documentId}, ${body.contentType}, ${body.sizeBytes} bytes`);
  const outcome = await deps.quotas.within(
    { agencyId: caller.agencyId, what: 'uploads', day: shanghaiDate(now), limit },
    () =>
      deps.documents.declare(
        doc,
        event,
        idempotencyKey ? { scope, key: idempotencyKey, response: { requestHash: hash, statusCode: 201, body: JSON.stringify(response), location } } : undefined,
      ),
    (o) => o.kind === 'created',
  );
  if (outcome === 'exceeded') throw quotaExceeded('uploads', limit, now);
  if (outcome.kind === 'idempotent-replay') return { ...replayed(outcome.stored, hash), replayed: true };
  if (outcome.kind === 'too-many') throw conflict('too-many-documents', `decision ${decision.id} has 30 documents, the most one decision may have`);
  if (outcome.kind === 'not-open') {
    throw conflict('filing-not-open', `decision ${decision.id} ${outcome.status === 'NOT_REQUIRED' ? 'needs no filing' : `is ${outcome.status}: documents are added while its filing is open`}`, {
      currentStatus: outcome.status,
    });
  }
  return { body: response, location, replayed: false };
}

function replayed(stored: Parameters<typeof replayStored>[0], hash: string) {
  const r = replayStored<DeclaredDocument>(stored, hash);
  return { body: r.body, location: r.location ?? '' };
}

/** The documents of a decision the caller may see, in the order they were declared. */
export async function listDocuments(deps: DocumentDeps, caller: Caller, decisionId: string): Promise<{ items: DocumentView[] }> {
  const decision = await getDecision(deps, caller, decisionId);
  return { items: (await deps.documents.list(decision.id)).map(view) };
}

/** A presigned GET (5 minutes) of a verified document, answering with its original name; 409 for one not verified. */
export async function documentContent(deps: DocumentDeps, caller: Caller, decisionId: string, documentId: string): Promise<string> {
  const decision = await getDecision(deps, caller, decisionId);
  const doc = await deps.documents.get(decision.id, documentId);
  if (!doc) throw notFound(`decision ${decision.id} has no document ${documentId}`);
  if (doc.status !== 'VERIFIED') {
    throw conflict('document-not-verified', `document ${documentId} is ${doc.status}${doc.reason ? ` (${doc.reason})` : ''}: only a verified document is served`, { currentStatus: doc.status });
  }
  return deps.files.presignGet(doc.key, { contentDisposition: attachmentDisposition(doc.fileName, `${doc.kind}-${doc.documentId}`), contentType: doc.contentType, versionId: doc.versionId }, DOWNLOAD_URL_SECONDS);
}

export interface VerifierDeps {
  documents: Pick<DocumentRepository, 'get' | 'settle'>;
  files: Pick<DocumentFiles, 'read'>;
  now: () => Date;
  log: (level: 'INFO' | 'WARN' | 'ERROR', message: string, fields?: Record<string, unknown>) => void;
}

/**
 * One object-created event: reads the object once, streaming, and settles its document. Safe to run any
 * number of times (S3 may deliver an event twice): a settled document is left alone. A key that is no
 * document's is logged and skipped; an object not readable yet throws (the event is retried).
 */
export async function verifyUpload(deps: VerifierDeps, key: string): Promise<'VERIFIED' | 'REJECTED' | 'skipped'> {
  const ids = parseDocumentKey(key);
  if (!ids) {
    deps.log('WARN', 'an object that is no document was created in the documents bucket; ignored', { key });
    return 'skipped';
  }
  const doc = await deps.documents.get(ids.decisionId, ids.documentId);
  if (!doc) {
    deps.log('WARN', 'an object was uploaded for a document that was never declared; ignored', { key });
    return 'skipped';
  }
  if (doc.status !== 'PENDING') return 'skipped';
  const object = await deps.files.read(doc.key);
  if (!object) throw new Error(`object ${doc.key} is not readable yet`);
  const verdict = await verifyFile(object.bytes, doc);
  const at = deps.now().toISOString();
  const detail = verdict.status === 'VERIFIED' ? `${doc.kind} document ${doc.documentId} verified` : `${doc.kind} document ${doc.documentId} rejected: ${verdict.reason}`;
  const event = historyEvent(verdict.status === 'VERIFIED' ? 'DOCUMENT_VERIFIED' : 'DOCUMENT_REJECTED', at, SYSTEM.verifier, null, null, detail);
  const settled = await deps.documents.settle(doc, { ...verdict, ...(object.versionId && { versionId: object.versionId }) }, at, event);
  if (!settled) return 'skipped';
  deps.log(verdict.status === 'VERIFIED' ? 'INFO' : 'WARN', `document ${verdict.status.toLowerCase()}`, { decisionId: doc.decisionId, documentId: doc.documentId, ...(verdict.status === 'REJECTED' && { reason: verdict.reason }) });
  return verdict.status;
}
