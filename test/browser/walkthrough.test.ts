/**
 * The issue's "Done when", as a new user walks it, on `npm run seed`'s data: open the
 * association page, find the seeded event, RSVP (signing in on the way), join and pay the
 * paid plan on the Stripe stand-in's checkout, then, as the seeded organizer, run the event
 * (check the new attendee in by their code, download the door list, preview and send
 * matches), see the past event's charts, and, as the seeded admin, reach the dashboard from
 * the association page and see its charts. Screenshots of each step at 390x844 and
 * 1280x800 go to .screenshots/walkthrough/; axe runs on every page.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { api } from '../support/http.js';
import { openBrowser, screenshots, expectAccessible } from '../support/browser.js';
import { parseCsvStrict, waitForMail } from '../support/events.js';

interface SeedOut {
  associationId: string;
  slug: string;
  events: Record<'mixer' | 'past', string>;
  emails: Record<'owner' | 'admin' | 'organizer' | 'member', string>;
}

function runSeed(): Promise<SeedOut> {
  const file = join(mkdtempSync(join(tmpdir(), 'assoc-seed-')), 'seed.json');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/seed.ts'], { env: { ...process.env, API_URL: api(), SEED_JSON: file, NODE_OPTIONS: '' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let errors = '';
    child.stderr.on('data', (d) => (errors += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(readFileSync(file, 'utf8'))) : reject(new Error(`seed exited ${code}:\n${errors}`))));
  });
}

let seed: SeedOut;
let browser: Awaited<ReturnType<typeof openBrowser>>;
const newcomer = `nora.newcomer.${Date.now().toString(36)}@example.test`;

beforeAll(async () => {
  [seed, browser] = await Promise.all([runSeed(), openBrowser()]);
}, 240_000);
afterAll(async () => {
  await browser?.close();
});

async function signInOnPage(page: Page, email: string, name: string) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Name').fill(name);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function step(page: Page, name: string) {
  await expectAccessible(page);
  await screenshots(page, `walkthrough/${name}`);
}

/** Reloads until `done` holds (a webhook finishes in the background). */
async function reloadUntil(page: Page, done: () => Promise<boolean>, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen in time`);
    await page.waitForTimeout(500);
    await page.reload();
  }
}

describe('the walkthrough on the seed', () => {
  it('finds the event, RSVPs, pays, runs the event as its organizer and sees the charts', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${api()}/a/${seed.slug}`);
    await page.getByRole('heading', { level: 1, name: 'Climate Tech Club' }).waitFor();
    await step(page, '01-association');

    // The seeded event, from the association's upcoming events; RSVP signed out → sign in → back.
    await page.getByRole('link', { name: 'Climate Tech Mixer' }).click();
    await page.waitForURL(`**/e/${seed.events.mixer}`);
    await step(page, '02-event-signed-out');
    await page.getByRole('link', { name: /Sign in to RSVP/ }).first().click();
    await step(page, '03-sign-in');
    await signInOnPage(page, newcomer, 'Nora Newcomer');
    await page.waitForURL(`**/e/${seed.events.mixer}`);
    await page.getByRole('button', { name: 'RSVP', exact: true }).click();
    await page.getByText('You’re going.').first().waitFor();
    await step(page, '04-event-going');

    // Join the paid plan and pay on the stand-in's checkout, back to an active membership.
    await page.goto(`${api()}/a/${seed.slug}`);
    await page.getByRole('button', { name: 'Join and pay', exact: false }).first().click();
    await page.waitForURL(/\/checkout\//);
    await step(page, '05-checkout');
    await page.getByRole('button', { name: /^Pay / }).click();
    await page.waitForURL('**/account?saved=paid#memberships');
    const membership = page.locator('li.membership', { has: page.getByRole('heading', { name: 'Climate Tech Club' }) });
    await reloadUntil(page, async () => (await membership.getByText('active', { exact: true }).count()) > 0, 'the membership becoming active');
    await step(page, '06-account-paid');
    // The check-in code, from the confirmation mail as the attendee would show it.
    const [confirmation] = await waitForMail(newcomer, { filter: (m) => (m.body.text ?? '').includes('Your check-in code:') });
    const code = /Your check-in code: ([A-Z0-9]{6,12})\./.exec(confirmation!.body.text!)![1]!;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${api()}/`);

    // The organizer runs the event: check-in by code, the door list, matches.
    await page.goto(`${api()}/manage/events/${seed.events.mixer}`);
    await signInOnPage(page, seed.emails.organizer, 'Ben Tanaka');
    await page.waitForURL(`**/manage/events/${seed.events.mixer}`);
    await step(page, '07-manage-event');
    await page.getByLabel('Check-in code').fill(code);
    await page.getByRole('button', { name: 'Check in', exact: true }).click();
    await page.getByRole('status').getByText('Nora Newcomer is checked in.').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Door list (CSV)' }).click()]);
    const csv = parseCsvStrict(readFileSync((await download.path())!));
    expect(csv.rows.length).toBeGreaterThanOrEqual(31);
    expect(csv.rows.some((r) => r.includes('Nora Newcomer'))).toBe(true);
    await page.goto(`${api()}/manage/events/${seed.events.mixer}`);
    await page.getByRole('button', { name: 'Preview matches' }).click();
    await page.getByText('Attendees who opted in').waitFor();
    await step(page, '08-matches-preview');
    await page.getByRole('button', { name: 'Send matches now' }).click();
    await page.getByRole('status').getByText(/Matches sent/).waitFor();
    await step(page, '09-matches-sent');

    // The past event's charts: RSVPs, check-ins and ratings drawn.
    await page.goto(`${api()}/manage/events/${seed.events.past}`);
    await page.locator('#charts').scrollIntoViewIfNeeded();
    for (const id of ['rsvps', 'checkins', 'ratings']) await page.locator(`[data-chart="${id}"] canvas`).first().waitFor({ timeout: 10_000 });
    await step(page, '10-past-event-charts');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${api()}/`);

    // The admin reaches the dashboard from the association page and sees its charts.
    await page.goto(`${api()}/sign-in?next=${encodeURIComponent(`/a/${seed.slug}`)}`);
    await signInOnPage(page, seed.emails.admin, 'Chloé Farouk');
    await page.waitForURL(`**/a/${seed.slug}`);
    await page.getByRole('link', { name: 'Manage this association' }).click();
    await page.waitForURL(`**/manage/associations/${seed.associationId}`);
    await page.locator('#charts').scrollIntoViewIfNeeded();
    for (const id of ['members', 'dues', 'renewals']) await page.locator(`[data-chart="${id}"] canvas`).first().waitFor({ timeout: 10_000 });
    await step(page, '11-admin-dashboard');
    await page.close();
  }, 120_000);
});
