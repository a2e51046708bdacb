import { WorkingCalendar, type YearFile } from './calendar.ts';
import { nationalYearFiles } from './holiday-cn/index.ts';

let national: WorkingCalendar | undefined;

/** The national calendar shipped with Beian (holiday-cn data, MIT, see holiday-cn/LICENSE), built once. */
export function nationalCalendar(): WorkingCalendar {
  return (national ??= WorkingCalendar.fromYearFiles(nationalYearFiles));
}

/** The shipped year files with `loaded` ones in place of (or beside) them: a year an admin loaded wins. */
export function yearFilesWith(loaded: readonly YearFile[]): YearFile[] {
  const years = new Set(loaded.map((f) => (f.content as { year: number }).year));
  return [...nationalYearFiles.filter((f) => !years.has((f.content as { year: number }).year)), ...loaded];
}
