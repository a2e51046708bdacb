/**
 * The route table: method, path, who may call, the schemas of path, query and body, and the use case.
 * The handler, the local runner (through route-keys.ts) and the OpenAPI document all read it.
 */
import type * as z from 'zod/mini';
import { type AgencyDirectory, type Caller, type Role } from '../../shared/auth/caller.ts';
import type { Identity } from '../../shared/auth/identity.ts';
import { DECISION_LIST_ATTRIBUTES } from '../../shared/domain/records.ts';
import { notAllowed } from '../../shared/errors.ts';
import * as s from '../../shared/schemas/api.ts';
import { type CalendarDeps, calendarYear, loadCalendarYear, workingDays } from '../../shared/use-cases/calendar.ts';
import { decisionHistory, getDecision, listDecisions, presentDecision, reportDecision } from '../../shared/use-cases/decisions.ts';
import { type ReviewDeps, reviewFiling, reviewQueue } from '../../shared/use-cases/review.ts';
import { type StatsDeps, jurisdictionStats } from '../../shared/use-cases/statistics.ts';
import { type DocumentDeps, declareDocument, documentContent, listDocuments } from '../../shared/use-cases/documents.ts';
import { documentBody } from '../../shared/schemas/filing.ts';
import { statsCsv } from '../../shared/domain/statistics.ts';
import { submitFiling, type FilingDeps } from '../../shared/use-cases/filings.ts';
import { type LateExplanationDeps, explainLate } from '../../shared/use-cases/late-explanation.ts';
import { filingBody } from '../../shared/schemas/filing.ts';
import * as registry from '../../shared/use-cases/registry.ts';
import { telemetry } from '../../shared/observability/metrics-emitter.ts';

/** The business metrics the API counts: what agencies report and submit (a replayed request counts once). */
const metrics = telemetry();

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

type Schema = z.ZodMiniType;
type Out<S> = S extends Schema ? z.output<S> : undefined;

export interface RateLimit {
  /** requests a caller may make in one window */
  requests: number;
  windowSeconds: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

/** A request limit per caller and window, shared by every instance of the function (shared/store/rate-limit.ts). */
export interface CallerRateLimit {
  readonly limit: RateLimit;
  take(callerKey: string, nowMs: number): Promise<RateDecision>;
}

/** What the API's use cases need, wired by shared/wiring/api.ts. */
export type ApiDeps = FilingDeps & LateExplanationDeps & ReviewDeps & StatsDeps & CalendarDeps & DocumentDeps & {
  rateLimiter: CallerRateLimit;
  /** also the source of the callers' directory: app client links and agencies (handler.ts) */
  store: AgencyDirectory;
  /** whose tokens the authorizer lets through, and so how their claims name the caller */
  identity: Identity;
};

export interface RouteContext<P, Q, B> {
  deps: ApiDeps;
  caller: Caller;
  params: P;
  query: Q;
  body: B;
  headers: Record<string, string | undefined>;
}

export interface Route<P extends Schema | undefined = Schema | undefined, Q extends Schema | undefined = Schema | undefined, B extends Schema | undefined = Schema | undefined> {
  method: 'GET' | 'PUT' | 'POST';
  path: string;
  summary: string;
  /** 'public' routes skip the authorizer */
  roles: readonly Role[] | 'public';
  params?: P;
  query?: Q;
  body?: B;
  /** status of the success response, for the API document */
  responds: number;
  /** what the success response carries, for the API document */
  returns?: string;
  /** content types of the success response, for the API document (default application/json) */
  produces?: readonly string[];
  /** a GET without path parameters that can still answer 404 (a jurisdiction named in the query) */
  mayNotFind?: boolean;
  run: (ctx: RouteContext<Out<P>, Out<Q>, Out<B>>) => Promise<Reply>;
}

const route = <P extends Schema | undefined = undefined, Q extends Schema | undefined = undefined, B extends Schema | undefined = undefined>(r: Route<P, Q, B>) =>
  r as unknown as Route;

const ok = (body: unknown): Reply => ({ status: 200, body });
const anyRole = ['admin', 'reviewer', 'agency'] as const;

/** The statistics as a CSV attachment: an ASCII file name for old clients, the Chinese one (RFC 6266 filename*) for the rest. */
function csvReply({ report, jurisdictionName }: Awaited<ReturnType<typeof jurisdictionStats>>): Reply {
  const period = `${report.from}-${report.to}`;
  const name = `备案统计-${jurisdictionName}-${period}.csv`;
  return {
    status: 200,
    body: statsCsv(report),
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="beian-stats-${report.jurisdictionId}-${period}.csv"; filename*=UTF-8''${rfc5987(name)}`,
    },
  };
}

/** RFC 5987 value characters: encodeURIComponent leaves ' ( ) * ! as they are, which the grammar does not allow. */
const rfc5987 = (s: string) => encodeURIComponent(s).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Whether an Accept header asks for CSV before JSON (quality values count; no Accept, or a tie, is JSON). */
export function prefersCsv(accept: string | undefined): boolean {
  const q = (type: RegExp) =>
    Math.max(
      -1,
      ...(accept ?? '')
        .split(',')
        .map((part) => part.trim().split(';'))
        .filter(([t]) => type.test(t!.trim()))
        .map(([, ...params]) => Number(params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean) ?? 1)),
    );
  return q(/^text\/csv$/i) > Math.max(q(/^application\/json$/i), q(/^(\*\/\*|application\/\*)$/i));
}

function asAgency(caller: Caller) {
  if (caller.role !== 'agency') throw notAllowed('only an agency reports decisions and files them');
  return caller;
}

export const routes: readonly Route[] = [
  route({
    method: 'GET', path: '/v1/openapi.json', summary: 'This API document', roles: 'public', responds: 200,
    // read at the first request for it (23 KB a cold start of every other route need not parse)
    run: async () => ok((await import('./openapi.json', { with: { type: 'json' } })).default),
  }),
  route({
    method: 'GET', path: '/v1/jurisdictions', summary: 'List jurisdictions (admin: all; others: their own)', roles: anyRole, responds: 200,
    run: async ({ deps, caller }) => ok(await registry.listJurisdictions(deps, caller)),
  }),
  route({
    method: 'GET', path: '/v1/jurisdictions/{jurisdictionId}', summary: 'Read a jurisdiction', roles: anyRole, params: s.jurisdictionPath, responds: 200,
    run: async ({ deps, caller, params }) => ok(await registry.getJurisdiction(deps, caller, params.jurisdictionId)),
  }),
  route({
    method: 'PUT', path: '/v1/jurisdictions/{jurisdictionId}', summary: 'Register or update a jurisdiction and its filing rules', roles: ['admin'],
    params: s.jurisdictionPath, body: s.jurisdictionBody, responds: 200,
    run: async ({ deps, params, body }) => ok(await registry.putJurisdiction(deps, params.jurisdictionId, body)),
  }),
  route({
    method: 'GET', path: '/v1/agencies', summary: 'List agencies (scoped by role)', roles: anyRole, responds: 200,
    run: async ({ deps, caller }) => ok(await registry.listAgencies(deps, caller)),
  }),
  route({
    method: 'GET', path: '/v1/agencies/{agencyId}', summary: 'Read an agency', roles: anyRole, params: s.agencyPath, responds: 200,
    run: async ({ deps, caller, params }) => ok(await registry.getAgency(deps, caller, params.agencyId)),
  }),
  route({
    method: 'PUT', path: '/v1/agencies/{agencyId}', summary: 'Register or update an agency', roles: ['admin'],
    params: s.agencyPath, body: s.agencyBody, responds: 200,
    run: async ({ deps, params, body }) => ok(await registry.putAgency(deps, params.agencyId, body)),
  }),
  route({
    method: 'POST', path: '/v1/decisions', summary: 'Report a major decision and learn its filing deadline', roles: ['agency'],
    body: s.decisionBody, responds: 201,
    run: async ({ deps, caller, body, headers }) => {
      const created = await reportDecision(deps, asAgency(caller), body, headers['idempotency-key']);
      if (!created.replayed && created.status === 201) {
        metrics.record('DecisionsReported');
        if ((created.body as { filingRequired?: boolean }).filingRequired) metrics.record('FilingRequired');
      }
      return {
        status: created.status,
        body: created.body,
        headers: { location: created.location, ...(created.replayed && { 'idempotent-replayed': 'true' }) },
      };
    },
  }),
  route({
    method: 'GET', path: '/v1/decisions', summary: 'List decisions, newest first (scoped by role)', roles: anyRole, query: s.listDecisionsQuery, responds: 200,
    returns:
      `A page: \`items\`, each with the list attributes of a decision (${DECISION_LIST_ATTRIBUTES.join(', ')}, and workingDaysOverdue while its filing is awaited past the deadline; ` +
      'GET /v1/decisions/{id} has the whole decision), and `nextCursor`, null at the end. A page filtered by dueBefore (or a reviewer\'s agencyId) reads a bounded number of items and may be short, or empty, with a cursor that goes on.',
    run: async ({ deps, caller, query }) => {
      const page = await listDecisions(deps, caller, query);
      return ok({ ...page, items: await Promise.all(page.items.map((d) => presentDecision(deps, d))) });
    },
  }),
  route({
    method: 'GET', path: '/v1/decisions/{id}', summary: 'Read a decision', roles: anyRole, params: s.idPath, responds: 200,
    run: async ({ deps, caller, params }) => ok(await presentDecision(deps, await getDecision(deps, caller, params.id))),
  }),
  route({
    method: 'PUT', path: '/v1/decisions/{id}/filing', summary: 'Submit (or resubmit) the filing of a decision; processed asynchronously', roles: ['agency'],
    params: s.idPath, body: filingBody, responds: 202,
    run: async ({ deps, caller, params, body, headers }) => {
      const submitted = await submitFiling(deps, asAgency(caller), params.id, body, headers['idempotency-key']);
      if (!submitted.replayed) metrics.record('FilingsSubmitted');
      return { status: 202, body: submitted.body, headers: { location: `/v1/decisions/${params.id}`, ...(submitted.replayed && { 'idempotent-replayed': 'true' }) } };
    },
  }),
  route({
    method: 'POST', path: '/v1/decisions/{id}/documents', summary: 'Declare a document of a filing and get a presigned URL to upload its file to (PUT, 15 minutes)', roles: ['agency'],
    params: s.idPath, body: documentBody, responds: 201,
    returns: '`documentId`, `status` PENDING and `upload` { method: PUT, url, headers, expiresAt }: PUT the file\'s bytes to `url` with exactly `headers`',
    run: async ({ deps, caller, params, body, headers }) => {
      const declared = await declareDocument(deps, asAgency(caller), params.id, body, headers['idempotency-key']);
      return { status: 201, body: declared.body, headers: { location: declared.location, ...(declared.replayed && { 'idempotent-replayed': 'true' }) } };
    },
  }),
  route({
    method: 'GET', path: '/v1/decisions/{id}/documents', summary: "A decision's documents, with their verification status", roles: anyRole, params: s.idPath, responds: 200,
    returns: '`items`: each document with `status` PENDING, VERIFIED or REJECTED (with `reason`)',
    run: async ({ deps, caller, params }) => ok(await listDocuments(deps, caller, params.id)),
  }),
  route({
    method: 'GET', path: '/v1/decisions/{id}/documents/{documentId}/content', summary: "A verified document's file: a redirect to a presigned download (5 minutes) with its original name",
    roles: anyRole, params: s.documentPath, responds: 302,
    returns: 'Found: `location` is the presigned S3 GET',
    run: async ({ deps, caller, params }) => ({ status: 302, body: '', headers: { location: await documentContent(deps, caller, params.id, params.documentId), 'content-type': 'text/plain; charset=utf-8' } }),
  }),
  route({
    method: 'POST', path: '/v1/decisions/{id}/late-explanation',
    summary: 'Explain a missed or imminent deadline: the reason and the promised filing date (overdue, or due within the reminder window)',
    roles: ['agency'], params: s.idPath, body: s.lateExplanationBody, responds: 200,
    run: async ({ deps, caller, params, body }) => ok(await explainLate(deps, asAgency(caller), params.id, body)),
  }),
  route({
    method: 'GET', path: '/v1/decisions/{id}/history', summary: 'The history of a decision: every change, in order (who, when, status before and after)',
    roles: anyRole, params: s.idPath, responds: 200,
    returns: '`items`: events in order, each `{ at, on, kind, actor: { role, subject, agencyId? }, statusBefore, statusAfter, detail }`',
    run: async ({ deps, caller, params }) => ok(await decisionHistory(deps, caller, params.id)),
  }),
  route({
    method: 'POST', path: '/v1/decisions/{id}/review',
    summary: 'Review a received filing: ACCEPTED (予以备案) or CORRECTION_REQUIRED (责令纠正, with comments, due in correctionDueInWorkingDays, default 10)',
    roles: ['reviewer'], params: s.idPath, body: s.reviewBody, responds: 200,
    returns: 'The decision, with `status` ACCEPTED or CORRECTION_REQUIRED, `review`, and for a correction `correctionDueOn`. 409 (with `currentStatus`) when the decision is not RECEIVED, or another reviewer decided first',
    run: async ({ deps, caller, params, body }) => ok(await reviewFiling(deps, caller, params.id, body)),
  }),
  route({
    method: 'GET', path: '/v1/reviews/queue', summary: 'Filings received and not yet reviewed, oldest decision first', roles: ['reviewer', 'admin'],
    query: s.reviewQueueQuery, responds: 200,
    returns: 'A page as the decision list gives it: `items` (list attributes) and `nextCursor`',
    run: async ({ deps, caller, query }) => ok(await reviewQueue(deps, caller, query)),
  }),
  route({
    method: 'GET', path: '/v1/stats', summary: 'Filing statistics of a jurisdiction per agency or per month (JSON, or CSV with Accept: text/csv)', roles: ['reviewer', 'admin'],
    query: s.statsQuery, responds: 200, produces: ['application/json', 'text/csv'], mayNotFind: true,
    returns: '`groups` (per agency or per month) and `totals`: requiringFiling, filedOnTime, filedLate, overdueUnfiled, correctionsOrdered, accepted, medianWorkingDaysToFile, onTimeRate',
    run: async ({ deps, caller, query, headers }) => {
      const stats = await jurisdictionStats(deps, caller, query);
      return prefersCsv(headers.accept) ? csvReply(stats) : ok(stats.report);
    },
  }),
  route({
    method: 'GET', path: '/v1/stats.csv', summary: 'The same statistics as CSV (UTF-8 with BOM, Chinese headers) for Excel and WPS', roles: ['reviewer', 'admin'],
    query: s.statsQuery, responds: 200, produces: ['text/csv'], mayNotFind: true,
    returns: 'text/csv; charset=utf-8, as an attachment named after the jurisdiction and the period',
    run: async ({ deps, caller, query }) => csvReply(await jurisdictionStats(deps, caller, query)),
  }),
  route({
    method: 'GET', path: '/v1/calendar/working-days', summary: 'The date N working days after a date', roles: anyRole, query: s.workingDaysQuery, responds: 200,
    run: async ({ deps, caller, query }) => ok(await workingDays(deps, caller, query)),
  }),
  route({
    method: 'GET', path: '/v1/calendar/{year}', summary: 'A year of the national holiday calendar in force, with where it came from (shipped or loaded, when, by whom)',
    roles: anyRole, params: s.yearPath, responds: 200,
    returns: 'The year in the holiday-cn format (`year`, `papers`, `days`) with `source` (shipped | loaded), `provisional` (a placeholder without days), and for a loaded year `loadedAt` (admins also `loadedBy` and every version loaded)',
    run: async ({ deps, caller, params }) => ok(await calendarYear(deps, caller, Number(params.year))),
  }),
  route({
    method: 'PUT', path: '/v1/calendar/{year}', summary: "Load a year's national holiday schedule (holiday-cn format) without a redeploy", roles: ['admin'],
    params: s.yearPath, body: s.calendarYearBody, responds: 200,
    returns: 'The year as GET returns it, and `recomputedDeadlines`: the open provisional deadlines counted again on it (each an event in its history)',
    run: async ({ deps, caller, params, body }) => ok(await loadCalendarYear(deps, caller, Number(params.year), body)),
  }),
];
