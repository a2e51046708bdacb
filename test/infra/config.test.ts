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
      allowedRecipientDomains: [],
      operatorEmails: [],
      noticeRetentionDays: 400,
      // issue 10: a global region's defaults: the user pool, SES, tracing, arm64
      identity: 'cognito',
      oidcRoleClaim: 'beian_roles',
      oidcJurisdictionClaim: 'beian_jurisdiction',
      oidcClientIdClaim: 'azp',
      mailTransport: 'ses',
      smtpPort: 465,
      architecture: 'arm64',
      tracing: true,
      // issue 11: where alarm descriptions point
      runbookUrl: 'docs/operating.md',
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
      peopleCallbackUrls: 'https://beian.tj.gov.cn/callback',
      noticeRetentionDays: '731',
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
      peopleCallbackUrls: ['https://beian.tj.gov.cn/callback'],
      noticeRetentionDays: 731,
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
    ['noticeRetentionDays', 'a year', 'must be a number'],
    ['noticeRetentionDays', 7, 'at least 30 days'],
    ['noticeRetentionDays', 400.5, 'whole number'],
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
    const { stateful, stateless } = buildApp({
      context: { ...CDK_CONTEXT, stage: 'prod', peopleCallbackUrls: ['https://beian.tj.gov.cn/callback'], 'aws:cdk:bundling-stacks': [] },
    });
    expect([stateful.stackName, stateless.stackName]).toEqual(['Beian-prod-Stateful', 'Beian-prod-Stateless']);
    expect(stateful.terminationProtection).toBe(true);
  });

  describe('the sign-in callback on production stages', () => {
    it.each(['prod', 'prod-tj', 'production'])('requires peopleCallbackUrls on stage %s, saying what to set', (stage) => {
      const error = errorOf({ stage });
      expect(error.message).toContain('context "peopleCallbackUrls"');
      expect(error.message).toContain(`production stage ("${stage}"`);
      expect(error.message).toContain('https:// URL(s) of your sign-in page');
      expect(error.message).toContain('(not set)');
    });

    it('takes the URLs a production stage sets', () => {
      expect(from({ stage: 'prod', peopleCallbackUrls: 'https://beian.tj.gov.cn/callback' }).peopleCallbackUrls).toEqual(['https://beian.tj.gov.cn/callback']);
    });

    it.each(['dev', 'staging', 'preprod', 'test-prod'])('keeps the loopback default on stage %s', (stage) => {
      expect(from({ stage }).peopleCallbackUrls).toEqual(['http://localhost:8765/callback']);
    });

    it('stops synthesis of a production stage without them', () => {
      expect(() => buildApp({ context: { ...CDK_CONTEXT, stage: 'prod', 'aws:cdk:bundling-stacks': [] } })).toThrow(/peopleCallbackUrls/);
    });
  });
});
