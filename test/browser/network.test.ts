/**
 * "My network" in headless Chromium, as a person uses it: an ask waiting on the page is
 * accepted with its button, a bad tag is refused with an error summary that keeps what was
 * typed, a note and tags are saved, search narrows the list, the exports download. axe-core
 * on every state and screenshots at phone and desktop sizes.
 */
import { api, call, signIn } from '../support/http.js';
import { buildAssociation, join, type AssociationFixture } from '../support/fixtures.js';
import { openBrowser, screenshots, expectAccessible, stamp } from '../support/browser.js';

let fx: AssociationFixture;
let browser: Awaited<ReturnType<typeof openBrowser>>;

beforeAll(async () => {
  browser = await openBrowser();
  fx = await buildAssociation();
});
afterAll(async () => {
  await browser?.close();
});


it('accept an ask, refuse a bad tag then save note and tags, search, export', async () => {
  const page = await browser.context.newPage();
  await page.goto(`${api()}/account/network`);
  await page.getByLabel('Email').fill(`lin.${stamp()}@example.test`);
  await page.getByLabel('Name').fill('Lin Networker');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/account/network');
  const token = (await browser.context.cookies()).find((c) => c.name === 'session')!.value;
  const me = (await call('GET', '/me/profile', { token })).body.userId as string;
  await call('POST', `/associations/${fx.associationId}/members`, { token, body: { planId: fx.freePlanId } });

  // Two people ask Lin; one is already accepted through the API.
  const [mo, nia] = [await signIn('mo', 'Mo Mentor'), await signIn('nia', 'Nia Investor')];
  for (const u of [mo, nia]) await join(u, fx.associationId, fx.freePlanId);
  await call('PUT', '/me/profile', { token: mo.token, body: { name: 'Mo Mentor', headline: 'Mentors first-time founders', company: 'Mo & Partners', jobTitle: 'Partner' } });
  await call('POST', `/associations/${fx.associationId}/connections`, { token: mo.token, body: { userId: me, note: 'Great talk on Tuesday!' } });
  const nc = (await call('POST', `/associations/${fx.associationId}/connections`, { token: nia.token, body: { userId: me } })).body.connectionId;
  await call('POST', `/me/connections/${nc}/accept`, { token });

  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'My network' }).isVisible()).resolves.toBe(true);
  await expect(page.getByText('Great talk on Tuesday!').isVisible()).resolves.toBe(true);
  await expectAccessible(page);
  await screenshots(page, 'network-ask');

  await page.getByRole('button', { name: 'Accept Mo Mentor' }).click();
  await page.waitForURL('**/account/network?done=accepted');
  await expect(page.getByRole('status').getByText('You are connected.').isVisible()).resolves.toBe(true);
  await expect(page.getByText('Mentors first-time founders').isVisible()).resolves.toBe(true);

  // A tag with # is refused, named, and what was typed stays.
  await page.getByText('Note and tags for Mo Mentor').click();
  await page.locator('li', { hasText: 'Mo Mentor' }).getByLabel('Private note').fill('Ask about the seed round');
  await page.locator('li', { hasText: 'Mo Mentor' }).getByLabel('Tags (comma-separated)').fill('mentor, bad#tag');
  await page.locator('li', { hasText: 'Mo Mentor' }).getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('alert').getByText('There is a problem').isVisible()).resolves.toBe(true);
  await expect(page.getByRole('alert').getByText(/Tags: must not contain #/).isVisible()).resolves.toBe(true);
  await expect(page.locator('li', { hasText: 'Mo Mentor' }).getByLabel('Tags (comma-separated)').inputValue()).resolves.toBe('mentor, bad#tag');
  await expectAccessible(page);
  await screenshots(page, 'network-error');

  await page.locator('li', { hasText: 'Mo Mentor' }).getByLabel('Tags (comma-separated)').fill('mentor, lyon');
  await page.locator('li', { hasText: 'Mo Mentor' }).getByRole('button', { name: 'Save' }).click();
  await page.waitForURL('**/account/network?done=saved');
  const mine = (await call('GET', '/me/connections?tag=mentor', { token })).body.items;
  expect(mine).toEqual([expect.objectContaining({ name: 'Mo Mentor', note: 'Ask about the seed round', tags: ['mentor', 'lyon'] })]);

  // Search by name prefix, then by tag link.
  await page.getByLabel('Search by name').fill('ni');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByText('Nia Investor', { exact: true }).isVisible()).resolves.toBe(true);
  await expect(page.getByText('Mo Mentor', { exact: true }).count()).resolves.toBe(0);
  await page.goto(`${api()}/account/network?tag=mentor`);
  await expect(page.getByText('Mo Mentor', { exact: true }).isVisible()).resolves.toBe(true);
  await expect(page.getByText('Nia Investor', { exact: true }).count()).resolves.toBe(0);
  await page.goto(`${api()}/account/network`);
  await expectAccessible(page);
  await screenshots(page, 'network-list');

  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download contacts (vCard)' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('my-network.vcf');

  // The account page links here.
  await page.goto(`${api()}/account`);
  await page.getByRole('link', { name: 'My network' }).click();
  await page.waitForURL('**/account/network');
}, 90_000);
