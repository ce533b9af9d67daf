/**
 * CSV for spreadsheets: RFC 4180 via csv-stringify, UTF-8 with a BOM so Excel reads
 * accents right, and formula injection neutralised (OWASP): a cell starting with
 * = + - @ tab or CR is prefixed with a quote so it is shown, never evaluated.
 */
import { once } from 'node:events';
import { stringify } from 'csv-stringify/sync';
import { stringify as stringifyStream } from 'csv-stringify';

export interface Column<T> {
  header: string;
  value: (row: T) => string | number | boolean | null | undefined;
}

const FORMULA_START = /^[=+\-@\t\r]/;

export function safeCell(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return FORMULA_START.test(s) ? `'${s}` : s;
}

export function toCsv<T>(columns: Column<T>[], rows: Iterable<T>): string {
  const records: string[][] = [columns.map((c) => safeCell(c.header))];
  for (const row of rows) records.push(columns.map((c) => safeCell(c.value(row))));
  return '\uFEFF' + stringify(records, { record_delimiter: '\r\n', quoted_match: /[",\r\n]/ });
}

/**
 * The same CSV as toCsv, as a stream: rows are read page by page and written into
 * csv-stringify's stream, waiting for 'drain' when the consumer (a file upload) is behind, so
 * memory holds a page or so whatever the list's length. Rows go in a page at a time and text
 * comes out in chunks of about 64 KiB: no await per row. `counted` gets the number of data
 * rows once the last one is out.
 */
export async function* csvChunks<T>(columns: Column<T>[], pages: AsyncIterable<T[]>, counted?: (rows: number) => void): AsyncGenerator<string> {
  let rows = 0;
  const stringifier = stringifyStream({ record_delimiter: '\r\n', quoted_match: /[",\r\n]/ });
  const feed = (async () => {
    try {
      stringifier.write(columns.map((c) => safeCell(c.header)));
      for await (const page of pages) {
        let room = true;
        for (const row of page) {
          rows++;
          room = stringifier.write(columns.map((c) => safeCell(c.value(row))));
        }
        if (!room) await once(stringifier, 'drain');
      }
      stringifier.end();
    } catch (err) {
      // A failed page read ends the stream with its error, which the reader below throws.
      stringifier.destroy(err as Error);
    }
  })();
  yield '\uFEFF';
  let buffered = '';
  for await (const chunk of stringifier) {
    buffered += String(chunk);
    if (buffered.length >= 65_536) {
      yield buffered;
      buffered = '';
    }
  }
  if (buffered) yield buffered;
  await feed;
  counted?.(rows);
}
