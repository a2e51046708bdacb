/** What makes an uploaded file the one its agency declared: its size, its SHA-256, and its first bytes. */
import { createHash } from 'node:crypto';
import type { DocumentContentType } from '../schemas/filing.ts';

/** The first bytes of each allowed type (OFD is a ZIP container, GB/T 33190). */
const SIGNATURES: Record<DocumentContentType, { bytes: number[]; name: string }> = {
  'application/pdf': { bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], name: 'PDF' }, // %PDF-
  'application/ofd': { bytes: [0x50, 0x4b, 0x03, 0x04], name: 'OFD' }, // PK\3\4
  'image/jpeg': { bytes: [0xff, 0xd8, 0xff], name: 'JPEG' },
  'image/png': { bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], name: 'PNG' },
};

export interface Declared {
  contentType: DocumentContentType;
  sizeBytes: number;
  /** hex */
  sha256: string;
}

export type Verdict = { status: 'VERIFIED' } | { status: 'REJECTED'; reason: string };

/**
 * Reads the file once, as it streams (memory flat in the file's size): counts its bytes, hashes them,
 * keeps its first 8 bytes; stops reading once it is longer than declared. Then compares.
 */
export async function verifyFile(chunks: AsyncIterable<Uint8Array>, declared: Declared): Promise<Verdict> {
  const hash = createHash('sha256');
  const head: number[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.length;
    if (size > declared.sizeBytes) return { status: 'REJECTED', reason: `the file is longer than the ${declared.sizeBytes} bytes declared` };
    for (let i = 0; head.length < 8 && i < chunk.length; i++) head.push(chunk[i]!);
    hash.update(chunk);
  }
  if (size !== declared.sizeBytes) return { status: 'REJECTED', reason: `size is ${size} bytes, ${declared.sizeBytes} declared (an interrupted upload?)` };
  if (hash.digest('hex') !== declared.sha256.toLowerCase()) return { status: 'REJECTED', reason: 'SHA-256 differs from the declared one: these are not the bytes the agency declared' };
  const signature = SIGNATURES[declared.contentType];
  if (!signature.bytes.every((b, i) => head[i] === b)) {
    const start = head.map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
    return { status: 'REJECTED', reason: `not a ${signature.name}: the file starts with ${start || '(nothing)'}` };
  }
  return { status: 'VERIFIED' };
}

/** Where documents live in the bucket: the only prefix any grant or notification names. */
export const DOCUMENTS_PREFIX = 'documents/';

/** The S3 key of a document: ids only (no names, no personal data). */
export const documentKey = (decisionId: string, documentId: string) => `${DOCUMENTS_PREFIX}${decisionId}/${documentId}`;

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** The ids in a document key, or undefined for any other key. */
export function parseDocumentKey(key: string): { decisionId: string; documentId: string } | undefined {
  const m = new RegExp(`^documents/(${UUID})/(${UUID})$`).exec(key);
  return m ? { decisionId: m[1]!, documentId: m[2]! } : undefined;
}

/**
 * Content-Disposition for a download: an ASCII fallback name for clients that ignore `filename*` (curl -OJ),
 * and the original (Chinese) one per RFC 6266 / 5987. A name that is not ASCII falls back to `fallback`
 * (the document's kind and id, with the name's ending), not to a row of underscores.
 */
export function attachmentDisposition(fileName: string, fallback = 'document'): string {
  const ending = /\.[A-Za-z0-9]{1,5}$/.exec(fileName)?.[0] ?? '';
  const ascii = /^[\x20-\x7e]+$/.test(fileName) ? fileName.replace(/["\\]/g, '_') : `${fallback}${ending}`;
  const encoded = encodeURIComponent(fileName).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
