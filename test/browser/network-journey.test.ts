/**
 * Issue 10's "Done when", in headless Chromium, as two new members live it: they meet at an
 * event, get matched (the organizer sends matches), each sees the other under My matches
 * with a Connect button and says "we met" after the event; the daily job the day after mails
 * each of them an offer to stay in touch; both click Connect in their mail; both find the
 * other in My network; the vCard export downloads and parses with ical.js (a vCard parser,
 * as a contacts app reads it). Also the members directory and My matches showing where each
 * person stands (Connected, Request sent, Accept/Decline, Connect, none for me). axe-core
 * and screenshots (390x844, 1280x800) on every page changed, and the follow-up mail.
 * The mentor and mentee of a 24-person event: test/unit/matching/needs.test.ts
 * ("introduces the only mentor to the only mentee of a 24-person event ...").
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import ICAL from 'ical.js';
import { api, call } from '../support/http.js';
import { buildAssociation, expectStatus, type AssociationFixture } from '../support/fixtures.js';
import { addHours, rsvp, setEventAttributes, subjectStarts, urlAfter, waitForMail } from '../support/events.js';
import { matchmakingEvent, pathOf, people, putProfile, sendMatches, type ProfileInput } from '../support/matching.js';
import { openBrowser, screenshots, expectAccessible, signInAs } from '../support/browser.js';

let fx: AssociationFixture;
let browser: Awaited<ReturnType<typeof openBrowser>>;
const stamp = `${Date.now()}.${Math.random().toString(36).slice(2, 8)}`;
const ada = { email: `ada.net.${stamp}@example.test`, name: 'Ada Netjourney', token: '', userId: '' };
const bo = { email: `bo.net.${stamp}@example.test`, name: 'Bo Netjourney', token: '', userId: '' };

beforeAll(async () => {
  browser = await openBrowser();
  fx = await buildAssociation();
});
afterAll(async () => {
  await browser?.close();
});

/** My matches, freshly loaded (from /account itself, going to #matches would only scroll). */
async function openMatches(page: Page) {
  await page.goto(`${api()}/`);
  await page.goto(`${api()}/account#matches`);
}

/** "We met", 5 of 5, from the My matches card of `other`. */
async function saidWeMet(page: Page, other: string) {
  await openMatches(page);
  const card = page.locator('#matches li.match', { has: page.getByRole('heading', { name: other }) });
  await card.getByRole('group', { name: new RegExp(`How useful was meeting ${other}`) }).getByLabel('5').check();
  await card.getByLabel('Yes, we met').check();
  await card.getByRole('button', { name: `Save feedback about ${other}` }).click();
  await page.waitForURL('**/account?saved=feedback#matches');
}

/** The follow-up mail: rendered and screenshotted as a mail client shows it; its Connect link clicked. */
async function connectFromMail(page: Page, who: typeof ada, other: typeof ada) {
  const [mail] = await waitForMail(who.email, { filter: subjectStarts('Stay in touch with') });
  expect(mail!.subject).toBe(`Stay in touch with ${other.name}`);
  const mailPage = await browser.context.newPage();
  await mailPage.setContent(mail!.body.html!);
  await expect(mailPage.getByText(other.name).first().isVisible()).resolves.toBe(true);
  await screenshots(mailPage, `mail-follow-up-${who === ada ? 'ada' : 'bo'}`);
  await mailPage.close();
  // Opening the link only asks; the button records the click.
  await page.goto(`${api()}${pathOf(urlAfter(mail!, `Connect with ${other.name}: `))}`);
  await page.getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByText(/you will find each other in My network/).isVisible()).resolves.toBe(true);
}

it('two members meet, are matched, say they met, connect from the follow-up mail, see each other and export the vCard', async () => {
  const page = await browser.context.newPage();
  for (const [who, profile] of [
    [ada, { name: ada.name, headline: 'Mentors first-time founders', company: 'Lovelace Labs', jobTitle: 'Founder', interests: ['climate'], offers: ['mentoring'], seeks: ['investment'], matchOptIn: true, directoryVisible: true }],
    [bo, { name: bo.name, headline: 'Invests in climate', company: 'Bo Capital', jobTitle: 'Partner', interests: ['climate'], offers: ['investment'], seeks: ['mentoring'], matchOptIn: true, directoryVisible: true }],
  ] as [typeof ada, ProfileInput][]) {
    who.token = await signInAs(page, who, '/account');
    who.userId = expectStatus(await call('POST', `/associations/${fx.associationId}/members`, { token: who.token, body: { planId: fx.freePlanId } }), 201, 'join').body.userId;
    await putProfile(who, profile);
  }

  // They meet at an event; the organizer sends matches.
  const ev = await matchmakingEvent(fx.organizer, fx.associationId, { title: `Founders meet investors ${stamp}` }, { matchesPerAttendee: 1 });
  for (const who of [ada, bo]) expectStatus(await rsvp(who, ev.eventId), 200, 'RSVP');
  expect(expectStatus(await sendMatches(fx.organizer.token, ev.eventId), 200, 'send').body.matches).toBe(1);
  // The event is over (moved into the past in the table, as time would).
  const startsAt = new Date(Date.now() - 5 * 3_600_000).toISOString();
  const endsAt = addHours(startsAt, 2);
  await setEventAttributes(ev.eventId, { startsAt, endsAt });

  // Bo (signed in last) sees Ada under My matches, with a Connect button, and says they met.
  await openMatches(page);
  const adaCard = page.locator('#matches li.match', { has: page.getByRole('heading', { name: ada.name }) });
  await expect(adaCard.getByRole('button', { name: `Connect with ${ada.name}` }).isVisible()).resolves.toBe(true);
  await expectAccessible(page);
  await page.locator('#matches').scrollIntoViewIfNeeded();
  await screenshots(page, 'account-matches-connect');
  await saidWeMet(page, ada.name);
  ada.token = await signInAs(page, ada, '/account');
  await saidWeMet(page, bo.name);

  // The daily job, the day after the event: one offer each, once.
  const job = expectStatus(await call('POST', '/dev/jobs/daily', { body: { time: addHours(endsAt, 25) } }), 200, 'daily job');
  expect(job.body.followUps.sent).toBe(1);

  await connectFromMail(page, ada, bo);
  await connectFromMail(page, bo, ada);

  // Both see each other in My network (Ada is still signed in).
  await page.goto(`${api()}/account/network`);
  await expect(page.locator('li.connection', { hasText: bo.name }).isVisible()).resolves.toBe(true);
  await expect(page.getByText('Invests in climate').isVisible()).resolves.toBe(true);
  await expectAccessible(page);
  await screenshots(page, 'network-journey-ada');

  // The vCard, as a contacts app imports it.
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download contacts (vCard)' }).click();
  const file = await download;
  const text = await readFile((await file.path())!, 'utf8');
  const parsed = ICAL.parse(text) as unknown[];
  const cards = (Array.isArray(parsed[0]) ? parsed : [parsed]).map((jcard) => new ICAL.Component(jcard as never));
  expect(cards).toHaveLength(1);
  expect(cards[0]!.getFirstPropertyValue('version')).toBe('4.0');
  expect(cards[0]!.getFirstPropertyValue('fn')).toBe(bo.name);
  expect(cards[0]!.getFirstPropertyValue('n')).toEqual(['Netjourney', 'Bo', '', '', '']);
  expect(cards[0]!.getFirstPropertyValue('org')).toBe('Bo Capital');
  expect(cards[0]!.getFirstPropertyValue('title')).toBe('Partner');

  bo.token = await signInAs(page, bo, '/account/network');
  await expect(page.locator('li.connection', { hasText: ada.name }).isVisible()).resolves.toBe(true);
  const boNet = expectStatus(await call('GET', '/me/connections', { token: bo.token }), 200, 'network').body.items;
  expect(boNet).toEqual([expect.objectContaining({ userId: ada.userId, state: 'accepted', metEventId: ev.eventId })]);

  // The members directory, where each person shows where they stand with Bo: Ada "Connected"
  // (a link to My network), none for Bo himself; Cy "Request sent" once Bo asks; Dee, who
  // asked Bo, Accept/Decline.
  const [cy, dee] = await people(`netj${stamp.replace(/\W/g, '')}`, [{ name: 'Cy Netjourney', company: 'Cy Co', directoryVisible: true }, { name: 'Dee Netjourney', headline: 'Climate founder', directoryVisible: true }], { associationId: fx.associationId, planId: fx.freePlanId });
  expectStatus(await call('POST', `/associations/${fx.associationId}/connections`, { token: dee!.token, body: { userId: bo.userId } }), 201, 'Dee asks Bo');
  await page.goto(`${api()}/a/${fx.slug}/directory`);
  await expect(page.getByRole('heading', { level: 1, name: 'Members directory' }).isVisible()).resolves.toBe(true);
  const personCard = (name: string) => page.locator('li.person', { has: page.getByRole('heading', { name }) });
  await expect(personCard(ada.name).getByText('Connected').isVisible()).resolves.toBe(true);
  const adaLink = personCard(ada.name).getByRole('link', { name: /My network/ });
  await expect(adaLink.getAttribute('href')).resolves.toContain('/account/network?q=');
  await expect(page.getByRole('button', { name: `Connect with ${ada.name}` }).count()).resolves.toBe(0);
  await expect(page.getByRole('button', { name: `Connect with ${bo.name}` }).count()).resolves.toBe(0);
  await expect(personCard(bo.name).getByText('This is you.').isVisible()).resolves.toBe(true);
  await expect(personCard('Dee Netjourney').getByRole('button', { name: 'Accept Dee Netjourney' }).isVisible()).resolves.toBe(true);
  // Each button answers back on the directory, saying what happened.
  await personCard('Cy Netjourney').getByRole('button', { name: 'Connect with Cy Netjourney' }).click();
  await page.waitForURL(`**/a/${fx.slug}/directory?done=asked`);
  await expect(page.getByRole('status').getByText('Your ask is sent.').isVisible()).resolves.toBe(true);
  await expect(personCard('Cy Netjourney').getByText('Request sent').isVisible()).resolves.toBe(true);
  await expect(personCard('Cy Netjourney').getByRole('button', { name: 'Cancel request to Cy Netjourney' }).isVisible()).resolves.toBe(true);
  await expect(page.getByRole('button', { name: 'Connect with Cy Netjourney' }).count()).resolves.toBe(0);
  expect(expectStatus(await call('GET', '/me/connections?state=pending', { token: cy!.token }), 200, 'Cy pending').body.items).toEqual([expect.objectContaining({ userId: bo.userId, direction: 'incoming' })]);
  await expectAccessible(page);
  await screenshots(page, 'directory');

  // My matches: Ada, now a connection, shows "Connected" instead of a Connect button.
  await openMatches(page);
  const adaMatch = page.locator('#matches li.match', { has: page.getByRole('heading', { name: ada.name }) });
  await expect(adaMatch.getByText('Connected').isVisible()).resolves.toBe(true);
  await expect(adaMatch.getByRole('button', { name: `Connect with ${ada.name}` }).count()).resolves.toBe(0);
  await expectAccessible(page);
  await page.locator('#matches').scrollIntoViewIfNeeded();
  await screenshots(page, 'account-matches-connected');

  // Accepting Dee's ask from the directory: she is then in Bo's network.
  await page.goto(`${api()}/a/${fx.slug}/directory`);
  await personCard('Dee Netjourney').getByRole('button', { name: 'Accept Dee Netjourney' }).click();
  await page.waitForURL(`**/a/${fx.slug}/directory?done=accepted`);
  await expect(page.getByRole('status').getByText('You are connected.').isVisible()).resolves.toBe(true);
  await expect(personCard('Dee Netjourney').getByText('Connected').isVisible()).resolves.toBe(true);
  await expectAccessible(page);
  await screenshots(page, 'directory-accepted');
  // Cancelling the ask to Cy: back on the directory, the ask gone.
  await personCard('Cy Netjourney').getByRole('button', { name: 'Cancel request to Cy Netjourney' }).click();
  await page.waitForURL(`**/a/${fx.slug}/directory?done=removed`);
  await expect(page.getByRole('status').getByText('Removed.').isVisible()).resolves.toBe(true);
  await expect(personCard('Cy Netjourney').getByRole('button', { name: 'Connect with Cy Netjourney' }).isVisible()).resolves.toBe(true);
  await page.goto(`${api()}/account/network`);
  await expect(page.locator('li.connection', { hasText: 'Dee Netjourney' }).isVisible()).resolves.toBe(true);
}, 200_000);
