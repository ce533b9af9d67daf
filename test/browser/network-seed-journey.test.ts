/**
 * Issue 10's "Done when" on `npm run seed`'s data, in headless Chromium, as two seeded members
 * live it: they went to the seeded breakfast (checked in at the door) and were matched there;
 * each signs in, finds the other under My matches and says "we met"; the daily job mails each
 * of them an offer to stay in touch; both click Connect in their mail (read from the local SES
 * stand-in); both find the other in My network; the vCard export downloads and parses with
 * ical.js, as a contacts app reads it. The seed names the pair (SEED_JSON pastEvent.unmetPair:
 * matched, both came, neither has said anything yet). On the way, a Connect and its Cancel from
 * My matches answer back on My matches (`next`), and the breakfast's page lists the people who
 * were there with the same controls. Screenshots at 390x844 and 1280x800.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import ICAL from 'ical.js';
import { api, call } from '../support/http.js';
import { expectStatus } from '../support/fixtures.js';
import { subjectStarts, urlAfter, waitForMail } from '../support/events.js';
import { pathOf } from '../support/matching.js';
import { openBrowser, screenshots, expectAccessible, signInAs } from '../support/browser.js';
import { runSeed, type SeedOut, type SeedPerson } from '../support/seed.js';

let seed: SeedOut;
let browser: Awaited<ReturnType<typeof openBrowser>>;

beforeAll(async () => {
  [{ out: seed }, browser] = await Promise.all([runSeed(), openBrowser()]);
}, 240_000);
afterAll(async () => {
  await browser?.close();
});

/** `other`'s card under My matches, for the seeded breakfast (a person may be matched at other seeded events too). */
const matchCard = (page: Page, other: string) =>
  page.locator('#matches li.match', { has: page.getByRole('heading', { name: other, exact: true }) }).filter({ has: page.locator(`form[action^="/account/matches/${seed.events.past}/"]`) });

/** "We met", 4 of 5, from the breakfast's My matches card of `other`. */
async function sayWeMet(page: Page, other: SeedPerson, shot?: string) {
  await page.goto(`${api()}/`);
  await page.goto(`${api()}/account#matches`);
  const card = matchCard(page, other.name);
  await expect(card.getByRole('button', { name: `Connect with ${other.name}` }).isVisible()).resolves.toBe(true);
  await card.getByRole('group', { name: new RegExp(`How useful was meeting ${other.name}`) }).getByLabel('4').check();
  await card.getByLabel('Yes, we met').check();
  if (shot) {
    await expectAccessible(page);
    await card.scrollIntoViewIfNeeded();
    await screenshots(page, shot);
  }
  await card.getByRole('button', { name: `Save feedback about ${other.name}` }).click();
  await page.waitForURL('**/account?saved=feedback#matches');
  await expect(matchCard(page, other.name).getByText('You rated this introduction 4 of 5 and said you met.').isVisible()).resolves.toBe(true);
}

/** The follow-up mail from the SES stand-in: its Connect link opened and its button pressed. */
async function connectFromMail(page: Page, who: SeedPerson, other: SeedPerson, shot: string) {
  const [mail] = await waitForMail(who.email, { filter: subjectStarts(`Stay in touch with ${other.name}`) });
  expect(mail!.subject).toBe(`Stay in touch with ${other.name}`);
  const mailPage = await browser.context.newPage();
  await mailPage.setContent(mail!.body.html!);
  await expect(mailPage.getByText(other.name).first().isVisible()).resolves.toBe(true);
  await screenshots(mailPage, shot);
  await mailPage.close();
  await page.goto(`${api()}${pathOf(urlAfter(mail!, `Connect with ${other.name}: `))}`);
  await page.getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByText(/you will find each other in My network/).isVisible()).resolves.toBe(true);
}

it('two seeded members who met at the seeded breakfast say so, connect from the follow-up mail, see each other and export the vCard', async () => {
  expect(seed.pastEvent.unmetPair).toHaveLength(2);
  const [x, y] = seed.pastEvent.unmetPair as [SeedPerson, SeedPerson];
  const page = await browser.context.newPage();

  // Each says they met the other, on their own account page.
  const xToken = await signInAs(page, x, '/account');
  await sayWeMet(page, y, 'seed-journey-matches');
  // Asking another match from My matches answers back on My matches, and so does cancelling it.
  const other = page.locator('#matches li.match').filter({ has: page.locator(`form[action^="/account/matches/${seed.events.past}/"]`) }).filter({ has: page.getByRole('button', { name: /^Connect with / }) }).filter({ hasNot: page.getByRole('heading', { name: y.name, exact: true }) }).first();
  const otherName = (await other.getByRole('heading').textContent())!;
  await other.getByRole('button', { name: `Connect with ${otherName}` }).click();
  await page.waitForURL('**/account?done=asked#matches');
  await expect(page.getByRole('status').getByText('Your ask is sent.').isVisible()).resolves.toBe(true);
  const asked = matchCard(page, otherName);
  await expect(asked.getByText('Request sent').isVisible()).resolves.toBe(true);
  await expectAccessible(page);
  await screenshots(page, 'seed-journey-matches-asked');
  await asked.getByRole('button', { name: `Cancel request to ${otherName}` }).click();
  await page.waitForURL('**/account?done=removed#matches');
  await expect(page.getByRole('status').getByText('Removed.').isVisible()).resolves.toBe(true);
  await expect(matchCard(page, otherName).getByRole('button', { name: `Connect with ${otherName}` }).isVisible()).resolves.toBe(true);

  const yToken = await signInAs(page, y, '/account');
  await sayWeMet(page, x);

  // The daily job (run now: the breakfast was days ago, so the offer is due today). Another
  // seed run on this stack runs the daily job too and may have sent it first: the mails are what count.
  expectStatus(await call('POST', '/dev/jobs/daily', { body: {} }), 200, 'daily job');
  await connectFromMail(page, y, x, 'seed-journey-mail');
  await connectFromMail(page, x, y, 'seed-journey-mail-other');

  // Both see each other in My network, met at the breakfast (Y is still signed in).
  await page.goto(`${api()}/account/network`);
  await expect(page.locator('li.connection', { hasText: x.name }).isVisible()).resolves.toBe(true);
  for (const [token, other] of [[xToken, y], [yToken, x]] as const) {
    const mine = expectStatus(await call('GET', '/me/connections', { token }), 200, 'network').body.items as { name: string; state: string; metEventId?: string }[];
    expect(mine).toEqual(expect.arrayContaining([expect.objectContaining({ name: other.name, state: 'accepted', metEventId: seed.events.past })]));
  }
  await signInAs(page, x, '/account/network');
  await expect(page.locator('li.connection', { hasText: y.name }).isVisible()).resolves.toBe(true);
  await expectAccessible(page);
  await screenshots(page, 'seed-journey-network');

  // The vCard, as a contacts app imports it.
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download contacts (vCard)' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('my-network.vcf');
  const parsed = ICAL.parse(await readFile((await file.path())!, 'utf8')) as unknown[];
  const cards = (Array.isArray(parsed[0]) ? parsed : [parsed]).map((jcard) => new ICAL.Component(jcard as never));
  const card = cards.find((c) => c.getFirstPropertyValue('fn') === y.name);
  expect(card).toBeDefined();
  expect(card!.getFirstPropertyValue('version')).toBe('4.0');
  // The seed gives everyone a company and a job title, and connections see them by default.
  const profile = expectStatus(await call('GET', '/me/profile', { token: yToken }), 200, 'profile').body as { company: string; jobTitle: string };
  expect(card!.getFirstPropertyValue('org')).toBe(profile.company);
  expect(card!.getFirstPropertyValue('title')).toBe(profile.jobTitle);

  // The breakfast's page: X, who checked in, sees the others who came and are in the directory,
  // with where each stands with them; Y there as Connected if Y is listed.
  await page.goto(`${api()}/e/${seed.events.past}#people`);
  const people = page.locator('#people');
  await expect(people.getByRole('heading', { name: 'People who were there' }).isVisible()).resolves.toBe(true);
  const listed = expectStatus(await call('GET', `/associations/${seed.associationId}/directory?limit=100`, { token: xToken }), 200, 'directory').body.items as { name: string }[];
  const yCard = people.locator('li.person', { has: page.getByRole('heading', { name: y.name, exact: true }) });
  if (listed.some((p) => p.name === y.name)) await expect(yCard.getByText('Connected').isVisible()).resolves.toBe(true);
  else await expect(yCard.count()).resolves.toBe(0);
  await expect(people.locator('li.person').count()).resolves.toBeGreaterThan(0);
  await expectAccessible(page);
  await screenshots(page, 'seed-journey-event-people');
}, 200_000);
