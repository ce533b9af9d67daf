/**
 * Files too large for one response (big exports): S3 with a time-limited presigned link
 * in AWS; locally a folder the local server serves behind a signed, expiring link.
 * Files are written from a stream, so an export of any length holds at most a part or
 * two in memory (S3 multipart upload, a file write stream locally).
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
// Static imports: esbuild keeps the client and these commands only, and drops them from the
// functions that write no file (a dynamic import() would bundle every command of the client).
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

// Local mode only: the local server runs in this same process, so a per-process key is enough
// and the mail-link key stays out of it.
const localKey = randomBytes(32);
const localMac = (key: string, expires: string) => createHmac('sha256', localKey).update(`file:${key}:${expires}`).digest('base64url');

/** The file key a local download link names, or null if the link is forged or expired. */
export function readLocalFileLink(path: string, expires: string, token: string, now = Date.now()): string | null {
  const expected = Buffer.from(localMac(path, expires));
  const given = Buffer.from(token);
  if (expected.length !== given.length || !timingSafeEqual(expected, given) || Number(expires) * 1000 < now || path.includes('..')) return null;
  return path;
}

export type FileBody = AsyncIterable<string | Uint8Array>;

export interface FileStore {
  /** Stores the file and returns a link valid for `ttlSeconds`. */
  put(key: string, body: string, contentType: string, ttlSeconds: number): Promise<string>;
  /** Writes the file from a stream of chunks, holding only a bounded part of it at a time; resolves with its size. */
  upload(key: string, body: FileBody, contentType: string): Promise<{ bytes: number }>;
  /** A download link to a stored file, valid for `ttlSeconds`. */
  link(key: string, ttlSeconds: number): Promise<string>;
}

async function* once_(body: string): FileBody {
  yield body;
}

export function localFileStore(dir: string, apiUrl: string): FileStore {
  const link = async (key: string, ttlSeconds: number) => {
    const expires = String(Math.floor(Date.now() / 1000) + ttlSeconds);
    return `${apiUrl}/dev/files/${key}?expires=${expires}&token=${localMac(key, expires)}`;
  };
  const upload = async (key: string, body: FileBody) => {
    const path = join(dir, key);
    await mkdir(dirname(path), { recursive: true });
    // Written beside and renamed when complete: a link never serves half a file.
    const partial = `${path}.partial`;
    const out = createWriteStream(partial);
    let bytes = 0;
    try {
      for await (const chunk of body) {
        bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
        if (!out.write(chunk)) await once(out, 'drain');
      }
      out.end();
      await once(out, 'finish');
      await rename(partial, path);
      return { bytes };
    } catch (err) {
      out.destroy();
      await rm(partial, { force: true });
      throw err;
    }
  };
  return {
    async put(key, body, _contentType, ttlSeconds) {
      await upload(key, once_(body));
      return link(key, ttlSeconds);
    },
    upload: (key, body) => upload(key, body),
    link,
  };
}

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

export async function s3FileStore(bucket: string, region: string): Promise<FileStore> {
  const s3 = new S3Client({ region });
  const link = (key: string, ttlSeconds: number) =>
    getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key, ResponseContentDisposition: `attachment; filename="${key.split('/').pop()}"` }), { expiresIn: ttlSeconds });
  return {
    async put(key, body, contentType, ttlSeconds) {
      await uploadToS3(s3, bucket, key, once_(body), contentType);
      return link(key, ttlSeconds);
    },
    upload: (key, body, contentType) => uploadToS3(s3, bucket, key, body, contentType),
    link,
  };
}
