/**
 * The request functions presign export links without the S3 client (functions/core/s3-sign.ts):
 * the URL must be the one @aws-sdk/s3-request-presigner makes for the same request.
 */
import { S3Client, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { jest } from '@jest/globals';
import { presignS3Url, putS3Object } from '../../../functions/core/s3-sign.js';

const signingDate = new Date('2026-12-04T01:02:03Z');
const cases = [
  { name: 'role credentials (session token), us-east-1', region: 'us-east-1', credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret/with+chars', sessionToken: 'token/with+chars==' } },
  { name: 'long-term keys, eu-west-3', region: 'eu-west-3', credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'another-secret' } },
];
const bucket = 'platformstack-exportsbucket1a2b3c-abcdef123456';

describe('presignS3Url', () => {
  it.each(cases)('a GetObject link equals the presigner’s: $name', async ({ region, credentials }) => {
    const key = 'exports/01JASSOC/01JEXPORT/big-conference-attendees (1).csv';
    const disposition = `attachment; filename="${key.split('/').pop()}"`;
    for (const expiresIn of [900, 12 * 3600]) {
      const s3 = new S3Client({ region, credentials });
      const theirs = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key, ResponseContentDisposition: disposition }), { expiresIn, signingDate });
      const ours = await presignS3Url({ bucket, region, key, method: 'GET', expiresIn, query: { 'response-content-disposition': disposition }, credentials, signingDate });
      expect(ours).toBe(theirs);
    }
  });

  it('a PutObject URL with server-side encryption equals the presigner’s, the header left to the caller', async () => {
    const { region, credentials } = cases[0]!;
    const key = 'exports/a/b/members.csv';
    // Without a body to sum, the SDK's default would sign the CRC32 of an empty one; ours signs no checksum.
    const s3 = new S3Client({ region, credentials, requestChecksumCalculation: 'WHEN_REQUIRED' });
    const theirs = await getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: key, ServerSideEncryption: 'AES256' }), { expiresIn: 300, signingDate });
    const ours = await presignS3Url({ bucket, region, key, method: 'PUT', expiresIn: 300, headers: { 'x-amz-server-side-encryption': 'AES256' }, credentials, signingDate });
    expect(ours).toBe(theirs);
    expect(new URL(ours).searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-amz-server-side-encryption');
  });

  it('takes the credentials from the environment (the Lambda role) when none are given', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'ASIAENV', AWS_SECRET_ACCESS_KEY: 'env-secret', AWS_SESSION_TOKEN: 'env-token' });
    try {
      const url = new URL(await presignS3Url({ bucket, region: 'us-east-1', key: 'k.csv', method: 'GET', expiresIn: 60, signingDate }));
      expect(url.searchParams.get('X-Amz-Credential')).toBe('ASIAENV/20261204/us-east-1/s3/aws4_request');
      expect(url.searchParams.get('X-Amz-Security-Token')).toBe('env-token');
    } finally {
      process.env = saved;
    }
  });
});

describe('putS3Object (a one-page export file, written by the request functions)', () => {
  const credentials = cases[0]!.credentials;
  afterEach(() => jest.restoreAllMocks());

  it('PUTs the body to a presigned PutObject URL, with the encryption header it signed', async () => {
    const fetchMock = jest.spyOn(globalThis, 'fetch').mockResolvedValue(new Response(null, { status: 200 }));
    await putS3Object({ bucket, region: 'us-east-1', key: 'exports/a/b/x.csv', body: 'a,b\r\n', contentType: 'text/csv; charset=utf-8', credentials });
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0]! as [string, RequestInit];
    const u = new URL(url);
    expect(`${u.origin}${u.pathname}`).toBe(`https://${bucket}.s3.us-east-1.amazonaws.com/exports/a/b/x.csv`);
    expect(u.searchParams.get('x-id')).toBe('PutObject');
    expect(u.searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-amz-server-side-encryption');
    expect(init).toMatchObject({ method: 'PUT', body: 'a,b\r\n', headers: { 'x-amz-server-side-encryption': 'AES256', 'content-type': 'text/csv; charset=utf-8' } });
  });

  it('retries once after a 5xx, then gives up with what S3 said', async () => {
    const fetchMock = jest.spyOn(globalThis, 'fetch').mockImplementation(async () => new Response('<Error><Code>SlowDown</Code></Error>', { status: 503 }));
    await expect(putS3Object({ bucket, region: 'us-east-1', key: 'k.csv', body: 'x', contentType: 'text/csv', credentials })).rejects.toThrow(/503.*SlowDown/);
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });

  it('does not retry a refusal (403)', async () => {
    const fetchMock = jest.spyOn(globalThis, 'fetch').mockImplementation(async () => new Response('<Error><Code>AccessDenied</Code></Error>', { status: 403 }));
    await expect(putS3Object({ bucket, region: 'us-east-1', key: 'k.csv', body: 'x', contentType: 'text/csv', credentials })).rejects.toThrow(/403.*AccessDenied/);
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });
});
