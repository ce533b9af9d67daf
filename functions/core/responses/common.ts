/**
 * Response schemas more than one function's routes use: instants, list pages, text bodies and
 * the export answers (the router's response check needs ExportLink and Text in every function).
 * responses.ts says how the response schemas are written and checked.
 */
import * as z from 'zod/mini';
import '../zod-locale.js';

// Stored instants are ISO strings; `format` documents them without a parse at runtime.
export const instant = z.string().register(z.globalRegistry, { format: 'date-time' });

export const nullableInstant = z.nullable(instant);

/** A list page: `nextCursor` is null on the last page. */
export const page = <T extends z.ZodMiniType>(item: T, id: string) =>
  z.strictObject({ items: z.array(item), nextCursor: z.nullable(z.string()).register(z.globalRegistry, { description: 'Pass as ?cursor= for the next page; null on the last' }) }).register(z.globalRegistry, { id });

/** Bodies that are not JSON (CSV, iCalendar, HTML pages from mail links). */
export const Text = z.string();

/** `?format=url`: a time-limited link to the file instead of the CSV itself. */
export const ExportLink = z.strictObject({ url: z.string(), rows: z.int(), expiresAt: instant }).register(z.globalRegistry, { id: 'ExportLink' });

/** 202 of an export too long for one response: the background job makes the file; GET statusUrl (also in Location) follows it. */
export const ExportAccepted = z
  .strictObject({ exportId: z.string(), state: z.literal('pending'), statusUrl: z.string().register(z.globalRegistry, { description: 'GET it for the state and, when ready, the file link' }) })
  .register(z.globalRegistry, { id: 'ExportAccepted' });
