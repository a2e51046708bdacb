import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { AGENCY_SCOPE } from '../../shared/auth/caller.ts';
import { DECISION_LIST_ATTRIBUTES, tableDefinition } from '../../shared/store/table-definition.ts';
import { CLIENT_LINK_PK } from '../../infra/constructs/agency-client-links.ts';
import { AGENCY_SCOPE_NAME, RESOURCE_SERVER_ID } from '../../infra/stateful-stack.ts';
import { asArray, onlyResource, resourcesOf, statementsOfRole, synthBeian, type SynthesizedBeian } from './helpers.ts';

const AGENCIES = ['baodi-market', 'xiqing-court'];

let beian: SynthesizedBeian;
beforeAll(() => {
  beian = synthBeian({ context: { agencyClients: AGENCIES, alarmEmails: ['ops@beian.example.gov.cn'] } });
});

describe('table', () => {
  const table = () => onlyResource(beian.statefulTemplate, 'AWS::DynamoDB::GlobalTable')[1];

  it('has the keys, TTL and string attributes of shared/store/table-definition.ts', () => {
    const props = table().Properties!;
    expect(props.KeySchema).toEqual([
      { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' },
      { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' },
    ]);
    expect(props.TimeToLiveSpecification).toEqual({ AttributeName: tableDefinition.timeToLiveAttribute, Enabled: true });
    expect(props.AttributeDefinitions.every((a: { AttributeType: string }) => a.AttributeType === 'S')).toBe(true);
  });

  it('has exactly the indexes of the definition, string keys; the list indexes project the list attributes only, `due` everything', () => {
    const expected = tableDefinition.globalSecondaryIndexes.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: index.projection === 'ALL' ? { ProjectionType: 'ALL' } : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...DECISION_LIST_ATTRIBUTES] },
    }));
    const indexes = table().Properties!.GlobalSecondaryIndexes as { IndexName: string; Projection: { ProjectionType: string; NonKeyAttributes?: string[] } }[];
    expect(indexes).toEqual(expected);
    // issue 12 item 3: a list page reads no texts and no filing
    for (const index of indexes.filter((i) => i.IndexName !== 'due')) {
      expect(index.Projection.ProjectionType, index.IndexName).toBe('INCLUDE');
      for (const big of ['summary', 'legalBasis', 'filing', 'lateExplanation']) expect(index.Projection.NonKeyAttributes).not.toContain(big);
    }
    // DynamoDB allows 100 projected attributes over all the indexes of a table
    expect(indexes.reduce((n, i) => n + (i.Projection.NonKeyAttributes?.length ?? 0), 0)).toBeLessThanOrEqual(100);
  });

  it('is protected: on-demand, point-in-time recovery, deletion protection, KMS encryption, retained', () => {
    const resource = table();
    expect(resource.Properties!.BillingMode).toBe('PAY_PER_REQUEST');
    expect(resource.Properties!.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
    expect(resource.Properties!.Replicas).toEqual([
      expect.objectContaining({
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      }),
    ]);
    expect([resource.DeletionPolicy, resource.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
  });
});

describe('cursor-signing key', () => {
  it('is a generated secret under the fixed name the stateless stack refers to', () => {
    beian.statefulTemplate.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: beian.stateful.cursorSecretName,
      GenerateSecretString: Match.objectLike({ PasswordLength: 64, ExcludePunctuation: true }),
    });
    expect(beian.stateful.cursorSecretName).toBe('beian/dev/cursor-signing-key');
  });
});

describe('user pool', () => {
  const pool = () => onlyResource(beian.statefulTemplate, 'AWS::Cognito::UserPool')[1];

  it('lets only admins create users, requires TOTP MFA and a strong password, and is retained', () => {
    const props = pool().Properties!;
    expect(props.AdminCreateUserConfig).toEqual({ AllowAdminCreateUserOnly: true });
    expect(props.MfaConfiguration).toBe('ON');
    expect(props.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
    expect(props.Policies.PasswordPolicy).toMatchObject({
      MinimumLength: 12,
      RequireLowercase: true,
      RequireUppercase: true,
      RequireNumbers: true,
      RequireSymbols: true,
    });
    expect(props.DeletionProtection).toBe('ACTIVE');
    expect(pool().DeletionPolicy).toBe('Retain');
  });

  it('has a mutable string attribute jurisdictionId for reviewers', () => {
    expect(pool().Properties!.Schema).toContainEqual(
      expect.objectContaining({ Name: 'jurisdictionId', AttributeDataType: 'String', Mutable: true }),
    );
  });

  it('has the groups admin and reviewer', () => {
    const groups = resourcesOf(beian.statefulTemplate, 'AWS::Cognito::UserPoolGroup').map(([, g]) => g.Properties!.GroupName);
    expect(groups.sort()).toEqual(['admin', 'reviewer']);
  });

  it('has the resource server "beian" with the scope the API checks (shared/auth/caller.ts)', () => {
    beian.statefulTemplate.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: 'beian',
      Scopes: [Match.objectLike({ ScopeName: 'agency' })],
    });
    expect(`${RESOURCE_SERVER_ID}/${AGENCY_SCOPE_NAME}`).toBe(AGENCY_SCOPE);
  });

  it('has a domain for the token endpoint, prefixed from the stage', () => {
    beian.statefulTemplate.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'beian-dev' });
    beian.statefulTemplate.hasOutput('TokenEndpoint', Match.anyValue());
  });
});

describe('app clients', () => {
  const clients = () =>
    resourcesOf(beian.statefulTemplate, 'AWS::Cognito::UserPoolClient').map(([id, c]): Record<string, any> => ({ id, ...c.Properties }));
  const agencyClients = () => clients().filter((c) => String(c.ClientName).startsWith('agency-'));

  it('gives each agency of agencyClients one confidential client-credentials client with scope beian/agency', () => {
    expect(agencyClients().map((c) => c.ClientName)).toEqual(AGENCIES.map((a) => `agency-${a}`));
    for (const client of agencyClients()) {
      expect(client).toMatchObject({
        GenerateSecret: true,
        AllowedOAuthFlows: ['client_credentials'],
        AllowedOAuthFlowsUserPoolClient: true,
        ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
      });
      expect(client.AllowedOAuthScopes).toEqual([{ 'Fn::Join': ['', [{ Ref: expect.stringMatching(/^UserPoolResourceServer/) }, '/agency']] }]);
    }
  });

  it('gives people one public client: code flow or SRP, no secret, no agency scope, cannot write its jurisdiction', () => {
    const people = clients().find((c) => c.ClientName === 'people');
    expect(people).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      CallbackURLs: ['http://localhost:8765/callback'],
      WriteAttributes: ['name'],
    });
  });

  it('creates no agency client when agencyClients is empty', () => {
    const bare = synthBeian();
    const names = resourcesOf(bare.statefulTemplate, 'AWS::Cognito::UserPoolClient').map(([, c]) => c.Properties!.ClientName);
    expect(names).toEqual(['people']);
    bare.statefulTemplate.resourceCountIs('Custom::BeianAgencyClientLink', 0);
    // no idle role that could write the table: the only role is CDK's bucket-notification handler's, which has no table right
    const roles = resourcesOf(bare.statefulTemplate, 'AWS::IAM::Role');
    expect(roles.map(([id]) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual(['BucketNotificationsHandler050a0587b7544547bf325f094a3db834Role']);
    expect(JSON.stringify(bare.statefulTemplate.toJSON().Resources)).not.toMatch(/BucketNotificationsHandler[^"]*Role[^]*dynamodb:/);
  });
});

describe('agency client links', () => {
  const links = () => resourcesOf(beian.statefulTemplate, 'Custom::BeianAgencyClientLink');
  const call = (resource: { Properties?: Record<string, any> }, phase: 'Create' | 'Update' | 'Delete') =>
    JSON.stringify(resource.Properties![phase]);

  it('writes CLIENT / <clientId> -> agencyId for each agency on create and update, deletes it on delete', () => {
    expect(links()).toHaveLength(AGENCIES.length);
    for (const [index, agencyId] of AGENCIES.entries()) {
      const clientLogicalId = agencyClientLogicalId(agencyId);
      const link = links()[index]![1];
      for (const phase of ['Create', 'Update'] as const) {
        const text = call(link, phase);
        expect(text).toContain('"action\\":\\"PutItem\\"');
        expect(text).toContain(`\\"${tableDefinition.partitionKey}\\":{\\"S\\":\\"${CLIENT_LINK_PK}\\"}`);
        expect(text).toContain(`\\"agencyId\\":{\\"S\\":\\"${agencyId}\\"}`);
        expect(text).toContain(`{"Ref":"${clientLogicalId}"}`);
      }
      expect(call(link, 'Delete')).toContain('"action\\":\\"DeleteItem\\"');
      expect(call(link, 'Delete')).toContain(`{"Ref":"${clientLogicalId}"}`);
    }
  });

  it('runs with PutItem and DeleteItem on the table only, and no managed policy', () => {
    const [tableId] = onlyResource(beian.statefulTemplate, 'AWS::DynamoDB::GlobalTable');
    const [roleId, role] = resourcesOf(beian.statefulTemplate, 'AWS::IAM::Role').find(([id]) => id.startsWith('AgencyClientLinksRole'))!;
    expect(role.Properties!.ManagedPolicyArns).toBeUndefined();
    const dynamo = statementsOfRole(beian.statefulTemplate, roleId).filter((s) => asArray(s.Action).some((a: string) => a.startsWith('dynamodb:')));
    expect(dynamo).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:DeleteItem', 'dynamodb:PutItem'],
        Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
        // only link items: it cannot touch a decision or its history (issue 8)
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CLIENT'] } },
      },
    ]);
    // the provider function runs under this role
    const provider = resourcesOf(beian.statefulTemplate, 'AWS::Lambda::Function')
      .filter(([id]) => !id.startsWith('BucketNotificationsHandler'))
      .map(([, f]) => f.Properties!.Role);
    expect(provider).toEqual([{ 'Fn::GetAtt': [roleId, 'Arn'] }]);
  });

  function agencyClientLogicalId(agencyId: string): string {
    const clientsById = resourcesOf(beian.statefulTemplate, 'AWS::Cognito::UserPoolClient');
    return clientsById.find(([, c]) => c.Properties!.ClientName === `agency-${agencyId}`)![0];
  }
});

describe('mail and alarms', () => {
  it('has an SES identity for mailFrom with a configuration set that requires TLS', () => {
    beian.statefulTemplate.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'beian@example.gov.cn',
      ConfigurationSetAttributes: { ConfigurationSetName: Match.anyValue() },
    });
    beian.statefulTemplate.hasResourceProperties('AWS::SES::ConfigurationSet', {
      Name: 'beian-dev',
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
    });
  });

  it('subscribes alarmEmails to an alarm topic that refuses plain HTTP', () => {
    const [topicId] = onlyResource(beian.statefulTemplate, 'AWS::SNS::Topic');
    beian.statefulTemplate.hasResourceProperties('AWS::SNS::Subscription', {
      TopicArn: { Ref: topicId },
      Endpoint: 'ops@beian.example.gov.cn',
      Protocol: 'email',
    });
    beian.statefulTemplate.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('outputs the user pool id, issuer, people client and each agency client id', () => {
    const outputs = Object.keys(beian.statefulTemplate.findOutputs('*'));
    expect(outputs).toEqual(
      expect.arrayContaining(['UserPoolId', 'Issuer', 'TokenEndpoint', 'PeopleClientId', 'AgencyClientIdbaodimarket', 'AgencyClientIdxiqingcourt']),
    );
  });
});
