/** Issue 9: the documents bucket, its notification to the verifier's queue, and who may do what with its objects. */
import { beforeAll, describe, expect, it } from 'vitest';
import { functions } from '../../functions/manifest.ts';
import { asArray, onlyResource, resourcesOf, statementsOfRole, synthBeian, type SynthesizedBeian } from './helpers.ts';

let beian: SynthesizedBeian;
beforeAll(() => {
  beian = synthBeian({ context: { allowedOrigins: ['https://beian.example.gov.cn'] } });
});

const buckets = (b: SynthesizedBeian) => resourcesOf(b.statefulTemplate, 'AWS::S3::Bucket');
const documentsBucket = (b: SynthesizedBeian) => buckets(b).find(([id]) => id.startsWith('Documents') && !id.startsWith('DocumentsAccessLogs'))!;

describe('the documents bucket', () => {
  it('is encrypted (S3-managed), blocks all public access, is versioned and kept when the stack goes', () => {
    const [id, bucket] = documentsBucket(beian);
    const p = bucket.Properties!;
    expect(p.BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
    expect(p.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(p.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(JSON.stringify(p.BucketName)).toContain('beian-dev-docs-');
    // server access logs into a bucket of their own (also private, TLS only, kept)
    const [logsId, logs] = buckets(beian).find(([bid]) => bid.startsWith('DocumentsAccessLogs'))!;
    expect(p.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: logsId }, LogFilePrefix: 'documents-bucket/' });
    expect(logs.Properties!.PublicAccessBlockConfiguration).toEqual(p.PublicAccessBlockConfiguration);
    expect(logs.DeletionPolicy).toBe('Retain');
    expect(id).toBeDefined();
  });

  it('refuses plain HTTP (a bucket policy), and moves objects to Standard-IA after 180 days', () => {
    const [id, bucket] = documentsBucket(beian);
    const policy = resourcesOf(beian.statefulTemplate, 'AWS::S3::BucketPolicy').find(([, p]) => JSON.stringify(p.Properties!.Bucket).includes(id))![1];
    expect(policy.Properties!.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    const rule = bucket.Properties!.LifecycleConfiguration.Rules[0];
    expect(rule).toMatchObject({ Status: 'Enabled', Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 180 }], NoncurrentVersionTransitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 180 }] });
  });

  it('allows CORS for the configured web origins only (PUT and GET with the signed headers), and none without them', () => {
    expect(documentsBucket(beian)[1].Properties!.CorsConfiguration).toEqual({
      CorsRules: [
        {
          AllowedOrigins: ['https://beian.example.gov.cn'],
          AllowedMethods: ['PUT', 'GET'],
          AllowedHeaders: ['content-type', 'content-length', 'x-amz-checksum-sha256'],
          ExposedHeaders: ['etag'],
          MaxAge: 3600,
        },
      ],
    });
    expect(documentsBucket(synthBeian())[1].Properties!.CorsConfiguration).toBeUndefined();
  });

  it('sends ObjectCreated events of the documents prefix to the documents queue, which the verifier reads', () => {
    const [, notification] = onlyResource(beian.statefulTemplate, 'Custom::S3BucketNotifications');
    const config = notification.Properties!.NotificationConfiguration;
    expect(config.QueueConfigurations).toHaveLength(1);
    const q = config.QueueConfigurations[0];
    expect(q.Events).toEqual(['s3:ObjectCreated:*']);
    expect(q.Filter).toEqual({ Key: { FilterRules: [{ Name: 'prefix', Value: 'documents/' }] } });
    expect(JSON.stringify(q.QueueArn)).toMatch(/documentsQueue/);
    const verifier = functions.find((f) => f.name === 'verify-document')!;
    expect(verifier.trigger).toMatchObject({ kind: 'queue', queue: 'documents' });
  });

  it('lets no function delete or overwrite an object version; the API signs PUT and GET, the verifier reads, others nothing', () => {
    const roles = resourcesOf(beian.statelessTemplate, 'AWS::IAM::Role').map(([id]) => id);
    const s3 = (roleId: string) =>
      statementsOfRole(beian.statelessTemplate, roleId)
        .flatMap((s) => asArray(s.Action) as string[])
        .filter((a) => a.startsWith('s3:'));
    const all = roles.flatMap(s3);
    expect(all.filter((a) => /Delete|PutObjectAcl|PutBucket|PutLifecycle|\*/.test(a))).toEqual([]);
    const byFunction = Object.fromEntries(functions.map((f) => [f.name, s3(roles.find((r) => r.startsWith(f.name.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase())))!).sort()]));
    expect(byFunction).toEqual(Object.fromEntries(functions.map((f) => [f.name, f.needs.documents === 'sign' ? ['s3:GetObject', 's3:PutObject'] : f.needs.documents === 'read' ? ['s3:GetObject'] : []])));
  });
});
