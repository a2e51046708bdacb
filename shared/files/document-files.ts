/**
 * The documents bucket: presigned URLs for the agency's upload and the reviewer's download, and a stream of
 * an object's bytes for the verifier. The S3 client and presigner are imported at their first use, so a
 * function's cold start parses neither.
 */
import type { Readable } from 'node:stream';
import { env } from '../../functions/manifest.ts';
import type { DocumentFiles } from '../use-cases/documents.ts';

export interface DocumentFilesConfig {
  bucket: string;
  /** set locally (the SQS emulator serves S3); unset in AWS */
  endpoint?: string;
}

export function documentFilesConfig(e: NodeJS.ProcessEnv = process.env): DocumentFilesConfig {
  const bucket = e[env.documentsBucket];
  if (!bucket) throw new Error(`${env.documentsBucket} is not set: the function was deployed without the documents bucket it needs`);
  return { bucket, ...(e.S3_ENDPOINT && { endpoint: e.S3_ENDPOINT }) };
}

export function s3DocumentFiles(config: DocumentFilesConfig): DocumentFiles {
  let loaded: Promise<{ s3: import('@aws-sdk/client-s3').S3Client; sdk: typeof import('@aws-sdk/client-s3'); sign: typeof import('@aws-sdk/s3-request-presigner').getSignedUrl }> | undefined;
  const load = () =>
    (loaded ??= Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/s3-request-presigner')]).then(([sdk, presigner]) => ({
      sdk,
      sign: presigner.getSignedUrl,
      // path-style locally (the emulator has no per-bucket host names); virtual-hosted in AWS
      s3: new sdk.S3Client({ ...(config.endpoint && { endpoint: config.endpoint, forcePathStyle: true }) }),
    })));
  return {
    async presignPut(key, file, expiresSeconds) {
      const { s3, sdk, sign } = await load();
      // If-None-Match: * makes the key write-once (an S3 conditional write): the URL cannot be replayed into more versions
      const command = new sdk.PutObjectCommand({ Bucket: config.bucket, Key: key, ContentType: file.contentType, ContentLength: file.sizeBytes, ChecksumSHA256: file.sha256Base64, IfNoneMatch: '*' });
      const headers = { 'content-type': file.contentType, 'content-length': String(file.sizeBytes), 'if-none-match': '*', 'x-amz-checksum-sha256': file.sha256Base64 };
      // the headers are signed, so the upload must carry exactly these: another type, length or hash is refused by S3
      const url = await sign(s3, command, { expiresIn: expiresSeconds, signableHeaders: new Set(Object.keys(headers)), unhoistableHeaders: new Set(['x-amz-checksum-sha256', 'if-none-match']) });
      return { url, headers };
    },
    async presignGet(key, file, expiresSeconds) {
      const { s3, sdk, sign } = await load();
      const command = new sdk.GetObjectCommand({
        Bucket: config.bucket,
        Key: key,
        // the version the verifier read: a later PUT to the same key (S3 accepts only the same bytes) is never served
        ...(file.versionId && { VersionId: file.versionId }),
        ResponseContentDisposition: file.contentDisposition,
        ResponseContentType: file.contentType,
      });
      return sign(s3, command, {
        expiresIn: expiresSeconds,
      });
    },
    async read(key) {
      const { s3, sdk } = await load();
      try {
        const out = await s3.send(new sdk.GetObjectCommand({ Bucket: config.bucket, Key: key }));
        return { bytes: out.Body as Readable, ...(out.VersionId && out.VersionId !== 'null' && { versionId: out.VersionId }) };
      } catch (e) {
        if (e instanceof sdk.NoSuchKey || (e as { name?: string }).name === 'NoSuchKey') return undefined;
        throw e;
      }
    },
  };
}
