/**
 * Files too large for one response (big exports): S3 with a time-limited presigned link
 * in AWS; locally a folder the local server serves behind a signed, expiring link.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

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

export interface FileStore {
  /** Stores the file and returns a link valid for `ttlSeconds`. */
  put(key: string, body: string, contentType: string, ttlSeconds: number): Promise<string>;
}

export function localFileStore(dir: string, apiUrl: string): FileStore {
  return {
    async put(key, body, _contentType, ttlSeconds) {
      const path = join(dir, key);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, body);
      const expires = String(Math.floor(Date.now() / 1000) + ttlSeconds);
      return `${apiUrl}/dev/files/${key}?expires=${expires}&token=${localMac(key, expires)}`;
    },
  };
}

export async function s3FileStore(bucket: string, region: string): Promise<FileStore> {
  const { S3Client, PutObjectCommand, GetObjectCommand } = await import('@aws-sdk/client-s3');
  const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner');
  const s3 = new S3Client({ region });
  return {
    async put(key, body, contentType, ttlSeconds) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType, ServerSideEncryption: 'AES256' }));
      return getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key, ResponseContentDisposition: `attachment; filename="${key.split('/').pop()}"` }), { expiresIn: ttlSeconds });
    },
  };
}
