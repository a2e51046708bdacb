/**
 * The one description of every function: its entry file, its trigger and what it needs.
 * The CDK app (infra/stateless-stack.ts), the local runner (infra/local/) and the API document
 * (scripts/openapi.ts) all read this; adding a capability means adding an entry here.
 */
import { routeKeys } from './api/route-keys.ts';

export type QueueName = 'filings' | 'sweeps' | 'documents';

/** A schedule of this many minutes runs once a day, at the daily run time (Asia/Shanghai). */
export const DAILY = 24 * 60;
/** When daily schedules run, Asia/Shanghai local time, unless the deployment says otherwise (cdk context dailyRunTime). */
export const DAILY_RUN_TIME = '09:00';

export interface HttpRoute {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** API Gateway path syntax, e.g. /v1/decisions/{id} */
  path: string;
  /** false for the few public routes (the API document); true routes go through the JWT authorizer */
  authorized: boolean;
}

export type Trigger =
  | { kind: 'http'; routes: readonly HttpRoute[] }
  | { kind: 'queue'; queue: QueueName; batchSize: number; maxBatchingWindowSeconds: number }
  | { kind: 'schedule'; /** minutes between runs */ everyMinutes: number }
  | {
      /** the table's change stream, filtered: only new images whose attributes equal one of the listed values */
      kind: 'tableStream';
      newImageFilter: Record<string, readonly string[]>;
      batchSize: number;
      /** retries of a failing record before it goes to the stream's dead-letter queue */
      retryAttempts: number;
    };

export interface Needs {
  table?: 'read' | 'readWrite';
  sendTo?: readonly QueueName[];
  mail?: boolean;
  /** the operators' addresses (deploy-time context operatorEmails; locally OPERATOR_EMAILS) */
  operatorEmails?: boolean;
  /**
   * The documents bucket: `sign` presigns PUT and GET of the documents prefix (the API), `read` reads
   * objects there (the verifier). Nobody deletes.
   */
  documents?: 'sign' | 'read';
}

export interface FunctionSpec {
  /** logical name, also the folder under functions/ */
  name: string;
  /** entry file relative to the repository root; it exports `handler` */
  entry: string;
  description: string;
  trigger: Trigger;
  needs: Needs;
  timeoutSeconds: number;
  memoryMb: number;
}

export interface QueueSpec {
  name: QueueName;
  /** Must exceed the consuming function's timeout (AWS recommends 6x). */
  visibilityTimeoutSeconds: number;
  /** Receives before a message moves to the dead-letter queue. */
  maxReceiveCount: number;
}

export const queues: readonly QueueSpec[] = [
  // 6x the processor's timeout, as AWS advises for an SQS event source
  { name: 'filings', visibilityTimeoutSeconds: 180, maxReceiveCount: 3 },
  // one message per jurisdiction and day; a sweep that fails or runs out of time comes back and resumes
  { name: 'sweeps', visibilityTimeoutSeconds: 5400, maxReceiveCount: 3 },
  // the bucket's ObjectCreated events of the documents prefix (S3 sends them; locally the S3 proxy does); 6x the verifier's timeout
  { name: 'documents', visibilityTimeoutSeconds: 720, maxReceiveCount: 3 },
];

export const functions: readonly FunctionSpec[] = [
  {
    name: 'api',
    entry: 'functions/api/handler.ts',
    description: 'HTTP API: jurisdictions, agencies, decisions, calendar',
    trigger: { kind: 'http', routes: routeKeys },
    needs: { table: 'readWrite', sendTo: ['filings'], documents: 'sign' },
    timeoutSeconds: 10,
    memoryMb: 1024,
  },
  {
    name: 'process-filing',
    entry: 'functions/process-filing/handler.ts',
    description: 'Checks and registers submitted filings; writes the receipt to the outbox',
    trigger: { kind: 'queue', queue: 'filings', batchSize: 10, maxBatchingWindowSeconds: 1 },
    // sends a filing whose documents are still being verified back to the queue, delayed
    needs: { table: 'readWrite', sendTo: ['filings'] },
    timeoutSeconds: 30,
    memoryMb: 1024,
  },
  {
    name: 'verify-document',
    entry: 'functions/verify-document/handler.ts',
    description: 'Verifies each uploaded document from its bytes (size, SHA-256, type): VERIFIED or REJECTED',
    trigger: { kind: 'queue', queue: 'documents', batchSize: 5, maxBatchingWindowSeconds: 0 },
    needs: { table: 'readWrite', documents: 'read' },
    // a 50 MB file streams through the hash in well under a minute
    timeoutSeconds: 120,
    memoryMb: 512,
  },
  {
    name: 'send-notices',
    entry: 'functions/send-notices/handler.ts',
    description: 'Sends each notice of the outbox once: claim, send (SES, or SMTP where there is no SES), mark sent',
    // a notice is written PENDING in the transaction of the change it reports; its stream record brings it here
    trigger: { kind: 'tableStream', newImageFilter: { sk: ['NOTICE'], status: ['PENDING'] }, batchSize: 10, retryAttempts: 10 },
    needs: { table: 'readWrite', mail: true },
    timeoutSeconds: 30,
    memoryMb: 512,
  },
  {
    name: 'reconcile-filings',
    entry: 'functions/reconcile-filings/handler.ts',
    description: 'Re-queues filings stored but left unprocessed (a failed send, a lost message)',
    trigger: { kind: 'schedule', everyMinutes: 5 },
    // writes too: it counts each re-queue on the decision
    needs: { table: 'readWrite', sendTo: ['filings'] },
    timeoutSeconds: 60,
    memoryMb: 512,
  },
  {
    name: 'sweep-deadlines',
    entry: 'functions/sweep-deadlines/handler.ts',
    description: 'Daily: queues one deadline sweep per jurisdiction; warns operators when next year\'s holiday schedule is missing',
    trigger: { kind: 'schedule', everyMinutes: DAILY },
    // reads the jurisdictions, writes the calendar-watch notice to the outbox
    needs: { table: 'readWrite', sendTo: ['sweeps'], operatorEmails: true },
    timeoutSeconds: 60,
    memoryMb: 512,
  },
  {
    name: 'sweep-jurisdiction',
    entry: 'functions/sweep-jurisdiction/handler.ts',
    description: 'Sweeps one jurisdiction\'s open deadlines for a day: reminders, overdue flags, escalations, weekly summary, digests to the outbox',
    trigger: { kind: 'queue', queue: 'sweeps', batchSize: 1, maxBatchingWindowSeconds: 0 },
    needs: { table: 'readWrite' },
    // 100,000 due decisions fit one invocation (npm run bench projects it); 1,769 MB is one full vCPU
    timeoutSeconds: 900,
    memoryMb: 1769,
  },
];

/** Environment variable names, shared by the CDK grants and the code that reads them. */
export const env = {
  tableName: 'TABLE_NAME',
  cursorSecret: 'CURSOR_SECRET',
  stage: 'STAGE',
  queueUrl: (q: QueueName) => `${q.toUpperCase()}_QUEUE_URL`,
  mailFrom: 'MAIL_FROM',
  mailConfigurationSet: 'MAIL_CONFIGURATION_SET',
  operatorEmails: 'OPERATOR_EMAILS',
  /** days a notice is kept once it has left the outbox, then TTL removes it */
  noticeRetentionDays: 'NOTICE_RETENTION_DAYS',
  documentsBucket: 'DOCUMENTS_BUCKET',
  /** who issues the tokens: `cognito` (the user pool, default) or `oidc` (an external OpenID Connect issuer) */
  identity: 'IDENTITY',
  /** with IDENTITY=oidc: the top-level claims that carry the role(s), a reviewer's jurisdiction, and the app client's id */
  oidcRoleClaim: 'OIDC_ROLE_CLAIM',
  oidcJurisdictionClaim: 'OIDC_JURISDICTION_CLAIM',
  oidcClientIdClaim: 'OIDC_CLIENT_ID_CLAIM',
  /** how notices leave: `ses` (SES v2, default) or `smtp` (nodemailer to SMTP_HOST:SMTP_PORT) */
  mailTransport: 'MAIL_TRANSPORT',
  smtpHost: 'SMTP_HOST',
  smtpPort: 'SMTP_PORT',
  /** the Secrets Manager secret holding {"username","password"} of the SMTP account */
  smtpSecretName: 'SMTP_SECRET_NAME',
} as const;

/** How long a notice is kept once sent, unless the deployment says otherwise (context noticeRetentionDays). */
export const NOTICE_RETENTION_DAYS = 400;

