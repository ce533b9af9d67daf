/**
 * The one exporter for member and attendee lists: reads every page, writes RFC 4180 CSV
 * (domain/csv.ts: BOM, formula injection neutralised), answers inline or, for large lists
 * or on request, as a time-limited link to a stored file. Every export is recorded.
 */
import { ulid } from 'ulid';
import type { Store } from '../data/store.js';
import type { FileStore } from '../files.js';
import type { PrivacyData } from '../data/privacy.js';
import { toCsv, type Column } from '../domain/csv.js';
import type { ExportsRepo } from '../data/store.js';

/** The repositories this service uses (functions/core/data/). */
export type ExportsStore = ExportsRepo;

export const INLINE_MAX_ROWS = 5_000;
const LINK_TTL_SECONDS = 15 * 60;

export interface ExportRequest<T> {
  store: ExportsStore;
  files?: FileStore;
  associationId: string;
  what: 'members' | 'attendees' | 'waitlist' | 'payments';
  subjectId?: string;
  actorId: string;
  fileName: string;
  columns: Column<T>[];
  /** Pages of rows, read lazily from the table. */
  pages: AsyncIterable<T[]>;
  format: 'csv' | 'url';
  now: Date;
}

export type ExportResult = { kind: 'inline'; csv: string; rows: number } | { kind: 'url'; url: string; rows: number; expiresAt: string };

export async function exportRows<T>(req: ExportRequest<T>): Promise<ExportResult> {
  const rows: T[] = [];
  for await (const page of req.pages) rows.push(...page);
  const csv = toCsv(req.columns, rows);
  const exportId = ulid(req.now.getTime());
  const asFile = req.files && (req.format === 'url' || rows.length > INLINE_MAX_ROWS);
  const result: ExportResult = asFile
    ? {
        kind: 'url',
        url: await req.files!.put(`exports/${req.associationId}/${exportId}/${req.fileName}`, csv, 'text/csv; charset=utf-8', LINK_TTL_SECONDS),
        rows: rows.length,
        expiresAt: new Date(req.now.getTime() + LINK_TTL_SECONDS * 1000).toISOString(),
      }
    : { kind: 'inline', csv, rows: rows.length };
  await req.store.recordExport(req.associationId, { exportId, what: req.what, subjectId: req.subjectId, actorId: req.actorId, rows: rows.length, format: result.kind, at: req.now.toISOString() });
  return result;
}

/** The export log of an association, newest first: who exported which list, when, how many rows. */
export async function listExports(data: Pick<PrivacyData, 'exportsOf'>, associationId: string, limit: number, startKey?: Record<string, unknown>) {
  const page = await data.exportsOf(associationId, { limit, startKey });
  return {
    items: page.items.map((e) => ({ exportId: e.exportId, what: e.what, subjectId: e.subjectId ?? null, actorId: e.actorId, rows: e.rows, format: e.format, at: e.at })),
    lastKey: page.lastKey,
  };
}

/** Every page of a paged store query, as an async iterable. */
export async function* allPages<T>(read: (startKey?: Record<string, unknown>) => Promise<{ items: T[]; lastKey?: Record<string, unknown> }>): AsyncIterable<T[]> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await read(startKey);
    yield page.items;
    startKey = page.lastKey;
  } while (startKey);
}
