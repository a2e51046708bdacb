/** Spec 5: GET /v1/decisions — scope, order, filters, limits and tamper-evident cursors. */
import { beforeAll, describe, expect, test } from 'vitest';
import type { DecisionRecord } from '../../shared/store/records.ts';
import { DECISION_LIST_ATTRIBUTES } from '../../shared/store/table-definition.ts';
import { eventually, expectFieldErrors, expectProblem, expectStatus, notRequiredDecision, requiredDecision, useStack } from './harness.ts';

const e2e = useStack();

/** decidedOn of agency A's decisions, with whether filing is required; two share 2026-03-02. */
const A_DECISIONS: [string, boolean][] = [
  ['2026-01-05', true],
  ['2026-02-10', false],
  ['2026-03-02', true],
  ['2026-03-02', false],
  ['2026-04-15', true],
  ['2026-05-20', false],
  ['2026-06-01', true],
  ['2026-07-07', false],
  ['2026-08-08', true],
  ['2026-09-28', true],
  ['2026-10-09', false],
  ['2026-11-02', true],
];

interface World {
  j1: string;
  j2: string;
  a: { agencyId: string; token: string; decisions: DecisionRecord[] };
  b: { agencyId: string; token: string; decisions: DecisionRecord[] };
  c: { agencyId: string; token: string; decisions: DecisionRecord[] };
}
let w: World;

const ids = (items: { id: string }[]) => items.map((d) => d.id);
/** newest first by decidedOn; the order among one day's decisions is the API's to choose */
const byDecidedDesc = (items: DecisionRecord[]) => [...items].sort((x, y) => (x.decidedOn < y.decidedOn ? 1 : x.decidedOn > y.decidedOn ? -1 : 0));

function expectNewestFirst(items: DecisionRecord[]) {
  for (let i = 1; i < items.length; i++) expect(items[i - 1]!.decidedOn >= items[i]!.decidedOn, `${items[i - 1]!.decidedOn} before ${items[i]!.decidedOn}`).toBe(true);
}

async function list(token: string, query: Record<string, string>) {
  return e2e.api<{ items: DecisionRecord[]; nextCursor: string | null }>('GET', `/v1/decisions?${new URLSearchParams(query)}`, { token });
}

beforeAll(async () => {
  const j1 = await e2e.newJurisdiction();
  const j2 = await e2e.newJurisdiction();
  const [a, b, c] = await Promise.all([e2e.newAgency(j1), e2e.newAgency(j1), e2e.newAgency(j2)]);
  const aDecisions = await Promise.all(
    A_DECISIONS.map(([decidedOn, required]) => e2e.report(a.token, (required ? requiredDecision : notRequiredDecision)({ decidedOn }))),
  );
  const bDecisions = await Promise.all(['2026-03-03', '2026-10-10'].map((decidedOn) => e2e.report(b.token, requiredDecision({ decidedOn }))));
  const cDecisions = await Promise.all(['2026-03-04', '2026-06-06'].map((decidedOn) => e2e.report(c.token, requiredDecision({ decidedOn }))));
  w = { j1, j2, a: { ...a, decisions: aDecisions }, b: { ...b, decisions: bDecisions }, c: { ...c, decisions: cDecisions } };
  // the list indexes are secondary indexes: wait until every decision shows
  await eventually(async () => {
    expect((await e2e.listAll(await e2e.admin())).length).toBeGreaterThanOrEqual(16);
  });
});

describe('scope and order', () => {
  test("an agency lists its own decisions, newest first by decidedOn, as stored", async () => {
    const res = expectStatus(await list(w.a.token, {}), 200);
    expect(Object.keys(res.json).sort()).toEqual(['items', 'nextCursor']);
    expect(res.json.nextCursor).toBeNull();
    expect(res.json.items).toHaveLength(A_DECISIONS.length);
    expect(new Set(ids(res.json.items))).toEqual(new Set(ids(w.a.decisions)));
    expectNewestFirst(res.json.items);
    expect(res.json.items.map((d) => d.decidedOn)).toEqual(byDecidedDesc(w.a.decisions).map((d) => d.decidedOn));
    // items show the list attributes of the record, as a GET returns them (no storage keys, no texts, no
    // filing: changed by the security review, issue 12 item 3, so a list page reads only what it shows)
    for (const item of res.json.items) {
      const full = w.a.decisions.find((d) => d.id === item.id)!;
      const shown = [...DECISION_LIST_ATTRIBUTES, 'workingDaysOverdue'] as string[];
      expect(item).toEqual(Object.fromEntries(Object.entries(full).filter(([k]) => shown.includes(k))));
      expect(full.summary).toBeDefined();
      expect(item).not.toHaveProperty('summary');
      expect(item).not.toHaveProperty('filingReasons');
    }
  });

  test('an agency may name itself in agencyId; another agency -> 403', async () => {
    const own = expectStatus(await list(w.a.token, { agencyId: w.a.agencyId }), 200);
    expect(own.json.items).toHaveLength(A_DECISIONS.length);
    expectProblem(await list(w.a.token, { agencyId: w.b.agencyId }), 403);
    expectProblem(await list(w.a.token, { agencyId: w.c.agencyId }), 403);
  });

  test('a reviewer lists its jurisdiction only', async () => {
    const r1 = await e2e.reviewer(w.j1);
    const all = await e2e.listAll(r1, {}, 100);
    expect(new Set(ids(all))).toEqual(new Set(ids([...w.a.decisions, ...w.b.decisions])));
    expectNewestFirst(all);
    const r2 = await e2e.reviewer(w.j2);
    expect(new Set(ids(await e2e.listAll(r2)))).toEqual(new Set(ids(w.c.decisions)));
  });

  test('a reviewer filtering by an agency of its jurisdiction sees that agency; of another jurisdiction, or unknown, 404 alike', async () => {
    const r1 = await e2e.reviewer(w.j1);
    expect(new Set(ids(await e2e.listAll(r1, { agencyId: w.b.agencyId })))).toEqual(new Set(ids(w.b.decisions)));
    // changed by the security review (issue 12 item 4): it was an empty page with a cursor to another tenant's data
    const foreign = expectProblem(await list(r1, { agencyId: w.c.agencyId }), 404);
    const unknown = expectProblem(await list(r1, { agencyId: 'no-such-agency' }), 404);
    expect(foreign.detail.replace(w.c.agencyId, 'X')).toBe(unknown.detail.replace('no-such-agency', 'X'));
    expect(JSON.stringify(foreign)).not.toMatch(/nextCursor|items/);
  });

  test('an admin sees all, and narrows by agencyId', async () => {
    const admin = await e2e.admin();
    const all = await e2e.listAll(admin);
    expect(ids(all)).toEqual(expect.arrayContaining(ids([...w.a.decisions, ...w.b.decisions, ...w.c.decisions])));
    expectNewestFirst(all);
    expect(new Set(ids(await e2e.listAll(admin, { agencyId: w.c.agencyId })))).toEqual(new Set(ids(w.c.decisions)));
  });
});

describe('limit and paging', () => {
  test('the default page size is 25', async () => {
    const { token } = await e2e.newAgencyAndJurisdiction();
    const made = await Promise.all(Array.from({ length: 27 }, (_, i) => e2e.report(token, notRequiredDecision({ decidedOn: `2026-05-${String(i + 1).padStart(2, '0')}` }))));
    await eventually(async () => expect(await e2e.listAll(token)).toHaveLength(27));
    const first = expectStatus(await list(token, {}), 200);
    expect(first.json.items).toHaveLength(25);
    expect(first.json.nextCursor).toEqual(expect.any(String));
    const second = expectStatus(await list(token, { cursor: first.json.nextCursor! }), 200);
    expect(second.json.items).toHaveLength(2);
    expect(second.json.nextCursor).toBeNull();
    const seen = [...first.json.items, ...second.json.items];
    expect(ids(seen)).toEqual(ids(byDecidedDesc(made)));
  });

  test.each([1, 5, 11, 12])('paging with limit=%i returns every item exactly once, in order', async (limit) => {
    const whole = expectStatus(await list(w.a.token, { limit: '100' }), 200).json.items;
    const paged: DecisionRecord[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: Awaited<ReturnType<typeof list>> = expectStatus(await list(w.a.token, { limit: String(limit), ...(cursor && { cursor }) }), 200);
      expect(res.json.items.length).toBeLessThanOrEqual(limit);
      cursor = res.json.nextCursor;
      if (cursor) expect(res.json.items.length, `page ${pages + 1} is empty but has a nextCursor`).toBe(limit);
      paged.push(...res.json.items);
      pages++;
    } while (cursor && pages < 50);
    // exactly as many pages as needed: no cursor leads to an empty page, even when the items end at a page boundary
    expect(pages).toBe(Math.ceil(A_DECISIONS.length / limit));
    expect(ids(paged)).toEqual(ids(whole));
    expect(new Set(ids(paged)).size).toBe(A_DECISIONS.length);
  });

  test('limit=1 and limit=100 are accepted', async () => {
    expect(expectStatus(await list(w.a.token, { limit: '1' }), 200).json.items).toHaveLength(1);
    expect(expectStatus(await list(w.a.token, { limit: '100' }), 200).json.items).toHaveLength(A_DECISIONS.length);
  });

  test.each(['0', '101', 'abc', '-1', '2.5', ''])('limit=%j -> 400 naming limit', async (limit) => {
    expectFieldErrors(await list(w.a.token, { limit }), 'query', ['limit']);
  });

  test('paging through a filtered list (AWAITING_FILING from 2026-03-01, limit 2) returns every match once, in order', async () => {
    const query = { status: 'AWAITING_FILING', decidedFrom: '2026-03-01' };
    const expected = byDecidedDesc(w.a.decisions.filter((d) => d.status === 'AWAITING_FILING' && d.decidedOn >= '2026-03-01'));
    const paged = await e2e.listAll(w.a.token, query, 2);
    expect(ids(paged).sort()).toEqual(ids(expected).sort());
    expect(paged.map((d) => d.decidedOn)).toEqual(expected.map((d) => d.decidedOn));
    expect(new Set(ids(paged)).size).toBe(paged.length);
  });

  test('a reviewer pages through its jurisdiction with limit 3: every item once', async () => {
    const r1 = await e2e.reviewer(w.j1);
    const paged = await e2e.listAll(r1, {}, 3);
    expect(paged).toHaveLength(w.a.decisions.length + w.b.decisions.length);
    expect(new Set(ids(paged))).toEqual(new Set(ids([...w.a.decisions, ...w.b.decisions])));
    expectNewestFirst(paged);
  });
});

describe('filters', () => {
  test.each(['AWAITING_FILING', 'NOT_REQUIRED'] as const)('status=%s', async (status) => {
    const items = await e2e.listAll(w.a.token, { status });
    const expected = w.a.decisions.filter((d) => d.status === status);
    expect(expected.length).toBeGreaterThan(0);
    expect(new Set(ids(items))).toEqual(new Set(ids(expected)));
    expect(items).toHaveLength(expected.length);
    expectNewestFirst(items);
  });

  test('status narrows every scope: a reviewer its jurisdiction, an admin all or one agency', async () => {
    const inJ1 = [...w.a.decisions, ...w.b.decisions];
    const r1 = await e2e.reviewer(w.j1);
    for (const status of ['AWAITING_FILING', 'NOT_REQUIRED'] as const) {
      const items = await e2e.listAll(r1, { status }, 3);
      expect(new Set(ids(items))).toEqual(new Set(ids(inJ1.filter((d) => d.status === status))));
      expectNewestFirst(items);
    }
    const admin = await e2e.admin();
    const everywhere = await e2e.listAll(admin, { status: 'AWAITING_FILING' });
    expect(everywhere.every((d) => d.status === 'AWAITING_FILING')).toBe(true);
    expect(ids(everywhere)).toEqual(expect.arrayContaining(ids([...inJ1, ...w.c.decisions].filter((d) => d.status === 'AWAITING_FILING'))));
    expectNewestFirst(everywhere);
    const ofC = await e2e.listAll(admin, { status: 'AWAITING_FILING', agencyId: w.c.agencyId });
    expect(new Set(ids(ofC))).toEqual(new Set(ids(w.c.decisions)));
    expect(await e2e.listAll(admin, { status: 'NOT_REQUIRED', agencyId: w.c.agencyId })).toEqual([]);
  });

  test('a filter that is not a key (dueBefore) may answer short pages, each with a cursor that goes on; together every match once', async () => {
    // the 2026-01-05 decision, the oldest of A's, is the only one due before February: behind eleven newer ones
    const paged: DecisionRecord[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: Awaited<ReturnType<typeof list>> = expectStatus(await list(w.a.token, { limit: '1', dueBefore: '2026-02-01', ...(cursor && { cursor }) }), 200);
      expect(res.json.items.length).toBeLessThanOrEqual(1);
      paged.push(...res.json.items);
      cursor = res.json.nextCursor;
      pages++;
    } while (cursor && pages < 50);
    expect(paged.map((d) => d.decidedOn)).toEqual(['2026-01-05']);
  });

  test('an unknown status -> 400', async () => {
    expectFieldErrors(await list(w.a.token, { status: 'FILED_MAYBE' }), 'query', ['status']);
  });

  test('decidedFrom and decidedTo are inclusive', async () => {
    const within = (from: string, to: string) => w.a.decisions.filter((d) => d.decidedOn >= from && d.decidedOn <= to);
    const range = await e2e.listAll(w.a.token, { decidedFrom: '2026-03-02', decidedTo: '2026-08-08' });
    expect(new Set(ids(range))).toEqual(new Set(ids(within('2026-03-02', '2026-08-08'))));
    expect(range.map((d) => d.decidedOn)).toContain('2026-03-02');
    expect(range.map((d) => d.decidedOn)).toContain('2026-08-08');
    expect(range.filter((d) => d.decidedOn === '2026-03-02')).toHaveLength(2);

    const from = await e2e.listAll(w.a.token, { decidedFrom: '2026-09-28' });
    expect(new Set(ids(from))).toEqual(new Set(ids(within('2026-09-28', '9999-12-31'))));
    const to = await e2e.listAll(w.a.token, { decidedTo: '2026-02-10' });
    expect(new Set(ids(to))).toEqual(new Set(ids(within('0000-01-01', '2026-02-10'))));
    const oneDay = await e2e.listAll(w.a.token, { decidedFrom: '2026-03-02', decidedTo: '2026-03-02' });
    expect(oneDay).toHaveLength(2);
    const none = await e2e.listAll(w.a.token, { decidedFrom: '2026-03-03', decidedTo: '2026-04-14' });
    expect(none).toEqual([]);
  });

  test('dueBefore keeps decisions whose filingDueOn is strictly before the date', async () => {
    const due = w.a.decisions.filter((d) => d.filingDueOn !== null).map((d) => d.filingDueOn!).sort();
    const pivot = due[Math.floor(due.length / 2)]!;
    const items = await e2e.listAll(w.a.token, { dueBefore: pivot });
    const expected = w.a.decisions.filter((d) => d.filingDueOn !== null && d.filingDueOn < pivot);
    expect(expected.length).toBeGreaterThan(0);
    expect(new Set(ids(items))).toEqual(new Set(ids(expected)));
    expect(items.find((d) => d.filingDueOn === pivot)).toBeUndefined();
    // the 2026-09-28 decision is due 2026-10-16: in with dueBefore=2026-10-17, out with 2026-10-16
    const worked = w.a.decisions.find((d) => d.decidedOn === '2026-09-28')!;
    expect(worked.filingDueOn).toBe('2026-10-16');
    expect(ids(await e2e.listAll(w.a.token, { dueBefore: '2026-10-17' }))).toContain(worked.id);
    expect(ids(await e2e.listAll(w.a.token, { dueBefore: '2026-10-16' }))).not.toContain(worked.id);
  });

  test('decidedFrom after decidedTo: no 500 (a 400 naming the range, or an empty list)', async () => {
    const res = await list(w.a.token, { decidedFrom: '2026-06-01', decidedTo: '2026-05-01' });
    expect(res.status, res.text).toBeLessThan(500);
    if (res.status === 200) expect(res.json).toEqual({ items: [], nextCursor: null });
    else expectFieldErrors(res, 'query', [/^decided(From|To)$/]);
  });

  test('filters combine', async () => {
    const items = await e2e.listAll(w.a.token, { status: 'NOT_REQUIRED', decidedFrom: '2026-03-01', decidedTo: '2026-07-31' });
    const expected = w.a.decisions.filter((d) => d.status === 'NOT_REQUIRED' && d.decidedOn >= '2026-03-01' && d.decidedOn <= '2026-07-31');
    expect(new Set(ids(items))).toEqual(new Set(ids(expected)));
  });

  test.each([
    ['decidedFrom', '2026-02-30'],
    ['decidedTo', '2026-13-01'],
    ['dueBefore', 'tomorrow'],
    ['agencyId', 'Not_An_Agency'],
  ])('%s=%s -> 400 naming it', async (name, value) => {
    expectFieldErrors(await list(await e2e.admin(), { [name]: value }), 'query', [name]);
  });

  test('an unknown query parameter -> 400 naming it', async () => {
    expectFieldErrors(await list(w.a.token, { sort: 'asc' }), 'query', ['sort']);
  });
});

describe('cursors are opaque and tamper-evident', () => {
  async function firstCursor(token: string, query: Record<string, string> = {}) {
    const res = expectStatus(await list(token, { limit: '2', ...query }), 200);
    expect(res.json.nextCursor).toEqual(expect.any(String));
    return res.json.nextCursor!;
  }

  test('a cursor does not show the key or the filters in clear', async () => {
    const cursor = await firstCursor(w.a.token, { status: 'AWAITING_FILING' });
    expect(cursor).not.toContain(w.a.agencyId);
    expect(cursor).not.toContain('AWAITING_FILING');
    expect(cursor).not.toMatch(/\d{4}-\d{2}-\d{2}/);
  });

  test('the cursor works as received', async () => {
    const cursor = await firstCursor(w.a.token);
    expectStatus(await list(w.a.token, { limit: '2', cursor }), 200);
  });

  test('a modified cursor -> 400', async () => {
    const cursor = await firstCursor(w.a.token);
    const dot = cursor.indexOf('.');
    // replace one character by the one 32 places on in the base64url alphabet: its top bit changes
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const flip = (s: string, i: number) => s.slice(0, i) + alphabet[(alphabet.indexOf(s[i]!) + 32) % 64] + s.slice(i + 1);
    const variants = [
      flip(cursor, 0),
      flip(cursor, Math.max(0, dot - 2)),
      flip(cursor, cursor.length - 1),
      cursor.slice(0, -1),
      `${cursor}A`,
      `${cursor}.extra`,
      dot > 0 ? cursor.slice(0, dot) : 'x',
      'garbage',
      '.',
    ];
    for (const forged of variants) {
      if (forged === cursor) continue;
      const res = await list(w.a.token, { limit: '2', cursor: forged });
      expect(res.status, `cursor ${forged}: ${res.text}`).toBe(400);
      expectProblem(res, 400);
    }
  });

  test('a forged cursor (a well-formed payload that points elsewhere, with a made-up signature) -> 400', async () => {
    const cursor = await firstCursor(w.a.token);
    const [payload] = cursor.split('.');
    const decoded = Buffer.from(payload!, 'base64url').toString();
    // whatever the payload is, point it at agency C and re-encode; keep the old signature or make one up
    const edited = Buffer.from(decoded.replaceAll(w.a.agencyId, w.c.agencyId) + ' ').toString('base64url');
    for (const forged of [`${edited}.${cursor.split('.')[1]}`, `${edited}.${'A'.repeat(43)}`]) {
      expectProblem(await list(w.a.token, { limit: '2', cursor: forged }), 400);
    }
    const fake = Buffer.from(JSON.stringify({ k: { pk: 'DEC#x', sk: 'META' }, b: 'x' })).toString('base64url');
    expectProblem(await list(w.a.token, { limit: '2', cursor: `${fake}.${'A'.repeat(43)}` }), 400);
  });

  test('a cursor reused with different filters -> 400', async () => {
    const cursor = await firstCursor(w.a.token, { status: 'AWAITING_FILING' });
    expectStatus(await list(w.a.token, { limit: '2', status: 'AWAITING_FILING', cursor }), 200);
    const others: Record<string, string>[] = [{}, { status: 'NOT_REQUIRED' }, { status: 'AWAITING_FILING', decidedFrom: '2026-01-01' }, { status: 'AWAITING_FILING', dueBefore: '2027-01-01' }];
    for (const query of others) {
      expectProblem(await list(w.a.token, { limit: '2', ...query, cursor }), 400);
    }
  });

  test("a cursor used in another scope (another agency, another jurisdiction's reviewer, another agencyId) -> 400", async () => {
    const cursorA = await firstCursor(w.a.token);
    expectProblem(await list(w.b.token, { limit: '2', cursor: cursorA }), 400);
    const r1 = await e2e.reviewer(w.j1);
    const cursorR1 = await firstCursor(r1);
    expectProblem(await list(await e2e.reviewer(w.j2), { limit: '2', cursor: cursorR1 }), 400);
    expectProblem(await list(r1, { limit: '2', agencyId: w.a.agencyId, cursor: cursorR1 }), 400);
    const admin = await e2e.admin();
    const cursorAdminA = await firstCursor(admin, { agencyId: w.a.agencyId });
    expectProblem(await list(admin, { limit: '2', agencyId: w.b.agencyId, cursor: cursorAdminA }), 400);
  });
});
