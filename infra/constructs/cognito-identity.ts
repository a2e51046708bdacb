/**
 * The identity of a deployment where Cognito user pools exist (identity=cognito): the user pool, its
 * groups, the agency scope, the hosted domain, the people's client and one client-credentials client per
 * agency of `agencyClients`, linked to its agency in the table. Where there are no user pools (the AWS
 * China regions) the deployment trusts an external OpenID Connect issuer instead and builds none of this.
 */
import { CfnOutput, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  type CfnUserPoolClient,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  OAuthScope,
  ResourceServerScope,
  StringAttribute,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { BeianConfig } from '../config.ts';
import { AgencyClientLinks } from './agency-client-links.ts';

export const RESOURCE_SERVER_ID = 'beian';
export const AGENCY_SCOPE_NAME = 'agency';
export const PEOPLE_GROUPS = ['admin', 'reviewer'] as const;

/** What the API's JWT authorizer trusts, whoever issues the tokens. */
export interface ApiIdentity {
  /** the `iss` of every token */
  issuer: string;
  /** the accepted `aud` (or, without aud, `client_id`) values */
  audiences: string[];
}

export interface AgencyClient {
  agencyId: string;
  client: UserPoolClient;
}

export interface CognitoIdentityProps {
  config: BeianConfig;
  table: ITableV2;
  logRetention: RetentionDays;
}

/**
 * Not a construct of its own: its resources are the stack's children, so they keep the logical ids they
 * had before identity became a choice (a new id would replace the user pool and every sign-in with it).
 */
export class CognitoIdentity implements ApiIdentity {
  readonly userPool: UserPool;
  readonly userPoolDomain: UserPoolDomain;
  /** https://cognito-idp.<region>.<partition suffix>/<poolId>, the `iss` of every token */
  readonly issuer: string;
  readonly tokenEndpoint: string;
  readonly peopleClient: UserPoolClient;
  readonly agencyClients: readonly AgencyClient[];

  constructor(stack: Construct, props: CognitoIdentityProps) {
    const { config } = props;

    this.userPool = new UserPool(stack, 'UserPool', {
      userPoolName: `beian-${config.stage}`,
      featurePlan: FeaturePlan.ESSENTIALS,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: {
        email: { required: true, mutable: true },
        fullname: { required: false, mutable: true },
      },
      customAttributes: {
        // A reviewer's jurisdiction; set by an admin (admin-update-user-attributes), never by the user.
        jurisdictionId: new StringAttribute({ minLen: 2, maxLen: 64, mutable: true }),
      },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        'Essentials plan, not Plus: threat protection is billed per active user on Plus; people are a few named officials created by an admin (no self sign-up) with TOTP MFA required and a 12-character policy, and agencies use client credentials, which threat protection does not cover.',
    });

    for (const [precedence, groupName] of PEOPLE_GROUPS.entries()) {
      this.userPool.addGroup(`Group-${groupName}`, {
        groupName,
        precedence,
        description: groupName === 'admin' ? 'Registers jurisdictions and agencies, sees everything' : 'Reviews decisions of one jurisdiction (custom:jurisdictionId)',
      });
    }

    const agencyScope = new ResourceServerScope({
      scopeName: AGENCY_SCOPE_NAME,
      scopeDescription: "An agency's system reports and files its own decisions",
    });
    const resourceServer = this.userPool.addResourceServer('ResourceServer', {
      identifier: RESOURCE_SERVER_ID,
      userPoolResourceServerName: 'Beian API',
      scopes: [agencyScope],
    });

    // The token endpoint (client credentials) and the sign-in pages live on the user pool domain.
    this.userPoolDomain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: config.authDomainPrefix } });
    this.tokenEndpoint = `${this.userPoolDomain.baseUrl()}/oauth2/token`;
    // ProviderURL is "cognito-idp.<region>.<partition suffix>/<pool id>": right in every partition,
    // unlike HttpUserPoolAuthorizer, which assumes amazonaws.com.
    this.issuer = `https://${this.userPool.userPoolProviderUrl}`;

    this.peopleClient = this.userPool.addClient('PeopleClient', {
      userPoolClientName: 'people',
      generateSecret: false, // a browser or CLI app: public client, authorization code flow with PKCE, or SRP
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: config.peopleCallbackUrls,
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      // People may change their name, never their jurisdiction.
      writeAttributes: new ClientAttributes().withStandardAttributes({ fullname: true }),
    });

    this.agencyClients = config.agencyClients.map((agencyId) => {
      const client = this.userPool.addClient(`AgencyClient-${agencyId}`, {
        userPoolClientName: `agency-${agencyId}`,
        generateSecret: true,
        oAuth: {
          flows: { clientCredentials: true },
          scopes: [OAuthScope.resourceServer(resourceServer, agencyScope)],
        },
        enableTokenRevocation: true,
        preventUserExistenceErrors: true,
        accessTokenValidity: Duration.hours(1),
      });
      // Without ExplicitAuthFlows Cognito allows SRP and custom auth (user sign-in) by default. A machine
      // client signs no user in: only the refresh-token flow, which is harmless as client credentials
      // never yield a refresh token.
      (client.node.defaultChild as CfnUserPoolClient).explicitAuthFlows = ['ALLOW_REFRESH_TOKEN_AUTH'];
      new CfnOutput(stack, `AgencyClientId-${agencyId}`, {
        description: `App client id of agency "${agencyId}" (its secret: aws cognito-idp describe-user-pool-client)`,
        value: client.userPoolClientId,
      });
      return { agencyId, client };
    });
    // Only when there is something to link: no idle role with write access to the table.
    if (this.agencyClients.length > 0) {
      const links = new AgencyClientLinks(stack, 'AgencyClientLinks', { table: props.table, logRetention: props.logRetention });
      for (const { agencyId, client } of this.agencyClients) links.link(agencyId, client);
    }

    new CfnOutput(stack, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(stack, 'TokenEndpoint', { description: 'client-credentials grant for agencies', value: this.tokenEndpoint });
    new CfnOutput(stack, 'PeopleClientId', { description: 'app client of reviewers and admins', value: this.peopleClient.userPoolClientId });
  }

  /** Every app client whose tokens the API accepts: the people client and one per agency. */
  get audiences(): string[] {
    return [this.peopleClient, ...this.agencyClients.map((a) => a.client)].map((c) => c.userPoolClientId);
  }
}
