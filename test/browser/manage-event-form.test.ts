/**
 * The organizer's event form in headless Chromium: a new event from the dashboard's link
 * (bad input first: named in the summary, values kept), then on its public page and the
 * dashboard; editing capacity below the seats taken (refused, named) and above (saved, the
 * waitlist moves up); match feedback on the event page; the QR scanner's button, hidden
 * where the browser cannot scan, and its decode → submit with a stubbed BarcodeDetector.
 * axe-core on every page and screenshots at phone and desktop sizes.
 */
import type { Page } from 'playwright-core';
import { api, call, signIn } from '../support/http.js';
import { buildAssociation, expectStatus, setRole, type AssociationFixture } from '../support/fixtures.js';
import { getEvent, rsvp } from '../support/events.js';
import { allGoing, feedback, matchmakingEvent, myMatches, people, sendMatches } from '../support/matching.js';
import { openBrowser, screenshots, expectAccessible, stamp } from '../support/browser.js';

let fx: AssociationFixture;
let browser: Awaited<ReturnType<typeof openBrowser>>;
let page: Page;
let token: string;


beforeAll(async () => {
  browser = await openBrowser();
  fx = await buildAssociation();
  page = await browser.context.newPage();
});
afterAll(async () => {
  await browser?.close();
});

/** A date-time-local value some days ahead (local wall time in the event's zone). */
const ahead = (days: number, hh: string) => `${new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)}T${hh}`;

describe('the organizer creates and edits an event in a browser', () => {
  let eventId: string;

  it('signed out: sign-in first; a member who is not staff is refused', async () => {
    const newUrl = `${api()}/manage/associations/${fx.associationId}/events/new`;
    await page.goto(newUrl);
    await page.getByLabel('Email').fill(`olga.${stamp()}@example.test`);
    await page.getByLabel('Name').fill('Olga Organizer');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`**/manage/associations/${fx.associationId}/events/new`);
    token = (await browser.context.cookies()).find((c) => c.name === 'session')!.value;
    const joined = expectStatus(await call('POST', `/associations/${fx.associationId}/members`, { token, body: { planId: fx.freePlanId } }), 201, 'join').body;
    await page.reload();
    await expect(page.getByRole('heading', { level: 1, name: 'Not allowed' }).isVisible()).resolves.toBe(true);
    // Not by the form's own door either.
    const post = await page.request.post(newUrl, { form: { title: 'Sneaky' }, headers: { origin: api() }, maxRedirects: 0 });
    expect(post.status()).toBe(403);
    await setRole(fx.owner, fx.associationId, joined.userId, 'organizer');
  });

  it('reaches the form from the dashboard; bad input is named field by field and kept', async () => {
    await page.goto(`${api()}/manage/associations/${fx.associationId}`);
    await page.getByRole('link', { name: 'New event' }).click();
    await page.waitForURL('**/events/new');
    await expect(page.getByRole('heading', { level: 1, name: 'New event' }).isVisible()).resolves.toBe(true);
    // The association's zone is the default.
    await expect(page.getByLabel('Time zone').inputValue()).resolves.toBe('Europe/Paris');
    await expectAccessible(page);
    await screenshots(page, 'event-new');

    await page.getByLabel('Description').fill('Talks, then drinks.');
    await page.getByLabel('Starts').fill(ahead(20, '19:00'));
    await page.getByLabel('Ends').fill(ahead(20, '18:00'));
    await page.getByLabel('Venue').fill('Hall 1, Lyon');
    await page.getByLabel('Capacity').fill('2');
    await page.getByLabel('Question 1 label').fill('Dietary needs');
    const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Create the event' }).click()]);
    expect(res.status()).toBe(400);
    const alert = page.getByRole('alert');
    await expect(alert.getByText('There is a problem').isVisible()).resolves.toBe(true);
    await expect(alert.getByRole('link', { name: 'Title' }).isVisible()).resolves.toBe(true);
    await expect(alert.getByRole('link', { name: 'Ends' }).isVisible()).resolves.toBe(true);
    await expect(alert.getByText('must be after the start').isVisible()).resolves.toBe(true);
    await expect(page.getByLabel('Title', { exact: true }).getAttribute('aria-invalid')).resolves.toBe('true');
    // What was typed is still there.
    await expect(page.getByLabel('Description').inputValue()).resolves.toBe('Talks, then drinks.');
    await expect(page.getByLabel('Starts').inputValue()).resolves.toBe(ahead(20, '19:00'));
    await expect(page.getByLabel('Capacity').inputValue()).resolves.toBe('2');
    await expect(page.getByLabel('Question 1 label').inputValue()).resolves.toBe('Dietary needs');
    await expectAccessible(page);
    await screenshots(page, 'event-new-error');

    // The summary's link takes the keyboard to the field.
    await alert.getByRole('link', { name: 'Title' }).click();
    await expect(page.evaluate(() => (globalThis as any).document.activeElement.id)).resolves.toBe('title');
    await page.getByLabel('Title', { exact: true }).fill('Form night');
    await page.getByLabel('Ends').fill(ahead(20, '21:30'));
    await page.getByRole('button', { name: 'Create the event' }).click();
    await page.waitForURL('**/manage/events/*?done=created');
    await expect(page.getByRole('status').getByText('The event is created.').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('heading', { level: 1, name: 'Form night' }).isVisible()).resolves.toBe(true);
    eventId = new URL(page.url()).pathname.split('/').pop()!;
    const stored = await getEvent(eventId, token);
    // 19:00 in Paris, whatever the browser's own zone (New York here).
    expect(stored).toMatchObject({ title: 'Form night', capacity: 2, timezone: 'Europe/Paris', questions: [{ id: 'dietary_needs', label: 'Dietary needs', type: 'text' }] });
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(stored.startsAt))).toBe('19:00');
  });

  it('shows the new event on its public page and on the dashboard', async () => {
    await page.goto(`${api()}/e/${eventId}`);
    await expect(page.getByRole('heading', { level: 1, name: 'Form night' }).isVisible()).resolves.toBe(true);
    await expect(page.getByText('Dietary needs').first().isVisible()).resolves.toBe(true);
    await page.goto(`${api()}/manage/associations/${fx.associationId}`);
    await expect(page.getByRole('link', { name: 'Form night' }).isVisible()).resolves.toBe(true);
  });

  it('refuses a capacity below the seats taken, naming it; a larger one is saved and moves the waitlist up', async () => {
    const [ada, bob, cy] = await Promise.all([signIn('fa', 'Ada Form'), signIn('fb', 'Bob Form'), signIn('fc', 'Cy Form')]);
    await rsvp(ada!, eventId);
    await rsvp(bob!, eventId);
    expect((await rsvp(cy!, eventId)).body.status).toBe('waitlisted');

    await page.goto(`${api()}/manage/events/${eventId}`);
    await page.getByRole('link', { name: 'Edit the event' }).click();
    await page.waitForURL('**/edit');
    await expect(page.getByLabel('Title', { exact: true }).inputValue()).resolves.toBe('Form night');
    await expect(page.getByLabel('Starts').inputValue()).resolves.toBe(ahead(20, '19:00'));
    await page.getByLabel('Capacity').fill('1');
    const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Save changes' }).click()]);
    expect(res.status()).toBe(422);
    await expect(page.getByRole('alert').getByRole('link', { name: 'Capacity' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('alert').getByText('must be at least 2').isVisible()).resolves.toBe(true);
    await expect(page.getByLabel('Capacity').inputValue()).resolves.toBe('1');
    await expectAccessible(page);
    await screenshots(page, 'event-edit-error');
    expect((await getEvent(eventId, token)).capacity).toBe(2);

    await page.getByLabel('Capacity').fill('3');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL('**/manage/events/*?done=saved');
    await expect(page.getByRole('status').getByText('Your changes are saved.').isVisible()).resolves.toBe(true);
    const after = await getEvent(eventId, token);
    expect(after).toMatchObject({ capacity: 3, goingCount: 3, waitlistCount: 0 });
    await expect(page.getByText('3 of 3').isVisible()).resolves.toBe(true);

    // Nothing typed differently: nothing saved, and said so.
    await page.goto(`${api()}/manage/events/${eventId}/edit`);
    await expectAccessible(page);
    await screenshots(page, 'event-edit');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL('**/manage/events/*?done=unchanged');
  });

  it('checks in by a scanned QR code where the browser can scan (stubbed camera and BarcodeDetector); hides the button elsewhere', async () => {
    const dan = await signIn('fd', 'Dan Scan');
    await call('PATCH', `/events/${eventId}`, { token, body: { capacity: 4 } });
    const code = expectStatus(await rsvp(dan!, eventId), 200, 'rsvp').body.checkInCode as string;

    // Headless Chromium on Linux has no BarcodeDetector: the code field alone.
    await page.goto(`${api()}/manage/events/${eventId}`);
    await expect(page.getByRole('button', { name: 'Scan the QR code' }).isVisible()).resolves.toBe(false);

    const scanning = await browser.context.newPage();
    await scanning.addInitScript((value: string) => {
      const g = globalThis as any;
      // A camera: a canvas's stream. A detector that reads the attendee's code once frames arrive.
      g.navigator.mediaDevices.getUserMedia = async () => {
        const canvas = g.document.createElement('canvas');
        canvas.width = 64;
        canvas.height = 64;
        const ctx = canvas.getContext('2d');
        setInterval(() => ctx.fillRect(0, 0, 64, 64), 50);
        return canvas.captureStream(10);
      };
      g.BarcodeDetector = class {
        static async getSupportedFormats() {
          return ['qr_code'];
        }
        async detect() {
          return [{ rawValue: 'not a code!' }, { rawValue: value.toLowerCase() }];
        }
      };
    }, code);
    await scanning.goto(`${api()}/manage/events/${eventId}`);
    const scan = scanning.getByRole('button', { name: 'Scan the QR code' });
    await scan.waitFor({ state: 'visible' });
    await scan.click();
    await scanning.waitForURL('**/manage/events/*?checkedIn=*');
    await expect(scanning.getByRole('status').getByText('Dan Scan is checked in.').isVisible()).resolves.toBe(true);
    expect((await getEvent(eventId, token)).attendedCount).toBe(1);
    await scanning.close();
  });
});

describe('match feedback on the organizer page', () => {
  it('lists the stored matches with what each person said, and the averages', async () => {
    const label = `fbk${stamp().replace(/\W/g, '')}`;
    const [x, y] = await people(label, [
      { name: 'Xavi Feedback', company: 'Xco', offers: ['mentoring'], seeks: ['investment'], interests: ['climate'], matchOptIn: true },
      { name: 'Yara Feedback', company: 'Yco', offers: ['investment'], seeks: ['mentoring'], interests: ['climate'], matchOptIn: true },
    ], { associationId: fx.associationId, planId: fx.freePlanId });
    const e = await matchmakingEvent(fx.organizer, fx.associationId, { title: 'Feedback night' }, { matchesPerAttendee: 1 });
    await allGoing([x!, y!], e.eventId);
    expectStatus(await sendMatches(fx.organizer.token, e.eventId), 200, 'send');
    const [m] = expectStatus(await myMatches(x!.token, e.eventId), 200, 'my matches').body.items;
    expectStatus(await feedback(x!.token, e.eventId, m.matchId, { rating: 4, met: true }), 200, 'feedback');

    await page.goto(`${api()}/manage/events/${e.eventId}`);
    const section = page.getByRole('region', { name: 'Match feedback' });
    await expect(section.getByText('4 of 5, met').isVisible()).resolves.toBe(true);
    await expect(section.getByRole('rowheader', { name: /Xavi Feedback and Yara Feedback|Yara Feedback and Xavi Feedback/ }).isVisible()).resolves.toBe(true);
    await expect(section.getByText('100 %').first().isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await screenshots(page, 'manage-event-feedback');
  });
});
