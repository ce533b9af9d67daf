/**
 * CSV for spreadsheets: RFC 4180 via csv-stringify, UTF-8 with a BOM so Excel reads
 * accents right, and formula injection neutralised (OWASP): a cell starting with
 * = + - @ tab or CR is prefixed with a quote so it is shown, never evaluated.
 */
import { pipeline, Readable } from 'node:stream';
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
 * The same CSV as toCsv, as a stream: rows are read page by page and stringified by
 * csv-stringify's stream, which pauses the reading while the consumer (a file upload) is
 * behind, so memory holds a page or so whatever the list's length. `counted` gets the
 * number of data rows once the last one is out.
 */
export async function* csvChunks<T>(columns: Column<T>[], pages: AsyncIterable<T[]>, counted?: (rows: number) => void): AsyncGenerator<string> {
  let rows = 0;
  async function* records(): AsyncGenerator<string[]> {
    yield columns.map((c) => safeCell(c.header));
    for await (const page of pages) {
      for (const row of page) {
        rows++;
        yield columns.map((c) => safeCell(c.value(row)));
      }
    }
  }
  const stringifier = stringifyStream({ record_delimiter: '\r\n', quoted_match: /[",\r\n]/ });
  // pipeline, not pipe: a failed page read destroys the stringifier, so the reader below sees the error.
  pipeline(Readable.from(records()), stringifier, () => undefined);
  yield '\uFEFF';
  for await (const chunk of stringifier) yield String(chunk);
  counted?.(rows);
}
