/**
 * Issue 10: the app synthesizes for the AWS China partition (cn-north-1) with an external OIDC issuer and
 * SMTP mail, and for a global region as before; the context keys of both seams are validated.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../infra/config.ts';
import { CHINA_CONTEXT, type CfnResource, asArray, resourcesOf, statementsOfRole, synthBeian, type SynthesizedBeian } from './helpers.ts';

const ISSUER = CHINA_CONTEXT.oidcIssuer;

const from = (context: Record<string, unknown>) => readConfig((key) => context[key]);
function errorOf(context: Record<string, unknown>): string {
  try {
    from(context);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(context)}`);
}

/** Every string anywhere in a template (keys excluded). */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsOf);
  return [];
}

/** The part lists of every Fn::Join. */
function joinsOf(value: unknown): unknown[][] {
  if (Array.isArray(value)) return value.flatMap(joinsOf);
  if (!value || typeof value !== 'object') return [];
  const join = (value as Record<string, unknown>)['Fn::Join'] as [string, unknown[]] | undefined;
  return [...(join ? [join[1]] : []), ...Object.values(value).flatMap(joinsOf)];
}

const functionsOf = (beian: SynthesizedBeian) => resourcesOf(beian.statelessTemplate, 'AWS::Lambda::Function');
const roleOf = (fn: CfnResource) => (fn.Properties!.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
const logicalIdOf = (beian: SynthesizedBeian, name: string) => beian.stateless.getLogicalId(beian.stateless.functions.get(name)!.function.node.defaultChild as never);
const functionNamed = (beian: SynthesizedBeian, name: string) => beian.statelessTemplate.toJSON().Resources[logicalIdOf(beian, name)] as CfnResource;

describe('the AWS China regions (cn-north-1): external OIDC issuer, SMTP, no X-Ray', () => {
  let china: SynthesizedBeian;
  beforeAll(() => {
    // synthesis runs cdk-nag and fails on any unacknowledged finding
    china = synthBeian({ context: { ...CHINA_CONTEXT } });
  });

  it('defaults to identity=oidc and mailTransport=smtp there, with tracing off', () => {
    expect(china.config).toMatchObject({ identity: 'oidc', mailTransport: 'smtp', tracing: false, smtpPort: 465, oidcAudience: ['beian'] });
  });

  it('gives both stacks the concrete environment, so the partition is the literal aws-cn', () => {
    for (const stack of [china.stateful, china.stateless]) {
      expect(stack.region).toBe('cn-north-1');
      expect(stack.account).toBe('123456789012');
      expect(stack.partition).toBe('aws-cn');
    }
  });

  it('creates no Cognito user pool, no SES resource and no X-Ray tracing', () => {
    for (const template of [china.statefulTemplate, china.statelessTemplate]) {
      const types = Object.values(template.toJSON().Resources as Record<string, CfnResource>).map((r) => r.Type);
      expect(types.filter((t) => t.startsWith('AWS::Cognito::'))).toEqual([]);
      expect(types.filter((t) => t.startsWith('AWS::SES::'))).toEqual([]);
      expect(types).not.toContain('Custom::BeianAgencyClientLink');
    }
    for (const [, fn] of functionsOf(china)) expect(fn.Properties!.TracingConfig?.Mode ?? 'PassThrough').not.toBe('Active');
    for (const [, policy] of resourcesOf(china.statelessTemplate, 'AWS::IAM::Policy')) {
      const actions = (policy.Properties!.PolicyDocument.Statement as Array<{ Action: string | string[] }>).flatMap((s) => asArray(s.Action));
      expect(actions.filter((a) => a.startsWith('xray:') || a.startsWith('ses:'))).toEqual([]);
    }
  });

  it('builds every ARN with the partition: no arn:aws: literal, every literal ARN is arn:aws-cn:', () => {
    for (const template of [china.statefulTemplate, china.statelessTemplate]) {
      const strings = stringsOf(template.toJSON());
      expect(strings.filter((s) => s.includes('arn:aws:'))).toEqual([]);
      expect(strings.filter((s) => /^arn:./.test(s) && !s.startsWith('arn:aws-cn:'))).toEqual([]);
      // an ARN joined from parts names the partition as the literal or as AWS::Partition, never aws
      const partitionsAfterArn = joinsOf(template.toJSON()).flatMap((parts) =>
        parts.flatMap((part, i) => (typeof part === 'string' && part.endsWith('arn:') ? [parts[i + 1]] : [])),
      );
      expect(partitionsAfterArn.length).toBeGreaterThan(0);
      for (const next of partitionsAfterArn) {
        expect(typeof next === 'string' ? next.startsWith('aws-cn:') : next).toSatisfy((v: unknown) => v === true || JSON.stringify(v) === '{"Ref":"AWS::Partition"}');
      }
      // endpoints of the partition end in amazonaws.com.cn; a service principal (lambda.amazonaws.com) is the same in every partition
      expect(strings.filter((s) => /https?:\/\/[^"]*\.amazonaws\.com(?!\.cn)/.test(s))).toEqual([]);
    }
  });

  it('trusts the configured issuer and audience in the HTTP API JWT authorizer', () => {
    const [, authorizer] = resourcesOf(china.statelessTemplate, 'AWS::ApiGatewayV2::Authorizer')[0]!;
    expect(authorizer.Properties).toMatchObject({ AuthorizerType: 'JWT', JwtConfiguration: { Issuer: ISSUER, Audience: ['beian'] }, Name: 'oidc-jwt' });
    expect(resourcesOf(china.statelessTemplate, 'AWS::ApiGatewayV2::Authorizer')).toHaveLength(1);
  });

  it('tells the API function to read roles, jurisdiction and client id from the configured claims', () => {
    expect(functionNamed(china, 'api').Properties!.Environment.Variables).toMatchObject({
      IDENTITY: 'oidc',
      OIDC_ROLE_CLAIM: 'beian_roles',
      OIDC_JURISDICTION_CLAIM: 'beian_jurisdiction',
      OIDC_CLIENT_ID_CLAIM: 'azp',
    });
    const custom = synthBeian({ context: { ...CHINA_CONTEXT, oidcRoleClaim: 'groups', oidcJurisdictionClaim: 'district', oidcClientIdClaim: 'client_id' } });
    expect(functionNamed(custom, 'api').Properties!.Environment.Variables).toMatchObject({ OIDC_ROLE_CLAIM: 'groups', OIDC_JURISDICTION_CLAIM: 'district', OIDC_CLIENT_ID_CLAIM: 'client_id' });
  });

  it('sends mail over SMTP: the notice sender gets host, port and the secret name, and is the only function that may read the secret', () => {
    const sender = functionNamed(china, 'send-notices');
    expect(sender.Properties!.Environment.Variables).toMatchObject({
      MAIL_TRANSPORT: 'smtp',
      SMTP_HOST: 'smtpdm.aliyun.com',
      SMTP_PORT: '465',
      SMTP_SECRET_NAME: 'beian/smtp',
      MAIL_FROM: 'beian@example.gov.cn',
    });
    expect(sender.Properties!.Environment.Variables.MAIL_CONFIGURATION_SET).toBeUndefined();
    const readers = functionsOf(china).filter(([, fn]) =>
      statementsOfRole(china.statelessTemplate, roleOf(fn)).some((s) => asArray(s.Action).includes('secretsmanager:GetSecretValue')),
    );
    expect(readers.map(([id]) => id)).toEqual([logicalIdOf(china, 'send-notices')]);
    const grant = statementsOfRole(china.statelessTemplate, roleOf(sender)).find((s) => asArray(s.Action).includes('secretsmanager:GetSecretValue'))!;
    expect(asArray(grant.Action)).toEqual(['secretsmanager:GetSecretValue']);
    expect(JSON.stringify(grant.Resource)).toContain(':secret:beian/smtp-??????');
    expect(JSON.stringify(grant.Resource)).toContain('arn:aws-cn:secretsmanager:cn-north-1:123456789012');
  });

  it('keeps every other resource of a global deployment: table, queues, bucket, schedules, alarms, API', () => {
    const global = synthBeian({ context: { region: 'ap-east-1', account: '123456789012' } });
    const count = (beian: SynthesizedBeian) => {
      const all = [beian.statefulTemplate, beian.statelessTemplate].flatMap((t) => Object.values(t.toJSON().Resources as Record<string, CfnResource>).map((r) => r.Type));
      return Object.fromEntries(
        [...new Set(all)].filter((t) => !/^AWS::(Cognito|SES)::|^Custom::BeianAgencyClientLink$/.test(t)).map((t) => [t, all.filter((x) => x === t).length]),
      );
    };
    const globalCounts = count(global);
    const chinaCounts = count(china);
    // the user pool's custom resources (client links) and the SES send policy differ; nothing else
    expect(chinaCounts).toEqual(globalCounts);
    expect(globalCounts['AWS::Scheduler::Schedule']).toBeGreaterThan(0);
  });

  it('serves the API on a custom domain when one is configured, with the default endpoint disabled', () => {
    const withDomain = synthBeian({
      context: { ...CHINA_CONTEXT, apiDomainName: 'beian.example.gov.cn', certificateArn: 'arn:aws-cn:acm:cn-north-1:123456789012:certificate/1234abcd-12ab-34cd-56ef-1234567890ab' },
    });
    const t = withDomain.statelessTemplate;
    t.hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: true });
    t.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'beian.example.gov.cn',
      DomainNameConfigurations: [{ CertificateArn: 'arn:aws-cn:acm:cn-north-1:123456789012:certificate/1234abcd-12ab-34cd-56ef-1234567890ab', EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' }],
    });
    expect(resourcesOf(t, 'AWS::ApiGatewayV2::ApiMapping')).toHaveLength(1);
    expect(t.toJSON().Outputs.ApiUrl.Value).toBe('https://beian.example.gov.cn/');
    expect(t.toJSON().Outputs.ApiDomainTarget).toBeDefined();
    // without one, the default endpoint serves
    china.statelessTemplate.hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: false });
    expect(resourcesOf(china.statelessTemplate, 'AWS::ApiGatewayV2::DomainName')).toEqual([]);
  });
});

describe('a global region keeps the user pool, SES and tracing', () => {
  it('synthesizes as before', () => {
    const global = synthBeian({ context: { region: 'ap-east-1', account: '123456789012' } });
    expect(global.stateful.partition).toBe('aws');
    expect(resourcesOf(global.statefulTemplate, 'AWS::Cognito::UserPool')).toHaveLength(1);
    expect(resourcesOf(global.statefulTemplate, 'AWS::SES::EmailIdentity')).toHaveLength(1);
    for (const [, fn] of functionsOf(global)) expect(fn.Properties!.TracingConfig).toEqual({ Mode: 'Active' });
    const [, authorizer] = resourcesOf(global.statelessTemplate, 'AWS::ApiGatewayV2::Authorizer')[0]!;
    expect(authorizer.Properties!.Name).toBe('cognito-jwt');
    expect(functionNamed(global, 'api').Properties!.Environment.Variables.IDENTITY).toBe('cognito');
  });

  it('may use an external issuer and SMTP there too', () => {
    const mixed = synthBeian({ context: { region: 'ap-east-1', identity: 'oidc', oidcIssuer: ISSUER, oidcAudience: '["beian","beian-web"]', mailTransport: 'smtp', smtpHost: 'smtp.example.com', smtpPort: 587, smtpSecretName: 'beian/smtp' } });
    expect(resourcesOf(mixed.statefulTemplate, 'AWS::Cognito::UserPool')).toEqual([]);
    const [, authorizer] = resourcesOf(mixed.statelessTemplate, 'AWS::ApiGatewayV2::Authorizer')[0]!;
    expect(authorizer.Properties!.JwtConfiguration.Audience).toEqual(['beian', 'beian-web']);
    expect(functionNamed(mixed, 'send-notices').Properties!.Environment.Variables.SMTP_PORT).toBe('587');
  });
});

describe('context of the two seams', () => {
  it.each([
    [{ region: 'cn-north-1', identity: 'cognito' }, 'identity', 'Cognito user pools are not offered in the AWS China regions'],
    [{ region: 'cn-northwest-1', mailTransport: 'ses' }, 'mailTransport', 'SES is not offered in the AWS China regions'],
    [{ region: 'cn-north-1' }, 'oidcIssuer', 'must be set with identity=oidc'],
    [{ region: 'cn-north-1' }, 'oidcAudience', 'must be set with identity=oidc'],
    [{ region: 'cn-north-1' }, 'smtpHost', 'must be set with mailTransport=smtp'],
    [{ region: 'cn-north-1' }, 'smtpSecretName', 'must be set with mailTransport=smtp'],
    [{ ...CHINA_CONTEXT, oidcIssuer: 'http://idp.example.cn/realms/beian' }, 'oidcIssuer', 'https://'],
    [{ ...CHINA_CONTEXT, oidcIssuer: 'https://idp.example.cn/realms/beian/' }, 'oidcIssuer', 'without a trailing slash'],
    [{ ...CHINA_CONTEXT, oidcRoleClaim: 'realm access' }, 'oidcRoleClaim', 'top-level token claim'],
    [{ ...CHINA_CONTEXT, agencyClients: 'baodi-market' }, 'agencyClients', 'identity=cognito only'],
    [{ ...CHINA_CONTEXT, allowedRecipientDomains: 'tj.gov.cn' }, 'allowedRecipientDomains', 'enforced by IAM on SES'],
    [{ ...CHINA_CONTEXT, smtpPort: '70000' }, 'smtpPort', '1-65535'],
    [{ ...CHINA_CONTEXT, smtpHost: 'smtp host' }, 'smtpHost', 'host name'],
    [{ ...CHINA_CONTEXT, smtpHost: 'smtp.example.cn:465' }, 'smtpHost', 'no port'],
    [{ ...CHINA_CONTEXT, region: 'cn-east-1' }, 'region', 'not an AWS China region'],
    [{ ...CHINA_CONTEXT, account: '1234' }, 'account', '12-digit'],
    [{ ...CHINA_CONTEXT, region: 'beijing' }, 'region', 'AWS region'],
    [{ ...CHINA_CONTEXT, apiDomainName: 'beian.example.gov.cn' }, 'certificateArn', 'go together'],
    [{ ...CHINA_CONTEXT, apiDomainName: 'beian.example.gov.cn', certificateArn: 'arn:aws-cn:acm:cn-northwest-1:123456789012:certificate/abc' }, 'certificateArn', "deployment's region cn-north-1"],
    [{ ...CHINA_CONTEXT, apiDomainName: 'beian.example.gov.cn', certificateArn: 'arn:aws:acm:cn-north-1:123456789012:certificate/abc' }, 'certificateArn', 'partition aws'],
    [{ oidcIssuer: ISSUER }, 'oidcIssuer', 'only with identity=oidc'],
    [{ smtpHost: 'smtp.example.com' }, 'smtpHost', 'only with mailTransport=smtp'],
    [{ architecture: 'x86' }, 'architecture', 'arm64 or x86_64'],
  ])('refuses %j, naming %s and why', (context, key, reason) => {
    const message = errorOf(context);
    expect(message).toContain(`context "${key}"`);
    expect(message).toContain(reason);
  });

  it('says only what to change when a China region is given a global choice', () => {
    const message = errorOf({ ...CHINA_CONTEXT, identity: 'cognito', mailTransport: 'ses' });
    expect(message).toContain('leave identity unset');
    expect(message).toContain('leave mailTransport unset');
    expect(message).not.toContain('is used only with');
  });

  it('takes a one-word relay host', () => {
    expect(from({ ...CHINA_CONTEXT, smtpHost: 'relay' }).smtpHost).toBe('relay');
  });

  it('takes x86_64 where arm64 is not wanted', () => {
    const x86 = synthBeian({ context: { ...CHINA_CONTEXT, architecture: 'x86_64' } });
    for (const [, fn] of functionsOf(x86)) expect(fn.Properties!.Architectures).toEqual(['x86_64']);
  });
});

describe('a production stage in China', () => {
  it('needs no sign-in callback URLs: they belong to the user pool, which an external issuer replaces', () => {
    expect(from({ ...CHINA_CONTEXT, stage: 'prod' })).toMatchObject({ stage: 'prod', identity: 'oidc' });
    expect(errorOf({ stage: 'prod' })).toContain('context "peopleCallbackUrls"');
  });
});
