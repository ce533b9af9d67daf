import { parse } from 'csv-parse/sync';
import { safeCell, toCsv, type Column } from '../../../functions/core/domain/csv.js';

type Row = { a: string | number | boolean | null | undefined; b?: string };
const cols: Column<Row>[] = [
  { header: 'a', value: (r) => r.a },
  { header: 'b', value: (r) => r.b },
];
/** A strict RFC 4180 reader: no relaxed quotes, no ragged rows. */
const read = (csv: string) => parse(csv, { bom: true, relax_quotes: false, relax_column_count: false, skip_empty_lines: false }) as string[][];

describe('toCsv', () => {
  it('starts with a UTF-8 byte order mark so spreadsheets read accents right', () => {
    const csv = toCsv(cols, [{ a: 'Élodie' }]);
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(Buffer.from(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });

  it('ends every record with CRLF', () => {
    const csv = toCsv(cols, [{ a: 'x', b: 'y' }, { a: 'z', b: 'w' }]);
    expect(csv.slice(1)).toBe('a,b\r\nx,y\r\nz,w\r\n');
  });

  it('writes only the header for no rows', () => {
    expect(toCsv(cols, []).slice(1)).toBe('a,b\r\n');
  });

  it('quotes cells holding commas, quotes or newlines, doubling inner quotes', () => {
    const csv = toCsv(cols, [{ a: 'Smith, Jane', b: 'say "hi"' }, { a: 'two\nlines', b: 'cr\rhere' }]);
    expect(csv.slice(1)).toBe('a,b\r\n"Smith, Jane","say ""hi"""\r\n"two\nlines","cr\rhere"\r\n');
  });

  it('writes null and undefined as empty cells and other values as text', () => {
    const csv = toCsv(cols, [{ a: null }, { a: undefined }, { a: 42, b: 'x' }, { a: true }]);
    expect(read(csv)).toEqual([['a', 'b'], ['', ''], ['', ''], ['42', 'x'], ['true', '']]);
  });

  it('neutralises a formula in a header too', () => {
    const csv = toCsv([{ header: '=HYPERLINK("x")', value: () => 'v' }], [{}]);
    expect(read(csv)[0]).toEqual([`'=HYPERLINK("x")`]);
  });

  it('round-trips awkward text through a strict CSV parser', () => {
    const awkward = ['plain', 'Smith, Jane', 'say "hi"', 'two\nlines', 'crlf\r\ninside', 'Zoë — café', '', '  spaced  ', "it's"];
    const rows = awkward.map((a) => ({ a, b: `${a}!` }));
    expect(read(toCsv(cols, rows))).toEqual([['a', 'b'], ...awkward.map((a) => [a, `${a}!`])]);
  });
});

describe('formula injection', () => {
  it.each([
    ['=', '=1+1'],
    ['+', '+33 1 23 45 67 89'],
    ['-', '-2+3'],
    ['@', '@SUM(A1:A2)'],
    ['tab', '\t=cmd'],
    ['CR', '\r=cmd'],
  ])('prefixes a cell starting with %s with a quote', (_, value) => {
    expect(safeCell(value)).toBe(`'${value}`);
    const [, row] = read(toCsv(cols, [{ a: value, b: 'ok' }]));
    expect(row).toEqual([`'${value}`, 'ok']);
    expect(row![0]!.charAt(0)).toBe("'");
  });

  it('leaves cells that only contain those characters later untouched', () => {
    expect(safeCell('a=b')).toBe('a=b');
    expect(safeCell('user@example.test')).toBe('user@example.test');
    expect(safeCell(' =1')).toBe(' =1');
  });

  it('writes null and undefined as empty text', () => {
    expect(safeCell(null)).toBe('');
    expect(safeCell(undefined)).toBe('');
  });
});
