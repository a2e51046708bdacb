/**
 * Filing statistics of a jurisdiction, as the Legal Affairs Office reads them: per agency or per month,
 * how many decisions needed filing, how many were filed on time or late, how many are overdue and
 * still unfiled, corrections ordered, filings accepted, the median working days to file, the on-time rate.
 *
 * A decision counts in the month of its decidedOn, under its agency (a cohort). What it contributes is a
 * plain function of its state (`contribution`); every write that changes that state adds the difference
 * (`statsDelta`) to the counters of its (month, agency) in the same transaction, so the counters always
 * equal the sum over the decisions, and a request reads months x agencies counter items, never decisions.
 */

export const COUNTERS = ['requiringFiling', 'filedOnTime', 'filedLate', 'overdueUnfiled', 'correctionsOrdered', 'accepted'] as const;
export type Counter = (typeof COUNTERS)[number];

/** Histogram attribute of the working days to file: `wd7` counts first filings made 7 working days after the decision. */
const DAYS_PREFIX = 'wd';

/** The first filing of a decision that was registered (a correction's resubmission never replaces it). */
export interface FirstFiling {
  filedOn: string;
  onTime: boolean;
  workingDaysLate: number;
  /** working days d with decidedOn < d <= filedOn (absent on a filing stored before it was counted) */
  workingDaysToFile?: number;
}

/** What a decision's statistics depend on. */
export interface StatsFacts {
  filingRequired: boolean;
  status: string;
  firstFiling?: FirstFiling | undefined;
  /** how many corrections were ordered */
  corrections?: number | undefined;
}

/** Counter name -> what this decision adds to it (absent = 0). */
export function contribution(d: StatsFacts): Record<string, number> {
  const c: Record<string, number> = {};
  if (d.filingRequired) c.requiringFiling = 1;
  if (d.firstFiling) {
    c[d.firstFiling.onTime ? 'filedOnTime' : 'filedLate'] = 1;
    if (d.firstFiling.workingDaysToFile !== undefined) c[`${DAYS_PREFIX}${d.firstFiling.workingDaysToFile}`] = 1;
  }
  if (d.status === 'OVERDUE') c.overdueUnfiled = 1;
  if (d.corrections) c.correctionsOrdered = d.corrections;
  if (d.status === 'ACCEPTED') c.accepted = 1;
  return c;
}

/** What a change from `before` (undefined: a new decision) to `after` adds to the counters; only non-zero entries. */
export function statsDelta(before: StatsFacts | undefined, after: StatsFacts): Record<string, number> {
  const delta: Record<string, number> = { ...contribution(after) };
  for (const [name, n] of Object.entries(before ? contribution(before) : {})) delta[name] = (delta[name] ?? 0) - n;
  return Object.fromEntries(Object.entries(delta).filter(([, n]) => n !== 0));
}

/** The month (YYYY-MM) a decision counts in. */
export const statsMonth = (decidedOn: string) => decidedOn.slice(0, 7);

/** One stored counter item: a (month, agency) of a jurisdiction. */
export interface CounterRow {
  month: string;
  agencyId: string;
  counts: Record<string, number>;
}

export interface GroupFigures extends Record<Counter, number> {
  medianWorkingDaysToFile: number | null;
  onTimeRate: number | null;
}

/** The figures of a set of counter rows: sums, the median from the merged histogram, the on-time rate. */
export function figures(rows: readonly CounterRow[]): GroupFigures {
  const sums = Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Record<Counter, number>;
  const histogram = new Map<number, number>();
  for (const row of rows) {
    for (const [name, n] of Object.entries(row.counts)) {
      if ((COUNTERS as readonly string[]).includes(name)) sums[name as Counter] += n;
      else if (name.startsWith(DAYS_PREFIX) && /^\d+$/.test(name.slice(DAYS_PREFIX.length))) {
        const days = Number(name.slice(DAYS_PREFIX.length));
        histogram.set(days, (histogram.get(days) ?? 0) + n);
      }
    }
  }
  const due = sums.filedOnTime + sums.filedLate + sums.overdueUnfiled;
  return {
    ...sums,
    medianWorkingDaysToFile: median(histogram),
    onTimeRate: due ? Math.round((sums.filedOnTime / due) * 10000) / 10000 : null,
  };
}

/** The median of a histogram (value -> count): the middle value, or the mean of the two middle ones. */
export function median(histogram: ReadonlyMap<number, number>): number | null {
  const entries = [...histogram].filter(([, n]) => n > 0).sort(([a], [b]) => a - b);
  const total = entries.reduce((s, [, n]) => s + n, 0);
  if (!total) return null;
  const at = (k: number) => {
    let seen = 0;
    for (const [value, n] of entries) if ((seen += n) > k) return value;
    return entries[entries.length - 1]![0];
  };
  return total % 2 ? at((total - 1) / 2) : (at(total / 2 - 1) + at(total / 2)) / 2;
}

/** Every month from `from` to `to` (YYYY-MM), inclusive. */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = from.split('-').map(Number) as [number, number];
  for (;;) {
    const month = `${y}-${String(m).padStart(2, '0')}`;
    if (month > to) return out;
    out.push(month);
    if (++m > 12) (m = 1), y++;
  }
}

export type StatsGroup = ({ agencyId: string; agencyName: string | null } | { month: string }) & GroupFigures;

export interface StatsReport {
  jurisdictionId: string;
  from: string;
  to: string;
  groupBy: 'agency' | 'month';
  groups: StatsGroup[];
  totals: GroupFigures;
}

/**
 * Groups counter rows per agency (each with counts in the period, and each agency registered now, sorted by
 * id) or per month (every month of the period, ascending, empty ones too), with the totals.
 */
export function statsReport(
  q: { jurisdictionId: string; from: string; to: string; groupBy: 'agency' | 'month' },
  rows: readonly CounterRow[],
  agencyNames: ReadonlyMap<string, string>,
): StatsReport {
  const inPeriod = rows.filter((r) => r.month >= q.from && r.month <= q.to);
  const groups: StatsGroup[] =
    q.groupBy === 'month'
      ? monthsBetween(q.from, q.to).map((month) => ({ month, ...figures(inPeriod.filter((r) => r.month === month)) }))
      : [...new Set([...inPeriod.map((r) => r.agencyId), ...agencyNames.keys()])]
          .sort()
          .map((agencyId) => ({ agencyId, agencyName: agencyNames.get(agencyId) ?? null, ...figures(inPeriod.filter((r) => r.agencyId === agencyId)) }));
  return { ...q, groups, totals: figures(inPeriod) };
}

const CSV_FIGURES = ['应备案数', '按时备案数', '逾期备案数', '逾期未备案数', '责令纠正数', '予以备案数', '备案用时中位数（工作日）', '按时备案率'];

/**
 * The report as CSV for Excel and WPS: UTF-8 with a BOM (without it both read the Chinese headers as
 * mojibake), CRLF line ends (RFC 4180), quoted where needed, and no cell a spreadsheet would run as a formula.
 */
export function statsCsv(report: StatsReport): string {
  const header = report.groupBy === 'agency' ? ['机构编号', '机构名称', ...CSV_FIGURES] : ['月份', ...CSV_FIGURES];
  const cells = (f: GroupFigures) => [
    ...COUNTERS.map((c) => String(f[c])),
    f.medianWorkingDaysToFile === null ? '' : String(f.medianWorkingDaysToFile),
    f.onTimeRate === null ? '' : `${(f.onTimeRate * 100).toFixed(1)}%`,
  ];
  const lines = [
    header,
    ...report.groups.map((g) => ('agencyId' in g ? [g.agencyId, g.agencyName ?? '', ...cells(g)] : [g.month, ...cells(g)])),
    report.groupBy === 'agency' ? ['合计', '', ...cells(report.totals)] : ['合计', ...cells(report.totals)],
  ];
  return '\uFEFF' + lines.map((line) => line.map(csvCell).join(',') + '\r\n').join('');
}

/** One CSV cell: a leading = + - @ is defused with ', and a cell with a comma, quote or line break is quoted. */
export function csvCell(value: string): string {
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
