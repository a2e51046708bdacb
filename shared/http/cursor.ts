/**
 * Opaque, tamper-evident page cursors: the last item's key, bound to the query it came from, signed with
 * HMAC-SHA256. A forged or foreign cursor is a 400, never a read of something the caller may not see.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { badRequest } from './problem.ts';

export class CursorCodec {
  constructor(private readonly secret: string) {
    if (secret.length < 16) throw new Error('the cursor secret must be at least 16 characters');
  }

  encode(key: Record<string, unknown>, boundTo: string): string {
    const payload = Buffer.from(JSON.stringify({ k: key, b: boundTo })).toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  decode(cursor: string, boundTo: string): Record<string, unknown> {
    const [payload, signature, extra] = cursor.split('.');
    const invalid = () => badRequest('invalid-cursor', 'cursor is not valid: pass back nextCursor exactly as received, with the same filters');
    if (!payload || !signature || extra !== undefined) throw invalid();
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid();
    const { k, b } = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { k: Record<string, unknown>; b: string };
    if (b !== boundTo) throw invalid();
    return k;
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url');
  }
}
