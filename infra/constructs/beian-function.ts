/**
 * The one base construct for every Beian function: pinned Node runtime on arm64, an ESM bundle built by
 * the local esbuild with the settings of infra/bundling.ts, source maps (read when an error is logged),
 * X-Ray where the region offers it, Powertools' service name, an explicit log group,
 * and a role that starts with nothing but the right to write to that log group. Every other right comes
 * from a bind* method that sets the environment variable the code reads (names from
 * functions/manifest.ts `env`) together with the least grant it needs.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Aws, Duration, RemovalPolicy, SecretValue, Validations } from 'aws-cdk-lib';
import { DOCUMENTS_PREFIX } from '../../shared/domain/documents.ts';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ApplicationLogLevel, Architecture, LoggingFormat, Runtime, SystemLogLevel, Tracing } from 'aws-cdk-lib/aws-lambda';
import { Charset, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { env, type FunctionSpec, type QueueName } from '../../functions/manifest.ts';
import { tableDefinition } from '../../shared/store/table-definition.ts';
import { bundlingOptions } from '../bundling.ts';
import type { BeianConfig } from '../config.ts';

/** The repository root, where the entries of functions/manifest.ts and package-lock.json are. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Pinned on purpose: a runtime change is a reviewed change, not a side effect of upgrading aws-cdk-lib. */
export const FUNCTION_RUNTIME = Runtime.NODEJS_22_X;

export { TABLE_ACTIONS, type TableAccess } from '../table-actions.ts';
import { TABLE_ACTIONS, type TableAccess } from '../table-actions.ts';

/** Read by the code that writes notices; to move to functions/manifest.ts `env` with the other names. */
export const NOTICE_RETENTION_DAYS_ENV = env.noticeRetentionDays;

export type MailBinding =
  | {
      kind: 'ses';
      /** the verified sender address, also the only From the function may use */
      mailFrom: string;
      emailIdentityArn: string;
      configurationSetName: string;
      configurationSetArn: string;
    }
  | {
      kind: 'smtp';
      mailFrom: string;
      host: string;
      port: number;
      /** the operator's secret {"username","password"} of the SMTP account */
      secretName: string;
      secretArn: string;
    };

export interface BeianFunctionProps {
  spec: FunctionSpec;
  stage: string;
  logRetention: RetentionDays;
  /** X-Ray active tracing: on where Lambda offers it, off in the AWS China regions */
  tracing?: boolean;
  architecture?: 'arm64' | 'x86_64';
}

export class BeianFunction extends Construct {
  readonly spec: FunctionSpec;
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: BeianFunctionProps) {
    super(scope, id);
    const { spec } = props;
    this.spec = spec;

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention,
      // Logs are the audit trail of a supervision system: they outlive a redeploy of the stateless stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Own role instead of the default one with the AWSLambdaBasicExecutionRole managed policy
    // (logs:* on every log group): this one may write to its own log group only.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal(ServicePrincipal.servicePrincipalName('lambda')),
      description: `Beian ${props.stage} function ${spec.name}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: path.join(REPO_ROOT, spec.entry),
      handler: 'handler',
      description: spec.description,
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      runtime: FUNCTION_RUNTIME,
      architecture: props.architecture === 'x86_64' ? Architecture.X86_64 : Architecture.ARM_64,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.WARN,
      tracing: (props.tracing ?? true) ? Tracing.ACTIVE : Tracing.DISABLED,
      environment: {
        [env.stage]: props.stage,
        // Powertools: the service in every log line. Its level is the function's logging config (below);
        // no debug sampling: under that config Lambda drops DEBUG lines and Powertools defers to it, so a
        // sample rate would only print a warning (debug for a while: set the application log level to DEBUG).
        // No NODE_OPTIONS=--enable-source-maps (it parsed the whole map at every cold start, about 15 ms of
        // the api's): the logger maps an error's stack through the shipped .map when it logs one.
        POWERTOOLS_SERVICE_NAME: spec.name,
      },
      // The esbuild settings of infra/bundling.ts (shared with bench/bundles.ts, so what is measured is
      // what ships), in NodejsFunction's terms: ESM with a `require` banner, node22, minified, UTF-8,
      // source maps without sources, and the env-only credential provider alias.
      bundling: {
        format: bundlingOptions.format === 'esm' ? OutputFormat.ESM : OutputFormat.CJS,
        target: bundlingOptions.target,
        mainFields: [...bundlingOptions.mainFields],
        banner: bundlingOptions.banner.js,
        minify: bundlingOptions.minify,
        sourceMap: bundlingOptions.sourcemap,
        sourcesContent: bundlingOptions.sourcesContent,
        charset: bundlingOptions.charset === 'utf8' ? Charset.UTF8 : Charset.ASCII,
        esbuildArgs: Object.fromEntries(Object.entries(bundlingOptions.alias).map(([from, to]) => [`--alias:${from}`, to])),
        // The SDK goes into the bundle: the version tested locally is the one that runs, and a minified
        // bundle starts faster than the runtime's unminified copy.
        bundleAwsSDK: true,
        forceDockerBundling: false,
        // then the split bundle (index.mjs + chunks/) of infra/bundling.ts replaces the single file
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string) => [
            `cd "${REPO_ROOT}" && "${process.execPath}" --import tsx infra/split-bundle.ts "${spec.entry}" "${outputDir}"`,
          ],
        },
      },
    });

    // Tracing.ACTIVE adds xray:PutTraceSegments / PutTelemetryRecords on "*" to the role.
    if (props.tracing ?? true) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions; nothing else in this role has a wildcard.',
      });
    }
    // nodejs24.x is the newest the library knows; 22.x is chosen and pinned (see FUNCTION_RUNTIME).
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Runtime pinned to nodejs22.x (supported LTS, the line the code and toolchain are tested on); moving to 24.x is a deliberate, tested change.',
    });
  }

  /**
   * TABLE_NAME, and the item actions of `access` on the table and each of its indexes (by name, no wildcard).
   * With `leadingKeys` (infra/table-actions.ts TABLE_KEY_PREFIXES), only on items and index partitions whose
   * partition key matches one of those patterns.
   */
  bindTable(table: ITableV2, access: TableAccess, leadingKeys?: readonly string[], deletes?: readonly string[]): this {
    this.function.addEnvironment(env.tableName, table.tableName);
    const indexArns = tableDefinition.globalSecondaryIndexes.map((index) => `${table.tableArn}/index/${index.indexName}`);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [...TABLE_ACTIONS[access]],
        resources: [table.tableArn, ...indexArns],
        ...(leadingKeys && { conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...leadingKeys] } } }),
      }),
    );
    // deleting only items under these partition keys (TABLE_DELETE_PREFIXES), never a history event
    if (access === 'readWrite' && deletes?.length) {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['dynamodb:DeleteItem'],
          resources: [table.tableArn],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...deletes] } },
        }),
      );
    }
    if (table.encryptionKey) {
      table.encryptionKey.grantEncryptDecrypt(this.role);
    }
    return this;
  }

  /**
   * NOTICE_RETENTION_DAYS: how many days a notice is kept once it has left the outbox (sent, no recipient,
   * suppressed); the code sets the notice's `expiresAt` (the table's TTL attribute) from it. No grant of its own.
   */
  bindNoticeRetention(days: number): this {
    this.function.addEnvironment(NOTICE_RETENTION_DAYS_ENV, String(days));
    return this;
  }

  /**
   * CURSOR_SECRET: the cursor-signing key itself, as a CloudFormation dynamic reference that is resolved
   * at deploy time. The code reads a plain string and needs no Secrets Manager call or right at run time;
   * the key is visible to whoever may read this function's configuration, and a rotated key reaches the
   * function at the next deploy of the stateless stack.
   */
  bindCursorSecret(secretName: string): this {
    this.function.addEnvironment(env.cursorSecret, SecretValue.secretsManager(secretName).unsafeUnwrap());
    return this;
  }

  /**
   * IDENTITY and, for an external OIDC issuer, the names of the claims that carry roles, a reviewer's
   * jurisdiction and an agency system's client id. No grant: the JWT authorizer has checked the token.
   */
  bindIdentity(config: Pick<BeianConfig, 'identity' | 'oidcRoleClaim' | 'oidcJurisdictionClaim' | 'oidcClientIdClaim'>): this {
    this.function.addEnvironment(env.identity, config.identity);
    if (config.identity === 'oidc') {
      this.function.addEnvironment(env.oidcRoleClaim, config.oidcRoleClaim);
      this.function.addEnvironment(env.oidcJurisdictionClaim, config.oidcJurisdictionClaim);
      this.function.addEnvironment(env.oidcClientIdClaim, config.oidcClientIdClaim);
    }
    return this;
  }

  /**
   * DOCUMENTS_BUCKET, and on the documents prefix only: `sign` PutObject and GetObject (what the API's
   * presigned URLs do: a presigned request carries the signer's rights), `read` GetObject (the verifier).
   * No function may delete or overwrite a version: no DeleteObject*, no PutObjectAcl, no lifecycle rights.
   */
  bindDocuments(bucketName: string, access: 'sign' | 'read'): this {
    this.function.addEnvironment(env.documentsBucket, bucketName);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: access === 'sign' ? ['s3:PutObject', 's3:GetObject'] : ['s3:GetObject'],
        resources: [`arn:${Aws.PARTITION}:s3:::${bucketName}/${DOCUMENTS_PREFIX}*`],
      }),
    );
    // the objects are named by ids made at run time: a grant on the prefix is the narrowest there is
    const rendered = bucketName.replace(/\$\{Token\[AWS\.AccountId\.\d+\]\}/, '<AWS::AccountId>').replace(/\$\{Token\[AWS\.Region\.\d+\]\}/, '<AWS::Region>');
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${rendered}/${DOCUMENTS_PREFIX}*]`,
      reason: 'Documents are objects named by ids made at run time (documents/<decisionId>/<documentId>); the grant covers that prefix of the one bucket, with no delete.',
    });
    return this;
  }

  /** <QUEUE>_QUEUE_URL and the right to send to that queue. */
  bindQueue(name: QueueName, queue: IQueue): this {
    this.function.addEnvironment(env.queueUrl(name), queue.queueUrl);
    queue.grantSendMessages(this.role);
    return this;
  }

  /**
   * OPERATOR_EMAILS: the operators' addresses (context operatorEmails), comma-separated. Set even when the
   * list is empty, so the code can tell "no operator configured" ('') from a missing binding (unset). No
   * grant: mail to operators goes through the outbox like any other notice.
   */
  bindOperatorEmails(emails: readonly string[]): this {
    this.function.addEnvironment(env.operatorEmails, emails.join(','));
    return this;
  }

  /**
   * SES: MAIL_FROM and MAIL_CONFIGURATION_SET, and the right to send from that address only, through that
   * configuration set. SMTP: MAIL_TRANSPORT=smtp, SMTP_HOST, SMTP_PORT, SMTP_SECRET_NAME and the right to
   * read that one secret (the function reaches the SMTP server over the internet: Lambda outside a VPC).
   */
  bindMail(mail: MailBinding, recipientDomains: readonly string[] = []): this {
    this.function.addEnvironment(env.mailFrom, mail.mailFrom);
    if (mail.kind === 'smtp') {
      this.function.addEnvironment(env.mailTransport, 'smtp');
      this.function.addEnvironment(env.smtpHost, mail.host);
      this.function.addEnvironment(env.smtpPort, String(mail.port));
      this.function.addEnvironment(env.smtpSecretName, mail.secretName);
      this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [mail.secretArn] }));
      return this;
    }
    this.function.addEnvironment(env.mailConfigurationSet, mail.configurationSetName);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [mail.emailIdentityArn, mail.configurationSetArn],
        conditions: {
          StringEquals: { 'ses:FromAddress': mail.mailFrom },
          // every recipient (To, Cc, Bcc) in an allowed domain or one of its subdomains, when the deployment names them
          ...(recipientDomains.length && { 'ForAllValues:StringLike': { 'ses:Recipients': recipientDomains.flatMap((d) => [`*@${d}`, `*@*.${d}`]) } }),
        },
      }),
    );
    return this;
  }
}
