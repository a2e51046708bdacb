/** `npm start`: the whole Beian system on this machine, until Ctrl-C. */
import { rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { shanghaiToday } from '../../shared/domain/dates.ts';
import { WorkingCalendar } from '../../shared/domain/calendar.ts';
import { nationalCalendar, yearFilesWith } from '../../shared/domain/national-calendar.ts';
import { CalendarStore } from '../../shared/store/calendar-store.ts';
import { createDocumentClient } from '../../shared/store/dynamo.ts';
import { DAILY_RUN_TIME } from '../../functions/manifest.ts';
import { defaultStateDir } from './paths.ts';
import { LocalSetupError } from './processes.ts';
import { startLocalStack } from './stack.ts';
import { identityFromEnv } from './identity.ts';

const port = Number(process.env.PORT ?? 3000);
const dynamoPort = Number(process.env.DYNAMODB_PORT ?? 8000);
const sqsPort = Number(process.env.SQS_PORT ?? 4566);
const sesPort = Number(process.env.SES_PORT ?? 8005);
// with MAIL_TRANSPORT=smtp: the local SMTP sink's port (the viewer stays on SES_PORT)
const smtpPort = Number(process.env.SMTP_PORT ?? 2525);
// with IDENTITY=oidc and no OIDC_ISSUER: the stack's own issuer's port (its URL, so its tokens, stay the same across restarts)
const oidcPort = Number(process.env.OIDC_PORT ?? 8006);
const log = (m: string) => console.log(`[beian] ${m}`);
// the SDK's own notice about Node 20 would repeat the one below
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

if (Number(process.versions.node.split('.')[0]) < 22) {
  log(`Node ${process.versions.node}: fine for now; AWS SDK releases after early January 2027 need Node 22 (Lambda runs nodejs22.x).`);
}
try {
  const started = Date.now();
  const stack = await startLocalStack({ port, dynamoPort, sqsPort, sesPort, smtpPort, oidcPort, identity: identityFromEnv(), stateDir: defaultStateDir, persist: true, timers: true, onProgress: log });
  const api = stack.apiUrl;
  // IDENTITY=oidc: the issuer the API trusts and the claims it reads (an issuer elsewhere signs its own tokens)
  const trust = stack.identity;
  const issuerNote =
    trust.kind === 'oidc'
      ? `\n  OIDC issuer     ${trust.issuer}   audience ${trust.audience}; claims ${trust.roleClaim} (role), ${trust.jurisdictionClaim} (jurisdiction), ${trust.clientIdClaim} (client id)` +
        `\n                  discovery ${trust.issuer}/.well-known/openid-configuration` +
        (trust.ownIssuer ? '' : '\n                  tokens come from that issuer: `npm run token` cannot sign for it (ADMIN=... and AGENCY=... below: use its tokens)')
      : '';
  // the calendar in force: the shipped years and those loaded into this stack (PUT /v1/calendar/{year})
  const loaded = await new CalendarStore(createDocumentClient({ endpoint: stack.dynamoEndpoint }), stack.tableName).loaded();
  const calendar = loaded.length ? WorkingCalendar.fromYearFiles(yearFilesWith(loaded.map((y) => ({ fileName: `${y.year}.json`, content: y.file })))) : nationalCalendar();
  const coverage = calendar.coverage(shanghaiToday());
  if (coverage.warn) log(`calendar: ${coverage.message}`);
  // where the emulators are, for `npm run dlq` and other tools while this runs
  writeFileSync(
    join(defaultStateDir, 'stack.json'),
    JSON.stringify(
      {
        sqsEndpoint: stack.sqsEndpoint, dynamoEndpoint: stack.dynamoEndpoint, sesEndpoint: stack.sesEndpoint, tableName: stack.tableName,
        operatorEmails: process.env.OPERATOR_EMAILS ?? '', queues: Object.fromEntries(stack.queues),
      },
      null,
      2,
    ),
  );
  const smtpNote = stack.mailTransport === 'smtp' ? `\n                  (MAIL_TRANSPORT=smtp: the functions send over SMTP to the local sink at 127.0.0.1:${stack.smtpPort})` : '';
  console.log(`
Beian is running locally (started in ${((Date.now() - started) / 1000).toFixed(1)} s)
  API             ${api}/v1          API document: ${api}/v1/openapi.json
  DynamoDB Local  ${stack.dynamoEndpoint}   table ${stack.tableName}, data in ${relative(process.cwd(), join(defaultStateDir, 'dynamodb')) || '.'}
  SQS emulator    ${stack.sqsEndpoint}   queues ${[...stack.queues.keys()].map((q) => `${q} (+ ${q}-dlq)`).join(', ')}; \`npm run -s dlq -- list\`
  Mail viewer     ${stack.sesEndpoint}   sent mail as JSON: ${stack.sesEndpoint}/store${smtpNote}
  Deadline sweep  daily at ${DAILY_RUN_TIME} Asia/Shanghai; now, as of any day: \`npm run -s sweep -- --as-of YYYY-MM-DD\`
  S3 (documents) on the SQS emulator's port, bucket beian-documents (queue, S3 and mail emulators keep their contents in memory only)${issuerNote}

Try it (in another terminal):
  ADMIN=$(npm run -s token -- --role admin)
  curl -s -X PUT ${api}/v1/jurisdictions/baodi -H "authorization: Bearer $ADMIN" -H 'content-type: application/json' \\
    -d '{"name":"宝坻区","escalationEmails":["jiandu@example.org"],"hearingThresholds":[{"partyType":"INDIVIDUAL","amount":"10000","effectiveFrom":"2021-07-15"},{"partyType":"ORGANIZATION","amount":"100000","effectiveFrom":"2021-07-15"}]}'
  curl -s -X PUT ${api}/v1/agencies/baodi-market -H "authorization: Bearer $ADMIN" -H 'content-type: application/json' \\
    -d '{"name":"宝坻区市场监督管理局","jurisdictionId":"baodi","contactEmails":["fazhi@example.org"]}'
  AGENCY=$(npm run -s token -- --role agency --agency baodi-market)
  curl -s -X POST ${api}/v1/decisions -H "authorization: Bearer $AGENCY" -H 'content-type: application/json' \\
    -d '{"caseNumber":"宝市监罚〔2026〕1号","kind":"PENALTY","measures":["REVOKE_PERMIT"],"party":{"type":"ORGANIZATION","name":"某某有限公司"},"decidedOn":"2026-11-27"}'

Ctrl-C stops everything.`);
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    log('stopping ...');
    rmSync(join(defaultStateDir, 'stack.json'), { force: true });
    await stack.stop();
    log('stopped');
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
} catch (e) {
  console.error(e instanceof LocalSetupError ? `[beian] cannot start: ${e.message}` : e);
  process.exit(1);
}
