/**
 * `npm start` and `npm run token` as a newcomer runs them: real processes, real ports, real signals.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { portInUse } from '../../infra/local/processes.ts';
import { npmStartProcesses, reservedPorts, withTsx } from './harness.ts';

const node = process.execPath;
const { stateDir, start } = npmStartProcesses('beian-start-');

const ports = () => reservedPorts(['PORT', 'DYNAMODB_PORT', 'SQS_PORT', 'SES_PORT'] as const);

describe('npm run token', () => {
  it('prints only a bearer token on stdout', () => {
    const r = spawnSync(node, withTsx('infra/local/token.ts', '--role', 'agency', '--agency', 'baodi-market'), { env: { ...process.env, BEIAN_STATE_DIR: stateDir }, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
  });

  it('refuses an unknown role with the usage', () => {
    const r = spawnSync(node, withTsx('infra/local/token.ts', '--role', 'root'), { env: { ...process.env, BEIAN_STATE_DIR: stateDir }, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('--role must be admin, reviewer or agency');
  });
});

describe('npm start', () => {
  it('starts everything, prints where and an example, serves a token at once, and Ctrl-C stops it all', async () => {
    const env = await ports();
    const stack = start(env);
    await stack.waitFor('Ctrl-C stops everything');
    const banner = stack.output();
    expect(banner).toContain(`http://127.0.0.1:${env.PORT}/v1`);
    expect(banner).toContain(`http://127.0.0.1:${env.SES_PORT}`); // the mail viewer
    expect(banner).toContain('npm run -s token -- --role admin');
    expect(banner).toContain('curl');
    // late in a year whose successor's holiday notice is not loaded, the operator is told (2027 is empty)
    const { nationalCalendar } = await import('../../shared/domain/national-calendar.ts');
    const { shanghaiToday } = await import('../../shared/domain/dates.ts');
    if (nationalCalendar().coverage(shanghaiToday()).warn) expect(banner).toMatch(/calendar: The \d{4} holiday schedule is not loaded/);
    else expect(banner).not.toContain('holiday schedule is not loaded');

    const token = spawnSync(node, withTsx('infra/local/token.ts', '--role', 'agency', '--agency', 'nobody-yet'), { env: { ...process.env, BEIAN_STATE_DIR: stateDir }, encoding: 'utf8' }).stdout.trim();
    const res = await fetch(`http://127.0.0.1:${env.PORT}/v1/calendar/working-days?from=2026-09-28&count=10`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ dueOn: '2026-10-16', provisional: false });

    // the dead-letter tool finds the running stack's queues
    const dlq = spawnSync(node, withTsx('scripts/dlq.ts', 'list'), { env: { ...process.env, BEIAN_STATE_DIR: stateDir }, encoding: 'utf8' });
    expect(dlq.status).toBe(0);
    expect(dlq.stdout).toMatch(/^0 dead letter\(s\) in .*filings-dlq/m);

    // one deadline sweep now, as of a day, against the running stack: it says what it did, and the stack mails the digest
    const api = (method: string, path: string, bearer: string, body: unknown) =>
      fetch(`http://127.0.0.1:${env.PORT}${path}`, { method, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const admin = spawnSync(node, withTsx('infra/local/token.ts', '--role', 'admin'), { env: { ...process.env, BEIAN_STATE_DIR: stateDir }, encoding: 'utf8' }).stdout.trim();
    expect((await api('PUT', '/v1/jurisdictions/sweep-cli', admin, { name: '宝坻区', escalationEmails: ['jiandu@example.org'] })).status).toBe(200);
    expect((await api('PUT', '/v1/agencies/sweep-cli-ag', admin, { name: '宝坻区市场监督管理局', jurisdictionId: 'sweep-cli', contactEmails: ['sweep-cli@example.org'] })).status).toBe(200);
    const agency = spawnSync(node, withTsx('infra/local/token.ts', '--role', 'agency', '--agency', 'sweep-cli-ag'), { env: { ...process.env, BEIAN_STATE_DIR: stateDir }, encoding: 'utf8' }).stdout.trim();
    const reported = await api('POST', '/v1/decisions', agency, { caseNumber: 'CLI-1', kind: 'PENALTY', measures: ['REVOKE_PERMIT'], party: { type: 'ORGANIZATION', name: '某公司' }, decidedOn: '2026-09-01' });
    expect(reported.status).toBe(201);
    const sweepCli = (...args: string[]) => spawnSync(node, withTsx('scripts/sweep.ts', ...args), { env: { ...process.env, BEIAN_STATE_DIR: stateDir }, encoding: 'utf8' });
    const swept = sweepCli('--as-of', '2026-09-16', '--jurisdiction', 'sweep-cli');
    expect(swept.status, swept.stderr).toBe(0);
    expect(swept.stdout).toContain('sweep-cli: 1 open items read; 0 reminders, 1 flagged overdue');
    expect(sweepCli('--as-of', '2026-09-16', '--jurisdiction', 'sweep-cli').stdout).toContain('0 flagged overdue, 0 escalated, 0 due dates corrected; 0 notices written');
    await vi.waitFor(async () => {
      const store = (await (await fetch(`http://127.0.0.1:${env.SES_PORT}/store`)).json()) as { emails: { subject: string; destination: { to: string[] } }[] };
      expect(store.emails.filter((m) => m.destination.to.includes('sweep-cli@example.org')).map((m) => m.subject)).toEqual(['【逾期未备案】1 件重大行政执法决定已超过备案期限（2026-09-16）']);
    }, { timeout: 20_000, interval: 200 });
    const badDay = sweepCli('--as-of', '2026-02-30');
    expect(badDay.status).toBe(1);
    expect(badDay.stderr).toContain('is not a date YYYY-MM-DD');

    // a second start on the same port says so and leaves the first alone
    const second = start(env);
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(new RegExp(`port ${env.PORT} .* is taken`));
    expect(await portInUse(Number(env.PORT))).toBe(true);

    stack.child.kill('SIGINT');
    expect(await stack.exited).toBe(0);
    const after = spawnSync(node, withTsx('scripts/dlq.ts', 'list'), { env: { ...process.env, BEIAN_STATE_DIR: stateDir }, encoding: 'utf8' });
    expect(after.status).toBe(1);
    expect(after.stderr).toContain('the local stack is not running');
    for (const p of Object.values(env)) expect(await portInUse(Number(p))).toBe(false);
    const noStack = spawnSync(node, withTsx('scripts/sweep.ts', '--as-of', '2026-09-16'), { env: { ...process.env, BEIAN_STATE_DIR: stateDir }, encoding: 'utf8' });
    expect(noStack.status).toBe(1);
    expect(noStack.stderr).toContain('no local stack is running: start it with `npm start`');
  });

  it('without Java, stops at once and says what to install', async () => {
    const nodeOnly = mkdtempSync(join(tmpdir(), 'beian-path-'));
    symlinkSync(process.execPath, join(nodeOnly, 'node'));
    const env = await ports();
    const t = Date.now();
    const stack = start({ ...env, PATH: nodeOnly }); // node only: no java on this PATH
    expect(await stack.exited).toBe(1);
    expect(Date.now() - t).toBeLessThan(30_000);
    expect(stack.output()).toMatch(/java was not found.*openjdk-17-jdk-headless/s);
  });

  it('says which port is taken when something else holds it', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    const taken = (blocker.address() as { port: number }).port;
    const stack = start({ ...(await ports()), DYNAMODB_PORT: String(taken) });
    expect(await stack.exited).toBe(1);
    expect(stack.output()).toContain(`port ${taken} for DynamoDB Local is taken`);
    expect(stack.output()).toContain('DYNAMODB_PORT=');
    blocker.close();
  });
});
