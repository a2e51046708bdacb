/**
 * End-to-end harness: one local stack (DynamoDB Local in memory + the API over real HTTP through the real
 * Lambda handler) per test file, an `api()` helper that speaks HTTP to it, token helpers, and fixtures.
 *
 * Usage, at the top level of a test file:
 *   const e2e = useStack();
 *   test('...', async () => { const res = await e2e.api('GET', '/v1/jurisdictions', { token: await e2e.admin() }); });
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, vi } from 'vitest';
import type { TokenRequest } from '../../infra/local/jwt.ts';
import { mintStackToken } from '../../infra/local/identity.ts';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../infra/local/stack.ts';
import type { DecisionRecord } from '../../shared/store/records.ts';
import { portInUse } from '../../infra/local/processes.ts';

/** node with tsx's loader, one process: a killed test leaves no grandchild running (the tsx wrapper would) */
export const withTsx = (script: string, ...args: string[]) => ['--import', 'tsx', script, ...args];

/**
 * `npm start` as a newcomer runs it: its own process (detached, so its whole group can be killed) with a
 * state folder of its own. Every stack started is killed, and the folder removed, after the file's tests.
 */
export function npmStartProcesses(prefix: string) {
  const stateDir = mkdtempSync(join(tmpdir(), prefix));
  const children: ChildProcess[] = [];
  afterAll(() => {
    // the whole process group: a stack killed mid-test must not leave its DynamoDB Local running
    for (const c of children) {
      try {
        if (c.pid && c.exitCode === null) process.kill(-c.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(stateDir, { recursive: true, force: true });
  });
  function start(env: Record<string, string>) {
    const child = spawn(process.execPath, withTsx('infra/local/start.ts'), { env: { ...process.env, BEIAN_STATE_DIR: stateDir, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const waitFor = async (text: string, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!output.includes(text)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`"${text}" never appeared; output:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    /** until the banner is printed; returns the output so far */
    const ready = async () => (await waitFor('Ctrl-C stops everything'), output);
    return { child, exited, waitFor, ready, output: () => output };
  }
  return { stateDir, start };
}

/**
 * Ports for a stack started as its own process (`npm start` in a test), which must be named in advance.
 * Taken below Linux's ephemeral range (32768-60999): a port found free there cannot be handed meanwhile to
 * another test's stack binding port 0, which is what made freePort()'s ports collide now and then.
 */
export async function reservedPorts<K extends string>(names: readonly K[]): Promise<Record<K, string>> {
  const out = {} as Record<K, string>;
  const taken = new Set<number>();
  for (const name of names) {
    for (;;) {
      const port = 20_000 + Math.floor(Math.random() * 12_000);
      if (taken.has(port) || (await portInUse(port))) continue;
      taken.add(port);
      out[name] = String(port);
      break;
    }
  }
  return out;
}

export interface ApiOptions {
  token?: string;
  /** sent as JSON (content-type application/json) */
  body?: unknown;
  headers?: Record<string, string>;
  /** sent exactly as given; content-type application/json unless headers say otherwise */
  rawBody?: string | Uint8Array;
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  /** the parsed JSON body, or undefined when the body is empty or not JSON */
  json: T;
  text: string;
}

export type DecisionInput = Record<string, unknown>;

/** One HTTP call to the API as a client makes it: JSON in and out, a bearer token, any headers. */
export async function callApi(baseUrl: string, method: string, path: string, options: ApiOptions = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | Uint8Array | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  return toApiResponse(await fetch(baseUrl + path, { method, headers, ...(body !== undefined && { body }) }));
}

/** A fetch Response read as the harness reads every answer: the text, and its JSON when it is JSON. */
export async function toApiResponse(res: Response): Promise<ApiResponse> {
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json: json as any, text };
}

// ---------- ids, dates, fixtures ----------

/** A unique id matching [a-z0-9-]{2,64}. */
export const uid = (prefix: string) => `${prefix}-${randomBytes(5).toString('hex')}`;

/** A calendar date in Asia/Shanghai, computed independently of the code under test. */
export function shanghaiDateOf(instant: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}
export const shanghaiToday = () => shanghaiDateOf(new Date());
/** Tomorrow in Shanghai (China has no daylight saving time: +24 h is always the next day). */
export const shanghaiTomorrow = () => shanghaiDateOf(new Date(Date.now() + 24 * 3600 * 1000));

export const THRESHOLDS = [
  { partyType: 'INDIVIDUAL', amount: '5000', effectiveFrom: '2020-01-01' },
  { partyType: 'ORGANIZATION', amount: '100000', effectiveFrom: '2020-01-01' },
];

export function jurisdictionBody(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Test district 测试区',
    filingPeriodWorkingDays: 10,
    hearingThresholds: THRESHOLDS,
    escalationEmails: ['legal@example.org'],
    extraOffDays: [],
    extraWorkingDays: [],
    ...overrides,
  };
}

export function agencyBody(jurisdictionId: string, overrides: Record<string, unknown> = {}) {
  return { name: 'Market regulation bureau 市场监管局', jurisdictionId, contactEmails: ['office@example.org'], ...overrides };
}

/** Decided on the first worked example of DOMAIN.md: 2026-09-28 + 10 working days = 2026-10-16. */
export const WORKED_DECIDED = '2026-09-28';
export const WORKED_DUE = '2026-10-16';

/** A decision that must be filed (revocation of a permit). */
export function requiredDecision(overrides: DecisionInput = {}): DecisionInput {
  return {
    caseNumber: `津罚〔2026〕${uid('c')}号`,
    kind: 'PENALTY',
    measures: ['REVOKE_PERMIT'],
    party: { type: 'ORGANIZATION', name: '天津某某有限公司' },
    decidedOn: WORKED_DECIDED,
    summary: 'licence revoked',
    legalBasis: 'Art. 9',
    ...overrides,
  };
}

/** A decision that need not be filed (a warning): still recorded, as NOT_REQUIRED. */
export function notRequiredDecision(overrides: DecisionInput = {}): DecisionInput {
  return requiredDecision({ measures: ['WARNING'], ...overrides });
}

// ---------- problem details ----------

/** Asserts an RFC 9457 problem with the status; returns it. */
export function expectProblem(res: ApiResponse, status: number) {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${res.text}`);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.json).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
  expect(res.json.type.length).toBeGreaterThan(0);
  return res.json as { type: string; title: string; status: number; detail: string; errors?: { field: string; in: string; reason: string }[]; [k: string]: unknown };
}

/** Asserts a 400 validation problem that lists (at least) the given fields, each with `in` and a reason. */
export function expectFieldErrors(res: ApiResponse, where: 'body' | 'query' | 'path' | 'header', fields: (string | RegExp)[]) {
  const problem = expectProblem(res, 400);
  expect(Array.isArray(problem.errors), `errors[] in ${res.text}`).toBe(true);
  for (const e of problem.errors!) {
    expect(e).toMatchObject({ field: expect.any(String), in: expect.any(String), reason: expect.any(String) });
    expect(e.reason.length).toBeGreaterThan(0);
  }
  for (const field of fields) {
    const hit = problem.errors!.find((e) => e.in === where && (typeof field === 'string' ? e.field === field : field.test(e.field)));
    expect(hit, `an error for ${where} field ${String(field)} in ${res.text}`).toBeDefined();
  }
  return problem;
}

export function expectStatus<T = any>(res: ApiResponse<T>, status: number): ApiResponse<T> {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${res.text}`);
  return res;
}

// ---------- the stack ----------

export interface E2E {
  readonly stack: LocalStack;
  api<T = any>(method: string, path: string, options?: ApiOptions): Promise<ApiResponse<T>>;
  token(req: TokenRequest): Promise<string>;
  admin(): Promise<string>;
  reviewer(jurisdictionId: string): Promise<string>;
  agency(agencyId: string): Promise<string>;
  /** registers a jurisdiction (as admin); returns its id */
  newJurisdiction(overrides?: Record<string, unknown>): Promise<string>;
  /** registers an agency in the jurisdiction (as admin); returns its id and a token */
  newAgency(jurisdictionId: string, overrides?: Record<string, unknown>): Promise<{ agencyId: string; token: string }>;
  /** a fresh jurisdiction with one agency in it */
  newAgencyAndJurisdiction(jurisdictionOverrides?: Record<string, unknown>): Promise<{ jurisdictionId: string; agencyId: string; token: string }>;
  /** POST /v1/decisions, expecting 201 */
  report(agencyToken: string, body: DecisionInput, headers?: Record<string, string>): Promise<DecisionRecord>;
  /** every decision the token sees with the query, following nextCursor to the end */
  listAll(token: string, query?: Record<string, string>, pageSize?: number): Promise<DecisionRecord[]>;
}

/** One local stack for the test file; `options` adjust it (the filing tests shorten the queue's visibility timeout). */
export function useStack(options: Pick<LocalStackOptions, 'queueVisibilityTimeoutSeconds' | 'identity' | 'mailTransport'> = {}): E2E {
  let stack: LocalStack | undefined;
  let stateDir: string | undefined;
  const tokens = new Map<string, Promise<string>>();

  beforeAll(async () => {
    // the per-caller limit is tested on its own (rate-limit.test.ts); other suites make many calls with one token
    process.env.CALLER_RATE_LIMIT ??= '100000/60';
    stateDir = mkdtempSync(join(tmpdir(), 'beian-e2e-'));
    stack = await startLocalStack({ port: 0, dynamoPort: 0, sqsPort: 0, sesPort: 0, smtpPort: 0, oidcPort: 0, stateDir, persist: false, ...options });
  });
  afterAll(async () => {
    await stack?.stop();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  const current = () => {
    if (!stack) throw new Error('the stack is not started: call useStack() at the top level of the test file');
    return stack;
  };

  const e2e: E2E = {
    get stack() {
      return current();
    },

    api: (method, path, options = {}) => callApi(current().apiUrl, method, path, options),

    token(req) {
      const key = JSON.stringify(req);
      let t = tokens.get(key);
      // for whichever issuer the stack trusts (the local one, or its own OIDC issuer)
      if (!t) tokens.set(key, (t = mintStackToken(current().stateDir, req)));
      return t;
    },
    admin: () => e2e.token({ role: 'admin' }),
    reviewer: (jurisdiction) => e2e.token({ role: 'reviewer', jurisdiction }),
    agency: (agency) => e2e.token({ role: 'agency', agency }),

    async newJurisdiction(overrides = {}) {
      const id = uid('jur');
      expectStatus(await e2e.api('PUT', `/v1/jurisdictions/${id}`, { token: await e2e.admin(), body: jurisdictionBody(overrides) }), 200);
      return id;
    },

    async newAgency(jurisdictionId, overrides = {}) {
      const agencyId = uid('ag');
      expectStatus(await e2e.api('PUT', `/v1/agencies/${agencyId}`, { token: await e2e.admin(), body: agencyBody(jurisdictionId, overrides) }), 200);
      return { agencyId, token: await e2e.agency(agencyId) };
    },

    async newAgencyAndJurisdiction(jurisdictionOverrides = {}) {
      const jurisdictionId = await e2e.newJurisdiction(jurisdictionOverrides);
      return { jurisdictionId, ...(await e2e.newAgency(jurisdictionId)) };
    },

    async report(agencyToken, body, headers) {
      const res = await e2e.api<DecisionRecord>('POST', '/v1/decisions', { token: agencyToken, body, ...(headers && { headers }) });
      return expectStatus(res, 201).json;
    },

    async listAll(token, query = {}, pageSize = 100) {
      const items: DecisionRecord[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 1000; page++) {
        const qs: URLSearchParams = new URLSearchParams({ ...query, limit: String(pageSize), ...(cursor && { cursor }) });
        const res: ApiResponse = expectStatus(await e2e.api('GET', `/v1/decisions?${qs}`, { token }), 200);
        items.push(...(res.json.items as DecisionRecord[]));
        cursor = res.json.nextCursor;
        if (!cursor) return items;
      }
      throw new Error('listAll: more than 1000 pages');
    },
  };
  return e2e;
}

/** Waits until the listing satisfies the assertion (the list indexes are secondary indexes). */
export async function eventually<T>(fn: () => Promise<T>, timeout = 5_000): Promise<T> {
  return vi.waitFor(fn, { timeout, interval: 50 });
}
