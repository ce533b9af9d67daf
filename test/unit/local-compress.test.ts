/** The local gateway compresses /assets/ as CloudFront's CachingOptimized behavior does. */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { assetEncoding } from '../../scripts/local/compress.js';

const js = Buffer.from('export const x = 1;\n'.repeat(200));
const JS = 'text/javascript; charset=utf-8';

describe('local asset compression', () => {
  it('brotli when the browser takes it, else gzip; the bytes decompress to the file', () => {
    const br = assetEncoding('/a.js', JS, js, 'gzip, deflate, br, zstd')!;
    expect(br.encoding).toBe('br');
    expect(brotliDecompressSync(br.body).equals(js)).toBe(true);
    const gz = assetEncoding('/a.js', JS, js, 'gzip')!;
    expect(gz.encoding).toBe('gzip');
    expect(gunzipSync(gz.body).equals(js)).toBe(true);
    expect(br.body.length).toBeLessThan(js.length);
  });

  it('nothing when not accepted (or q=0), for small files and for non-text types', () => {
    expect(assetEncoding('/a.js', JS, js, '')).toBeNull();
    expect(assetEncoding('/a.js', JS, js, 'br;q=0, gzip;q=0')).toBeNull();
    expect(assetEncoding('/s.js', JS, Buffer.from('x'.repeat(999)), 'br')).toBeNull();
    expect(assetEncoding('/i.png', 'image/png', js, 'br')).toBeNull();
  });

  it('a rebuilt file of the same size is compressed again, not served stale', () => {
    const a = Buffer.from('a'.repeat(2000));
    const b = Buffer.from('b'.repeat(2000));
    assetEncoding('/same.js', JS, a, 'gzip');
    expect(gunzipSync(assetEncoding('/same.js', JS, b, 'gzip')!.body).equals(b)).toBe(true);
  });
});
