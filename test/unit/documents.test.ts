/** Issue 9: a file is what its agency declared (size, SHA-256, first bytes), read once as it streams; keys and names. */
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { attachmentDisposition, documentKey, parseDocumentKey, verifyFile } from '../../shared/domain/documents.ts';

async function* chunks(bytes: Buffer, size = 7) {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}
const declared = (bytes: Buffer, contentType: 'application/pdf' | 'image/png' = 'application/pdf') => ({
  contentType,
  sizeBytes: bytes.length,
  sha256: createHash('sha256').update(bytes).digest('hex'),
});
const pdf = Buffer.from('%PDF-1.4\n% test\n%%EOF\n');

describe('verifyFile', () => {
  test('the declared bytes, in any chunking, are VERIFIED', async () => {
    for (const size of [1, 3, 64, 10_000]) expect(await verifyFile(chunks(pdf, size), declared(pdf))).toEqual({ status: 'VERIFIED' });
    expect(await verifyFile(chunks(pdf), { ...declared(pdf), sha256: declared(pdf).sha256.toUpperCase() })).toEqual({ status: 'VERIFIED' });
  });

  test('other bytes, a short or a long file, another type: REJECTED with the reason', async () => {
    const other = Buffer.from(pdf);
    other[10] = 0x41;
    expect(await verifyFile(chunks(other), declared(pdf))).toMatchObject({ status: 'REJECTED', reason: expect.stringMatching(/SHA-256 differs/) });
    expect(await verifyFile(chunks(pdf.subarray(0, 10)), declared(pdf))).toMatchObject({ status: 'REJECTED', reason: `size is 10 bytes, ${pdf.length} declared (an interrupted upload?)` });
    expect(await verifyFile(chunks(Buffer.concat([pdf, pdf])), declared(pdf))).toMatchObject({ status: 'REJECTED', reason: expect.stringMatching(/longer than/) });
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
    expect(await verifyFile(chunks(png), declared(png))).toMatchObject({ status: 'REJECTED', reason: 'not a PDF: the file starts with 89 50 4E 47 0D 0A 1A 0A' });
    expect(await verifyFile(chunks(png), declared(png, 'image/png'))).toEqual({ status: 'VERIFIED' });
  });

  test('stops reading a file longer than declared (it never holds more than it needs)', async () => {
    let read = 0;
    async function* endless() {
      for (;;) {
        read++;
        yield Buffer.alloc(1024, 0x25);
      }
    }
    expect(await verifyFile(endless(), { contentType: 'application/pdf', sizeBytes: 4096, sha256: 'a'.repeat(64) })).toMatchObject({ status: 'REJECTED' });
    expect(read).toBe(5);
  });
});

describe('keys and names', () => {
  test('a key carries ids only, and only such keys are documents', () => {
    const d = '11111111-2222-4333-8444-555555555555';
    const doc = '66666666-7777-4888-9999-aaaaaaaaaaaa';
    expect(documentKey(d, doc)).toBe(`documents/${d}/${doc}`);
    expect(parseDocumentKey(documentKey(d, doc))).toEqual({ decisionId: d, documentId: doc });
    for (const k of [`documents/${d}/${doc}/x`, `other/${d}/${doc}`, `documents/../${d}/${doc}`, `documents/${d}`]) expect(parseDocumentKey(k), k).toBeUndefined();
  });

  test('Content-Disposition: an ASCII fallback, and the UTF-8 name encoded as RFC 5987 asks (no quote, CR or LF gets through)', () => {
    expect(attachmentDisposition('决定书 (1).pdf', 'DECISION_LETTER-abc')).toBe(`attachment; filename="DECISION_LETTER-abc.pdf"; filename*=UTF-8''%E5%86%B3%E5%AE%9A%E4%B9%A6%20%281%29.pdf`);
    expect(attachmentDisposition('scan 1.PNG')).toBe(`attachment; filename="scan 1.PNG"; filename*=UTF-8''scan%201.PNG`);
    expect(attachmentDisposition('a"b\\\\c.pdf')).toBe(`attachment; filename="a_b__c.pdf"; filename*=UTF-8''a%22b%5C%5Cc.pdf`);
  });
});
