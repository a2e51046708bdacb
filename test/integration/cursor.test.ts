/** CursorCodec: opaque (encrypted), authenticated, bound to the query; anything else is a 400 problem, never a read. */
import { describe, expect, test } from 'vitest';
import { CursorCodec } from '../../shared/http/cursor.ts';
import { ProblemError } from '../../shared/http/problem.ts';

const SECRET = 'a-test-secret-of-at-least-16-chars';
const codec = new CursorCodec(SECRET);
const KEY = { pk: 'DEC#0b6f', sk: 'META', gsi1pk: 'AG#ag-one', gsi1sk: '2026-09-28#2026-09-28T01:00:00.000Z#0b6f' };
const BOUND = JSON.stringify(['byAgency', 'AG#ag-one', null, 'AWAITING_FILING', null, null, null]);

function expectRejected(cursor: string, boundTo = BOUND, c = codec) {
  let error: unknown;
  try {
    c.decode(cursor, boundTo);
  } catch (e) {
    error = e;
  }
  expect(error, `cursor ${JSON.stringify(cursor)} was accepted`).toBeInstanceOf(ProblemError);
  expect((error as ProblemError).status).toBe(400);
}

const b64 = (s: string) => Buffer.from(s).toString('base64url');

describe('CursorCodec', () => {
  test('round trip: decode(encode(key)) is the key', () => {
    expect(codec.decode(codec.encode(KEY, BOUND), BOUND)).toEqual(KEY);
  });

  test('the cursor shows nothing of the key or the query, even decoded, and differs each time', () => {
    const cursor = codec.encode(KEY, BOUND);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const decoded = Buffer.from(cursor, 'base64url').toString('latin1');
    for (const secret of ['ag-one', 'DEC#', '0b6f', '2026-09-28', 'AWAITING_FILING', 'META']) expect(decoded).not.toContain(secret);
    expect(codec.encode(KEY, BOUND)).not.toBe(cursor);
  });

  test('every single-character change to the cursor -> rejected', () => {
    const cursor = codec.encode(KEY, BOUND);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let i = 0; i < cursor.length; i++) {
      const changed = cursor.slice(0, i) + alphabet[(alphabet.indexOf(cursor[i]!) + 32) % 64] + cursor.slice(i + 1);
      expectRejected(changed);
    }
  });

  test('truncated, extended, split or empty cursors -> rejected', () => {
    const cursor = codec.encode(KEY, BOUND);
    // every appended character, including those a lax base64 decoder would ignore
    for (const c of 'AQgw-_') expectRejected(`${cursor}${c}`);
    for (const bad of ['', '.', cursor.slice(0, 20), cursor.slice(0, -1), `${cursor}A`, `${cursor}.x`, `x.${cursor}`, 'garbage', '%00', `${cursor.slice(0, 10)}.${cursor.slice(10)}`]) {
      expectRejected(bad);
    }
  });

  test('a cursor made with another secret -> rejected', () => {
    const other = new CursorCodec('another-secret-also-long-enough');
    expectRejected(other.encode(KEY, BOUND));
  });

  test('a made-up cursor, in the old signed form or as random bytes -> rejected', () => {
    expectRejected(`${b64(JSON.stringify({ k: { pk: 'DEC#x', sk: 'META' }, b: BOUND }))}.${'A'.repeat(43)}`);
    for (let i = 0; i < 20; i++) expectRejected(Buffer.from(Array.from({ length: 60 + i }, (_, j) => (j * 37 + i * 11) % 256)).toString('base64url'));
  });

  test('a valid cursor used with another query binding -> rejected', () => {
    const cursor = codec.encode(KEY, BOUND);
    expectRejected(cursor, JSON.stringify(['byAgency', 'AG#ag-one', null, 'NOT_REQUIRED', null, null, null]));
    expectRejected(cursor, JSON.stringify(['byAgency', 'AG#ag-two', null, 'AWAITING_FILING', null, null, null]));
    expectRejected(cursor, '');
  });

  test('a short secret is refused at construction', () => {
    expect(() => new CursorCodec('short')).toThrow();
  });
});
