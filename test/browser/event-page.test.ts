/**
 * The shared event page and the association page in headless Chromium, as a person uses
 * them: found from the association page, read without script, RSVP signed out → sign in
 * → back → going, the waitlist when full; axe-core on every page; screenshots taken.
 */
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { api } from '../support/http.js';
import { buildAssociation, createPlan, type AssociationFixture } from '../support/fixtures.js';
import { createEvent, rsvp } from '../support/events.js';
import { openBrowser, screenshots, expectAccessible, stamp } from '../support/browser.js';

let fx: AssociationFixture;
let browser: Awaited<ReturnType<typeof openBrowser>>;

beforeAll(async () => {
  browser = await openBrowser();
  fx = await buildAssociation({ stripe: true });
  await createPlan(fx.owner.token, fx.associationId, { name: 'Professional', amount: 12000, interval: 'year', benefits: ['Member directory', 'Matchmaking at every event'] });
});
// Each test starts signed out, as a new visitor would.
beforeEach(async () => {
  await browser.context.clearCookies();
});
afterAll(async () => {
  await browser?.close();
});


async function signInOnIssuerPage(page: Page, email: string, name: string) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Name').fill(name);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('event page in a browser', () => {
  it('found from the association page; RSVP signed out → sign in → back → going, and it survives a reload', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, {
      title: 'Winter Mixer',
      description: 'Short talks, then drinks and introductions.\n\nBring a friend.',
      capacity: 30,
      maxGuests: 1,
      questions: [{ id: 'topic', label: 'What would you like to talk about?', type: 'text', required: false }],
    });
    const page = await browser.context.newPage();
    const scripts: { url: string; bytes: number }[] = [];
    page.on('response', async (res) => {
      if (res.request().resourceType() === 'script') scripts.push({ url: res.url(), bytes: gzipSync(await res.body()).length });
    });

    await page.goto(`${api()}/a/${fx.slug}`);
    await expect(page.getByRole('heading', { level: 1, name: 'Test association' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('heading', { name: 'Professional' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await screenshots(page, 'association');

    await page.getByRole('link', { name: 'Winter Mixer' }).click();
    await page.waitForURL(`**/e/${ev.eventId}`);
    await expect(page.getByRole('heading', { level: 1, name: 'Winter Mixer' }).isVisible()).resolves.toBe(true);
    // The reader is in New York, the event in Paris: the island adds the reader's time.
    await expect(page.getByText(/^Your time:/).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await screenshots(page, 'event-signed-out');

    await page.getByRole('link', { name: 'Sign in to RSVP' }).click();
    await expect(page.getByRole('heading', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await screenshots(page, 'sign-in');
    await signInOnIssuerPage(page, `ada.${stamp()}@example.test`, 'Ada Lovelace');
    await page.waitForURL(`**/e/${ev.eventId}`);

    await page.getByLabel('What would you like to talk about?').fill('Batteries');
    await page.getByLabel('Guests you bring').selectOption('1');
    await page.getByRole('button', { name: 'RSVP' }).click();
    await page.getByText('You’re going.', { exact: false }).first().waitFor();
    await expect(page.getByText('28 of 30 spots left').isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await screenshots(page, 'event-going');

    await page.reload();
    await expect(page.getByText('Signed in as Ada Lovelace').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Cancel my RSVP' }).isVisible()).resolves.toBe(true);

    const eventScripts = scripts.filter((s) => s.url.includes('/assets/'));
    const total = eventScripts.reduce((n, s) => n + s.bytes, 0);
    expect(eventScripts.length).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(50 * 1024);
    await page.close();
  });

  it('a full event gives a waitlist position', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { title: 'Tiny Workshop', capacity: 1 });
    expect((await rsvp(fx.other, ev.eventId)).status).toBe(200);
    const page = await browser.context.newPage();
    await page.goto(`${api()}/e/${ev.eventId}`);
    await page.getByRole('link', { name: 'Sign in to RSVP' }).click();
    await signInOnIssuerPage(page, `grace.${stamp()}@example.test`, 'Grace Hopper');
    await page.waitForURL(`**/e/${ev.eventId}`);
    await page.getByRole('button', { name: 'Join the waitlist' }).click();
    await page.getByText('You’re number 1 on the waitlist.').waitFor();
    await expectAccessible(page);
    await screenshots(page, 'event-waitlisted');
    await page.close();
  });

  it('renders its content with JavaScript off, and the form still works', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { title: 'No Script Night' });
    const noJs = await openBrowser({ javaScriptEnabled: false });
    try {
      const page = await noJs.context.newPage();
      await page.goto(`${api()}/e/${ev.eventId}`);
      await expect(page.getByRole('heading', { level: 1, name: 'No Script Night' }).isVisible()).resolves.toBe(true);
      await expect(page.getByText('1 rue de la Paix, Paris').isVisible()).resolves.toBe(true);
      await page.getByRole('link', { name: 'Sign in to RSVP' }).click();
      await signInOnIssuerPage(page, `noscript.${stamp()}@example.test`, 'No Script');
      await page.waitForURL(`**/e/${ev.eventId}`);
      await page.getByRole('button', { name: 'RSVP' }).click();
      await page.waitForURL(`**/e/${ev.eventId}?rsvp=going`);
      await expect(page.getByText('Your check-in code:').isVisible()).resolves.toBe(true);
    } finally {
      await noJs.close();
    }
  });

  it('a members-only event shows its title and date to outsiders, accessibly', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { title: 'Board Dinner', visibility: 'members', description: 'Agenda for members' });
    const page = await browser.context.newPage();
    await page.goto(`${api()}/e/${ev.eventId}`);
    await expect(page.getByRole('heading', { level: 1, name: 'Board Dinner' }).isVisible()).resolves.toBe(true);
    await expect(page.getByText('Agenda for members').count()).resolves.toBe(0);
    await expectAccessible(page);
    await screenshots(page, 'event-members-only');
    await page.close();
  });
});
