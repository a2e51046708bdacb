/**
 * One deadline sweep, now, against the running local stack (the data and queues of `npm start`):
 *   npm run -s sweep -- --as-of 2026-10-09 [--jurisdiction baodi]
 * It sweeps every jurisdiction (or the one named) as of that Shanghai date, exactly as the daily
 * schedule does, and prints what it did. The stack's notice sender then mails the digests to the SES
 * emulator (see the mail viewer). Running it twice for a day changes nothing the second time.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { env as envNames } from '../functions/manifest.ts';
import { defaultStateDir } from '../infra/local/paths.ts';
import { portInUse } from '../infra/local/processes.ts';
import { isValidIsoDate, shanghaiToday } from '../shared/domain/dates.ts';

const usage = 'usage: npm run -s sweep -- [--as-of YYYY-MM-DD (default: today in Asia/Shanghai)] [--jurisdiction ID]';

async function main(): Promise<number> {
  let values: { 'as-of'?: string; jurisdiction?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ options: { 'as-of': { type: 'string' }, jurisdiction: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true }));
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${usage}`);
  }
  if (values.help) return (console.log(usage), 0);
  const day = values['as-of'] ?? shanghaiToday();
  if (!isValidIsoDate(day)) throw new Error(`--as-of "${day}" is not a date YYYY-MM-DD\n${usage}`);

  const file = join(defaultStateDir, 'stack.json');
  const stack = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { dynamoEndpoint?: string; tableName?: string; sesEndpoint?: string; operatorEmails?: string })
    : undefined;
  const port = stack?.dynamoEndpoint ? Number(new URL(stack.dynamoEndpoint).port) : undefined;
  if (!stack?.dynamoEndpoint || !stack.tableName || !port || !(await portInUse(port))) {
    throw new Error('no local stack is running: start it with `npm start` in another terminal, then run this again');
  }
  Object.assign(process.env, {
    TABLE_NAME: stack.tableName,
    DYNAMODB_ENDPOINT: stack.dynamoEndpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  const quiet = () => {};
  const { supervisionDeps, operatorEmails } = await import('../shared/wiring/supervision.ts');
  const { sweepJurisdiction, calendarWatch } = await import('../shared/use-cases/supervision.ts');
  const deps = { ...supervisionDeps(), log: quiet };
  const ids = values.jurisdiction ? [values.jurisdiction] : (await deps.store.listJurisdictions()).map((j) => j.jurisdictionId);
  if (values.jurisdiction && !(await deps.store.getJurisdiction(values.jurisdiction))) throw new Error(`jurisdiction "${values.jurisdiction}" is not registered`);
  console.log(`sweeping ${ids.length} jurisdiction(s) as of ${day} ...`);
  let failed = 0;
  for (const id of ids) {
    let r;
    try {
      r = await sweepJurisdiction(deps, id, day);
    } catch (e) {
      // one jurisdiction's failure does not stop the others; running again resumes it
      failed++;
      console.error(`  ${id}: failed: ${(e as Error).message} (run the sweep again to resume it)`);
      continue;
    }
    console.log(
      `  ${id}: ${r.itemsRead} open items read; ${r.reminders} reminders, ${r.overdueFlagged} flagged overdue, ${r.escalations} escalated, ` +
        `${r.dueDatesCorrected} due dates corrected${r.recoveredEntries ? `, ${r.recoveredEntries} entries of an unfinished sweep recovered` : ''}; ` +
        `${r.noticesWritten} notices written${r.weeklySummary ? ' (incl. the weekly summary)' : ''}; ${r.readUnits} read units`,
    );
  }
  // the operators' addresses: this command's OPERATOR_EMAILS, else the running stack's
  process.env[envNames.operatorEmails] ??= stack.operatorEmails ?? '';
  const operators = operatorEmails();
  const watch = await calendarWatch({ ...deps, operatorEmails: operators }, day);
  if (watch !== 'not-needed') {
    const to = operators.length ? `to ${operators.join(', ')}` : 'with no recipient (start the stack with OPERATOR_EMAILS=... to receive it)';
    console.log(`  calendar watch: next year's holiday schedule is missing; notice ${watch === 'written' ? `written ${to}` : 'already written today'}`);
  }
  console.log(`done${failed ? `, ${failed} jurisdiction(s) failed` : ''}: the running stack mails the notices (mail viewer ${stack.sesEndpoint ?? 'of `npm start`'})`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`sweep: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
