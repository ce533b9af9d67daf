/**
 * The running API against its own description, through Stoplight Prism's validating proxy
 * (`prism proxy --errors`): the event page's island calls and the API calls of the main
 * flows go through it, and no answer may carry Prism's `sl-violations` header or a status
 * the document does not list for the operation.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOpenApi } from '../../functions/core/openapi.js';
import { api, signIn } from '../support/http.js';
import { buildAssociation, type AssociationFixture } from '../support/fixtures.js';
import { createEvent } from '../support/events.js';
import { expectAccessible, openBrowser, screenshots } from '../support/browser.js';

const doc = buildOpenApi();
let prism: ChildProcess | undefined;
let prismUrl = '';
let dir = '';
let fx: AssociationFixture;

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

/** The operation of the document a concrete path answers to (literal segments before templates). */
function operationOf(method: string, path: string): { template: string; op: any } | undefined {
  const segs = path.split('?')[0]!.split('/');
  const candidates = Object.keys(doc.paths)
    .filter((t) => {
      const ts = t.split('/');
      return ts.length === segs.length && ts.every((s, i) => s.startsWith('{') || s === segs[i]);
    })
    .sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0));
  for (const t of candidates) {
    const op = doc.paths[t][method.toLowerCase()];
    if (op) return { template: t, op };
  }
  return undefined;
}

interface Seen {
  method: string;
  path: string;
  status: number;
  violations: string | null;
  listed: boolean;
}
const seen: Seen[] = [];

function record(method: string, path: string, status: number, violations: string | null) {
  const found = operationOf(method, path);
  const listed = !!found && Object.keys(found.op.responses).includes(String(status));
  seen.push({ method, path, status, violations, listed });
}

/** One API call through Prism, recorded; `path` as the API knows it (without /api). */
async function viaPrism(method: string, path: string, opts: { token?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${prismUrl}${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  record(method, path, res.status, res.headers.get('sl-violations'));
  let body: any = text;
  if ((res.headers.get('content-type') ?? '').includes('json')) body = text ? JSON.parse(text) : undefined;
  return { status: res.status, body, text };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'prism-'));
  const file = join(dir, 'openapi.json');
  writeFileSync(file, JSON.stringify(doc));
  const port = await freePort();
  prismUrl = `http://127.0.0.1:${port}`;
  // Upstream is the API under /api/, as the browser reaches it; Prism matches paths without the prefix.
  prism = spawn(process.execPath, ['node_modules/@stoplight/prism-cli/dist/index.js', 'proxy', file, `${api()}/api`, '--errors', '--host', '127.0.0.1', '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Prism did not start in 60 s:\n${log}`)), 60_000);
    const onData = (d: Buffer) => {
      log += d.toString();
      if (log.includes('Prism is listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    prism!.stdout!.on('data', onData);
    prism!.stderr!.on('data', onData);
    prism!.once('exit', (code) => reject(new Error(`Prism exited with ${code}:\n${log}`)));
  });
  fx = await buildAssociation();
}, 90_000);

afterAll(async () => {
  if (prism?.pid) process.kill(prism.pid, 'SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe('the API through the Prism validating proxy', () => {
  it("the event page's island reads the event through the typed client, and Prism finds nothing wrong", async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { title: 'Proxy Mixer', capacity: 12 });
    const browser = await openBrowser();
    try {
      const page = await browser.context.newPage();
      const island: string[] = [];
      // The browser's /api/** calls go through Prism (same origin for the page, validated on the way).
      await page.route('**/api/**', async (route) => {
        const req = route.request();
        const url = new URL(req.url());
        const path = url.pathname.replace(/^\/api/, '') + url.search;
        island.push(`${req.method()} ${path}`);
        const res = await fetch(`${prismUrl}${path}`, { method: req.method(), headers: { accept: req.headers().accept ?? '*/*' } });
        const body = Buffer.from(await res.arrayBuffer());
        record(req.method(), path, res.status, res.headers.get('sl-violations'));
        const headers = Object.fromEntries([...res.headers].filter(([k]) => k !== 'content-encoding' && k !== 'content-length'));
        await route.fulfill({ status: res.status, headers, body });
      });
      await page.goto(`${api()}/e/${ev.eventId}`);
      await page.getByText('12 of 12 spots left').waitFor();
      // Someone else takes a seat while the page is open; the island's refresh shows it.
      const other = await signIn('prism-rsvp');
      await viaPrism('PUT', `/events/${ev.eventId}/rsvp`, { token: other.token, body: { status: 'going' } });
      const refreshed = page.waitForResponse((r) => r.url().includes(`/api/events/${ev.eventId}`));
      // Runs in the page: its globals, not Node's.
      await page.evaluate(() => (globalThis as any).document.dispatchEvent(new Event('visibilitychange')));
      await refreshed;
      await page.getByText('11 of 12 spots left').waitFor();
      expect(island).toContain(`GET /events/${ev.eventId}`);
      await expect(page.locator('.spots').getAttribute('aria-live')).resolves.toBe('polite');
      await expectAccessible(page);
      await screenshots(page, 'event-spots-refreshed');
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('the main flows answer as described', async () => {
    const newcomer = await signIn('prism-join');
    const joined = await viaPrism('POST', `/associations/${fx.associationId}/members`, { token: newcomer.token, body: { planId: fx.freePlanId } });
    expect(joined.status).toBe(201);

    const ev = await createEvent(fx.organizer, fx.associationId, { title: 'Proxy Talks', capacity: 1, waitlist: true, matchmaking: { enabled: true } });
    expect((await viaPrism('PUT', `/events/${ev.eventId}/rsvp`, { token: fx.member.token, body: { status: 'going' } })).body.status).toBe('going');
    const waiting = await viaPrism('PUT', `/events/${ev.eventId}/rsvp`, { token: newcomer.token, body: { status: 'going' } });
    expect(waiting.body).toEqual(expect.objectContaining({ status: 'waitlisted', waitlistPosition: 1 }));
    expect((await viaPrism('PUT', `/events/${ev.eventId}/rsvp`, { token: newcomer.token, body: { status: 'not_going' } })).body.status).toBe('not_going');
    expect((await viaPrism('PUT', `/events/${ev.eventId}/rsvp`, { token: fx.other.token, body: { status: 'going' } })).body.status).toBe('waitlisted');
    expect((await viaPrism('DELETE', `/events/${ev.eventId}/rsvp`, { token: fx.other.token })).status).toBe(200);

    expect((await viaPrism('GET', `/associations/${fx.associationId}/members?limit=2`, { token: fx.admin.token })).body.nextCursor).toEqual(expect.any(String));
    const attendees = await viaPrism('GET', `/events/${ev.eventId}/attendees`, { token: fx.organizer.token });
    const going = attendees.body.items.find((a: { status: string }) => a.status === 'going');
    expect((await viaPrism('POST', `/events/${ev.eventId}/check-in`, { token: fx.organizer.token, body: { userId: going.userId } })).body.alreadyCheckedIn).toBe(false);
    expect((await viaPrism('GET', `/events/${ev.eventId}/attendees/export`, { token: fx.organizer.token })).status).toBe(200);
    expect((await viaPrism('GET', `/events/${ev.eventId}/attendees/export?format=url`, { token: fx.organizer.token })).body.url).toEqual(expect.any(String));
    expect((await viaPrism('GET', `/associations/${fx.associationId}/members/export?format=url`, { token: fx.admin.token })).status).toBe(200);
    expect((await viaPrism('POST', `/events/${ev.eventId}/matches/preview`, { token: fx.organizer.token })).body.figures).toBeDefined();

    expect((await viaPrism('GET', '/me/profile', { token: newcomer.token })).status).toBe(200);
    expect((await viaPrism('PUT', '/me/profile', { token: newcomer.token, body: { name: 'Grace Hopper', skills: ['cobol'], offers: [], seeks: [] } })).body.name).toBe('Grace Hopper');
    expect((await viaPrism('GET', '/me/export', { token: newcomer.token })).status).toBe(200);
    expect((await viaPrism('GET', '/me/associations', { token: newcomer.token })).body.items.length).toBeGreaterThan(0);

    // Events list with a cursor, anonymous (public events) and as a member.
    await createEvent(fx.organizer, fx.associationId, { title: 'Proxy Later' });
    const first = await viaPrism('GET', `/associations/${fx.associationId}/events?limit=1`, { token: fx.member.token });
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect((await viaPrism('GET', `/associations/${fx.associationId}/events?limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`, { token: fx.member.token })).status).toBe(200);
    expect((await viaPrism('GET', `/associations/${fx.associationId}/events`)).status).toBe(200);
    expect((await viaPrism('GET', `/associations/${fx.associationId}`)).status).toBe(200);
    expect((await viaPrism('GET', `/associations/${fx.associationId}/plans`)).status).toBe(200);
    expect((await viaPrism('GET', '/vocabulary')).status).toBe(200);

    // Errors are described too: another association's member, a bad body, an unknown event.
    const outsider = await signIn('prism-outsider');
    expect((await viaPrism('GET', `/associations/${fx.associationId}/members`, { token: outsider.token })).status).toBe(403);
    expect((await viaPrism('POST', `/associations/${fx.associationId}/members`, { token: newcomer.token, body: { planId: fx.freePlanId } })).status).toBe(409);
    expect((await viaPrism('GET', '/events/no-such-event')).status).toBe(404);
  }, 120_000);

  it('found no violation and no unlisted status', () => {
    expect(seen.length).toBeGreaterThan(20);
    expect(seen.filter((s) => s.violations).map((s) => `${s.method} ${s.path} ${s.status}: ${s.violations}`)).toEqual([]);
    expect(seen.filter((s) => !s.listed).map((s) => `${s.method} ${s.path} ${s.status}`)).toEqual([]);
  });
});
