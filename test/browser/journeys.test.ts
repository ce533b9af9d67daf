/**
 * Two journeys in headless Chromium, as people live them, ending on the account page:
 * (a) join a paid plan from the association's page, pay on the Stripe stand-in's checkout
 * page, come back to /account and see the membership active with its receipt, and open the
 * printable receipt; (b) an organizer previews and sends matches from the event's manage
 * page, the match mail arrives in the local SES, its link opens /account#matches with the
 * match and its reasons, the attendee asks for an introduction and, once the event is
 * over, gives feedback and sees it saved. axe-core and screenshots on every page, and the
 * match mail rendered in Chromium.
 */
import type { Page } from 'playwright-core';
import { api, call } from '../support/http.js';
import { buildAssociation, expectStatus, setRole, type AssociationFixture } from '../support/fixtures.js';
import { addHours, createEvent, rsvp, setEventAttributes, waitForMail } from '../support/events.js';
import { allGoing, matchmakingEvent, people, putProfile } from '../support/matching.js';
import { openBrowser, screenshots, expectAccessible, sessionToken } from '../support/browser.js';

let fx: AssociationFixture;
let browser: Awaited<ReturnType<typeof openBrowser>>;
const stamp = `${Date.now()}.${Math.random().toString(36).slice(2, 8)}`;
const adaEmail = `ada.journey.${stamp}@example.test`;

beforeAll(async () => {
  browser = await openBrowser();
  fx = await buildAssociation({ stripe: true });
});
afterAll(async () => {
  await browser?.close();
});


/** The issuer's sign-in page: the same email is the same account. */
async function signInOnPage(page: Page, email: string, name: string) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Name').fill(name);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(`${api()}/`);
}

/** Reloads until `done` holds (a webhook or the outbox finishes in the background). */
async function reloadUntil(page: Page, done: () => Promise<boolean>, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await done()) return;
    if (Date.now() > deadline) throw new Error(`${what} did not happen in time`);
    await page.waitForTimeout(500);
    await page.reload();
  }
}

describe('journeys ending on the account page', () => {
  it('(a) joins a paid plan, pays on the Stripe checkout page, and sees the active membership with its receipt', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${api()}/a/${fx.slug}`);
    await page.getByRole('link', { name: 'Sign in to join' }).first().click();
    await signInOnPage(page, adaEmail, 'Ada Journey');
    await page.waitForURL(`**/a/${fx.slug}`);

    // The paid plan's own button (named by its card), then the stand-in's checkout page.
    await page.getByRole('button', { name: 'Join and pay', exact: false }).click();
    await page.waitForURL(/\/checkout\//);
    await expect(page.getByText('Test card 4242 4242 4242 4242').isVisible()).resolves.toBe(true);
    await screenshots(page, 'stripe-checkout');
    // Paying sends the browser straight back to the success URL: the account's memberships.
    await page.getByRole('button', { name: /^Pay / }).click();
    await page.waitForURL('**/account?saved=paid#memberships');
    await expect(page.getByText('Thank you. Your payment is confirmed in a moment').isVisible()).resolves.toBe(true);

    const membership = page.locator('li.membership', { has: page.getByRole('heading', { name: 'Test association' }) });
    // The webhooks make it active, and add the ledger entry, a moment after the redirect.
    await reloadUntil(page, async () => (await membership.getByText('active', { exact: true }).count()) > 0 && (await membership.getByRole('link', { name: /^Receipt/ }).count()) > 0, 'the membership becoming active with its payment');
    // The payments table: one row, paid, €50.00 (the plan itself is named "Paid" too).
    const rows = membership.getByRole('region', { name: 'Payments to Test association' }).getByRole('row');
    await expect(rows.count()).resolves.toBe(2);
    await expect(rows.nth(1).getByRole('cell', { name: 'Paid', exact: true }).isVisible()).resolves.toBe(true);
    await expect(rows.nth(1).getByRole('cell', { name: '€50.00', exact: true }).isVisible()).resolves.toBe(true);
    // Paid up for a year: no renew button yet; the billing portal is there.
    await expect(membership.getByRole('button', { name: 'Renew' }).count()).resolves.toBe(0);
    await expect(membership.getByRole('button', { name: 'Billing and card' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);

    await membership.getByRole('link', { name: /^Receipt/ }).first().click();
    await page.waitForURL(/\/account\/receipts\//);
    await expect(page.getByRole('heading', { level: 1, name: 'Receipt' }).isVisible()).resolves.toBe(true);
    await expect(page.getByText('Card, through Stripe').isVisible()).resolves.toBe(true);
    await expect(page.getByText('Ada Journey').first().isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await screenshots(page, 'account-receipt');

    // Someone else opening this address finds nothing: test/integration/web-account-receipts-matches.test.ts.
    await page.close();
  });

  it('(b) the organizer sends matches, the mail links to my matches, the attendee asks for an intro and gives feedback after the event', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${api()}/account`);
    await page.waitForURL(`**/account`);
    const adaToken = (await sessionToken(browser.context))!;
    const ada = { token: adaToken, userId: '', email: adaEmail };
    await putProfile(ada, { name: 'Ada Journey', headline: 'Builds climate dashboards', company: 'Lovelace Labs', jobTitle: 'Founder', interests: ['climate', 'energy'], seeks: ['hiring'], offers: ['mentoring'], matchOptIn: true });

    const mm = await matchmakingEvent(fx.organizer, fx.associationId, { title: 'Climate founders night' });
    const others = await people(`journey${Date.now().toString(36)}`, [
      { name: 'Bob Recruiter', headline: 'Finds engineers for climate startups', company: 'GreenHire', jobTitle: 'Partner', interests: ['climate'], offers: ['hiring'], seeks: ['mentoring'], matchOptIn: true },
      { name: 'Cy Energy', company: 'Grid Co', jobTitle: 'Engineer', interests: ['energy'], offers: ['mentoring'], seeks: ['job'], matchOptIn: true },
    ], { associationId: fx.associationId, planId: fx.freePlanId });
    expectStatus(await rsvp(ada, mm.eventId), 200, 'Ada RSVP');
    await allGoing(others, mm.eventId);
    // An upcoming event too, so "My events" has something to show beside the matches.
    const next = await createEvent(fx.organizer, fx.associationId, { title: 'Autumn assembly' });
    expectStatus(await rsvp(ada, next.eventId), 200, 'Ada RSVP next');
    await signOut(page);

    // The organizer, signed in on the same browser: preview, then send.
    await page.goto(`${api()}/manage/events/${mm.eventId}`);
    await signInOnPage(page, `olga.journey.${stamp}@example.test`, 'Olga Organizer');
    await page.waitForURL(`**/manage/events/${mm.eventId}`);
    const orgToken = (await sessionToken(browser.context))!;
    const joined = expectStatus(await call('POST', `/associations/${fx.associationId}/members`, { token: orgToken, body: { planId: fx.freePlanId } }), 201, 'join').body;
    await setRole(fx.owner, fx.associationId, joined.userId, 'organizer');
    await page.reload();
    await page.getByRole('button', { name: 'Preview matches' }).click();
    await expect(page.getByText('Attendees who opted in').isVisible()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Send matches now' }).click();
    await expect(page.getByRole('status').getByText(/Matches sent/).isVisible()).resolves.toBe(true);
    await signOut(page);

    // The match mail, rendered as a mail client would, then its link.
    const [mail] = await waitForMail(adaEmail, { filter: (m) => m.subject === 'People to meet at Climate founders night' });
    const mailPage = await browser.context.newPage();
    await mailPage.setContent(mail!.body.html!);
    await expect(mailPage.getByText('Bob Recruiter').isVisible()).resolves.toBe(true);
    await screenshots(mailPage, 'mail-matches');
    const link = await mailPage.getByRole('link', { name: 'See your matches' }).getAttribute('href');
    await mailPage.close();
    expect(link).toBe(`${api()}/account#matches`);

    await page.goto(link!);
    await signInOnPage(page, adaEmail, 'Ada Journey');
    await page.waitForURL('**/account');
    await page.goto(link!);
    const matches = page.locator('#matches');
    const bob = matches.locator('li.match', { has: page.getByRole('heading', { name: 'Bob Recruiter' }) });
    await expect(bob.isVisible()).resolves.toBe(true);
    await expect(bob.getByText('Partner, GreenHire').isVisible()).resolves.toBe(true);
    // The reasons, in words (the matching engine's sentences).
    await expect(bob.locator('ul.reasons li').count()).resolves.toBeGreaterThan(0);
    await expect(bob.locator('ul.reasons').innerText()).resolves.toMatch(/hiring|climate/i);
    // Before the event: no feedback form yet.
    await expect(bob.getByRole('button', { name: /feedback/i }).count()).resolves.toBe(0);

    await bob.getByRole('button', { name: 'Introduce us to Bob Recruiter' }).click();
    await page.waitForURL('**/account?saved=intro-asked#matches');
    await expect(page.getByText('Noted. When the other person asks too').isVisible()).resolves.toBe(true);
    await expect(bob.getByText('You asked to be introduced').isVisible()).resolves.toBe(true);

    // The event is over (moved into the past in the table, as time would).
    const startsAt = new Date(Date.now() - 5 * 3_600_000).toISOString();
    await setEventAttributes(mm.eventId, { startsAt, endsAt: addHours(startsAt, 2) });
    await page.goto(`${api()}/account#matches`);

    // A refusal first: no "we met" chosen; named on the page, the rating kept.
    await bob.getByRole('group', { name: /How useful was meeting Bob Recruiter/ }).getByLabel('4').check();
    await bob.getByRole('button', { name: 'Save feedback about Bob Recruiter' }).click();
    await expect(page.getByRole('alert').getByText('We met must be yes or no').isVisible()).resolves.toBe(true);
    await expect(bob.getByRole('group', { name: /How useful was meeting Bob Recruiter/ }).getByLabel('4').isChecked()).resolves.toBe(true);
    await expectAccessible(page);
    await screenshots(page, 'account-matches-error');

    await bob.getByLabel('Yes, we met').check();
    await bob.getByRole('button', { name: 'Save feedback about Bob Recruiter' }).click();
    await page.waitForURL('**/account?saved=feedback#matches');
    await expect(page.getByText('Your feedback is saved.').isVisible()).resolves.toBe(true);
    await expect(bob.getByText('You rated this introduction 4 of 5 and said you met.').isVisible()).resolves.toBe(true);
    await expect(bob.getByLabel('Yes, we met').isChecked()).resolves.toBe(true);
    const mine = expectStatus(await call('GET', `/events/${mm.eventId}/matches/me`, { token: adaToken }), 200, 'my matches').body.items as any[];
    expect(mine.find((m) => m.person.name === 'Bob Recruiter')).toMatchObject({ introRequested: true, feedback: { rating: 4, met: true } });

    // Everything filled: memberships with receipts, an upcoming event, the matches.
    await expect(page.getByRole('link', { name: 'Autumn assembly', exact: true }).isVisible()).resolves.toBe(true);
    await expect(page.locator('#memberships').getByRole('link', { name: /^Receipt/ }).first().isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await screenshots(page, 'account-full');
    await page.close();
  });
});
