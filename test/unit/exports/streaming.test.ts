/**
 * The streaming half of long exports: CSV produced page by page (the same bytes as the
 * in-memory writer), and the S3 multipart upload fed from it, with S3's faults.
 */
import { mockClient } from 'aws-sdk-client-mock';
import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, PutObjectCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse/sync';
import { csvChunks, toCsv, type Column } from '../../../functions/core/domain/csv.js';
import { uploadToS3 } from '../../../functions/core/files-s3.js';

type Row = { name: string; n: number };
const columns: Column<Row>[] = [
  { header: 'name', value: (r) => r.name },
  { header: 'n', value: (r) => r.n },
];

async function* pagesOf(rows: Row[], size: number) {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

async function collect(it: AsyncIterable<string | Uint8Array>) {
  let s = '';
  for await (const c of it) s += typeof c === 'string' ? c : Buffer.from(c).toString();
  return s;
}

const rows: Row[] = Array.from({ length: 1234 }, (_, i) => ({ name: i % 5 === 0 ? `=cmd ${i}, "quoted"\nline` : `Person ${i}`, n: i }));

describe('csvChunks', () => {
  it('streams exactly the bytes toCsv writes, and counts the rows', async () => {
    let counted = -1;
    const streamed = await collect(csvChunks(columns, pagesOf(rows, 100), (n) => (counted = n)));
    expect(streamed).toBe(toCsv(columns, rows));
    expect(counted).toBe(rows.length);
    expect(parse(streamed.slice(1), { columns: true, relax_quotes: false })).toHaveLength(rows.length);
  });

  it('an empty list is the header alone', async () => {
    expect(await collect(csvChunks(columns, pagesOf([], 10)))).toBe('\uFEFFname,n\r\n');
  });

  it('reads a page only when the consumer asks for more text', async () => {
    let pulled = 0;
    async function* counted() {
      for (let i = 0; i < rows.length; i += 100) {
        pulled++;
        yield rows.slice(i, i + 100);
      }
    }
    const it = csvChunks(columns, counted())[Symbol.asyncIterator]();
    const first = await it.next();
    // 1,234 short rows are one chunk's worth: the first chunk comes only with the end.
    expect(first.done).toBe(false);
    expect(pulled).toBe(13);
    const wide: Column<Row>[] = [{ header: 'name', value: (r) => r.name.padEnd(1000, '.') }];
    pulled = 0;
    const it2 = csvChunks(wide, counted())[Symbol.asyncIterator]();
    await it2.next();
    // A page of 100 rows of 1 KB is over a chunk: the first page is out before the second is read.
    expect(pulled).toBe(1);
    await it2.next();
    expect(pulled).toBe(2);
  });

  it('a failing page read fails the stream', async () => {
    async function* broken() {
      yield rows.slice(0, 10);
      throw new Error('Query failed');
    }
    await expect(collect(csvChunks(columns, broken()))).rejects.toThrow('Query failed');
  });
});

describe('uploadToS3', () => {
  const s3 = mockClient(S3Client);
  const client = new S3Client({ region: 'us-east-1' });
  beforeEach(() => {
    s3.reset();
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-1' });
    s3.on(UploadPartCommand).callsFake((input: { PartNumber: number }) => ({ ETag: `"etag-${input.PartNumber}"` }));
    s3.on(CompleteMultipartUploadCommand).resolves({});
    s3.on(PutObjectCommand).resolves({});
    s3.on(AbortMultipartUploadCommand).resolves({});
  });
  async function* chunks(n: number, size: number) {
    for (let i = 0; i < n; i++) yield Buffer.alloc(size, 97 + (i % 26));
  }

  it('a file smaller than one part is a single PutObject', async () => {
    const out = await uploadToS3(client, 'b', 'k.csv', chunks(3, 1000), 'text/csv', 5 * 2 ** 20);
    expect(out.bytes).toBe(3000);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(1);
    expect(s3.commandCalls(CreateMultipartUploadCommand)).toHaveLength(0);
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({ Bucket: 'b', Key: 'k.csv', ContentType: 'text/csv', ServerSideEncryption: 'AES256' });
  });

  it('a larger one goes up in parts of the part size, in order, and is completed with every ETag', async () => {
    const part = 5 * 2 ** 20;
    const out = await uploadToS3(client, 'b', 'k.csv', chunks(23, 2 ** 20), 'text/csv', part);
    expect(out.bytes).toBe(23 * 2 ** 20);
    const parts = s3.commandCalls(UploadPartCommand).map((c) => c.args[0].input);
    expect(parts.map((p) => p.PartNumber)).toEqual([1, 2, 3, 4, 5]);
    expect(parts.map((p) => p.ContentLength)).toEqual([part, part, part, part, 3 * 2 ** 20]);
    const done = s3.commandCalls(CompleteMultipartUploadCommand)[0]!.args[0].input;
    expect(done.MultipartUpload?.Parts).toEqual([1, 2, 3, 4, 5].map((n) => ({ PartNumber: n, ETag: `"etag-${n}"` })));
    expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);
  });

  it('a failed part aborts the upload and the error comes through', async () => {
    s3.on(UploadPartCommand, { PartNumber: 2 }).rejects(Object.assign(new Error('SlowDown'), { name: 'SlowDown' }));
    await expect(uploadToS3(client, 'b', 'k.csv', chunks(23, 2 ** 20), 'text/csv', 5 * 2 ** 20)).rejects.toThrow('SlowDown');
    expect(s3.commandCalls(AbortMultipartUploadCommand).map((c) => c.args[0].input)).toEqual([{ Bucket: 'b', Key: 'k.csv', UploadId: 'up-1' }]);
    expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
  });

  it('a failing source (a page read) aborts the upload too', async () => {
    async function* broken() {
      yield* chunks(7, 2 ** 20);
      throw new Error('Query failed');
    }
    await expect(uploadToS3(client, 'b', 'k.csv', broken(), 'text/csv', 5 * 2 ** 20)).rejects.toThrow('Query failed');
    expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(1);
  });

  it('a refused completion aborts as well', async () => {
    s3.on(CompleteMultipartUploadCommand).rejects(new Error('InternalError'));
    await expect(uploadToS3(client, 'b', 'k.csv', chunks(12, 2 ** 20), 'text/csv', 5 * 2 ** 20)).rejects.toThrow('InternalError');
    expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(1);
  });

  it('holds at most about two parts: the next part waits for the one in flight', async () => {
    let inFlight = 0;
    let most = 0;
    s3.on(UploadPartCommand).callsFake(async (input: { PartNumber: number }) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return { ETag: `"e${input.PartNumber}"` };
    });
    await uploadToS3(client, 'b', 'k.csv', chunks(40, 2 ** 20), 'text/csv', 5 * 2 ** 20);
    expect(most).toBe(1);
  });
});

describe('allPages', () => {
  it('asks for the next page while the caller handles this one, and stops after the last', async () => {
    const { allPages } = await import('../../../functions/core/services/exports.js');
    const asked: string[] = [];
    const read = async (startKey?: Record<string, unknown>) => {
      const at = Number(startKey?.at ?? 0);
      asked.push(String(at));
      return { items: [at], lastKey: at < 2 ? { at: at + 1 } : undefined };
    };
    const seen: { page: number; askedSoFar: number }[] = [];
    for await (const [page] of allPages(read)) seen.push({ page: page!, askedSoFar: asked.length });
    expect(seen).toEqual([
      { page: 0, askedSoFar: 2 },
      { page: 1, askedSoFar: 3 },
      { page: 2, askedSoFar: 3 },
    ]);
  });

  it('takes a first page whose read the caller started, and reads on from it', async () => {
    const { allPages } = await import('../../../functions/core/services/exports.js');
    const asked: number[] = [];
    const read = async (startKey?: Record<string, unknown>) => {
      const at = Number(startKey?.at ?? 0);
      asked.push(at);
      return { items: [at], lastKey: at < 2 ? { at: at + 1 } : undefined };
    };
    const first = read();
    const seen: number[] = [];
    for await (const [page] of allPages(read, first)) seen.push(page!);
    expect(seen).toEqual([0, 1, 2]);
    expect(asked).toEqual([0, 1, 2]);
  });

  it('a failed read ahead comes after the pages before it, in order, and ends the pages', async () => {
    const { allPages } = await import('../../../functions/core/services/exports.js');
    let reads = 0;
    const read = async (startKey?: Record<string, unknown>) => {
      reads++;
      const at = Number(startKey?.at ?? 0);
      if (at === 2) throw new Error('throttled');
      return { items: [at], lastKey: { at: at + 1 } };
    };
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const [page] of allPages(read)) seen.push(page!);
      })(),
    ).rejects.toThrow('throttled');
    expect(seen).toEqual([0, 1]);
    expect(reads).toBe(3);
  });

  it('a caller that stops early leaves no unhandled rejection from the read ahead', async () => {
    const { allPages } = await import('../../../functions/core/services/exports.js');
    const read = async (startKey?: Record<string, unknown>) => {
      if (startKey) throw new Error('throttled');
      return { items: [1], lastKey: { at: 1 } };
    };
    for await (const page of allPages(read)) {
      expect(page).toEqual([1]);
      break;
    }
    await new Promise((r) => setTimeout(r, 10));
  });
});
