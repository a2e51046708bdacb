/**
 * Issue 9: filing documents as real files, end to end on the local stack.
 *
 * An agency declares each file (POST /v1/decisions/{id}/documents), PUTs its bytes to the presigned S3 URL it
 * gets back (locally the SQS emulator's S3), the verifier reads the object once (size, SHA-256, the first bytes
 * against the declared type) and marks the document VERIFIED or REJECTED; the filing then lists documents by id
 * and the processor counts only VERIFIED ones of the required kinds (waiting while one is still PENDING).
 * Reviewers list the documents and download them through a 302 to a presigned GET that names the file.
 *
 * The files are real and built here: a minimal PDF, an OFD (a ZIP container), a 1x1 PNG and a JFIF JPEG, each
 * carrying a unique note so that no two tests share a hash.
 */
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { describe, expect, test, vi } from 'vitest';
import {
  type Agency,
  type StoredMail,
  expectFieldErrors,
  expectProblem,
  expectStatus,
  filingBody,
  inChunks,
  notRequiredDecision,
  onTimePenalty,
  uid,
  useFilingStack,
} from './filing-harness.ts';
import { toApiResponse } from './harness.ts';

const e2e = useFilingStack();

// ---------- the contract's shapes ----------

type Kind = 'DECISION_LETTER' | 'LEGAL_REVIEW_OPINION' | 'COLLECTIVE_DISCUSSION_RECORD' | 'HEARING_RECORD' | 'OTHER';
type ContentType = 'application/pdf' | 'application/ofd' | 'image/jpeg' | 'image/png';

interface Upload {
  method: 'PUT';
  url: string;
  expiresAt: string;
  headers: Record<string, string>;
}
interface Created {
  documentId: string;
  status: 'PENDING';
  upload: Upload;
}
interface DocumentItem {
  documentId: string;
  kind: Kind;
  title: string;
  fileName: string;
  contentType: ContentType;
  sizeBytes: number;
  sha256: string;
  status: 'PENDING' | 'VERIFIED' | 'REJECTED';
  reason?: string;
  createdAt: string;
  verifiedAt?: string;
}
type FiledDocument = Pick<DocumentItem, 'documentId' | 'kind' | 'title' | 'fileName' | 'contentType' | 'sizeBytes' | 'sha256'>;
interface Decision {
  id: string;
  caseNumber: string;
  status: string;
  filing?: { documents: FiledDocument[]; missingDocuments?: { kind: Kind; reason: string }[]; filingNumber?: string };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const REQUIRED: Kind[] = ['DECISION_LETTER', 'LEGAL_REVIEW_OPINION', 'COLLECTIVE_DISCUSSION_RECORD'];
const TITLES: Record<Kind, string> = {
  DECISION_LETTER: '行政处罚决定书',
  LEGAL_REVIEW_OPINION: '法制审核意见',
  COLLECTIVE_DISCUSSION_RECORD: '集体讨论记录',
  HEARING_RECORD: '听证笔录',
  OTHER: '其他材料',
};

// ---------- real files ----------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};
const u32le = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};
const u32be = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};

/** A minimal valid one-page PDF (header, 3 objects, xref, trailer, %%EOF); `padTo` pads a comment line to that many bytes. */
function pdfBytes(note: string, padTo?: number): Buffer {
  const build = (pad: number) => {
    const objects = [
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>',
    ];
    let out = `%PDF-1.4\n%${note}${'x'.repeat(pad)}\n`;
    const offsets: number[] = [];
    objects.forEach((o, i) => {
      offsets.push(Buffer.byteLength(out));
      out += `${i + 1} 0 obj\n${o}\nendobj\n`;
    });
    const xref = Buffer.byteLength(out);
    out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
    out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
    return Buffer.from(out, 'latin1');
  };
  let bytes = build(0);
  if (padTo === undefined) return bytes;
  for (let pad = padTo - bytes.length, i = 0; i < 5 && bytes.length !== padTo; i++, pad += padTo - bytes.length) bytes = build(pad);
  expect(bytes.length, 'the padded PDF (test setup)').toBe(padTo);
  return bytes;
}

/** A real 1x1 RGBA PNG with a tEXt chunk carrying the note. */
function pngBytes(note: string): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    return Buffer.concat([u32be(data.length), td, u32be(crc32(td))]);
  };
  const ihdr = Buffer.concat([u32be(1), u32be(1), Buffer.from([8, 6, 0, 0, 0])]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('tEXt', Buffer.from(`Comment\0${note}`, 'latin1')),
    chunk('IDAT', deflateSync(Buffer.from([0, 0xc0, 0x30, 0x30, 0xff]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A JFIF JPEG skeleton: SOI, APP0 (JFIF), a COM segment with the note, EOI. */
function jpegBytes(note: string): Buffer {
  const com = Buffer.from(note, 'latin1');
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]),
    Buffer.from([0xff, 0xfe, (com.length + 2) >> 8, (com.length + 2) & 0xff]),
    com,
    Buffer.from([0xff, 0xd9]),
  ]);
}

/** An OFD: a ZIP container (one stored entry, OFD.xml) with valid local header, central directory and end record. */
function ofdBytes(note: string): Buffer {
  const name = Buffer.from('OFD.xml', 'latin1');
  const data = Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>\n<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0" DocType="OFD"><!-- ${note} --></ofd:OFD>\n`,
    'utf8',
  );
  const crc = crc32(data);
  const DOS_DATE = 0x21; // 1980-01-01
  const local = Buffer.concat([
    u32le(0x04034b50), u16(20), u16(0), u16(0), u16(0), u16(DOS_DATE), u32le(crc), u32le(data.length), u32le(data.length), u16(name.length), u16(0),
    name,
  ]);
  const central = Buffer.concat([
    u32le(0x02014b50), u16(20), u16(20), u16(0), u16(0), u16(0), u16(DOS_DATE), u32le(crc), u32le(data.length), u32le(data.length),
    u16(name.length), u16(0), u16(0), u16(0), u16(0), u32le(0), u32le(0),
    name,
  ]);
  const end = Buffer.concat([u32le(0x06054b50), u16(0), u16(0), u16(1), u16(1), u32le(central.length), u32le(local.length + data.length), u16(0)]);
  return Buffer.concat([local, data, central, end]);
}

interface LocalFile {
  kind: Kind;
  title: string;
  fileName: string;
  contentType: ContentType;
  bytes: Buffer;
  /** lowercase hex, as sent to the API */
  sha256: string;
}
const hexOf = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const base64Of = (b: Uint8Array) => createHash('sha256').update(b).digest('base64');

function localFile(kind: Kind, fileName: string, contentType: ContentType, bytes: Buffer, title = TITLES[kind]): LocalFile {
  return { kind, title, fileName, contentType, bytes, sha256: hexOf(bytes) };
}
const pdf = (kind: Kind, fileName = `${TITLES[kind]}.pdf`) => localFile(kind, fileName, 'application/pdf', pdfBytes(uid('pdf')));
const ofd = (kind: Kind, fileName = `${TITLES[kind]}.ofd`) => localFile(kind, fileName, 'application/ofd', ofdBytes(uid('ofd')));
const png = (kind: Kind, fileName = `${TITLES[kind]}.png`) => localFile(kind, fileName, 'image/png', pngBytes(uid('png')));
const jpeg = (kind: Kind, fileName = `${TITLES[kind]}.jpg`) => localFile(kind, fileName, 'image/jpeg', jpegBytes(uid('jpg')));

/** the POST body declaring the file */
const declaration = (f: LocalFile, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  kind: f.kind,
  title: f.title,
  fileName: f.fileName,
  contentType: f.contentType,
  sizeBytes: f.bytes.length,
  sha256: f.sha256,
  ...overrides,
});

// ---------- API helpers ----------

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const documentsPath = (decisionId: string) => `/v1/decisions/${decisionId}/documents`;
const reviewerOf = (jurisdictionId: string) => e2e.token({ role: 'reviewer', jurisdiction: jurisdictionId });

const declare = (token: string, decisionId: string, body: unknown, headers?: Record<string, string>) =>
  e2e.api<Created>('POST', documentsPath(decisionId), { token, body, ...(headers && { headers }) });

/** declares the file (201) and checks the response's shape */
async function create(token: string, decisionId: string, f: LocalFile, overrides: Record<string, unknown> = {}): Promise<Created> {
  const res = expectStatus(await declare(token, decisionId, declaration(f, overrides)), 201);
  const c = res.json;
  expect(c.documentId, res.text).toMatch(UUID);
  expect(c.status).toBe('PENDING');
  expect(res.headers.get('location')).toBe(`${documentsPath(decisionId)}/${c.documentId}`);
  expect(c.upload.method).toBe('PUT');
  expect(c.upload.url).toMatch(/^https?:\/\//);
  expect(c.upload.expiresAt).toMatch(ISO_INSTANT);
  return c;
}

/** PUTs the bytes to the presigned URL with exactly the given headers (by default the ones the API returned) */
async function put(upload: Upload, bytes: Uint8Array, headers: Record<string, string> = upload.headers): Promise<void> {
  const res = await fetch(upload.url, { method: upload.method, headers, body: bytes });
  const text = await res.text();
  expect(res.status, `PUT to the upload URL: ${text}`).toBe(200);
}

/** declares and uploads the file; returns the document id */
async function uploaded(token: string, decisionId: string, f: LocalFile): Promise<string> {
  const c = await create(token, decisionId, f);
  await put(c.upload, f.bytes);
  return c.documentId;
}

const list = (token: string, decisionId: string) => e2e.api<{ items: DocumentItem[] }>('GET', documentsPath(decisionId), { token });
async function items(token: string, decisionId: string): Promise<DocumentItem[]> {
  const res = expectStatus(await list(token, decisionId), 200);
  expect(Array.isArray(res.json?.items), `items[] in ${res.text}`).toBe(true);
  return res.json.items;
}

/** polls the listing until every one of `ids` has left PENDING; returns them by id */
async function settled(token: string, decisionId: string, ids: string[], timeout = 20_000): Promise<Map<string, DocumentItem>> {
  return vi.waitFor(
    async () => {
      const byId = new Map((await items(token, decisionId)).map((d) => [d.documentId, d]));
      for (const id of ids) {
        expect(byId.get(id), `document ${id} in the list`).toBeDefined();
        expect(byId.get(id)!.status, `status of document ${id}: ${JSON.stringify(byId.get(id))}`).not.toBe('PENDING');
      }
      return byId;
    },
    { timeout, interval: 200 },
  );
}

/** GET .../content without following the redirect */
function content(token: string, decisionId: string, documentId: string): Promise<Response> {
  return fetch(`${e2e.stack.apiUrl}${documentsPath(decisionId)}/${documentId}/content`, {
    redirect: 'manual',
    headers: { authorization: `Bearer ${token}` },
  });
}
/** the Response as the harness's ApiResponse (for expectProblem) */
const asApi = toApiResponse;

const refs = (ids: string[]) => ids.map((documentId) => ({ documentId }));
const asDecision = (d: unknown) => d as Decision;
const receiptsFor = (agency: Agency, caseNumber: string) => (all: StoredMail[]) =>
  all.filter((m) => m.destination.to.includes(agency.contactEmails[0]!) && `${m.subject}\n${m.body.text}`.includes(caseNumber));

/** the `filename*=UTF-8''...` value of a Content-Disposition, decoded */
function extendedFileName(disposition: string): string {
  const m = /filename\*=UTF-8''([^;\s]+)/i.exec(disposition);
  expect(m, `filename*=UTF-8'' in ${disposition}`).not.toBeNull();
  expect(m![1], 'the extended file name is percent-encoded ASCII').toMatch(/^[\x21-\x7e]+$/);
  return decodeURIComponent(m![1]!);
}

// ---------- the tests ----------

describe('documents: upload, verification, filing, download', () => {
  test('happy path: PDF, OFD, JPEG and PNG with Chinese names -> VERIFIED; the filing lists them and is RECEIVED; the receipt names each file and hash; a reviewer downloads the exact bytes under the Chinese name', async () => {
    const agency = await e2e.setup();
    const d = await e2e.report(agency.token, onTimePenalty());
    const files = [
      pdf('DECISION_LETTER', '行政处罚决定书.pdf'),
      ofd('LEGAL_REVIEW_OPINION', '法制审核意见书.ofd'),
      jpeg('COLLECTIVE_DISCUSSION_RECORD', '集体讨论记录.jpg'),
      png('OTHER', '现场照片 第1张.png'),
    ];

    // declare each: 201 with an upload URL valid 15 minutes and the headers to PUT with
    const created: Created[] = [];
    for (const f of files) {
      const t0 = Date.now();
      const c = await create(agency.token, d.id, f);
      expect(c.upload.headers).toEqual({
        'content-type': f.contentType,
        'content-length': String(f.bytes.length),
        // write-once: the URL cannot be replayed into another version of the object (an S3 conditional write)
        'if-none-match': '*',
        'x-amz-checksum-sha256': base64Of(f.bytes),
      });
      // what S3 checks is what the URL signs: the type, the length, the hash and write-once, for 15 minutes
      const signed = new URL(c.upload.url).searchParams;
      expect(signed.get('X-Amz-SignedHeaders')!.split(';').sort()).toEqual(['content-length', 'content-type', 'host', 'if-none-match', 'x-amz-checksum-sha256']);
      expect(signed.get('X-Amz-Expires')).toBe('900');
      const ttl = Date.parse(c.upload.expiresAt) - t0;
      expect(ttl, `expiresAt ${c.upload.expiresAt} about 15 minutes ahead`).toBeGreaterThan(14 * 60_000);
      expect(ttl).toBeLessThan(16 * 60_000);
      created.push(c);
    }
    const ids = created.map((c) => c.documentId);
    expect(new Set(ids).size).toBe(files.length);

    // before any upload: listed in upload order, PENDING, as declared
    const before = await items(agency.token, d.id);
    expect(before.map((i) => i.documentId)).toEqual(ids);
    before.forEach((item, i) => {
      const f = files[i]!;
      expect(item).toMatchObject({
        kind: f.kind,
        title: f.title,
        fileName: f.fileName,
        contentType: f.contentType,
        sizeBytes: f.bytes.length,
        sha256: f.sha256,
        status: 'PENDING',
        createdAt: expect.stringMatching(ISO_INSTANT),
      });
      expect(item.verifiedAt).toBeUndefined();
    });

    // PUT each file with exactly the returned headers; all become VERIFIED
    for (const [i, c] of created.entries()) await put(c.upload, files[i]!.bytes);
    const byId = await settled(agency.token, d.id, ids);
    for (const [i, id] of ids.entries()) {
      const item = byId.get(id)!;
      expect(item.status, `${files[i]!.fileName}: ${JSON.stringify(item)}`).toBe('VERIFIED');
      expect(item.reason).toBeUndefined();
      expect(item.verifiedAt).toMatch(ISO_INSTANT);
      expect(Date.parse(item.verifiedAt!)).toBeGreaterThanOrEqual(Date.parse(item.createdAt));
    }

    // file by id -> 202 SUBMITTED, then RECEIVED; filing.documents as declared
    const filed = expectStatus(await e2e.file(agency.token, d.id, filingBody(refs(ids))), 202);
    expect(filed.json).toMatchObject({ status: 'SUBMITTED' });
    const got = asDecision(await e2e.waitForStatus(agency.token, d.id, ['RECEIVED', 'INCOMPLETE'], 30_000));
    expect(got.status, JSON.stringify(got.filing)).toBe('RECEIVED');
    expect(got.filing!.documents).toEqual(
      files.map((f, i) => ({
        documentId: ids[i],
        kind: f.kind,
        title: f.title,
        fileName: f.fileName,
        contentType: f.contentType,
        sizeBytes: f.bytes.length,
        sha256: f.sha256,
      })),
    );
    expect(got.filing!.missingDocuments ?? []).toEqual([]);

    // one receipt (备案回执) to the contacts, naming each file and its SHA-256
    const [mail, ...more] = await e2e.waitForMails(receiptsFor(agency, d.caseNumber));
    expect(more).toEqual([]);
    expect(new Set(mail!.destination.to)).toEqual(new Set(agency.contactEmails));
    expect(`${mail!.subject}\n${mail!.body.text}`).toContain('备案回执');
    for (const part of [mail!.body.text!, mail!.body.html!]) {
      for (const f of files) {
        expect(part, `the receipt names ${f.fileName}`).toContain(f.fileName);
        expect(part.toLowerCase(), `the receipt gives the SHA-256 of ${f.fileName}`).toContain(f.sha256);
      }
    }

    // a reviewer of the jurisdiction (and an admin) see the same list
    const reviewer = await reviewerOf(agency.jurisdictionId);
    const agencyView = await items(agency.token, d.id);
    expect(await items(reviewer, d.id)).toEqual(agencyView);
    expect(await items(await e2e.admin(), d.id)).toEqual(agencyView);

    // ... and download each: 302 to a presigned GET naming the file; following it gives the exact bytes
    for (const [i, f] of files.entries()) {
      const res = await content(reviewer, d.id, ids[i]!);
      expect(res.status, `GET content of ${f.fileName}: ${await res.clone().text()}`).toBe(302);
      const location = res.headers.get('location');
      expect(location, 'location header').toMatch(/^https?:\/\//);
      const query = new URL(location!).searchParams;
      const disposition = query.get('response-content-disposition');
      expect(disposition, `response-content-disposition in ${location}`).not.toBeNull();
      expect(disposition!).toMatch(/^attachment;/);
      expect(query.get('X-Amz-Expires'), 'a download URL lives 5 minutes').toBe('300');
      expect(query.get('X-Amz-SignedHeaders')).toBe('host');
      expect(disposition!).toContain(`filename*=UTF-8''`);
      expect(extendedFileName(disposition!)).toBe(f.fileName);
      const fallback = /filename="([^"]*)"/.exec(disposition!);
      expect(fallback, `an ASCII fallback filename="..." in ${disposition}`).not.toBeNull();
      expect(fallback![1], 'the fallback name is ASCII').toMatch(/^[\x20-\x7e]*$/);
      expect(query.get('response-content-type')).toBe(f.contentType);

      const download = await fetch(location!);
      const bytes = Buffer.from(await download.arrayBuffer());
      expect(download.status, bytes.toString('utf8')).toBe(200);
      expect(bytes.equals(f.bytes), `the downloaded ${f.fileName} is the uploaded file byte for byte`).toBe(true);
      expect(hexOf(bytes)).toBe(f.sha256);
      const header = download.headers.get('content-disposition');
      expect(header, 'the local S3 applies response-content-disposition').not.toBeNull();
      expect(extendedFileName(header!)).toBe(f.fileName);
    }

    // the agency downloads its own files too
    expect((await content(agency.token, d.id, ids[0]!)).status).toBe(302);

    // once RECEIVED the decision is no longer open for documents
    const closed = expectProblem(await declare(agency.token, d.id, declaration(pdf('OTHER'))), 409);
    expect(closed.currentStatus).toBe('RECEIVED');
  });

  test('validation: each bad field -> 400 naming it, nothing stored; reviewer/admin -> 403; another agency or unknown decision -> 404; NOT_REQUIRED -> 409; the 31st document -> 409 too-many-documents', async () => {
    const agency = await e2e.setup();
    const d = await e2e.report(agency.token, onTimePenalty());
    const f = pdf('DECISION_LETTER');

    const bad: [string, Record<string, unknown>][] = [
      ['contentType', declaration(f, { contentType: 'text/plain' })],
      ['sizeBytes', declaration(f, { sizeBytes: 0 })],
      ['sizeBytes', declaration(f, { sizeBytes: 52_428_801 })],
      ['sha256', declaration(f, { sha256: 'xyz' })],
      ['fileName', declaration(f, { fileName: 'a/b.pdf' })],
      ['fileName', declaration(f, { fileName: 'a\\b.pdf' })],
      ['title', (({ title: _omitted, ...rest }) => rest)(declaration(f))],
      ['kind', declaration(f, { kind: 'PHOTO' })],
    ];
    for (const [field, body] of bad) {
      const res = await declare(agency.token, d.id, body);
      expectFieldErrors(res, 'body', [field]);
    }
    // strict JSON: an unknown member -> 400
    expectProblem(await declare(agency.token, d.id, declaration(f, { bucket: 'elsewhere' })), 400);
    expect(await items(agency.token, d.id), 'nothing stored by a rejected request').toEqual([]);

    // the limits themselves are accepted; the hash in upper case too
    await create(agency.token, d.id, f, { sha256: f.sha256.toUpperCase() });
    await create(agency.token, d.id, f, { sizeBytes: 52_428_800 });
    await create(agency.token, d.id, f, { sizeBytes: 1 });

    // only the agency declares files
    const reviewer = await reviewerOf(agency.jurisdictionId);
    expectProblem(await declare(reviewer, d.id, declaration(f)), 403);
    expectProblem(await declare(await e2e.admin(), d.id, declaration(f)), 403);

    // another agency's decision, an unknown decision -> 404
    const other = await e2e.addAgency(agency.jurisdictionId, agency.prefix);
    expectProblem(await declare(other.token, d.id, declaration(f)), 404);
    expectProblem(await declare(agency.token, '00000000-0000-4000-8000-000000000000', declaration(f)), 404);
    expect(await items(agency.token, d.id)).toHaveLength(3);

    // a decision that needs no filing -> 409 with currentStatus
    const warning = await e2e.report(agency.token, notRequiredDecision());
    expect(warning.status).toBe('NOT_REQUIRED');
    const notRequired = expectProblem(await declare(agency.token, warning.id, declaration(f)), 409);
    expect(notRequired.currentStatus).toBe('NOT_REQUIRED');

    // 30 documents per decision; the 31st -> 409 too-many-documents
    const full = await e2e.report(agency.token, onTimePenalty());
    const thirty = await inChunks(Array.from({ length: 30 }, (_, i) => i), 5, async (i) =>
      (await create(agency.token, full.id, f, { kind: 'OTHER', title: `附件${i + 1}`, fileName: `附件${i + 1}.pdf` })).documentId,
    );
    expect(new Set(thirty).size).toBe(30);
    const tooMany = expectProblem(await declare(agency.token, full.id, declaration(f, { kind: 'OTHER' })), 409);
    expect(tooMany.type).toMatch(/too-many-documents$/);
    expect(await items(agency.token, full.id)).toHaveLength(30);
  });

  test('idempotency: the same Idempotency-Key and body -> the same 201 (same documentId), one document; the same key with another body -> 422', async () => {
    const agency = await e2e.setup();
    const d = await e2e.report(agency.token, onTimePenalty());
    const f = pdf('DECISION_LETTER');
    const headers = { 'Idempotency-Key': uid('key') };

    const first = expectStatus(await declare(agency.token, d.id, declaration(f), headers), 201);
    const retry = expectStatus(await declare(agency.token, d.id, declaration(f), headers), 201);
    expect(retry.json.documentId).toBe(first.json.documentId);
    expect(retry.headers.get('location')).toBe(first.headers.get('location'));
    expect((await items(agency.token, d.id)).map((i) => i.documentId)).toEqual([first.json.documentId]);

    const changed = expectProblem(await declare(agency.token, d.id, declaration(f, { title: '另一份决定书' }), headers), 422);
    expect(changed.detail.length).toBeGreaterThan(0);
    expect((await items(agency.token, d.id)).map((i) => i.documentId)).toEqual([first.json.documentId]);

    // the replayed upload URL still works: the document is verified
    await put(retry.json.upload, f.bytes);
    expect((await settled(agency.token, d.id, [first.json.documentId])).get(first.json.documentId)!.status).toBe('VERIFIED');
  });

  test('rejections: wrong bytes -> REJECTED (SHA-256), a short upload -> REJECTED (size), a PNG declared as PDF -> REJECTED (PDF); a filing listing them -> 422 naming each with its reason', async () => {
    const agency = await e2e.setup();
    const d = await e2e.report(agency.token, onTimePenalty());

    // declared with one PDF's hash, the bytes of another PDF of the same length (exactly the returned headers)
    const declared = pdf('DECISION_LETTER');
    const actual = Buffer.from(declared.bytes);
    const at = actual.indexOf('%pdf-') + 6; // a byte of the note on the second line: still a PDF, same size
    actual[at] = actual[at]! ^ 0x01;
    expect(actual.equals(declared.bytes)).toBe(false);
    const wrongHash = await create(agency.token, d.id, declared);
    await put(wrongHash.upload, actual);

    // declared 2000 bytes, 1000 uploaded (AWS would refuse the PUT; the local S3 does not: the verifier must)
    const whole = localFile('LEGAL_REVIEW_OPINION', '法制审核意见.pdf', 'application/pdf', pdfBytes(uid('pdf'), 2000));
    const short = await create(agency.token, d.id, whole);
    expect(short.upload.headers['content-length']).toBe('2000');
    const half = whole.bytes.subarray(0, 1000);
    await put(short.upload, half, { ...short.upload.headers, 'content-length': String(half.length) });

    // a PNG declared as a PDF, with its true size and hash
    const image = png('COLLECTIVE_DISCUSSION_RECORD');
    const asPdf = await create(agency.token, d.id, { ...image, fileName: '集体讨论记录.pdf', contentType: 'application/pdf' });
    await put(asPdf.upload, image.bytes);

    const ids = [wrongHash.documentId, short.documentId, asPdf.documentId];
    const byId = await settled(agency.token, d.id, ids);
    const [h, s, p] = ids.map((id) => byId.get(id)!);
    expect(h!.status, JSON.stringify(h)).toBe('REJECTED');
    expect(h!.reason).toMatch(/SHA-256/);
    expect(s!.status, JSON.stringify(s)).toBe('REJECTED');
    expect(s!.reason).toMatch(/size/i);
    expect(p!.status, JSON.stringify(p)).toBe('REJECTED');
    expect(p!.reason).toMatch(/PDF/);
    for (const item of [h, s, p]) expect(item!.verifiedAt, 'verifiedAt only on VERIFIED documents').toBeUndefined();

    // a rejected document cannot be downloaded
    const rejected = expectProblem(await asApi(await content(agency.token, d.id, h!.documentId)), 409);
    expect(rejected.currentStatus).toBe('REJECTED');

    // the filing listing them: refused at once (the API knows they were rejected), each named with its reason
    const refused = expectProblem(await e2e.file(agency.token, d.id, filingBody(refs(ids))), 422);
    expect(refused.type).toMatch(/rejected-document$/);
    expect(refused.errors!.map((e: { field: string }) => e.field)).toEqual(ids.map((_, i) => `documents.${i}.documentId`));
    for (const [i, item] of [h!, s!, p!].entries()) {
      const reason = refused.errors!.find((e: { field: string }) => e.field === `documents.${ids.indexOf(item.documentId)}.documentId`)?.reason;
      expect(reason, `documents.${i}`).toMatch(/REJECTED/);
      expect(reason, 'the reason carries the document’s own reason').toContain(item.reason!);
    }
    expect((await e2e.get(agency.token, d.id)).status).toBe('AWAITING_FILING');
  });

  test('filing errors: the old inline form -> 400 on documents.0 saying how to upload; another decision’s or an unknown documentId -> 422 naming documents.N.documentId; the same documentId twice -> 400 naming documents.1.documentId', async () => {
    const agency = await e2e.setup();
    const d = await e2e.report(agency.token, onTimePenalty());
    const mine = await uploaded(agency.token, d.id, pdf('DECISION_LETTER'));

    // the old inline form (title and hash in the body, no file)
    const oldForm = REQUIRED.map((kind) => ({ kind, title: TITLES[kind], sha256: hexOf(Buffer.from(kind)), sizeBytes: 1024 }));
    const inline = expectFieldErrors(await e2e.file(agency.token, d.id, filingBody(oldForm)), 'body', ['documents.0']);
    const how = inline.errors!.find((e) => e.field === 'documents.0')!;
    expect(how.reason).toContain('POST /v1/decisions/');

    // a document of another decision of the same agency
    const d2 = await e2e.report(agency.token, onTimePenalty());
    const elsewhere = await uploaded(agency.token, d2.id, pdf('DECISION_LETTER'));
    const p1 = expectProblem(await e2e.file(agency.token, d.id, filingBody(refs([elsewhere]))), 422);
    expect(p1.errors?.map((e) => e.field), p1.detail).toContain('documents.0.documentId');

    // another agency's document, and an unknown one, after one of this decision
    const other = await e2e.setup();
    const theirs = await e2e.report(other.token, onTimePenalty());
    const foreign = await uploaded(other.token, theirs.id, pdf('DECISION_LETTER'));
    const p2 = expectProblem(await e2e.file(agency.token, d.id, filingBody(refs([mine, foreign]))), 422);
    expect(p2.errors?.map((e) => e.field), p2.detail).toContain('documents.1.documentId');
    const p3 = expectProblem(await e2e.file(agency.token, d.id, filingBody(refs([mine, '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b']))), 422);
    expect(p3.errors?.map((e) => e.field), p3.detail).toContain('documents.1.documentId');

    // the same document twice
    expectFieldErrors(await e2e.file(agency.token, d.id, filingBody(refs([mine, mine]))), 'body', ['documents.1.documentId']);

    // none of these filed anything
    const got = asDecision(await e2e.get(agency.token, d.id));
    expect(got.status).toBe('AWAITING_FILING');
    expect(got.filing).toBeUndefined();
  });

  test('waiting: a filing listing PENDING documents stays SUBMITTED; once the bytes arrive it becomes RECEIVED without anything else being done', { timeout: 120_000 }, async () => {
    const agency = await e2e.setup();
    const d = await e2e.report(agency.token, onTimePenalty());
    const files = [pdf('DECISION_LETTER'), ofd('LEGAL_REVIEW_OPINION'), png('COLLECTIVE_DISCUSSION_RECORD')];
    const created: Created[] = [];
    for (const f of files) created.push(await create(agency.token, d.id, f));
    const ids = created.map((c) => c.documentId);

    // file at once, before any byte is uploaded
    const res = expectStatus(await e2e.file(agency.token, d.id, filingBody(refs(ids))), 202);
    expect(res.json).toMatchObject({ status: 'SUBMITTED' });
    await sleep(4_000); // the processor has seen it by now (1 s visibility timeout): it waits, it does not fail
    expect(asDecision(await e2e.get(agency.token, d.id)).status).toBe('SUBMITTED');
    expect((await items(agency.token, d.id)).map((i) => i.status)).toEqual(['PENDING', 'PENDING', 'PENDING']);

    // the bytes arrive; the processor's next look (about 30 s later) registers it
    for (const [i, c] of created.entries()) await put(c.upload, files[i]!.bytes);
    const byId = await settled(agency.token, d.id, ids);
    for (const id of ids) expect(byId.get(id)!.status).toBe('VERIFIED');
    const got = asDecision(await e2e.waitForStatus(agency.token, d.id, ['RECEIVED', 'INCOMPLETE'], 60_000));
    expect(got.status, JSON.stringify(got.filing)).toBe('RECEIVED');
    expect(got.filing!.documents.map((x) => x.documentId)).toEqual(ids);
  });

  test('outside review: a name must end as its type does; a rejected document listed in a filing is refused and never registered; a rejected document frees its place', async () => {
    const agency = await e2e.setup();
    const d = await e2e.report(agency.token, onTimePenalty());
    // a file saved under its name must be what the name says (no 决定书.pdf.hta that is a PDF to the verifier)
    for (const [fileName, contentType] of [['决定书.pdf.hta', 'application/pdf'], ['决定书.html', 'application/pdf'], ['tool.jar', 'application/ofd'], ['photo.svg', 'image/png'], ['scan.png', 'image/jpeg']] as const) {
      expectFieldErrors(await declare(agency.token, d.id, declaration(pdf('OTHER'), { fileName, contentType })), 'body', ['fileName']);
    }
    expect((await declare(agency.token, d.id, declaration(jpeg('OTHER', '现场照片.JPEG')))).status).toBe(201);

    // the three required documents verified, and an extra one rejected: the filing lists all four
    const good = await Promise.all([pdf('DECISION_LETTER'), pdf('LEGAL_REVIEW_OPINION'), pdf('COLLECTIVE_DISCUSSION_RECORD')].map((f) => uploaded(agency.token, d.id, f)));
    const extra = pdf('OTHER', '附件.pdf');
    const bad = await create(agency.token, d.id, extra);
    await put(bad.upload, Buffer.from(extra.bytes).fill(0x41, 20, 30));
    const states = await settled(agency.token, d.id, [...good, bad.documentId]);
    expect([...good, bad.documentId].map((id) => states.get(id)!.status)).toEqual(['VERIFIED', 'VERIFIED', 'VERIFIED', 'REJECTED']);
    // listing the rejected one is refused at once, naming it; without it the filing is registered, and its
    // receipt lists only verified files
    const refused = expectProblem(await e2e.file(agency.token, d.id, filingBody(refs([...good, bad.documentId]))), 422);
    expect(refused.errors).toEqual([{ field: 'documents.3.documentId', in: 'body', reason: expect.stringMatching(/^was REJECTED \(SHA-256 differs/) }]);
    expectStatus(await e2e.file(agency.token, d.id, filingBody(refs(good))), 202);
    const received = asDecision(await e2e.waitForStatus(agency.token, d.id, ['INCOMPLETE', 'RECEIVED']));
    expect(received.status).toBe('RECEIVED');
    expect(received.filing!.documents.map((f) => f.documentId)).toEqual(good);

    // a rejected document gives its place back: 30 may still be declared beside the verified ones
    const count = (await e2e.get(agency.token, d.id)) as unknown as { documentCount: number };
    expect(count.documentCount).toBe(4); // the JPEG declaration, the three verified; the rejected one freed its place
  });

  test('a document never uploaded: once its URL has expired (and a grace), a filing meeting it settles it REJECTED and is INCOMPLETE', async () => {
    const agency = await e2e.setup();
    const d = await e2e.report(agency.token, onTimePenalty());
    const ids = await Promise.all([pdf('DECISION_LETTER'), pdf('LEGAL_REVIEW_OPINION')].map((f) => uploaded(agency.token, d.id, f)));
    const never = await create(agency.token, d.id, pdf('COLLECTIVE_DISCUSSION_RECORD'));
    await settled(agency.token, d.id, ids);
    // the processor itself, 21 minutes on (upload URL 15 minutes + 5 minutes' grace): the real one would only wait
    const { processorDeps } = await import('../../shared/wiring/processor.ts');
    const { processFiling } = await import('../../shared/use-cases/filings.ts');
    const deps = { ...processorDeps(), queue: { enqueue: async () => {} }, log: () => {} };
    e2e.stack.sqsFault.setReachable(false); // the stack's processor must not take the message first
    try {
      expect(expectStatus(await e2e.file(agency.token, d.id, filingBody(refs([...ids, never.documentId]))), 202).status).toBe(202);
      const submitted = asDecision(await e2e.get(agency.token, d.id));
      const later = { ...deps, now: () => new Date(Date.now() + 21 * 60_000) };
      expect(await processFiling(later, { decisionId: d.id, submissionId: (submitted.filing as unknown as { submissionId: string }).submissionId })).toBe('incomplete');
    } finally {
      e2e.stack.sqsFault.setReachable(true);
    }
    const after = asDecision(await e2e.get(agency.token, d.id));
    expect(after.status).toBe('INCOMPLETE');
    expect(after.filing!.missingDocuments).toEqual([{ kind: 'COLLECTIVE_DISCUSSION_RECORD', reason: expect.stringMatching(/^not verified: no upload arrived/) }]);
    expect((await items(agency.token, d.id)).find((x) => x.documentId === never.documentId)).toMatchObject({ status: 'REJECTED', reason: expect.stringMatching(/before the upload URL expired/) });
  });

  test('visibility: a reviewer of another jurisdiction and another agency get 404 on the list and the content; the content of a PENDING document -> 409; an unknown document -> 404', async () => {
    const agency = await e2e.setup();
    const d = await e2e.report(agency.token, onTimePenalty());
    const f = pdf('DECISION_LETTER');
    const verified = await uploaded(agency.token, d.id, f);
    const pending = (await create(agency.token, d.id, ofd('LEGAL_REVIEW_OPINION'))).documentId;
    expect((await settled(agency.token, d.id, [verified])).get(verified)!.status).toBe('VERIFIED');

    const elsewhere = await e2e.setup();
    const strangers = {
      'a reviewer of another jurisdiction': await reviewerOf(elsewhere.jurisdictionId),
      'an agency of another jurisdiction': elsewhere.token,
      'another agency of the same jurisdiction': (await e2e.addAgency(agency.jurisdictionId, agency.prefix)).token,
    };
    for (const [who, token] of Object.entries(strangers)) {
      const l = await list(token, d.id);
      expect(l.status, `${who}: list ${l.text}`).toBe(404);
      expectProblem(l, 404);
      const c = await asApi(await content(token, d.id, verified));
      expect(c.status, `${who}: content ${c.text}`).toBe(404);
      expectProblem(c, 404);
    }

    // those who may see it: a PENDING document's content -> 409 with currentStatus; an unknown document -> 404
    for (const token of [agency.token, await reviewerOf(agency.jurisdictionId)]) {
      const p = expectProblem(await asApi(await content(token, d.id, pending)), 409);
      expect(p.currentStatus).toBe('PENDING');
      expectProblem(await asApi(await content(token, d.id, '00000000-0000-4000-8000-000000000000')), 404);
      expect((await content(token, d.id, verified)).status).toBe(302);
    }
  });
});
