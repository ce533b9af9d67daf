/**
 * Helpers for the event, RSVP and email integration tests: events and RSVPs through the
 * public API, waiting for mail the stream consumer sends asynchronously, a strict
 * RFC 5545 reader, a strict CSV reader, and a small concurrency limiter.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { parse as parseCsv } from 'csv-parse/sync';
import * as keys from '../../functions/core/data/keys.js';
import type { Rsvp } from '../../functions/core/domain/events.js';
import { api, call, signIn, type Res } from './http.js';
import { expectStatus, type User } from './fixtures.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A whole minute `days` from now (plus `minutes`), so times survive the API's normalisation unchanged. */
export function futureTime(days: number, minutes = 0): string {
  const t = Date.now() + days * DAY + minutes * 60_000;
  return new Date(Math.floor(t / 60_000) * 60_000).toISOString();
}

export const addHours = (iso: string, hours: number) => new Date(Date.parse(iso) + hours * HOUR).toISOString();

/** A valid event body: public, waitlist on, 10 days ahead, two hours long. */
export function eventBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const startsAt = (overrides.startsAt as string | undefined) ?? futureTime(10, Math.floor(Math.random() * 600));
  return {
    title: 'Test event',
    description: 'An event made by the integration tests.',
    startsAt,
    endsAt: addHours(startsAt, 2),
    timezone: 'Europe/Paris',
    venue: '1 rue de la Paix, Paris',
    visibility: 'public',
    waitlist: true,
    ...overrides,
  };
}

export interface EventView {
  eventId: string;
  associationId: string;
  title: string;
  startsAt: string;
  endsAt: string;
  capacity: number | null;
  visibility: 'public' | 'members';
  waitlist: boolean;
  status: 'scheduled' | 'cancelled';
  goingCount: number;
  waitlistCount: number;
  attendedCount: number;
  spotsLeft: number | null;
  questions: { id: string; label: string }[];
}

export async function createEvent(organizer: User, associationId: string, overrides: Record<string, unknown> = {}): Promise<EventView> {
  const res = await call('POST', `/associations/${associationId}/events`, { token: organizer.token, body: eventBody(overrides) });
  return expectStatus(res, 201, 'create event').body as EventView;
}

export async function getEvent(eventId: string, token?: string): Promise<EventView> {
  return expectStatus(await call('GET', `/events/${eventId}`, { token }), 200, 'get event').body as EventView;
}

export const rsvp = (user: User, eventId: string, body: Record<string, unknown> = { status: 'going' }) =>
  call('PUT', `/events/${eventId}/rsvp`, { token: user.token, body });

export const withdraw = (user: User, eventId: string) => call('DELETE', `/events/${eventId}/rsvp`, { token: user.token });

/** Every item of a paged list, following `nextCursor`. */
export async function allItems<T = any>(path: string, token: string, limit = 200): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 10_000; guard++) {
    const sep = path.includes('?') ? '&' : '?';
    const res: Res = await call('GET', `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    expectStatus(res, 200, `list ${path}`);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
    if (!cursor) return items;
  }
  throw new Error(`list ${path} never ended`);
}

// ---------------------------------------------------------------- concurrency

/** Runs `fn` over `items` with at most `limit` calls in flight; results in input order. */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** `n` fresh users whose emails all contain `label` (so one mail query finds all of them). */
export const signInMany = (n: number, label: string, concurrency = 50) =>
  pool(Array.from({ length: n }, (_, i) => i), concurrency, (i) => signIn(label, `${label} ${i}`));

/** A label no other test run uses, safe inside an email's local part. */
export const uniqueLabel = (prefix: string) => `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- mail

export interface SentMail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text?: string; html?: string };
  attachments: { content: string; contentType: string; filename?: string; size: number }[];
  headers?: { name: string; value: string }[];
  at: number;
}

/** Mail the local SES received for addresses containing `to` (a full address, or a label shared by many). */
export async function mailsTo(to: string): Promise<SentMail[]> {
  const res = await call('GET', `/dev/emails?to=${encodeURIComponent(to)}`);
  expectStatus(res, 200, 'dev emails');
  return res.body.items as SentMail[];
}

/** Mail sent exactly to `address` (not merely containing it). */
export const addressedTo = (mails: SentMail[], address: string) =>
  mails.filter((m) => [...m.destination.to, ...m.destination.cc, ...m.destination.bcc].some((a) => a.toLowerCase() === address.toLowerCase()));

export const recipient = (m: SentMail) => m.destination.to[0]!.toLowerCase();

/**
 * Polls until mail sent to `to` satisfies `done` (by default: at least one mail matches
 * `filter`), or fails with what did arrive once `timeoutMs` have passed.
 */
export async function waitForMail(
  to: string,
  opts: { filter?: (m: SentMail) => boolean; count?: number; done?: (mails: SentMail[]) => boolean; timeoutMs?: number } = {},
): Promise<SentMail[]> {
  const filter = opts.filter ?? (() => true);
  const done = opts.done ?? ((ms: SentMail[]) => ms.length >= (opts.count ?? 1));
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  for (;;) {
    const all = await mailsTo(to);
    const mine = (to.includes('@') ? addressedTo(all, to) : all).filter(filter);
    if (done(mine)) return mine;
    if (Date.now() > deadline) {
      throw new Error(`mail to ${to} did not arrive in time; got ${mine.length} matching: ${JSON.stringify(mine.map((m) => [recipient(m), m.subject]))}`);
    }
    await sleep(250);
  }
}

/**
 * Waits for exactly `count` matching mails, then a quiet period, and returns what is there
 * after it: the caller asserts the count, so a duplicate sent late is still caught.
 */
export async function settledMail(to: string, filter: (m: SentMail) => boolean, count: number, quietMs = 1500, timeoutMs = 20_000): Promise<SentMail[]> {
  if (count > 0) await waitForMail(to, { filter, count, timeoutMs });
  await sleep(quietMs);
  const all = await mailsTo(to);
  return (to.includes('@') ? addressedTo(all, to) : all).filter(filter);
}

export const subjectStarts = (prefix: string) => (m: SentMail) => m.subject.startsWith(prefix);

export const header = (m: SentMail, name: string) => m.headers?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;

/** The first URL in the mail's text that follows `label` (e.g. "Leave the waitlist: "). */
export function urlAfter(m: SentMail, label: string): string {
  const text = m.body.text ?? '';
  const at = text.indexOf(label);
  if (at < 0) throw new Error(`no "${label}" in mail ${JSON.stringify(text)}`);
  const url = /https?:\/\/\S+/.exec(text.slice(at + label.length))?.[0];
  if (!url) throw new Error(`no URL after "${label}" in mail ${JSON.stringify(text)}`);
  return url;
}

// ---------------------------------------------------------------- iCalendar (RFC 5545), strictly

export interface IcsComponent {
  name: string;
  /** Property name → values, in order (a property may repeat). */
  props: Map<string, { params: Record<string, string>; value: string }[]>;
  children: IcsComponent[];
}

const CONTENT_LINE = /^([A-Za-z0-9-]+)((?:;[A-Za-z0-9-]+=(?:"[^"\x00-\x1f]*"|[^";:,\x00-\x1f]*)(?:,(?:"[^"\x00-\x1f]*"|[^";:,\x00-\x1f]*))*)*):(.*)$/s;
const DATE_TIME = /^\d{8}T\d{6}Z?$/;

/**
 * Parses an iCalendar stream and throws on anything RFC 5545 does not allow: lines not
 * ended by CRLF, physical lines over 75 octets, content lines without "name:value",
 * BEGIN/END that do not nest, a VCALENDAR without VERSION/PRODID, a VEVENT without
 * exactly one DTSTAMP, UID and DTSTART.
 */
export function parseIcs(text: string): IcsComponent {
  if (!text.endsWith('\r\n')) throw new Error('iCalendar: the stream must end with CRLF');
  const physical = text.slice(0, -2).split('\r\n');
  physical.forEach((l, i) => {
    if (/[\r\n]/.test(l)) throw new Error(`iCalendar: line ${i + 1} has a bare CR or LF: ${JSON.stringify(l)}`);
    const octets = Buffer.byteLength(l, 'utf8');
    if (octets > 75) throw new Error(`iCalendar: line ${i + 1} is ${octets} octets (max 75): ${JSON.stringify(l)}`);
    if (l.length === 0) throw new Error(`iCalendar: line ${i + 1} is empty`);
  });
  // Unfold: a line starting with one space or tab continues the previous one.
  const logical: string[] = [];
  for (const l of physical) {
    if (l[0] === ' ' || l[0] === '\t') {
      if (!logical.length) throw new Error('iCalendar: the stream starts with a continuation line');
      logical[logical.length - 1] += l.slice(1);
    } else logical.push(l);
  }
  const stack: IcsComponent[] = [];
  let root: IcsComponent | undefined;
  for (const line of logical) {
    const m = CONTENT_LINE.exec(line);
    if (!m) throw new Error(`iCalendar: not a content line (name *(;param) ":" value): ${JSON.stringify(line)}`);
    const name = m[1]!.toUpperCase();
    const value = m[3]!;
    if (name === 'BEGIN') {
      const c: IcsComponent = { name: value.toUpperCase(), props: new Map(), children: [] };
      if (!stack.length) {
        if (root) throw new Error('iCalendar: more than one top-level component');
        if (c.name !== 'VCALENDAR') throw new Error(`iCalendar: top-level component is ${c.name}, not VCALENDAR`);
        root = c;
      } else {
        if (c.name === 'VCALENDAR') throw new Error('iCalendar: nested VCALENDAR');
        stack[stack.length - 1]!.children.push(c);
      }
      stack.push(c);
      continue;
    }
    if (name === 'END') {
      const open = stack.pop();
      if (!open || open.name !== value.toUpperCase()) throw new Error(`iCalendar: END:${value} does not close ${open?.name ?? 'anything'}`);
      continue;
    }
    const current = stack[stack.length - 1];
    if (!current) throw new Error(`iCalendar: property outside any component: ${JSON.stringify(line)}`);
    const params: Record<string, string> = {};
    for (const p of m[2]!.split(/;(?=[A-Za-z0-9-]+=)/).filter(Boolean)) {
      const eq = p.indexOf('=');
      params[p.slice(0, eq).toUpperCase()] = p.slice(eq + 1);
    }
    const list = current.props.get(name) ?? [];
    list.push({ params, value });
    current.props.set(name, list);
  }
  if (stack.length) throw new Error(`iCalendar: ${stack.map((c) => c.name).join(', ')} never ended`);
  if (!root) throw new Error('iCalendar: no VCALENDAR');
  const once = (c: IcsComponent, prop: string) => {
    const n = c.props.get(prop)?.length ?? 0;
    if (n !== 1) throw new Error(`iCalendar: ${c.name} has ${n} ${prop} (exactly one required)`);
    return c.props.get(prop)![0]!.value;
  };
  if (once(root, 'VERSION') !== '2.0') throw new Error('iCalendar: VERSION must be 2.0');
  once(root, 'PRODID');
  const events = root.children.filter((c) => c.name === 'VEVENT');
  if (!events.length) throw new Error('iCalendar: no VEVENT');
  for (const e of events) {
    for (const p of ['DTSTAMP', 'DTSTART']) if (!DATE_TIME.test(once(e, p))) throw new Error(`iCalendar: ${p} is not a DATE-TIME`);
    once(e, 'UID');
    if (e.props.has('DTEND') && e.props.has('DURATION')) throw new Error('iCalendar: VEVENT has both DTEND and DURATION');
  }
  return root;
}

export const icsValue = (c: IcsComponent, prop: string) => c.props.get(prop)?.[0]?.value;

/** "20300102T030400Z" for an ISO instant, as DATE-TIME in UTC. */
export const icsUtc = (iso: string) => new Date(iso).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

// ---------------------------------------------------------------- CSV, strictly

/**
 * Reads an export as a spreadsheet would: UTF-8 with a BOM, RFC 4180 records ended by
 * CRLF, every record as wide as the header. Anything looser throws.
 */
export function parseCsvStrict(bytes: Buffer): { header: string[]; rows: string[][] } {
  if (!(bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)) throw new Error('CSV: no UTF-8 BOM');
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(3));
  if (!text.endsWith('\r\n')) throw new Error('CSV: the last record does not end with CRLF');
  const records = parseCsv(text, {
    bom: false,
    delimiter: ',',
    quote: '"',
    escape: '"',
    record_delimiter: '\r\n',
    relax_quotes: false,
    relax_column_count: false,
    skip_empty_lines: false,
    skip_records_with_error: false,
    trim: false,
  }) as string[][];
  const [header, ...rows] = records;
  if (!header) throw new Error('CSV: no header');
  return { header, rows };
}

/** Rows as objects keyed by the header. */
export const csvObjects = ({ header, rows }: { header: string[]; rows: string[][] }) =>
  rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]!])) as Record<string, string>);

/** Downloads a file link from an export, as bytes. */
export async function download(url: string): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
  if (!url.startsWith(api())) throw new Error(`export link ${url} does not point at the local API ${api()}`);
  const res = await fetch(url);
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

// ---------------------------------------------------------------- seeding the table directly (large lists only)

const table = () => {
  const endpoint = process.env.DYNAMODB_URL;
  const name = process.env.LOCAL_TABLE;
  if (!endpoint || !name) throw new Error('DYNAMODB_URL and LOCAL_TABLE come from the integration global setup');
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  return { db: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }), name };
};

export type Item = Record<string, unknown>;

/** The RSVP item exactly as store.saveRsvp puts it (version 1: a first RSVP). */
export function rsvpItem(ev: EventView, r: Rsvp): Item {
  return { ...keys.rsvp(r.eventId, r.userId), ...keys.rsvpOfUser(r.userId, ev.startsAt, ev.eventId), entity: 'rsvp', ...r, version: 1 };
}

/** The waitlist entry saveRsvp puts next to a waitlisted RSVP. */
export const waitingItem = (ev: EventView, r: Rsvp): Item => ({ ...keys.waiting(ev.eventId, r.waitKey!), entity: 'waiting', userId: r.userId, seats: 1 + r.guests });

/** The check-in code lookup saveRsvp puts with a first RSVP. */
export const codeItem = (ev: EventView, r: Rsvp): Item => ({ ...keys.checkInCode(ev.eventId, r.checkInCode), entity: 'checkin_code', userId: r.userId });

export async function batchWrite(items: Item[]): Promise<void> {
  const { db, name } = table();
  const chunks: Item[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  await pool(chunks, 8, async (chunk) => {
    let request: Record<string, { PutRequest: { Item: Item } }[]> | undefined = { [name]: chunk.map((Item) => ({ PutRequest: { Item } })) };
    for (let attempt = 0; request && Object.keys(request).length; attempt++) {
      if (attempt > 10) throw new Error('batch write: items left unprocessed');
      const res = await db.send(new BatchWriteCommand({ RequestItems: request }));
      request = res.UnprocessedItems as typeof request;
      if (request && Object.keys(request).length) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    }
  });
}

/** Sets attributes of an event item directly (counters that items written by batchWrite would have moved). */
export async function setEventAttributes(eventId: string, attrs: Record<string, unknown>): Promise<void> {
  const { db, name } = table();
  const entries = Object.entries(attrs);
  await db.send(
    new UpdateCommand({
      TableName: name,
      Key: keys.event(eventId),
      UpdateExpression: `SET ${entries.map((_, i) => `#a${i} = :v${i}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(entries.map(([k], i) => [`#a${i}`, k])),
      ExpressionAttributeValues: Object.fromEntries(entries.map(([, v], i) => [`:v${i}`, v])),
    }),
  );
}

/** A user id shaped like a Cognito sub whose sort order is `i`'s. */
export const subOf = (run: string, i: number) => `${i.toString(16).padStart(8, '0')}-${run.slice(0, 4)}-4000-8000-${run.slice(4, 16).padEnd(12, '0')}`;

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const codeOf = (i: number) => Array.from({ length: 8 }, (_, k) => CODE_ALPHABET[Math.floor(i / 32 ** k) % 32]).join('');

export function makeRsvp(ev: EventView, run: string, i: number, fields: Partial<Rsvp>): Rsvp {
  const at = new Date(Date.parse('2025-01-01T00:00:00Z') + i * 1000).toISOString();
  return {
    eventId: ev.eventId,
    associationId: ev.associationId,
    userId: subOf(run, i),
    status: 'going',
    guests: 0,
    answers: {},
    name: `Attendee ${i}`,
    email: `attendee.${i}.${run}@example.test`,
    checkInCode: codeOf(i),
    checkedInAt: null,
    rsvpAt: at,
    updatedAt: at,
    version: 1,
    ...fields,
  };
}


// ---------------------------------------------------------------- long exports (202, then the status)

/**
 * An export too long for one response: asserts the 202 (body and Location), polls the status
 * URL until the job is done, and returns the status and the file it links to.
 */
export async function exportThroughJob(path: string, token: string, timeoutMs = 120_000) {
  const accepted = await call('GET', path, { token });
  if (accepted.status !== 202) throw new Error(`${path}: expected 202, got ${accepted.status} ${accepted.text.slice(0, 300)}`);
  const statusUrl = accepted.body.statusUrl as string;
  if (accepted.headers.get('location') !== statusUrl) throw new Error(`Location ${accepted.headers.get('location')} is not the statusUrl ${statusUrl}`);
  const statusPath = new URL(statusUrl, api()).pathname;
  const deadline = Date.now() + timeoutMs;
  const started = Date.now();
  for (;;) {
    const status = await call('GET', statusPath, { token });
    if (status.status !== 200) throw new Error(`status ${statusPath}: ${status.status} ${status.text}`);
    if (status.body.state === 'ready') return { accepted: accepted.body, statusPath, status: status.body, ms: Date.now() - started, file: await download(status.body.url) };
    if (status.body.state === 'failed') throw new Error(`export job failed: ${status.text}`);
    if (Date.now() > deadline) throw new Error(`export job still ${status.body.state} after ${timeoutMs} ms`);
    await sleep(250);
  }
}
