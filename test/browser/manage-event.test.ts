/**
 * The organizer's event page in headless Chromium, as an organizer at the door uses it:
 * sign in, see the attendees, check someone in by the code from their mail (a wrong code
 * first, named on the page), download the door list and read it strictly. axe-core on the
 * page and screenshots at phone and desktop sizes.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { api, call, signIn } from '../support/http.js';
import { buildAssociation, expectStatus, setRole, type AssociationFixture } from '../support/fixtures.js';
import { createEvent, csvObjects, parseCsvStrict, rsvp } from '../support/events.js';
import { matchmakingEvent } from '../support/matching.js';
import { openBrowser, screenshots, expectAccessible, stamp, sessionToken } from '../support/browser.js';

let fx: AssociationFixture;
let browser: Awaited<ReturnType<typeof openBrowser>>;

beforeAll(async () => {
  browser = await openBrowser();
  fx = await buildAssociation();
});
afterAll(async () => {
  await browser?.close();
});


describe('organizer event page in a browser', () => {
  it('sign in, check someone in by code, download the door list', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, {
      title: 'Door night',
      capacity: 3,
      maxGuests: 2,
      questions: [{ id: 'diet', label: 'Dietary needs', type: 'text', required: false }],
    });
    const [ada, bob, cy] = await Promise.all([signIn('ada', 'Ada Lovelace'), signIn('bob', 'Bob Babbage'), signIn('cy', 'Cy Waiting')]);
    const adaCode = expectStatus(await rsvp(ada!, ev.eventId, { status: 'going', guests: 1, answers: { diet: 'Vegetarian' } }), 200, 'rsvp').body.checkInCode as string;
    await rsvp(bob!, ev.eventId);
    expect((await rsvp(cy!, ev.eventId)).body.status).toBe('waitlisted');

    const page = await browser.context.newPage();
    const url = `${api()}/manage/events/${ev.eventId}`;
    await page.goto(url);
    // Signed out: the issuer's sign-in page first.
    await page.getByLabel('Email').fill(`olga.${stamp()}@example.test`);
    await page.getByLabel('Name').fill('Olga Organizer');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`**/manage/events/${ev.eventId}`);
    // Not staff yet: refused in words.
    await expect(page.getByRole('heading', { level: 1, name: 'Not allowed' }).isVisible()).resolves.toBe(true);

    const token = (await sessionToken(browser.context))!;
    const joined = expectStatus(await call('POST', `/associations/${fx.associationId}/members`, { token, body: { planId: fx.freePlanId } }), 201, 'join').body;
    await setRole(fx.owner, fx.associationId, joined.userId, 'organizer');
    await page.reload();
    await expect(page.getByRole('heading', { level: 1, name: 'Door night' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('rowheader', { name: 'Ada Lovelace' }).isVisible()).resolves.toBe(true);
    await expect(page.getByText('Dietary needs: Vegetarian').isVisible()).resolves.toBe(true);

    // A wrong code first: named on the page, the field marked.
    await page.getByLabel('Check-in code').fill('ZZZZZZZZ');
    await page.getByRole('button', { name: 'Check in', exact: true }).click();
    await expect(page.getByRole('alert').getByText('There is a problem').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('link', { name: 'Check-in code' }).isVisible()).resolves.toBe(true);
    await expect(page.getByLabel('Check-in code').getAttribute('aria-invalid')).resolves.toBe('true');
    await expectAccessible(page);
    await screenshots(page, 'manage-event-error');

    await page.getByLabel('Check-in code').fill(adaCode.toLowerCase());
    await page.getByRole('button', { name: 'Check in', exact: true }).click();
    await page.waitForURL('**/manage/events/*?checkedIn=*');
    await expect(page.getByRole('status').getByText('Ada Lovelace is checked in.').isVisible()).resolves.toBe(true);
    const attended = (await call('GET', `/events/${ev.eventId}`, { token })).body.attendedCount;
    expect(attended).toBe(1);

    // The door list downloads and reads as a spreadsheet would.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Door list (CSV)' }).click()]);
    expect(download.suggestedFilename()).toBe(`${ev.eventId}-door-list.csv`);
    const csv = parseCsvStrict(readFileSync((await download.path())!));
    expect(csv.header).toEqual(['name', 'company', 'guests']);
    expect(csvObjects(csv).map((r) => `${r.name}+${r.guests}`).sort()).toEqual(['Ada Lovelace+1', 'Bob Babbage+0']);

    // Keyboard: the focus ring shows on the first control reached by Tab.
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => {
      const g = globalThis as any;
      return g.getComputedStyle(g.document.activeElement).outlineStyle as string;
    });
    expect(outline).not.toBe('none');
    await expectAccessible(page);
    await screenshots(page, 'manage-event');

    // Matching: the preview's figures on the page, then send.
    const mm = await matchmakingEvent(fx.organizer, fx.associationId, { title: 'Match night' });
    await page.goto(`${api()}/manage/events/${mm.eventId}`);
    await page.getByRole('button', { name: 'Preview matches' }).click();
    await expect(page.getByText('Attendees who opted in').isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await screenshots(page, 'manage-event-matching');
    await page.getByRole('button', { name: 'Send matches now' }).click();
    await expect(page.getByRole('status').getByText(/Matches sent/).isVisible()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Send matches now' }).click();
    await expect(page.getByRole('alert').getByText('Matches for this event were already sent.').isVisible()).resolves.toBe(true);

    await page.goto(url);
    await page.getByRole('link', { name: 'Cancel this event…' }).click();
    await page.waitForURL('**/cancel');
    await expectAccessible(page);
    await screenshots(page, 'manage-event-cancel');
    await page.close();
  });
});
