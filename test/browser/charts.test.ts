/**
 * The dashboards' charts in headless Chromium: the admin's members, dues and renewals
 * charts and the organizer's RSVP, check-in and rating charts draw (a canvas each) from
 * the counters the stream keeps, their tables hold the same numbers, axe finds nothing
 * serious, and with JavaScript off the summaries and tables are all there is, and enough.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { api, call, signIn } from '../support/http.js';
import { buildAssociation, expectStatus, type AssociationFixture } from '../support/fixtures.js';
import { createEvent, futureTime, rsvp } from '../support/events.js';
import { waitFor } from '../support/dues.js';
import { openBrowser, screenshots, expectAccessible, SCREENSHOTS } from '../support/browser.js';

let fx: AssociationFixture;
let browser: Awaited<ReturnType<typeof openBrowser>>;
let organizerBrowser: Awaited<ReturnType<typeof openBrowser>>;
let noScript: Awaited<ReturnType<typeof openBrowser>>;
let eventId: string;
// The counters' stream reader is serial (its transactions share counter items); in a full run it
// has every other suite's records ahead of it, bulk writes of tens of thousands included.
const COUNTERS_WAIT_MS = 120_000;

beforeAll(async () => {
  [browser, organizerBrowser, noScript, fx] = await Promise.all([openBrowser(), openBrowser(), openBrowser({ javaScriptEnabled: false }), buildAssociation({ stripe: true })]);
  // A payment, an event filled past its capacity, one check-in.
  const payer = await signIn('chart-payer', 'Pat Payer');
  expectStatus(await call('POST', `/associations/${fx.associationId}/members`, { token: payer.token, body: { planId: fx.paidPlanId } }), 201, 'join');
  expectStatus(await call('PATCH', `/associations/${fx.associationId}/members/${payer.userId}`, { token: fx.owner.token, body: { offlinePayment: { amount: 4500, paidAt: new Date().toISOString() } } }), 200, 'offline payment');
  const ev = await createEvent(fx.organizer, fx.associationId, { title: 'Chart night', capacity: 2, waitlist: true, startsAt: futureTime(0, 10), endsAt: futureTime(0, 130) });
  eventId = ev.eventId;
  const people = await Promise.all([0, 1, 2].map((i) => signIn(`chart${i}`, `Chart Person ${i}`)));
  for (const p of people) expectStatus(await rsvp(p, eventId), 200, 'rsvp');
  expectStatus(await call('POST', `/events/${eventId}/check-in`, { token: fx.organizer.token, body: { userId: people[0]!.userId } }), 200, 'check-in');
  // The stream poller counts them; in a full run it has the other suites' backlog ahead of it (a 15 s wait ran out once).
  await waitFor('association counters', async () => (await call('GET', `/associations/${fx.associationId}/stats`, { token: fx.owner.token })).body, (b) => b.duesByMonth?.some((d: { amount: number }) => d.amount === 4500) && b.membersByStatus.at(-1).active === 6, COUNTERS_WAIT_MS);
  await waitFor('event counters', async () => (await call('GET', `/events/${eventId}/stats`, { token: fx.organizer.token })).body, (b) => b.rsvps?.at(-1)?.waitlisted === 1 && b.checkIns.some((c: { count: number }) => c.count === 1), COUNTERS_WAIT_MS);
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await organizerBrowser?.close();
  await noScript?.close();
});

async function signInAs(page: Page, path: string, email: string, name: string) {
  await page.goto(`${api()}${path}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Name').fill(name);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`**${path}`);
}

/** The charts section alone, at both sizes (the whole page is long). */
async function sectionShots(page: Page, name: string) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const [w, h] of [[390, 844], [1280, 800]] as const) {
    await page.setViewportSize({ width: w, height: h });
    await page.waitForTimeout(150); // the charts follow the width
    await page.locator('#charts').screenshot({ path: join(SCREENSHOTS, `${name}-${w}x${h}.png`) });
  }
}

const cells = (page: Page, chart: string) => page.locator(`#chart-${chart}-title ~ details table tbody tr`).allInnerTexts();

describe('charts in a browser', () => {
  it('the admin dashboard draws members, dues and renewals, with tables of the same numbers', async () => {
    const page = await browser.context.newPage();
    await signInAs(page, `/manage/associations/${fx.associationId}`, fx.admin.email, 'Alice Admin');
    await page.locator('#charts').scrollIntoViewIfNeeded();
    for (const id of ['members', 'dues', 'renewals']) await page.locator(`[data-chart="${id}"] canvas`).first().waitFor({ timeout: 10_000 });
    await expect(page.getByRole('heading', { level: 3, name: 'Members by status' }).isVisible()).resolves.toBe(true);
    // Six active (owner, admin, organizer, two members, the payer), €45.00 paid today.
    await expect(page.locator('#charts').getByText(/: 6 active\./).isVisible()).resolves.toBe(true);
    await expect(page.locator('#charts').getByText(/€45\.00 collected/).isVisible()).resolves.toBe(true);
    await page.getByText('Table: members by status per day').click();
    const today = (await cells(page, 'members'))[0]!;
    expect(today.split('\t').map((c) => c.trim()).slice(1)).toEqual(['0', '6', '0', '0', '0']);
    await page.getByText('Table: dues collected per month').click();
    expect((await cells(page, 'dues'))[0]).toContain('€45.00');
    await expectAccessible(page);
    await screenshots(page, 'charts-association');
    await sectionShots(page, 'charts-association-section');
  });

  it('the organizer dashboard draws RSVPs against capacity, check-ins and ratings', async () => {
    const page = await organizerBrowser.context.newPage();
    await signInAs(page, `/manage/events/${eventId}`, fx.organizer.email, 'Olga Organizer');
    await page.locator('#charts').scrollIntoViewIfNeeded();
    for (const id of ['rsvps', 'checkins', 'ratings']) await page.locator(`[data-chart="${id}"] canvas`).first().waitFor({ timeout: 10_000 });
    await expect(page.locator('#charts').getByText('2 seats taken of 2, 1 waitlisted.', { exact: false }).isVisible()).resolves.toBe(true);
    await expect(page.locator('#charts').getByText(/^1 checked in/).isVisible()).resolves.toBe(true);
    await page.getByText('Table: check-ins per 15 minutes', { exact: false }).click();
    expect((await cells(page, 'checkins')).map((r) => r.split('\t').at(-1)!.trim())).toEqual(['1']);
    await expectAccessible(page);
    await screenshots(page, 'charts-event');
    await sectionShots(page, 'charts-event-section');
  });

  it('without JavaScript the summaries and tables carry the numbers', async () => {
    // The organizer's session from the test before (the sign-in page itself is not under test here).
    await noScript.context.addCookies(await organizerBrowser.context.cookies());
    const page = await noScript.context.newPage();
    await page.goto(`${api()}/manage/events/${eventId}`);
    await expect(page.locator('#charts canvas').count()).resolves.toBe(0);
    await page.getByText('Table: seats going and waitlisted', { exact: false }).click();
    expect((await cells(page, 'rsvps'))[0]!.split('\t').slice(1).map((c) => c.trim())).toEqual(['2', '1']);
    // The summaries read on their own (axe needs script, so it ran on the same markup above).
    await expect(page.locator('#charts').getByText(/^1 checked in/).isVisible()).resolves.toBe(true);
    await sectionShots(page, 'charts-event-noscript');
  });
});
