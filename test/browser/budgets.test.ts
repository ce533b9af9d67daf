/**
 * The web app's script budgets (issue 9, "Fast"): the event page ships at most 50 KB of
 * JavaScript compressed, no page more than 150 KB, counted as Chromium receives them (the
 * local gateway compresses /assets/ as CloudFront does), with an empty cache; and the event
 * page's content (title, date, RSVP form) is in its HTML, so it shows with JavaScript off.
 * bench/web.ts prints the same figures; docs/benchmarks.md has the last run.
 */
import type { BrowserContext } from 'playwright-core';
import { api } from '../support/http.js';
import { buildAssociation, type AssociationFixture, type User } from '../support/fixtures.js';
import { createEvent, type EventView } from '../support/events.js';
import { openBrowser } from '../support/browser.js';

const KB = 1000;
let fx: AssociationFixture;
let ev: EventView;
let browser: Awaited<ReturnType<typeof openBrowser>>;
let noScript: Awaited<ReturnType<typeof openBrowser>>;

beforeAll(async () => {
  [browser, noScript, fx] = await Promise.all([openBrowser(), openBrowser({ javaScriptEnabled: false }), buildAssociation()]);
  ev = await createEvent(fx.organizer, fx.associationId, {
    title: 'Budget Mixer',
    capacity: 30,
    maxGuests: 1,
    questions: [{ id: 'topic', label: 'What would you like to talk about?', type: 'text', required: false }],
  });
});
afterAll(async () => {
  await browser?.close();
  await noScript?.close();
});

const signedInAs = async (context: BrowserContext, user?: User) => {
  await context.clearCookies();
  // The session cookie the web app sets after sign-in holds the ID token.
  if (user) await context.addCookies([{ name: 'session', value: user.token, url: api(), httpOnly: true, sameSite: 'Lax' }]);
};

/** Script bytes a page makes Chromium download (encoded body sizes), with the cache off. */
async function scriptBytes(path: string, user?: User): Promise<{ status: number; total: number; scripts: { url: string; bytes: number; encoding?: string }[] }> {
  await signedInAs(browser.context, user);
  const page = await browser.context.newPage();
  try {
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    const pending: Promise<{ url: string; bytes: number; encoding?: string }>[] = [];
    page.on('response', (res) => {
      if (res.request().resourceType() !== 'script') return;
      pending.push(res.finished().then(async () => ({ url: new URL(res.url()).pathname, bytes: (await res.request().sizes()).responseBodySize, encoding: (await res.allHeaders())['content-encoding'] })));
    });
    const nav = await page.goto(`${api()}${path}`, { waitUntil: 'networkidle' });
    const scripts = await Promise.all(pending);
    return { status: nav?.status() ?? 0, total: scripts.reduce((s, x) => s + x.bytes, 0), scripts };
  } finally {
    await page.close();
  }
}

describe('script budgets', () => {
  it('the event page ships at most 50 KB of JavaScript, compressed as served, signed out and signed in', async () => {
    for (const user of [undefined, fx.member]) {
      const r = await scriptBytes(`/e/${ev.eventId}`, user);
      expect(r.status).toBe(200);
      // The island is there (so the count is not trivially zero) and came compressed.
      expect(r.scripts.map((s) => s.url)).toContain('/assets/event.js');
      for (const s of r.scripts) expect({ url: s.url, encoding: s.encoding }).toEqual({ url: s.url, encoding: expect.stringMatching(/^(br|gzip)$/) });
      expect(r.total).toBeGreaterThan(0);
      expect(r.total).toBeLessThanOrEqual(50 * KB);
    }
  });

  it('no page loads more than 150 KB of JavaScript', async () => {
    const pages: [string, User | undefined][] = [
      ['/', undefined],
      [`/a/${fx.slug}`, undefined],
      [`/e/${ev.eventId}`, undefined],
      [`/e/${ev.eventId}`, fx.member],
      [`/sign-in?next=${encodeURIComponent(`/e/${ev.eventId}`)}`, undefined],
      ['/account', fx.member],
      [`/manage/associations/${fx.associationId}`, fx.admin],
      [`/manage/associations/${fx.associationId}/events/new`, fx.organizer],
      [`/manage/events/${ev.eventId}`, fx.organizer],
    ];
    const over: string[] = [];
    for (const [path, user] of pages) {
      const r = await scriptBytes(path, user);
      // The new-event page may not exist on every branch yet; every other page must answer.
      if (r.status === 404 && path.endsWith('/events/new')) continue;
      expect(`${path} ${r.status}`).toBe(`${path} 200`);
      if (r.total > 150 * KB) over.push(`${path}: ${r.total} bytes (${r.scripts.map((s) => `${s.url} ${s.bytes}`).join(', ')})`);
    }
    expect(over).toEqual([]);
  });
});

describe('the event page without JavaScript', () => {
  it('has its title, date and RSVP form in the HTML, before any script runs', async () => {
    await signedInAs(noScript.context, fx.other);
    const page = await noScript.context.newPage();
    await page.goto(`${api()}/e/${ev.eventId}`);
    await expect(page.getByRole('heading', { level: 1, name: 'Budget Mixer' }).isVisible()).resolves.toBe(true);
    const when = page.locator('time').first();
    await expect(when.isVisible()).resolves.toBe(true);
    await expect(when.getAttribute('datetime')).resolves.toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    await expect(when.textContent()).resolves.toMatch(/\d/);
    // The form posts without script: question, guests and the button are all there.
    const form = page.locator('form[data-rsvp-form]');
    await expect(form.getAttribute('method')).resolves.toBe('post');
    await expect(page.getByLabel('What would you like to talk about?').isVisible()).resolves.toBe(true);
    await expect(page.getByLabel('Guests you bring').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'RSVP' }).isVisible()).resolves.toBe(true);
    await page.close();

    // Signed out: the same title and date, and the way to RSVP.
    await signedInAs(noScript.context);
    const out = await noScript.context.newPage();
    await out.goto(`${api()}/e/${ev.eventId}`);
    await expect(out.getByRole('heading', { level: 1, name: 'Budget Mixer' }).isVisible()).resolves.toBe(true);
    await expect(out.locator('time').first().isVisible()).resolves.toBe(true);
    await expect(out.getByRole('link', { name: 'Sign in to RSVP' }).isVisible()).resolves.toBe(true);
    await out.close();
  });
});
