/**
 * Export files with the S3 client, for the export job: multipart uploads fed from a stream.
 * The request functions never import this (files.ts s3Links), so their bundles leave the client out.
 */
// Static imports: esbuild keeps the client and these commands only (a dynamic import() would bundle every command of the client).
import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, PutObjectCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { once_, s3Link, type FileBody, type FileStore } from './files.js';

/** S3's smallest part but the last; parts of 8 MiB keep 10,000 parts (the limit) above 80 GB. */
export const PART_BYTES = 8 * 2 ** 20;

/**
 * A multipart upload fed from a stream: parts of PART_BYTES, one uploading while the next
 * fills, so memory stays at about two parts whatever the file's size. A file smaller than
 * one part is a single PutObject. On any failure the upload is aborted (no orphaned parts;
 * the bucket's lifecycle rule also drops incomplete uploads after a day) and the error thrown.
 */
export async function uploadToS3(s3: S3Client, bucket: string, key: string, body: FileBody, contentType: string, partBytes = PART_BYTES): Promise<{ bytes: number }> {
  let buffered: Buffer[] = [];
  let size = 0;
  let bytes = 0;
  let uploadId: string | undefined;
  const parts: { PartNumber: number; ETag: string }[] = [];
  let inFlight: Promise<void> | undefined;
  const take = () => {
    const part = Buffer.concat(buffered, size);
    buffered = [];
    size = 0;
    return part;
  };
  const sendPart = async (part: Buffer) => {
    uploadId ??= (await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType, ServerSideEncryption: 'AES256' }))).UploadId;
    if (!uploadId) throw new Error('S3 gave no upload id');
    const PartNumber = parts.length + 1;
    parts.push({ PartNumber, ETag: '' });
    const res = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber, Body: part, ContentLength: part.byteLength }));
    if (!res.ETag) throw new Error(`S3 gave no ETag for part ${PartNumber}`);
    parts[PartNumber - 1]!.ETag = res.ETag;
  };
  try {
    for await (const chunk of body) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      buffered.push(b);
      size += b.byteLength;
      bytes += b.byteLength;
      if (size >= partBytes) {
        const part = take();
        await inFlight;
        inFlight = sendPart(part);
        // A failed part surfaces at the next await; keep Node from calling it unhandled meanwhile.
        inFlight.catch(() => undefined);
      }
    }
    await inFlight;
    if (!uploadId) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: take(), ContentType: contentType, ServerSideEncryption: 'AES256' }));
      return { bytes };
    }
    if (size) await sendPart(take());
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
    return { bytes };
  } catch (err) {
    await inFlight?.catch(() => undefined);
    if (uploadId) await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
    throw err;
  }
}

export function s3FileStore(bucket: string, region: string): FileStore {
  const s3 = new S3Client({ region });
  const link = (key: string, ttlSeconds: number) => s3Link(bucket, region, key, ttlSeconds);
  return {
    async put(key, body, contentType, ttlSeconds) {
      await uploadToS3(s3, bucket, key, once_(body), contentType);
      return link(key, ttlSeconds);
    },
    upload: (key, body, contentType) => uploadToS3(s3, bucket, key, body, contentType),
    link,
  };
}
