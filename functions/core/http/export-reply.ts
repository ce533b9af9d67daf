/** The answer of every list export route: CSV inline, a file link, or 202 and the job's status URL. */
import type { ExportResult } from '../services/exports.js';
import type { Reply } from './router.js';

export function exportReply(out: ExportResult, fileName: string): Reply {
  if (out.kind === 'job') return { status: 202, body: { exportId: out.exportId, state: out.state, statusUrl: out.statusUrl }, headers: { Location: out.statusUrl } };
  if (out.kind === 'url') return { body: { url: out.url, rows: out.rows, expiresAt: out.expiresAt } };
  return { text: out.csv, headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${fileName}"` } };
}
