/**
 * Presigned S3 URLs without the S3 client: SigV4 query signing (@smithy/signature-v4, which
 * the DynamoDB client already bundles) of a virtual-hosted-style request, as
 * @aws-sdk/s3-request-presigner signs it (test/unit/exports/s3-sign.test.ts compares the two).
 * The request functions only link to export files and write the odd one-page file, so this
 * keeps the S3 client (about 150 KB) out of their bundles; the export job, which streams
 * multipart uploads, has the client (files-s3.ts).
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { fromEnv } from '@aws-sdk/credential-provider-env';
// The SDK clients' own SHA-256 (already in every bundle with the DynamoDB client).
import { Sha256 } from '@smithy/core/checksum';

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

/** The SDK's URI escaping (RFC 3986: encodeURIComponent leaves !'()* as they are). */
const escape = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export interface PresignInput {
  bucket: string;
  region: string;
  key: string;
  method: 'GET' | 'PUT';
  expiresIn: number;
  /** Query parameters of the operation (response-content-disposition, ...). */
  query?: Record<string, string>;
  /** Headers the caller of the URL must send as they are (x-amz-server-side-encryption). */
  headers?: Record<string, string>;
  /** The Lambda's role credentials (from its environment) unless given. */
  credentials?: Credentials | (() => Promise<Credentials>);
  signingDate?: Date;
}

let envCredentials: (() => Promise<Credentials>) | undefined;

export async function presignS3Url(input: PresignInput): Promise<string> {
  // Names without dots (the CDK's generated bucket names): virtual-hosted style, as the SDK does.
  const hostname = `${input.bucket}.s3.${input.region}.amazonaws.com`;
  const signer = new SignatureV4({
    service: 's3',
    region: input.region,
    credentials: input.credentials ?? (envCredentials ??= fromEnv()),
    sha256: Sha256,
    // S3 keys are escaped once, here, not again by the signer.
    uriEscapePath: false,
    applyChecksum: false,
  });
  // As the presigner writes them (its spelling is kept when hoisted into the query). A GET also
  // asks for the object's checksums, as the SDK's default (responseChecksumValidation) does.
  const headers: Record<string, string> = { ...input.headers, host: hostname, 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD' };
  if (input.method === 'GET') headers['x-amz-checksum-mode'] = 'ENABLED';
  const signed = await signer.presign(
    {
      method: input.method,
      protocol: 'https:',
      hostname,
      path: `/${input.key.split('/').map(escape).join('/')}`,
      query: { ...input.query, 'x-id': input.method === 'GET' ? 'GetObject' : 'PutObject' },
      headers,
    },
    {
      expiresIn: input.expiresIn,
      signingDate: input.signingDate,
      unsignableHeaders: new Set(['content-type']),
      // Sent by the caller as headers, as the presigner keeps them.
      unhoistableHeaders: new Set(Object.keys(input.headers ?? {}).filter((h) => h.toLowerCase().startsWith('x-amz-server-side-encryption'))),
    },
  );
  const q = signed.query ?? {};
  const query = Object.keys(q)
    .sort()
    .map((k) => `${escape(k)}=${escape(String(q[k]))}`)
    .join('&');
  return `https://${hostname}${signed.path}?${query}`;
}

/**
 * A small file (a one-page export) written with a presigned PutObject and fetch: one request,
 * retried once on a network error or a 5xx, as the SDK would (it retries up to twice).
 */
export async function putS3Object(input: { bucket: string; region: string; key: string; body: string; contentType: string; credentials?: PresignInput['credentials'] }): Promise<void> {
  const sse = { 'x-amz-server-side-encryption': 'AES256' };
  for (let attempt = 1; ; attempt++) {
    const url = await presignS3Url({ ...input, method: 'PUT', expiresIn: 300, headers: sse });
    let res: Response | undefined;
    let error: unknown;
    try {
      res = await fetch(url, { method: 'PUT', body: input.body, headers: { ...sse, 'content-type': input.contentType } });
    } catch (err) {
      error = err;
    }
    if (res?.ok) return;
    const retryable = !res || res.status >= 500;
    if (attempt >= 2 || !retryable) {
      const detail = res ? `S3 answered ${res.status}: ${(await res.text()).slice(0, 300)}` : (error as Error)?.message;
      throw new Error(`export file not written: ${detail}`);
    }
    await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
  }
}
