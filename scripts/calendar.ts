/**
 * Operators' tool for the national holiday calendar shipped in shared/domain/holiday-cn/.
 *   npm run calendar -- status          which years are shipped; warns when next year is missing
 *   npm run calendar -- status --api URL [--token TOKEN]
 *                                       whether next year is in force in a running stack or deployment
 *   npm run calendar -- add FILE        validate a holiday-cn year file, copy it in, regenerate the index
 *   npm run calendar -- add FILE --api URL [--token TOKEN]
 *                                       load it into a running stack or deployment (PUT /v1/calendar/{year}):
 *                                       every function counts on it within a minute, no redeploy
 * `add` without --api changes the shipped data: run the tests and redeploy (it is bundled into the functions).
 * With --api the token is --token, else $BEIAN_TOKEN, else (for a local stack on localhost) an admin token
 * minted from .local/ as `npm run token` does.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { CalendarDataError, WorkingCalendar, parseYearFiles } from '../shared/domain/calendar.ts';
import { shanghaiToday } from '../shared/domain/dates.ts';

const dataDir = fileURLToPath(new URL('../shared/domain/holiday-cn/', import.meta.url));

function yearFiles() {
  return readdirSync(dataDir)
    .filter((f) => /^\d{4}\.json$/.test(f))
    .sort()
    .map((fileName) => ({ fileName, content: JSON.parse(readFileSync(join(dataDir, fileName), 'utf8')) as unknown }));
}

/**
 * The index the functions bundle: the same days as the JSON files, compacted (dates only, no holiday
 * names) so the calendar adds about 10 KB to a bundle instead of about 45 KB. A test checks it matches.
 */
function writeIndex() {
  const years = parseYearFiles(yearFiles());
  const dates = (y: (typeof years)[number], off: boolean) => y.days.filter((d) => d.isOffDay === off).map((d) => d.date).join(' ');
  const lines = [
    '// Generated from the JSON files beside it by `npm run calendar -- add FILE` (or `-- index`); do not edit.',
    "import type { YearFile } from '../calendar.ts';",
    '',
    'const year = (y: number, papers: string[], off: string, work: string): YearFile => ({',
    '  fileName: `${y}.json`,',
    '  content: {',
    '    year: y,',
    '    papers,',
    "    days: [...(off ? off.split(' ').map((date) => ({ name: '', date, isOffDay: true })) : []), ...(work ? work.split(' ').map((date) => ({ name: '', date, isOffDay: false })) : [])],",
    '  },',
    '});',
    '',
    'export const nationalYearFiles: YearFile[] = [',
    ...years.map((y) => `  year(${y.year}, ${JSON.stringify(y.papers)}, '${dates(y, true)}', '${dates(y, false)}'),`),
    '];',
    '',
  ];
  writeFileSync(join(dataDir, 'index.ts'), lines.join('\n'));
}

/** The URL of a year's calendar on `api`, and the token to call it with: given, or for a local stack an admin's minted from .local/. */
async function calendarCall(api: string, year: number, given: string | undefined): Promise<{ url: URL; token: string }> {
  const url = new URL(`/v1/calendar/${year}`, api.endsWith('/') ? api : `${api}/`);
  let token = given;
  if (!token && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) {
    // for whichever issuer the local stack trusts (its local one, or with IDENTITY=oidc its own OIDC issuer)
    const { mintStackToken } = await import('../infra/local/identity.ts');
    const { defaultStateDir } = await import('../infra/local/paths.ts');
    token = await mintStackToken(defaultStateDir, { role: 'admin' });
  }
  if (!token) throw new CalendarDataError(`an admin token is needed for ${url.origin}: pass --token TOKEN or set BEIAN_TOKEN`);
  return { url, token };
}

/** PUT /v1/calendar/{year} on a running stack or deployment; prints what it answered. */
async function loadInto(api: string, year: number, content: unknown, given: string | undefined) {
  const { url, token } = await calendarCall(api, year, given);
  let res: Response;
  try {
    res = await fetch(url, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(content) });
  } catch (e) {
    throw new CalendarDataError(`could not reach ${url.origin} (${(e as Error).cause ?? (e as Error).message}): is the stack running (npm start)?`);
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    const errors = Array.isArray(body.errors) ? (body.errors as { field: string; reason: string }[]).map((e) => `\n  ${e.field || '(body)'}: ${e.reason}`).join('') : '';
    throw new CalendarDataError(`${url.origin} refused ${year} (${res.status}): ${errors ? 'the file has these problems:' + errors : String(body.detail ?? body.title ?? res.statusText)}`);
  }
  console.log(`Loaded ${year} into ${url.origin} (${(body.days as unknown[]).length} days): every function counts on it within a minute.`);
  console.log(`Provisional deadlines counted again on it: ${body.recomputedDeadlines}.`);
}

const USAGE = 'usage: npm run calendar -- status [--api URL [--token TOKEN]] | add FILE [--api URL [--token TOKEN]]';
let parsed: ReturnType<typeof parseArgs<{ allowPositionals: true; options: { api: { type: 'string' }; token: { type: 'string' } } }>>;
try {
  parsed = parseArgs({ allowPositionals: true, options: { api: { type: 'string' }, token: { type: 'string' } } });
} catch (e) {
  console.error(`error: ${(e as Error).message}\n${USAGE}`);
  process.exit(2);
}
const { values: options, positionals } = parsed;
const [command, file] = positionals;
try {
  if (command === 'add' && file && options.api) {
    let content: unknown;
    try {
      content = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new CalendarDataError(`${basename(file)}: ${e instanceof SyntaxError ? 'not valid JSON: ' : ''}${(e as Error).message}`);
    }
    // the server validates (and says what is wrong with every entry)
    const year = (content as { year?: unknown })?.year;
    if (!Number.isInteger(year)) throw new CalendarDataError(`${basename(file)}: entry year: must be the year, a whole number`);
    await loadInto(options.api, year as number, content, options.token ?? process.env.BEIAN_TOKEN);
  } else if (command === 'add' && file) {
    let content: unknown;
    try {
      content = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new CalendarDataError(`${basename(file)}: ${e instanceof SyntaxError ? 'not valid JSON: ' : ''}${(e as Error).message}`);
    }
    const [year] = parseYearFiles([{ fileName: basename(file), content }]);
    if (!year!.days.length) throw new CalendarDataError(`${file}: has no days; is the year's notice out yet?`);
    writeFileSync(join(dataDir, `${year!.year}.json`), JSON.stringify(content, null, 4) + '\n');
    const files = yearFiles();
    parseYearFiles(files);
    writeIndex();
    console.log(`Loaded ${year!.year} (${year!.days.length} days). Run \`npm test\`, then redeploy.`);
  } else if (command === 'index') {
    writeIndex();
  } else if ((command === 'status' || !command) && options.api) {
    // the years in force in a running stack or deployment: the shipped ones and those loaded into it
    const api = options.api;
    const nextYear = Number(shanghaiToday().slice(0, 4)) + 1;
    const { url, token } = await calendarCall(api, nextYear, options.token ?? process.env.BEIAN_TOKEN);
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } }).catch((e: Error) => {
      throw new CalendarDataError(`could not reach ${url.origin} (${e.cause ?? e.message}): is the stack running (npm start)?`);
    });
    const body = (await res.json().catch(() => ({}))) as { source?: string; provisional?: boolean; loadedAt?: string; loadedBy?: { subject?: string }; detail?: string };
    if (res.status !== 200 && res.status !== 404) throw new CalendarDataError(`${url.origin} answered ${res.status}: ${body.detail ?? res.statusText}`);
    const inForce = res.status === 200 && !body.provisional;
    console.log(
      inForce
        ? `Next year (${nextYear}) in ${url.origin}: in force (${body.loadedAt ? `loaded ${body.loadedAt}${body.loadedBy?.subject ? ` by ${body.loadedBy.subject}` : ''}` : 'shipped'}).`
        : `Next year (${nextYear}) in ${url.origin}: not loaded; deadlines reaching into it are provisional. Load it: npm run calendar -- add ${nextYear}.json --api ${api}`,
    );
  } else if (command === 'status' || !command) {
    const calendar = WorkingCalendar.fromYearFiles(yearFiles());
    const coverage = calendar.coverage(shanghaiToday());
    console.log(`Loaded years: ${coverage.loadedYears.join(', ')}`);
    console.log(coverage.message ?? `Next year (${coverage.nextYear}) ${coverage.nextYearMissing ? 'is not loaded yet' : 'is loaded'}.`);
    console.log('(the data shipped in this repository; a running stack or deployment may have more: npm run calendar -- status --api URL)');
  } else {
    console.error(USAGE);
    process.exitCode = 2;
  }
} catch (e) {
  console.error(e instanceof CalendarDataError || e instanceof SyntaxError ? `error: ${e.message}` : e);
  process.exitCode = 1;
}
