import { describe, expect, it } from 'vitest';
import { DAILY_RUN_TIME } from '../../functions/manifest.ts';
import { buildApp } from '../../infra/app.ts';
import { CONFIG_KEYS, ConfigError, readConfig } from '../../infra/config.ts';
import { CDK_CONTEXT } from './helpers.ts';

const from = (context: Record<string, unknown>) => readConfig((key) => context[key]);

function errorOf(context: Record<string, unknown>): ConfigError {
  try {
    from(context);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(context)}`);
}

describe('CDK context', () => {
  it('has a default for every key', () => {
    expect(from({})).toEqual({
      stage: 'dev',
      mailFrom: 'beian@example.gov.cn',
      allowedOrigins: [],
      dailyRunTime: DAILY_RUN_TIME,
      agencyClients: [],
      logRetentionDays: 365,
      authDomainPrefix: 'beian-dev',
      peopleCallbackUrls: ['http://localhost:8765/callback'],
      alarmEmails: [],
      operatorEmails: [],
    });
    expect(DAILY_RUN_TIME).toBe('09:00'); // the manifest's daily run time is the default
  });

  it('leaves the defaults to config.ts: cdk.json sets none of its keys', () => {
    expect(CONFIG_KEYS.filter((key) => key in CDK_CONTEXT)).toEqual([]);
  });

  it('reads -c values, which arrive as strings: JSON arrays, comma lists and numbers', () => {
    const config = from({
      stage: 'prod',
      mailFrom: 'notice@beian.tj.gov.cn',
      allowedOrigins: '["https://beian.tj.gov.cn","http://localhost:5173"]',
      agencyClients: 'baodi-market, xiqing-court',
      logRetentionDays: '731',
      dailyRunTime: '07:05',
      operatorEmails: 'duty@beian.tj.gov.cn, ops@beian.tj.gov.cn',
    });
    expect(config).toMatchObject({
      stage: 'prod',
      mailFrom: 'notice@beian.tj.gov.cn',
      allowedOrigins: ['https://beian.tj.gov.cn', 'http://localhost:5173'],
      agencyClients: ['baodi-market', 'xiqing-court'],
      logRetentionDays: 731,
      dailyRunTime: '07:05',
      operatorEmails: ['duty@beian.tj.gov.cn', 'ops@beian.tj.gov.cn'],
      authDomainPrefix: 'beian-prod',
    });
  });

  it.each([
    ['stage', 'Prod', 'a-z, 0-9'],
    ['stage', 'a-very-long-stage-name-indeed', '1-20 characters'],
    ['mailFrom', 'beian.example.gov.cn', 'email address'],
    ['allowedOrigins', '["http://beian.tj.gov.cn"]', 'https://'],
    ['allowedOrigins', '["https://beian.tj.gov.cn/"]', 'no path or trailing slash'],
    ['allowedOrigins', '*', 'https://'],
    ['allowedOrigins', '["https://a.cn","https://a.cn"]', 'must not repeat'],
    ['dailyRunTime', '8:30', 'HH:MM'],
    ['dailyRunTime', '24:00', 'HH:MM'],
    ['agencyClients', '["Baodi_Market"]', 'agency id'],
    ['agencyClients', 'a', '2-64 characters'],
    ['agencyClients', 'baodi-market,baodi-market', 'must not repeat'],
    ['agencyClients', '["unclosed"', 'must be a list'],
    ['logRetentionDays', 42, 'CloudWatch Logs accepts'],
    ['logRetentionDays', 'a year', 'must be a number'],
    ['authDomainPrefix', 'beian-cognito', 'must not contain'],
    ['peopleCallbackUrls', '["ftp://x.cn/cb"]', 'https://'],
    ['peopleCallbackUrls', '[]', 'at least one'],
    ['alarmEmails', 'ops', 'email address'],
    ['operatorEmails', 'ops@beian.tj.gov.cn,duty', 'email address'],
    ['operatorEmails', '["unclosed"', 'must be a list'],
  ])('rejects %s=%j, naming the key and the reason', (key, value, reason) => {
    const error = errorOf({ [key]: value });
    expect(error.message).toContain(`context "${key}`);
    expect(error.message).toContain(reason);
  });

  it('lists every bad key at once', () => {
    const error = errorOf({ stage: 'X', mailFrom: 'nobody' });
    expect(error.message).toMatch(/context "stage".*\n.*context "mailFrom"/);
  });

  it('is what the app reads: bad context stops synthesis before any stack exists', () => {
    expect(() => buildApp({ context: { ...CDK_CONTEXT, logRetentionDays: 42 } })).toThrow(ConfigError);
  });

  it('names the stacks after the stage', () => {
    const { stateful, stateless } = buildApp({ context: { ...CDK_CONTEXT, stage: 'prod', 'aws:cdk:bundling-stacks': [] } });
    expect([stateful.stackName, stateless.stackName]).toEqual(['Beian-prod-Stateful', 'Beian-prod-Stateless']);
    expect(stateful.terminationProtection).toBe(true);
  });
});
