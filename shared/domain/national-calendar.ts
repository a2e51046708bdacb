import { WorkingCalendar } from './calendar.ts';
import { nationalYearFiles } from './holiday-cn/index.ts';

let national: WorkingCalendar | undefined;

/** The national calendar shipped with Beian (holiday-cn data, MIT, see holiday-cn/LICENSE), built once. */
export function nationalCalendar(): WorkingCalendar {
  return (national ??= WorkingCalendar.fromYearFiles(nationalYearFiles));
}
