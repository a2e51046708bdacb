/** The SQS emulator (fauxqs, in this process) with every queue of the manifest and its dead-letter queue. */
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';
import { type QueueName, queues } from '../../functions/manifest.ts';
import { DOCUMENT_CONTENT_TYPES, MAX_DOCUMENT_BYTES } from '../../shared/schemas/filing.ts';

export interface LocalQueue {
  name: QueueName;
  url: string;
  arn: string;
  dlqUrl: string;
  dlqName: string;
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
}

export interface LocalSqsServer {
  port: number;
  stop(): Promise<void>;
}

export const dlqName = (name: string) => `${name}-dlq`;

/**
 * fauxqs's own `startFauxqs` always listens on every interface; its `buildApp` is the same server, which
 * listens where we say (127.0.0.1 unless `host` says otherwise). Queue URLs name `sqs.REGION.localhost`,
 * as startFauxqs's with host 'localhost' do: clients always set `endpoint`.
 */
export async function startQueues(port: number, options: { visibilityTimeoutSeconds?: number; host?: string; documentsBucket?: string } = {}) {
  const app = buildApp({ logger: false, host: 'localhost' });
  let created: Map<QueueName, LocalQueue> | undefined;
  if (options.documentsBucket) emulateS3Features(app, options.documentsBucket, () => created?.get('documents'), () => client);
  await app.listen({ port, host: options.host ?? '127.0.0.1' });
  const actualPort = (app.server.address() as { port: number }).port;
  const server: LocalSqsServer = { port: actualPort, stop: () => app.close() };
  const endpoint = `http://127.0.0.1:${actualPort}`;
  const client = new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const create = async (name: string, attributes: Record<string, string>) => {
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    return { queueUrl: QueueUrl!, queueArn: Attributes!.QueueArn! };
  };
  created = new Map<QueueName, LocalQueue>();
  try {
    // the documents bucket, on the same port (fauxqs serves S3 path-style)
    if (options.documentsBucket) {
      const res = await fetch(`${endpoint}/${options.documentsBucket}`, { method: 'PUT' });
      if (!res.ok && res.status !== 409) throw new Error(`could not create the local bucket ${options.documentsBucket}: ${res.status}`);
    }
    for (const spec of queues) {
      const dlq = await create(dlqName(spec.name), { MessageRetentionPeriod: String(14 * 24 * 3600) });
      const visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? spec.visibilityTimeoutSeconds;
      const queue = await create(spec.name, {
        VisibilityTimeout: String(visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: String(spec.maxReceiveCount) }),
      });
      created.set(spec.name, {
        name: spec.name,
        url: queue.queueUrl,
        arn: queue.queueArn,
        dlqUrl: dlq.queueUrl,
        dlqName: dlqName(spec.name),
        visibilityTimeoutSeconds,
        maxReceiveCount: spec.maxReceiveCount,
      });
    }
  } catch (e) {
    await app.close();
    throw e;
  }
  return { server: { ...server, stop: async () => (client.destroy(), server.stop()) }, queues: created, endpoint };
}

/**
 * What S3 does that fauxqs does not, for what Beian uses of it: an object created under `documents/` in the
 * documents bucket sends an ObjectCreated event (the shape S3 sends) to the documents queue, as the bucket's
 * notification does in AWS; a GET with `response-content-disposition` / `response-content-type` (a
 * presigned download) answers with those headers. fauxqs checks no checksum: the verifier does.
 */
function emulateS3Features(app: ReturnType<typeof buildApp>, bucket: string, queue: () => LocalQueue | undefined, sqs: () => SQSClient) {
  // fauxqs reads bodies up to 11 MiB; a document may be 50 MB, sent as one PUT as S3 takes it
  app.addContentTypeParser([...DOCUMENT_CONTENT_TYPES], { parseAs: 'buffer', bodyLimit: MAX_DOCUMENT_BYTES + 1024 * 1024 }, (_req, body, done) => done(null, body));
  app.addHook('onResponse', async (req, reply) => {
    const url = new URL(req.url, 'http://local');
    const m = new RegExp(`^/${bucket}/(documents/.+)$`).exec(url.pathname);
    const created = (req.method === 'PUT' && !url.searchParams.has('uploadId')) || (req.method === 'POST' && url.searchParams.has('uploadId'));
    const target = queue();
    if (!m || !created || reply.statusCode !== 200 || !target) return;
    const event = {
      Records: [
        {
          eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: 'us-east-1', eventTime: new Date().toISOString(),
          eventName: req.method === 'PUT' ? 'ObjectCreated:Put' : 'ObjectCreated:CompleteMultipartUpload',
          s3: { s3SchemaVersion: '1.0', bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` }, object: { key: encodeURIComponent(decodeURIComponent(m[1]!)).replace(/%2F/g, '/'), size: Number(req.headers['content-length'] ?? 0) } },
        },
      ],
    };
    void sqs().send(new SendMessageCommand({ QueueUrl: target.url, MessageBody: JSON.stringify(event) })).catch((e) => console.error('[beian] local S3 event:', (e as Error).message));
  });
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return payload;
    const q = new URL(req.url, 'http://local').searchParams;
    const disposition = q.get('response-content-disposition');
    const type = q.get('response-content-type');
    if (disposition) reply.header('content-disposition', disposition);
    if (type) reply.header('content-type', type);
    return payload;
  });
}
