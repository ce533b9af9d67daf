/**
 * CloudFront's edge compression, for the local gateway's /assets/: the assets behavior uses
 * the CachingOptimized policy (gzip and brotli enabled), so CloudFront compresses text files
 * of 1,000 bytes to 10 MB, brotli first when the browser takes it. Pages are not compressed:
 * their behavior uses CachingDisabled, under which CloudFront does not compress either.
 */
import { createHash } from 'node:crypto';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const MIN = 1000;
const MAX = 10_000_000;
const COMPRESSIBLE = /^(text\/|application\/(javascript|json|xml)|image\/svg\+xml)/i;
const cache = new Map<string, { hash: string; br?: Buffer; gzip?: Buffer }>();

/** Accept-Encoding tokens with q > 0. */
function accepted(header: string): Set<string> {
  const out = new Set<string>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find(Boolean);
    if (name && (q === undefined || Number(q) > 0)) out.add(name);
  }
  return out;
}

export function assetEncoding(file: string, type: string, body: Buffer, acceptEncoding: string): { encoding: 'br' | 'gzip'; body: Buffer } | null {
  if (!COMPRESSIBLE.test(type) || body.length < MIN || body.length > MAX) return null;
  const ok = accepted(acceptEncoding);
  const encoding = ok.has('br') ? 'br' : ok.has('gzip') ? 'gzip' : null;
  if (!encoding) return null;
  // Builds replace files: the compressed copy is reused only for the same content.
  const hash = createHash('sha1').update(body).digest('hex');
  let entry = cache.get(file);
  if (!entry || entry.hash !== hash) cache.set(file, (entry = { hash }));
  entry[encoding] ??= encoding === 'br' ? brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }) : gzipSync(body, { level: 9 });
  return { encoding, body: entry[encoding]! };
}
