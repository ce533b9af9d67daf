/**
 * The account page in headless Chromium, as a person uses it: sign in, edit the profile
 * (a refusal first, named on the page), toggle consent, see memberships and events, then
 * delete the account through its confirm step and end signed out. axe-core on every page
 * and screenshots at phone and desktop sizes.
 */
import type { Page } from 'playwright-core';
import { api, call } from '../support/http.js';
import { buildAssociation, type AssociationFixture } from '../support/fixtures.js';
import { createEvent } from '../support/events.js';
import { openBrowser, screenshots, expectAccessible, stamp, sessionToken } from '../support/browser.js';

let fx: AssociationFixture;
let browser: Awaited<ReturnType<typeof openBrowser>>;

beforeAll(async () => {
  browser = await openBrowser();
  fx = await buildAssociation({ stripe: true });
});
afterAll(async () => {
  await browser?.close();
});


describe('account page in a browser', () => {
  it('sign in, edit the profile, toggle consent, then delete the account and end signed out', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${api()}/account`);
    // Signed out: the issuer's sign-in page, then back to the account.
    await page.getByLabel('Email').fill(`grace.${stamp()}@example.test`);
    await page.getByLabel('Name').fill('Grace Hopper');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/account');
    await expect(page.getByRole('heading', { level: 1, name: 'Your account' }).isVisible()).resolves.toBe(true);

    // Join, and RSVP to an event, so memberships and "my events" have something to show.
    const token = (await sessionToken(browser.context))!;
    await call('POST', `/associations/${fx.associationId}/members`, { token, body: { planId: fx.freePlanId } });
    const ev = await createEvent(fx.organizer, fx.associationId, { title: 'Compiler night', capacity: 20 });
    await call('PUT', `/events/${ev.eventId}/rsvp`, { token, body: { status: 'going' } });
    await page.reload();

    // A refusal first: the name emptied is named on the page, with a link to the field.
    await page.getByLabel('Name', { exact: true }).fill('');
    await page.getByLabel('Company').fill('US Navy');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await expect(page.getByRole('alert').getByText('There is a problem').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('link', { name: 'Name' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await screenshots(page, 'account-error');

    await page.getByLabel('Name', { exact: true }).fill('Grace Hopper');
    await page.getByLabel('Headline').fill('Taught computers to read English');
    await page.getByLabel('Job title').fill('Rear admiral');
    await page.getByLabel('Skills').fill('compilers, cobol');
    await page.getByRole('group', { name: 'I can offer' }).getByLabel('Mentoring').check();
    await page.getByRole('group', { name: 'I am looking for' }).getByLabel('Speaking opportunities').check();
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.waitForURL('**/account?saved=profile#profile');
    await expect(page.getByText('Your profile is saved.').isVisible()).resolves.toBe(true);
    await expect(page.getByLabel('Company').inputValue()).resolves.toBe('US Navy');

    await page.getByLabel('Suggest people for me to meet at events').check();
    await page.getByRole('button', { name: 'Save choices' }).click();
    await page.waitForURL('**/account?saved=consent#consent');
    await expect(page.getByLabel('Suggest people for me to meet at events').isChecked()).resolves.toBe(true);
    await expect(page.getByLabel('Show me in member directories').isChecked()).resolves.toBe(false);
    const profile = (await call('GET', '/me/profile', { token })).body;
    expect(profile).toMatchObject({ name: 'Grace Hopper', company: 'US Navy', jobTitle: 'Rear admiral', skills: ['compilers', 'cobol'], offers: ['mentoring'], seeks: ['speaking'], matchOptIn: true, directoryVisible: false });

    await expect(page.getByRole('link', { name: 'Compiler night', exact: true }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('link', { name: 'Test association', exact: true }).isVisible()).resolves.toBe(true);
    // Keyboard: the focus ring shows on the first control reached by Tab.
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => {
      // Runs in the page: its globals, not Node's.
      const g = globalThis as any;
      return g.getComputedStyle(g.document.activeElement).outlineStyle as string;
    });
    expect(outline).not.toBe('none');
    await expectAccessible(page);
    await screenshots(page, 'account');

    await page.getByRole('link', { name: 'Delete my account…' }).click();
    await page.waitForURL('**/account/delete');
    await expect(page.getByRole('heading', { level: 1, name: 'Delete your account?' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await screenshots(page, 'account-delete');
    await page.getByRole('button', { name: 'Delete my account for good' }).click();
    await page.waitForURL('**/?deleted=1');
    await expect(page.getByText('Your account is deleted.').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('link', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
    expect(await sessionToken(browser.context)).toBeUndefined();
    expect((await call('GET', '/me/profile', { token })).body.company).toBeUndefined();
    await page.close();
  });
});
