/** Issue 8: what a decision contributes to the statistics, the median, the report's groups and the CSV. */
import { describe, expect, test } from 'vitest';
import { type CounterRow, contribution, csvCell, figures, median, monthsBetween, statsCsv, statsDelta, statsReport } from '../../shared/domain/statistics.ts';

const awaiting = { filingRequired: true, status: 'AWAITING_FILING' };

describe('contribution and delta', () => {
  test('each state counts where it belongs', () => {
    expect(contribution({ filingRequired: false, status: 'NOT_REQUIRED' })).toEqual({});
    expect(contribution(awaiting)).toEqual({ requiringFiling: 1 });
    expect(contribution({ ...awaiting, status: 'OVERDUE' })).toEqual({ requiringFiling: 1, overdueUnfiled: 1 });
    const first = { filedOn: '2026-06-26', onTime: true, workingDaysLate: 0, workingDaysToFile: 8 };
    expect(contribution({ ...awaiting, status: 'RECEIVED', firstFiling: first })).toEqual({ requiringFiling: 1, filedOnTime: 1, wd8: 1 });
    expect(contribution({ ...awaiting, status: 'ACCEPTED', firstFiling: { ...first, onTime: false, workingDaysLate: 3, workingDaysToFile: 13 }, corrections: 2 })).toEqual({
      requiringFiling: 1, filedLate: 1, wd13: 1, correctionsOrdered: 2, accepted: 1,
    });
  });

  test('a delta holds only what moved, with its sign', () => {
    expect(statsDelta(undefined, awaiting)).toEqual({ requiringFiling: 1 });
    expect(statsDelta(awaiting, { ...awaiting, status: 'OVERDUE' })).toEqual({ overdueUnfiled: 1 });
    expect(statsDelta({ ...awaiting, status: 'OVERDUE' }, { ...awaiting, status: 'SUBMITTED' })).toEqual({ overdueUnfiled: -1 });
    expect(statsDelta({ ...awaiting, status: 'SUBMITTED' }, { ...awaiting, status: 'INCOMPLETE' })).toEqual({});
  });
});

describe('figures', () => {
  test('median of a histogram: odd, even (mean of the middle two), none', () => {
    expect(median(new Map([[3, 1], [5, 1], [9, 1]]))).toBe(5);
    expect(median(new Map([[3, 2], [6, 2]]))).toBe(4.5);
    expect(median(new Map([[4, 3], [10, 1]]))).toBe(4);
    expect(median(new Map())).toBeNull();
  });

  test('sums rows, merges histograms, rounds the on-time rate to 4 decimals', () => {
    const rows: CounterRow[] = [
      { month: '2026-06', agencyId: 'a', counts: { requiringFiling: 3, filedOnTime: 1, wd5: 1 } },
      { month: '2026-07', agencyId: 'a', counts: { requiringFiling: 2, filedLate: 1, overdueUnfiled: 1, wd12: 1 } },
    ];
    expect(figures(rows)).toEqual({
      requiringFiling: 5, filedOnTime: 1, filedLate: 1, overdueUnfiled: 1, correctionsOrdered: 0, accepted: 0, medianWorkingDaysToFile: 8.5, onTimeRate: 0.3333,
    });
    expect(figures([])).toMatchObject({ medianWorkingDaysToFile: null, onTimeRate: null, requiringFiling: 0 });
  });
});

describe('report and CSV', () => {
  const rows: CounterRow[] = [
    { month: '2026-05', agencyId: 'ag-b', counts: { requiringFiling: 9 } },
    { month: '2026-06', agencyId: 'ag-b', counts: { requiringFiling: 2, filedOnTime: 2, wd4: 2 } },
    { month: '2026-07', agencyId: 'ag-c', counts: { requiringFiling: 1, overdueUnfiled: 1 } },
  ];
  const names = new Map([['ag-a', '=HYPERLINK("x")'], ['ag-b', '市场监管局, 二分局']]);

  test('months of the period, empty ones included; rows outside the period ignored', () => {
    expect(monthsBetween('2026-11', '2027-02')).toEqual(['2026-11', '2026-12', '2027-01', '2027-02']);
    const r = statsReport({ jurisdictionId: 'j', from: '2026-06', to: '2026-08', groupBy: 'month' }, rows, names);
    expect(r.groups.map((g) => ('month' in g ? [g.month, g.requiringFiling] : []))).toEqual([['2026-06', 2], ['2026-07', 1], ['2026-08', 0]]);
    expect(r.totals.requiringFiling).toBe(3);
  });

  test('agencies with counts and registered agencies, sorted; CSV with BOM, CRLF, quoting and no formulas', () => {
    const r = statsReport({ jurisdictionId: 'j', from: '2026-06', to: '2026-07', groupBy: 'agency' }, rows, names);
    expect(r.groups.map((g) => ('agencyId' in g ? [g.agencyId, g.agencyName] : []))).toEqual([['ag-a', '=HYPERLINK("x")'], ['ag-b', '市场监管局, 二分局'], ['ag-c', null]]);
    expect(statsCsv(r)).toBe(
      '\uFEFF机构编号,机构名称,应备案数,按时备案数,逾期备案数,逾期未备案数,责令纠正数,予以备案数,备案用时中位数（工作日）,按时备案率\r\n' +
        `ag-a,"'=HYPERLINK(""x"")",0,0,0,0,0,0,,\r\n` +
        'ag-b,"市场监管局, 二分局",2,2,0,0,0,0,4,100.0%\r\n' +
        'ag-c,,1,0,0,1,0,0,,0.0%\r\n' +
        '合计,,3,2,0,1,0,0,4,66.7%\r\n',
    );
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('a\nb')).toBe('"a\nb"');
  });
});

describe('content negotiation of GET /v1/stats', () => {
  test('CSV only when text/csv is preferred to JSON', async () => {
    const { prefersCsv } = await import('../../functions/api/routes.ts');
    expect(prefersCsv(undefined)).toBe(false);
    expect(prefersCsv('text/csv')).toBe(true);
    expect(prefersCsv('text/csv, */*;q=0.1')).toBe(true);
    expect(prefersCsv('text/csv;q=0.9, application/json')).toBe(false);
    expect(prefersCsv('application/json, text/csv;q=0.5')).toBe(false);
    expect(prefersCsv('*/*')).toBe(false);
    expect(prefersCsv('TEXT/CSV; charset=utf-8')).toBe(true);
  });
});
