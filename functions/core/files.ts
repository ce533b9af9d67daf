/**
 * Files too large for one response (big exports): S3 with a time-limited presigned link
 * in AWS; locally a folder the local server serves behind a signed, expiring link.
 * Files are written from a stream, so an export of any length holds at most a part or
 * two in memory (S3 multipart upload, a file write stream locally). The request functions
 * link and write a one-page file without the S3 client (s3Links); the export job streams
 * with it (files-s3.ts).
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { presignS3Url, putS3Object } from './s3-sign.js';

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

/** What the request functions use: a one-page file and links; the export job alone streams (files-s3.ts). */
export type FileLinks = Pick<FileStore, 'put' | 'link'>;

export async function* once_(body: string): FileBody {
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

/** The presigned download link of an export file in the bucket (S3 client or not, the same URL). */
export const s3Link = (bucket: string, region: string, key: string, ttlSeconds: number) =>
  presignS3Url({ bucket, region, key, method: 'GET', expiresIn: ttlSeconds, query: { 'response-content-disposition': `attachment; filename="${key.split('/').pop()}"` } });

/** S3 without its client, for the request functions: a presigned PutObject for a one-page file, presigned links. */
export function s3Links(bucket: string, region: string): FileLinks {
  const link = (key: string, ttlSeconds: number) => s3Link(bucket, region, key, ttlSeconds);
  return {
    async put(key, body, contentType, ttlSeconds) {
      await putS3Object({ bucket, region, key, body, contentType });
      return link(key, ttlSeconds);
    },
    link,
  };
}
