/**
 * Files too large for one response (big exports): S3 with a time-limited presigned link
 * in AWS; locally a folder the local server serves behind a signed, expiring link.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { signLink } from './http/links.js';

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
      return `${apiUrl}/dev/files/${key}?token=${signLink('file', { key, expires })}`;
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
