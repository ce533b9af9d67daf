/**
 * Small helpers for the local Stripe stand-in: ids, clocks, calendar arithmetic, money,
 * Stripe's error shape and the example objects (fixtures.json, Stripe's own, MIT).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A Stripe-looking id: prefix + random base62 (acct_ ids are 16 chars, cs_test_ ids are long). */
export function newId(prefix: string, length = 24): string {
  const bytes = randomBytes(length);
  let s = '';
  for (let i = 0; i < length; i++) s += ALPHABET[bytes[i] % ALPHABET.length];
  return prefix + s;
}

export const unixNow = (): number => Math.floor(Date.now() / 1000);

export const clone = <T>(v: T): T => structuredClone(v);

let fixtureCache: Obj | null = null;
/** A deep copy of one of Stripe's example objects (account, charge, checkout.session, ...). */
export function fixture(name: string): Obj {
  if (!fixtureCache) fixtureCache = JSON.parse(readFileSync(new URL('./fixtures.json', import.meta.url), 'utf8')) as Obj;
  const f = fixtureCache[name];
  if (!f) throw new Error(`no Stripe fixture named ${name}`);
  return clone(f);
}

export type Interval = 'day' | 'week' | 'month' | 'year';

/**
 * `count` intervals after `anchor` (unix seconds), with calendar arithmetic in UTC the way
 * Stripe bills: always counted from the billing cycle anchor, a day past the end of a short
 * month is clamped (Jan 31 → Feb 28 → Mar 31).
 */
export function addIntervals(anchor: number, interval: Interval, count: number): number {
  const d = new Date(anchor * 1000);
  if (interval === 'day') return anchor + count * 86_400;
  if (interval === 'week') return anchor + count * 7 * 86_400;
  const months = interval === 'year' ? 12 * count : count;
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const targetYear = y + Math.floor(m / 12);
  const targetMonth = ((m % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate();
  const day = Math.min(d.getUTCDate(), lastDay);
  return Math.floor(Date.UTC(targetYear, targetMonth, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()) / 1000);
}

const ZERO_DECIMAL = new Set(['bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf']);
const THREE_DECIMAL = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

/** Amounts are in the currency's smallest unit, as in Stripe. */
export function formatMoney(amount: number, currency: string): string {
  const cur = currency.toLowerCase();
  const digits = ZERO_DECIMAL.has(cur) ? 0 : THREE_DECIMAL.has(cur) ? 3 : 2;
  const value = amount / 10 ** digits;
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency: cur.toUpperCase(), minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
  } catch {
    return `${value.toFixed(digits)} ${cur.toUpperCase()}`;
  }
}

export const formatDate = (unix: number | null | undefined): string => (unix ? new Date(unix * 1000).toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : '—');

/** An error the stand-in answers in Stripe's shape: {error:{type, message, code?, param?}}. */
export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = 'invalid_request_error',
    readonly code?: string,
    readonly param?: string,
    /** Stripe stores an idempotent result only once the endpoint started executing. */
    readonly storeIdempotent = true,
  ) {
    super(message);
  }

  toJSON(): Obj {
    return {
      error: {
        type: this.type,
        message: this.message,
        ...(this.code ? { code: this.code, doc_url: `https://stripe.com/docs/error-codes/${this.code.replace(/_/g, '-')}` } : {}),
        ...(this.param ? { param: this.param } : {}),
      },
    };
  }
}

export const missing = (kind: string, id: string, param?: string) =>
  new StripeApiError(404, `No such ${kind}: '${id}'`, 'invalid_request_error', 'resource_missing', param);

export const paramMissing = (param: string) =>
  new StripeApiError(400, `Missing required param: ${param}.`, 'invalid_request_error', 'parameter_missing', param, false);

export const paramInvalid = (param: string, message: string) =>
  new StripeApiError(400, message, 'invalid_request_error', 'parameter_invalid', param, false);

/** Form values arrive as strings: 'true'/'false', '2500'. */
export function toBool(v: unknown): boolean | undefined {
  if (v === undefined || v === '') return undefined;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  return undefined;
}

export function toInt(v: unknown, param: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const s = String(v);
  if (!/^-?\d+$/.test(s)) throw new StripeApiError(400, `Invalid integer: ${s}`, 'invalid_request_error', 'parameter_invalid_integer', param, false);
  return Number(s);
}

export function toNumber(v: unknown, param: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(String(v));
  if (!Number.isFinite(n)) throw new StripeApiError(400, `Invalid decimal: ${String(v)}`, 'invalid_request_error', 'parameter_invalid', param, false);
  return n;
}

/** metadata[key]=value → {key: value}; an empty value unsets the key, as in Stripe. */
export function toMetadata(v: unknown, base: Record<string, string> = {}): Record<string, string> {
  const out = { ...base };
  if (v && typeof v === 'object') {
    for (const [k, val] of Object.entries(v as Obj)) {
      if (val === '' || val === null) delete out[k];
      else out[k] = String(val);
    }
  }
  return out;
}

export const escapeHtml = (s: unknown): string =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Top-level fields whose value changed, with their old values (an event's previous_attributes). */
export function previousAttributes(before: Obj, after: Obj): Obj | undefined {
  const prev: Obj = {};
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) prev[k] = before[k] === undefined ? null : clone(before[k]);
  }
  return Object.keys(prev).length ? prev : undefined;
}
