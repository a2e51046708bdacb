/**
 * Opaque page cursors: the last item's key, encrypted and authenticated (AES-256-GCM) with a key derived
 * from the cursor secret, and bound to the query it came from (as additional authenticated data). A
 * client learns nothing from a cursor (no decision id, no timestamp), and a forged, altered or foreign
 * cursor is a 400, never a read of something the caller may not see.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { PageCursors } from '../use-cases/ports.ts';
import { badRequest } from './problem.ts';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export class CursorCodec implements PageCursors {
  private readonly key: Buffer;

  constructor(secret: string) {
    if (secret.length < 16) throw new Error('the cursor secret must be at least 16 characters');
    this.key = createHash('sha256').update(`beian-cursor-v2:${secret}`).digest();
  }

  encode(key: Record<string, unknown>, boundTo: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv).setAAD(Buffer.from(boundTo));
    const sealed = Buffer.concat([cipher.update(JSON.stringify(key)), cipher.final()]);
    return Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url');
  }

  decode(cursor: string, boundTo: string): Record<string, unknown> {
    const invalid = () => badRequest('invalid-cursor', 'cursor is not valid: pass back nextCursor exactly as received, with the same filters');
    if (!/^[\w-]+$/.test(cursor)) throw invalid();
    const raw = Buffer.from(cursor, 'base64url');
    // only the one encoding we issue: base64 decoders ignore stray trailing characters and padding bits
    if (raw.length < IV_BYTES + TAG_BYTES + 2 || raw.toString('base64url') !== cursor) throw invalid();
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES)).setAAD(Buffer.from(boundTo));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
      const key = JSON.parse(plain.toString('utf8')) as unknown;
      if (!key || typeof key !== 'object' || Array.isArray(key)) throw new Error('not a key');
      return key as Record<string, unknown>;
    } catch {
      throw invalid(); // altered, foreign, or made with another secret or for another query
    }
  }
}
