/**
 * The page behind the follow-up mail's "connect" link, in headless Chromium as the two people
 * live it: the question naming the other person, a first yes ("Noted"), the second yes
 * (connected), then an expired and a broken link. Each in the site's layout (its stylesheet
 * applied), with no serious axe-core finding, screenshotted at 390x844 and 1280x800.
 */
import type { Page } from 'playwright-core';
import { api, call } from '../support/http.js';
import { buildAssociation, expectStatus } from '../support/fixtures.js';
import { addHours, futureTime, subjectStarts, uniqueLabel, urlAfter, waitForMail } from '../support/events.js';
import { allGoing, feedback, matchIdOf, matchmakingEvent, pathOf, people, sendMatches } from '../support/matching.js';
import { links, parseLinkKeys } from '../../functions/core/http/links.js';
import { expectAccessible, openBrowser, screenshots } from '../support/browser.js';

let browser: Awaited<ReturnType<typeof openBrowser>>;
beforeAll(async () => {
  browser = await openBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** The page is styled by the site's stylesheet (loaded from the web app, allowed by the CSP). */
const styled = (page: Page) =>
  page.evaluate(() => {
    // Runs in the page: its globals, not Node's.
    const g = globalThis as any;
    return g.getComputedStyle(g.document.querySelector('header.site')).borderBottomStyle as string;
  });

it('asks, notes a first yes, connects on the second, and explains an expired or broken link', async () => {
  const label = uniqueLabel('cpage');
  const fx = await buildAssociation();
  const [ada, bo] = await people(
    label,
    [
      { name: 'Ada Connectpage', offers: ['mentoring'], seeks: ['investment'], interests: ['climate'], matchOptIn: true },
      { name: 'Bo Connectpage', offers: ['investment'], seeks: ['mentoring'], interests: ['climate'], matchOptIn: true },
    ],
    { associationId: fx.associationId, planId: fx.freePlanId },
  );
  const startsAt = futureTime(1);
  const endsAt = addHours(startsAt, 2);
  const ev = await matchmakingEvent(fx.organizer, fx.associationId, { title: `Founders breakfast ${label}`, startsAt, endsAt }, { matchesPerAttendee: 1 });
  await allGoing([ada!, bo!], ev.eventId);
  expectStatus(await sendMatches(fx.organizer.token, ev.eventId), 200, 'send matches');
  const match = matchIdOf(ada!.userId, bo!.userId);
  for (const who of [ada!, bo!]) expectStatus(await feedback(who.token, ev.eventId, match, { rating: 5, met: true }), 200, 'feedback');
  expect(expectStatus(await call('POST', '/dev/jobs/daily', { body: { time: addHours(endsAt, 25) } }), 200, 'daily').body.followUps.sent).toBe(1);
  const linkOf = async (who: typeof ada, other: typeof ada) => {
    const [mail] = await waitForMail(who!.email, { filter: subjectStarts(`Stay in touch with ${other!.profile.name}`) });
    return pathOf(urlAfter(mail!, `Connect with ${other!.profile.name}: `));
  };
  const [linkA, linkB] = [await linkOf(ada, bo), await linkOf(bo, ada)];
  const page = await browser.context.newPage();

  // The question: whom, where they met, what a yes does.
  await page.goto(`${api()}${linkA}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Stay in touch with Bo Connectpage' }).isVisible()).resolves.toBe(true);
  await expect(page.getByText(`You met Bo Connectpage at Founders breakfast ${label}.`).isVisible()).resolves.toBe(true);
  await expect(page.locator('html').getAttribute('lang')).resolves.toBe('en');
  await expect(styled(page)).resolves.toBe('solid');
  await expectAccessible(page);
  await screenshots(page, 'connect-question');

  // Ada says yes first: noted, nothing said about Bo.
  await page.getByRole('button', { name: 'Connect with Bo Connectpage' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'You said yes' }).isVisible()).resolves.toBe(true);
  await expect(page.getByRole('status').getByText('Noted. If Bo Connectpage says yes too, you will find each other in My network.').isVisible()).resolves.toBe(true);
  await expect(page.getByRole('link', { name: 'Go to My network' }).getAttribute('href')).resolves.toMatch(/\/account\/network$/);
  await expectAccessible(page);
  await screenshots(page, 'connect-noted');

  // Bo says yes: connected.
  await page.goto(`${api()}${linkB}`);
  await page.getByRole('button', { name: 'Connect with Ada Connectpage' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'You are connected' }).isVisible()).resolves.toBe(true);
  await expect(page.getByRole('status').getByText('You and Ada Connectpage are connected: you will find each other in My network.').isVisible()).resolves.toBe(true);
  await expectAccessible(page);
  await screenshots(page, 'connect-connected');
  // The way on: My network, which asks Bo to sign in first (this browser never did).
  await page.getByRole('link', { name: 'Go to My network' }).click();
  await page.getByLabel('Email').waitFor();

  // A link past its 30 days, and one cut short on its way from the mail.
  const token = new URL(`http://x${linkA}`).searchParams.get('token')!;
  const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, string>;
  const { exp: _exp, ...data } = payload;
  const old = links(parseLinkKeys(process.env.IT_LINK_SECRETS!)).sign('connect', data, new Date(Date.now() - 31 * 86_400_000));
  const expired = await page.goto(`${api()}/events/${ev.eventId}/connect?token=${encodeURIComponent(old)}`);
  expect(expired!.status()).toBe(410);
  await expect(page.getByRole('heading', { level: 1, name: 'This link has expired' }).isVisible()).resolves.toBe(true);
  await expect(page.getByRole('link', { name: 'Go to My network' }).isVisible()).resolves.toBe(true);
  await expect(styled(page)).resolves.toBe('solid');
  await expectAccessible(page);
  await screenshots(page, 'connect-expired');

  const broken = await page.goto(`${api()}/events/${ev.eventId}/connect?token=${encodeURIComponent(token.slice(0, -6))}`);
  expect(broken!.status()).toBe(400);
  await expect(page.getByRole('heading', { level: 1, name: 'This link does not work' }).isVisible()).resolves.toBe(true);
  await expectAccessible(page);
  await screenshots(page, 'connect-broken');
}, 120_000);
