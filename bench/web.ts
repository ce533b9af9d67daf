/**
 * The web app's weight and speed (issue 9, "Fast"), on the local stack (127.0.0.1 only):
 *   1. the built islands (web/dist/assets): raw, gzip -9 and brotli q11, as CloudFront's
 *      /assets/* behavior (CachingOptimized: gzip and brotli) would serve them;
 *   2. every page in headless Chromium (/usr/bin/chromium via playwright-core), signed out
 *      and as the role that may see it, each in a fresh context (empty cache): the scripts
 *      it requests and the bytes transferred for them (the gateway compresses /assets/ as
 *      CloudFront does), and the page's own HTML (CloudFront does not compress pages: their
 *      behavior is CachingDisabled);
 *   3. the event page's first contentful paint with the CPU throttled 4x (CDP
 *      Emulation.setCPUThrottlingRate), median of BENCH_WEB_RUNS runs, beside baselines from
 *      the same run: the same event as JSON (GET /events/{id}) fetched by Node, and a minimal
 *      page that fetches that JSON and prints it, under the same throttling.
 * Figures only, no assertions (test/browser/budgets.test.ts holds the budgets).
 *
 *   npx tsx bench/web.ts        BENCH_WEB_RUNS=9 (FCP runs per page)   CHROMIUM_PATH=/usr/bin/chromium
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import type { RunningStack } from '../scripts/local/stack.js';
import { mixerEvent } from '../scripts/seed/events.js';
import { call, envNumber, expectStatus, fmt, isMain, kib, machineInfo, percentile, root, signIn, sortedCopy, table, uniqueSlug, withStack, type User } from './common.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const br = (b: Buffer) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: b.length } }).length;
const gz = (b: Buffer) => gzipSync(b, { level: 9 }).length;

interface Built {
  name: string;
  raw: number;
  gzip: number;
  brotli: number;
}

/** Builds the islands (so the figures are of this tree) and measures every file under web/dist/assets. */
function builtAssets(log: (s: string) => void): Map<string, Built> {
  const r = spawnSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: root, encoding: 'utf8', timeout: 180_000 });
  if (r.status !== 0) throw new Error(`npm run build:web failed:\n${r.stdout}\n${r.stderr}`);
  const dir = join(root, 'web/dist/assets');
  const out = new Map<string, Built>();
  for (const name of readdirSync(dir).sort()) {
    if (!/\.(js|css)$/.test(name)) continue;
    const bytes = readFileSync(join(dir, name));
    out.set(`/assets/${name}`, { name, raw: bytes.length, gzip: gz(bytes), brotli: br(bytes) });
  }
  const rows = [...out.values()].map((b) => [b.name, kib(b.raw), kib(b.gzip), kib(b.brotli)]);
  log(table(['file (web/dist/assets)', '>raw KiB', '>gzip -9 KiB', '>brotli 11 KiB'], rows));
  return out;
}

interface Fixture {
  slug: string;
  associationId: string;
  eventId: string;
  owner: User;
  member: User;
}

/** An association with a free and a paid plan, a public event, and a member who is going. */
async function seed(api: string): Promise<Fixture> {
  const owner = await signIn(api, 'web-owner', 'Olivia Owner');
  const member = await signIn(api, 'web-member', 'Ada Lovelace');
  const a = expectStatus(await call(api, 'POST', '/associations', { token: owner.token, body: { name: 'Climate Tech Club', slug: uniqueSlug('bench-web'), currency: 'eur', timezone: 'Europe/Paris', description: 'Founders, engineers and investors working on climate, meeting monthly in Paris.' } }), 201, 'association').body;
  const free = expectStatus(await call(api, 'POST', `/associations/${a.associationId}/plans`, { token: owner.token, body: { name: 'Community', amount: 0, interval: 'year', description: 'Events and the newsletter.' } }), 201, 'free plan').body;
  expectStatus(await call(api, 'POST', `/associations/${a.associationId}/plans`, { token: owner.token, body: { name: 'Professional', amount: 12000, interval: 'year', benefits: ['Member directory', 'Matchmaking at every event'] } }), 201, 'paid plan');
  expectStatus(await call(api, 'POST', `/associations/${a.associationId}/members`, { token: member.token, body: { planId: free.planId } }), 201, 'join');
  const ev = expectStatus(
    await call(api, 'POST', `/associations/${a.associationId}/events`, {
      token: owner.token,
      body: mixerEvent(new Date(), { description: 'Short talks, then drinks and introductions.\n\nBring a friend.' }),
    }),
    201,
    'event',
  ).body;
  expectStatus(await call(api, 'PUT', `/events/${ev.eventId}/rsvp`, { token: member.token, body: { status: 'going', answers: { topic: 'Batteries' } } }), 200, 'rsvp');
  return { slug: a.slug, associationId: a.associationId, eventId: ev.eventId, owner, member };
}

/** A fresh context (no cache, no cookies); signed in by the session cookie the web app sets after sign-in (the ID token). */
async function contextFor(browser: Browser, web: string, user?: User): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, timezoneId: 'America/New_York', locale: 'en-US' });
  if (user) await context.addCookies([{ name: 'session', value: user.token, url: web, httpOnly: true, sameSite: 'Lax' }]);
  return context;
}

interface PageWeight {
  label: string;
  path: string;
  status: number;
  htmlBytes: number;
  htmlGzip: number;
  scripts: { url: string; transferred: number; encoding: string; built?: Built }[];
  acceptEncoding: string;
}

async function weighPage(browser: Browser, web: string, label: string, path: string, user: User | undefined, built: Map<string, Built>): Promise<PageWeight> {
  const context = await contextFor(browser, web, user);
  try {
    const page = await context.newPage();
    const responses: Promise<PageWeight['scripts'][number] | null>[] = [];
    let acceptEncoding = '';
    page.on('response', (res) => {
      if (res.request().resourceType() !== 'script') return;
      responses.push(
        (async () => {
          // responseBodySize: the body as it came over the wire (encoded), once the response has finished.
          await res.finished();
          const sizes = await res.request().sizes();
          acceptEncoding ||= (await res.request().allHeaders())['accept-encoding'] ?? '';
          const pathname = new URL(res.url()).pathname;
          return { url: pathname, transferred: sizes.responseBodySize, encoding: (await res.allHeaders())['content-encoding'] ?? 'identity', built: built.get(pathname) };
        })().catch(() => null),
      );
    });
    const nav = await page.goto(`${web}${path}`, { waitUntil: 'networkidle' });
    const html = Buffer.from((await nav?.body()) ?? '');
    const scripts = (await Promise.all(responses)).filter((s): s is NonNullable<typeof s> => !!s);
    return { label, path, status: nav?.status() ?? 0, htmlBytes: html.length, htmlGzip: gz(html), scripts, acceptEncoding };
  } finally {
    await context.close();
  }
}

/** Runs the page N times in fresh contexts with the CPU throttled; returns FCP and TTFB (ms) per run. */
async function paintTimes(browser: Browser, url: string, runs: number, opts: { user?: User; web: string; blockScripts?: boolean; waitFor?: string }) {
  const fcp: number[] = [];
  const ttfb: number[] = [];
  let missed = 0;
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    // The page without its islands: script files are refused (the page itself must stay scriptable to be measured).
    if (opts.blockScripts) await context.route(/\.m?js(\?|$)/, (r) => r.abort());
    if (opts.user) await context.addCookies([{ name: 'session', value: opts.user.token, url: opts.web, httpOnly: true, sameSite: 'Lax' }]);
    try {
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
      await page.goto(url, { waitUntil: 'load' });
      if (opts.waitFor) await page.waitForSelector(opts.waitFor, { timeout: 30_000 });
      // Polled from here: plain evaluations, so no timer of the page's own is needed.
      const expression = `JSON.stringify({ fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null, ttfb: performance.getEntriesByType('navigation')[0]?.responseStart ?? null })`;
      let t: { fcp: number | null; ttfb: number | null } = { fcp: null, ttfb: null };
      for (const until = Date.now() + 20_000; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
        const { result } = await cdp.send('Runtime.evaluate', { expression, returnByValue: true });
        if (typeof result.value !== 'string') break;
        t = JSON.parse(result.value);
        if (t.fcp !== null) break;
      }
      if (t.fcp === null) missed++;
      else fcp.push(t.fcp);
      if (t.ttfb !== null) ttfb.push(t.ttfb);
      process.stderr.write('.');
    } finally {
      await context.close();
    }
  }
  return { fcp: sortedCopy(fcp), ttfb: sortedCopy(ttfb), missed };
}

/** A page that is nothing but the event's JSON: fetched by a script and printed (the raw baseline). */
async function rawPageServer(api: string, eventId: string) {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>raw</title></head>
<body><pre id="out"></pre><script>fetch(${JSON.stringify(`${api}/events/${eventId}`)}).then((r) => r.text()).then((t) => { document.getElementById('out').textContent = t; });</script></body></html>`;
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(html);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  return { url, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const median = (xs: Float64Array) => percentile(xs, 50);
const spread = (xs: Float64Array) => `${fmt(xs[0]!, 0)}–${fmt(xs[xs.length - 1]!, 0)}`;

export async function benchWeb(stack: RunningStack, log: (s: string) => void = console.log): Promise<void> {
  const runs = Math.round(envNumber('BENCH_WEB_RUNS', 9, 101));
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}: sudo apt-get install -y chromium (or set CHROMIUM_PATH)`);
  const web = stack.urls.web;
  const api = stack.urls.api;
  if (!web.startsWith('http://127.0.0.1:')) throw new Error(`refusing to open ${web}: not 127.0.0.1`);

  log('### Built islands\n');
  const built = builtAssets(log);

  const fx = await seed(api);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  try {
    // Every page of the web app, as the visitor who would open it.
    const pages: [string, string, User | undefined][] = [
      ['home, signed out', '/', undefined],
      ['association, signed out', `/a/${fx.slug}`, undefined],
      ['event, signed out', `/e/${fx.eventId}`, undefined],
      ['event, member going', `/e/${fx.eventId}`, fx.member],
      ['sign-in (issuer page)', `/sign-in?next=${encodeURIComponent(`/e/${fx.eventId}`)}`, undefined],
      ['account, member', '/account', fx.member],
      ['manage association, owner', `/manage/associations/${fx.associationId}`, fx.owner],
      ['new event, owner', `/manage/associations/${fx.associationId}/events/new`, fx.owner],
      ['manage event, owner', `/manage/events/${fx.eventId}`, fx.owner],
    ];
    const weights: PageWeight[] = [];
    for (const [label, path, user] of pages) weights.push(await weighPage(browser, web, label, path, user, built));

    log('\n### Script bytes per page (fresh cache)\n');
    log(`Chromium's Accept-Encoding: "${weights.find((w) => w.acceptEncoding)?.acceptEncoding ?? '(no scripts requested)'}"\n`);
    const kb = (n: number) => fmt(n / 1000, 1);
    log(
      table(
        ['page', 'path', '>status', 'scripts', '>JS transferred kB', 'encoding', '>JS brotli kB', '>JS gzip kB', '>JS raw kB', '>HTML kB', '>HTML gzip kB'],
        weights.map((w) => {
          const sum = (f: (b: Built) => number) => w.scripts.reduce((s, x) => s + (x.built ? f(x.built) : NaN), 0);
          const path = w.path.replace(fx.slug, '{slug}').replace(fx.eventId, '{eventId}').replace(fx.associationId, '{associationId}').replace(encodeURIComponent(`/e/${fx.eventId}`), '…');
          return [
            w.label,
            path,
            w.status,
            w.scripts.map((s) => s.url.replace('/assets/', '')).join(' ') || '-',
            kb(w.scripts.reduce((s, x) => s + x.transferred, 0)),
            [...new Set(w.scripts.map((s) => s.encoding))].join(',') || '-',
            kb(sum((b) => b.brotli)),
            kb(sum((b) => b.gzip)),
            kb(sum((b) => b.raw)),
            kb(w.htmlBytes),
            kb(w.htmlGzip),
          ];
        }),
      ),
    );
    log('\nkB = 1000 bytes (the budgets: 50 kB on the event page, 150 kB on any page). "JS transferred" is the encoded body size Chromium received; brotli/gzip/raw are the same files from web/dist. HTML is sent uncompressed, as CloudFront sends pages under CachingDisabled; "HTML gzip" is what compressing it would give.');

    log(`\n### Event page first contentful paint, CPU throttled 4x, ${runs} runs each (ms; median, min–max)\n`);
    // Node's fetch of the same data: the floor a page reading the API could not beat.
    const jsonMs: number[] = [];
    let jsonBytes = 0;
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const res = await fetch(`${api}/events/${fx.eventId}`);
      jsonBytes = (await res.arrayBuffer()).byteLength;
      jsonMs.push(performance.now() - t0);
    }
    const htmlMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await (await fetch(`${web}/e/${fx.eventId}`)).arrayBuffer();
      htmlMs.push(performance.now() - t0);
    }
    const raw = await rawPageServer(api, fx.eventId);
    try {
      const eventUrl = `${web}/e/${fx.eventId}`;
      const rows: (string | number)[][] = [];
      const add = (what: string, t: { fcp: Float64Array; ttfb: Float64Array; missed: number }) => rows.push([what, fmt(median(t.fcp), 0), spread(t.fcp), fmt(median(t.ttfb), 0), t.missed]);
      add('event page, signed out', await paintTimes(browser, eventUrl, runs, { web }));
      add('event page, member going', await paintTimes(browser, eventUrl, runs, { web, user: fx.member }));
      add('event page, island scripts blocked', await paintTimes(browser, eventUrl, runs, { web, blockScripts: true }));
      add('raw: page fetching GET /events/{id} and printing it', await paintTimes(browser, raw.url, runs, { web, waitFor: '#out:not(:empty)' }));
      log(table(['page', '>FCP median', '>FCP min–max', '>TTFB median', '>runs without FCP'], rows));
      const j = sortedCopy(jsonMs);
      const hm = sortedCopy(htmlMs);
      log(`\nNode fetch, unthrottled (${runs} runs): GET /events/{id} JSON ${fmt(median(j), 1)} ms median (${fmt(j[0]!, 1)}–${fmt(j[j.length - 1]!, 1)}), ${jsonBytes} bytes; GET /e/{id} HTML ${fmt(median(hm), 1)} ms median (${fmt(hm[0]!, 1)}–${fmt(hm[hm.length - 1]!, 1)}).`);
      log('TTFB: navigation responseStart. The raw page is served by a bare Node server on 127.0.0.1 and paints only once the JSON has arrived; its FCP is the fetch of the same data plus one paint.');
    } finally {
      await raw.close();
    }
  } finally {
    await browser.close();
  }
}

if (isMain(import.meta.url)) {
  console.log('# Web app: script bytes and first contentful paint\n');
  console.log(machineInfo());
  console.log();
  withStack((stack) => benchWeb(stack)).catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
