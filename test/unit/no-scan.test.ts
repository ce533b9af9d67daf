/**
 * Every read is a GetItem, BatchGetItem or Query by key: a Scan reads the whole table,
 * costs grow with every association, and one tenant's list would touch all tenants' data.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(process.cwd(), 'functions');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs|cjs)$/.test(name) ? [path] : [];
  });
}

const files = sourceFiles(root);
// ScanCommand (document or low-level client), the paginator, or a raw `Scan` operation name.
const SCAN = /\b(ScanCommand|paginateScan|ParallelScan)\b|['"`]Scan['"`]/;

describe('the functions never scan the table', () => {
  it('finds the sources it checks', () => {
    expect(files.map((f) => relative(root, f))).toEqual(expect.arrayContaining(['core/data/store.ts', 'associations/handler.ts']));
  });

  it('uses no Scan anywhere under functions/', () => {
    const offenders = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => ({ where: `${relative(root, file)}:${i + 1}`, line: line.trim() }))
        .filter(({ line }) => SCAN.test(line)),
    );
    expect(offenders).toEqual([]);
  });

  it('would notice one', () => {
    expect(SCAN.test("import { ScanCommand } from '@aws-sdk/lib-dynamodb';")).toBe(true);
    expect(SCAN.test('for await (const page of paginateScan({ client }, input)) {}')).toBe(true);
    expect(SCAN.test('ScanIndexForward: false')).toBe(false);
  });
});
