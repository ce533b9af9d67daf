/**
 * Request schemas more than one function's routes use: ids, the addressed association or
 * event, paging, signed-link tokens. A function's catalog (routes/<fn>.ts) imports these and
 * its own context's module, so its bundle holds only the schemas of its routes.
 * Objects are strict: a client can never set a field it does not own.
 */
import * as z from 'zod/mini';
import '../zod-locale.js';

const timeZones = new Set(Intl.supportedValuesOf('timeZone'));
timeZones.add('UTC');

/** Node's list holds older aliases (Asia/Calcutta); current names (Asia/Kolkata) are valid too. */
const isTimeZone = (tz: string) => {
  if (timeZones.has(tz)) return true;
  if (!/^[A-Za-z]+(\/[A-Za-z0-9_+-]+)+$/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

export const id = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an id of 1-64 letters, digits, _ or -'));
export const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));

export const timezone = z
  .string()
  .check(z.refine(isTimeZone, 'must be an IANA time zone name such as Europe/Paris'))
  .register(z.globalRegistry, { example: 'Europe/Paris' });

export const isoDateTime = z.iso.datetime({ offset: true });
export const AssociationParams = z.strictObject({ associationId: id });
export const EventParams = z.strictObject({ eventId: id });
const limit = z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(200)), 50);
export const PageQuery = z.strictObject({ limit: z.optional(limit), cursor: z.optional(z.string().check(z.maxLength(2048))) });

/** Member and ledger exports: inline CSV, or `url` for a time-limited link to a file. */
export const ListExportQuery = z.strictObject({ format: z._default(z.enum(['csv', 'url']), 'csv') });

/** No query fields: an unknown one is refused by name rather than ignored. */
export const NoQuery = z.strictObject({});

export const TokenQuery = z.strictObject({ token: z.string().check(z.minLength(10), z.maxLength(2000)) });
