/**
 * What holds state, protected and rarely changed: the table, queues and their dead-letter queues, the
 * cursor-signing key, the user pool and its app clients, the SES identity, the alarm topic.
 * The stateless stack receives these as props and can be destroyed and redeployed freely.
 */
import { ArnFormat, Aws, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AttributeType, Billing, ProjectionType, StreamViewType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { ConfigurationSet, ConfigurationSetTlsPolicy, EmailIdentity, Identity, SuppressionReasons } from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { BlockPublicAccess, Bucket, BucketEncryption, EventType, HttpMethods, ObjectOwnership, StorageClass } from 'aws-cdk-lib/aws-s3';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { DOCUMENTS_PREFIX } from '../shared/domain/documents.ts';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { QueueName, QueueSpec } from '../functions/manifest.ts';
import { tableDefinition } from '../shared/store/table-definition.ts';
import type { BeianConfig } from './config.ts';
import type { MailBinding } from './constructs/beian-function.ts';
import { type ApiIdentity, CognitoIdentity } from './constructs/cognito-identity.ts';

export { AGENCY_SCOPE_NAME, PEOPLE_GROUPS, RESOURCE_SERVER_ID } from './constructs/cognito-identity.ts';

/** Fixed, so the stateless stack can name it in a dynamic reference without a cross-stack reference. */
export const cursorSecretName = (stage: string) => `beian/${stage}/cursor-signing-key`;

/**
 * The documents bucket's name, fixed by stage, account and region (globally unique, at most 59 characters),
 * so the stateless stack grants on it without a cross-stack reference, and its grants read the same in
 * every deployment.
 */
export const documentsBucketName = (stage: string) => `beian-${stage}-docs-${Aws.ACCOUNT_ID}-${Aws.REGION}`;

export interface QueuePair {
  spec: QueueSpec;
  queue: Queue;
  deadLetterQueue: Queue;
}

export interface StatefulStackProps extends StackProps {
  config: BeianConfig;
  queues: readonly QueueSpec[];
}

export class StatefulStack extends Stack {
  readonly table: TableV2;
  readonly cursorSecret: Secret;
  readonly cursorSecretName: string;
  /** whom the API's JWT authorizer trusts: the user pool (identity=cognito) or the external issuer (oidc) */
  readonly identity: ApiIdentity;
  /** the user pool and its clients, with identity=cognito */
  readonly cognito?: CognitoIdentity;
  readonly mail: MailBinding;
  readonly queues: ReadonlyMap<QueueName, QueuePair>;
  /** where a table-stream consumer's records go after their last retry (metadata of the failed batch) */
  readonly streamDeadLetterQueue: Queue;
  readonly alarmTopic: Topic;
  /** the filing documents' files; its ObjectCreated events of the documents prefix go to the documents queue */
  readonly documentsBucket: Bucket;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { config } = props;
    const logRetention = config.logRetentionDays as RetentionDays;

    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: tableDefinition.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableDefinition.sortKey, type: AttributeType.STRING },
      timeToLiveAttribute: tableDefinition.timeToLiveAttribute,
      // the outbox: new images of notices reach the notice sender through the stream
      dynamoStream: StreamViewType[tableDefinition.stream],
      globalSecondaryIndexes: tableDefinition.globalSecondaryIndexes.map((index) => ({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        ...(index.projection === 'ALL'
          ? { projectionType: ProjectionType.ALL }
          : { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...index.projection] }),
      })),
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      // The AWS managed key (aws/dynamodb): KMS use is logged in CloudTrail, with no key to administer
      // and no KMS grants to add to every function.
      encryption: TableEncryptionV2.awsManagedKey(),
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.cursorSecretName = cursorSecretName(config.stage);
    this.cursorSecret = new Secret(this, 'CursorSigningKey', {
      secretName: this.cursorSecretName,
      description: 'HMAC key that signs the pagination cursors of the Beian API',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.cursorSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The key only signs pagination cursors (integrity, not confidentiality); it reaches the function at deploy time, so it is rotated by hand (put-secret-value, then redeploy the stateless stack), which only invalidates cursors in flight. See docs/operating.md.',
    });

    this.queues = this.createQueues(props.queues);
    this.documentsBucket = this.createDocumentsBucket(config, this.queues.get('documents')?.queue);
    this.streamDeadLetterQueue = this.createStreamDeadLetterQueue();
    this.alarmTopic = this.createAlarmTopic(config.alarmEmails);
    this.mail = this.createMail(config);

    this.identity =
      config.identity === 'cognito'
        ? new CognitoIdentity(this, { config, table: this.table, logRetention })
        : { issuer: config.oidcIssuer!, audiences: [...config.oidcAudience!] };
    this.cognito = this.identity instanceof CognitoIdentity ? this.identity : undefined;
    new CfnOutput(this, 'Issuer', { description: 'iss of every token', value: this.identity.issuer });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
  }

  private createStreamDeadLetterQueue(): Queue {
    const queue = new Queue(this, 'StreamDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself a dead-letter destination: the on-failure destination of the table-stream event source mappings.',
    });
    return queue;
  }

  private createQueues(specs: readonly QueueSpec[]): ReadonlyMap<QueueName, QueuePair> {
    const pairs = new Map<QueueName, QueuePair>();
    for (const spec of specs) {
      const common = { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, removalPolicy: RemovalPolicy.RETAIN };
      const deadLetterQueue = new Queue(this, `${spec.name}-DeadLetterQueue`, { ...common, retentionPeriod: Duration.days(14) });
      const queue = new Queue(this, `${spec.name}-Queue`, {
        ...common,
        visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: spec.maxReceiveCount },
      });
      pairs.set(spec.name, { spec, queue, deadLetterQueue });
    }
    return pairs;
  }

  /**
   * The documents bucket: S3-managed encryption, every public access blocked, TLS only (a bucket policy),
   * versioned, kept when the stack is deleted, its server access logs in a bucket of their own (kept as long
   * as the functions' logs), CORS only for the configured web origins (a browser uploads with the signed
   * headers), and after 180 days moved to Standard-IA (filings are read when they are reviewed, rarely after).
   */
  private createDocumentsBucket(config: BeianConfig, queue: Queue | undefined): Bucket {
    const common = { encryption: BucketEncryption.S3_MANAGED, blockPublicAccess: BlockPublicAccess.BLOCK_ALL, enforceSSL: true, removalPolicy: RemovalPolicy.RETAIN };
    const accessLogs = new Bucket(this, 'DocumentsAccessLogs', {
      ...common,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(config.logRetentionDays) }],
    });
    const bucket = new Bucket(this, 'Documents', {
      ...common,
      bucketName: documentsBucketName(config.stage),
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'documents-bucket/',
      ...(config.allowedOrigins.length && {
        cors: [
          {
            allowedOrigins: [...config.allowedOrigins],
            allowedMethods: [HttpMethods.PUT, HttpMethods.GET],
            allowedHeaders: ['content-type', 'content-length', 'x-amz-checksum-sha256'],
            exposedHeaders: ['etag'],
            maxAge: 3600,
          },
        ],
      }),
      lifecycleRules: [
        {
          transitions: [{ storageClass: StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(180) }],
          noncurrentVersionTransitions: [{ storageClass: StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(180) }],
        },
      ],
    });
    if (queue) {
      bucket.addEventNotification(EventType.OBJECT_CREATED, new SqsDestination(queue), { prefix: DOCUMENTS_PREFIX });
      // the notification is set by CDK's own custom resource (one per stack), a function with the basic execution role
      const handler = this.node.tryFindChild('BucketNotificationsHandler050a0587b7544547bf325f094a3db834');
      if (handler) {
        Validations.of(handler).acknowledge({
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason: "CDK's bucket-notification custom resource (aws-s3 BucketNotificationsHandler) runs at deploy time only and writes its own logs; its role is CDK's.",
        });
      }
    }
    new CfnOutput(this, 'DocumentsBucketName', { value: bucket.bucketName });
    return bucket;
  }

  private createAlarmTopic(emails: readonly string[]): Topic {
    // Not KMS-encrypted: CloudWatch can publish to an encrypted topic only with a customer managed key,
    // and alarm notifications carry no personal data.
    const topic = new Topic(this, 'AlarmTopic', { displayName: 'Beian alarms', enforceSSL: true });
    for (const email of emails) topic.addSubscription(new EmailSubscription(email));
    return topic;
  }

  /**
   * SES (a configuration set and the sender's email identity), or with mailTransport=smtp nothing to
   * create: the SMTP account is the operator's, its credentials a secret they make (docs/operating.md).
   */
  private createMail(config: BeianConfig): MailBinding {
    if (config.mailTransport === 'smtp') {
      return {
        kind: 'smtp',
        mailFrom: config.mailFrom,
        host: config.smtpHost!,
        port: config.smtpPort,
        secretName: config.smtpSecretName!,
        // a secret's ARN ends in "-" and 6 random characters, which a name alone does not know
        secretArn: this.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${config.smtpSecretName!}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      };
    }
    const configurationSetName = `beian-${config.stage}`; // a literal, so functions get it without a cross-stack reference
    const configurationSet = new ConfigurationSet(this, 'MailConfigurationSet', {
      configurationSetName,
      tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    const identity = new EmailIdentity(this, 'MailFromIdentity', {
      identity: Identity.email(config.mailFrom),
      configurationSet,
    });
    return {
      kind: 'ses',
      mailFrom: config.mailFrom,
      emailIdentityArn: identity.emailIdentityArn,
      configurationSetName,
      configurationSetArn: this.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: configurationSetName }),
    };
  }
}
