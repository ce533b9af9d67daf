/**
 * CSV for spreadsheets: RFC 4180 via csv-stringify, UTF-8 with a BOM so Excel reads
 * accents right, and formula injection neutralised (OWASP): a cell starting with
 * = + - @ tab or CR is prefixed with a quote so it is shown, never evaluated.
 */
import { stringify } from 'csv-stringify/sync';

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
