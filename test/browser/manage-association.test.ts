/**
 * The admin dashboard in headless Chromium, as a treasurer uses it: sign in, search a
 * member, record an offline payment (a refusal first, named on the page), and see it in
 * the ledger. axe-core on each state and screenshots at phone and desktop sizes.
 */
import type { Page } from 'playwright-core';
import { api, signIn } from '../support/http.js';
import { buildAssociation, join, type AssociationFixture } from '../support/fixtures.js';
import { createEvent } from '../support/events.js';
import { openBrowser, screenshots, expectAccessible } from '../support/browser.js';

let fx: AssociationFixture;
let browser: Awaited<ReturnType<typeof openBrowser>>;

beforeAll(async () => {
  browser = await openBrowser();
  fx = await buildAssociation({ stripe: true });
});
afterAll(async () => {
  await browser?.close();
});

describe('admin dashboard in a browser', () => {
  it('admin signs in, searches a member, records an offline payment and sees it in the ledger', async () => {
    const payer = await signIn('treasury', 'Ada Lovelace');
    await join(payer, fx.associationId, fx.paidPlanId);
    await createEvent(fx.organizer, fx.associationId, { title: 'Annual general meeting', capacity: 50 });

    const page = await browser.context.newPage();
    await page.goto(`${api()}/manage/associations/${fx.associationId}`);
    await page.getByLabel('Email').fill(fx.admin.email);
    await page.getByLabel('Name').fill('Alice Admin');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`**/manage/associations/${fx.associationId}`);
    await expect(page.getByRole('heading', { level: 2, name: 'Members' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('link', { name: 'Annual general meeting' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await screenshots(page, 'manage-association');

    await page.getByLabel('Search name or email').fill('ada');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL('**q=ada**');
    const rows = page.locator('#members tbody tr');
    await expect(rows.count()).resolves.toBe(1);
    await expect(rows.first().getByText(payer.email).isVisible()).resolves.toBe(true);

    // A refusal first: no amount and no date, both named on the page.
    await rows.first().locator('summary').click();
    await page.getByRole('button', { name: 'Record payment', exact: true }).click();
    await expect(page.getByRole('alert').getByText('There is a problem').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('link', { name: 'Amount' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('link', { name: 'Paid on' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await screenshots(page, 'manage-association-error');

    // The refused form comes back open, on the same filtered list.
    await expect(rows.count()).resolves.toBe(1);
    const row = rows.first();
    await row.getByLabel(/^Amount/).fill('50.00');
    await row.getByLabel('Paid on').fill(new Date().toISOString().slice(0, 10));
    await row.getByLabel(/^Note/).fill('Cheque 1042');
    await row.getByRole('button', { name: 'Record payment', exact: true }).click();
    await page.waitForURL('**done=payment**');
    await expect(page.getByText('The payment is recorded').isVisible()).resolves.toBe(true);
    const ledgerRow = page.locator('#payments tbody tr', { hasText: 'Cheque 1042' });
    await expect(ledgerRow.count()).resolves.toBe(1);
    await expect(ledgerRow.getByText('€50.00').isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await screenshots(page, 'manage-association-paid');
    await page.close();
  });
});
