/**
 * The account page's receipts and matches over HTTP on the local stack, as a browser
 * without JavaScript uses them: the member's own payments with receipt links, the receipt
 * page for that member only (another person, signed in, or another association's id finds
 * nothing), more payments than one list shows; "my matches" with introduce and feedback
 * posted as forms, a bad feedback answered on the page with nothing stored, and a member
 * of ANOTHER association using this one's ids refused with nothing changed.
 */
import * as keys from '../../functions/core/data/keys.js';
import { call } from '../support/http.js';
import { buildAssociation, expectStatus, type AssociationFixture } from '../support/fixtures.js';
import { joinAndPay, setUpPaidAssociation, waitFor, type PaidAssociation } from '../support/dues.js';
import { batchWrite, rsvp } from '../support/events.js';
import { matchmakingEvent, myMatches, people, putProfile, sendMatches } from '../support/matching.js';
import { Visitor, textOf } from '../support/web.js';

const stamp = () => `${Date.now()}.${Math.random().toString(36).slice(2, 8)}`;
const subOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')).sub as string;

async function visitor(label: string, name: string) {
  const v = new Visitor();
  const email = `${label}.${stamp()}@example.test`;
  await v.signIn(email, name, '/account');
  const token = v.jar.get('session')!;
  return { v, user: { token, userId: subOf(token), email } };
}

const receiptLinks = (html: string) => [...html.matchAll(/href="(\/account\/receipts\/[^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));

describe('receipts on the account page', () => {
  let fx: PaidAssociation;
  beforeAll(async () => {
    fx = await setUpPaidAssociation('Receipts Club');
  });

  it('lists the member’s payment with a receipt link; the receipt is the member’s only', async () => {
    const ada = await visitor('ada-receipts', 'Ada Receipts');
    await joinAndPay(ada.user, fx);
    // The ledger entry comes with Stripe's invoice event, which may follow the activation.
    const page = await waitFor('the payment on the account page', () => ada.v.get('/account'), (p) => receiptLinks(p.html).length > 0);
    expect(page.status).toBe(200);
    const links = receiptLinks(page.html);
    expect(links).toHaveLength(1);
    expect(textOf(page.html)).toContain('€120.00 Paid');

    const receipt = await ada.v.get(links[0]!);
    expect(receipt.status).toBe(200);
    const text = textOf(receipt.html);
    expect(text).toContain('Receipt');
    expect(text).toContain(fx.name);
    expect(text).toContain('Ada Receipts');
    expect(text).toContain('€120.00');
    expect(text).toContain('Yearly membership');
    expect(receipt.headers.get('content-security-policy')).toContain("script-src 'self'");

    // Someone else, signed in, with the same address: not found (nothing about Ada shows).
    const bob = await visitor('bob-receipts', 'Bob Nosy');
    const stolen = await bob.v.get(links[0]!);
    expect(stolen.status).toBe(404);
    expect(stolen.html).not.toContain('Ada Receipts');
    // Ada's own payment id under another association, or with none: not found either.
    const other = await buildAssociation();
    const [path, query] = links[0]!.split('?');
    expect((await ada.v.get(`${path}?association=${other.associationId}`)).status).toBe(404);
    expect((await ada.v.get(path!)).status).toBe(404);
    expect(new URLSearchParams(query).get('association')).toBe(fx.associationId);
    // Signed out: to sign-in, and back to the receipt after.
    const out = await new Visitor().get(links[0]!);
    expect(out.status).toBe(303);
    expect(out.location).toMatch(/^\/sign-in\?next=%2Faccount%2Freceipts%2F/);
  });

  it('shows the newest ten of more payments than fit, and says where the older ones are', async () => {
    const cy = await visitor('cy-receipts', 'Cy Many');
    await joinAndPay(cy.user, fx);
    await waitFor('the card payment on the account page', () => cy.v.get('/account'), (p) => receiptLinks(p.html).length > 0);
    // Eleven older offline payments, written as the ledger writes them (indexed by payer).
    const items = Array.from({ length: 11 }, (_, i) => {
      const paidAt = new Date(Date.UTC(2020, 0, 1 + i)).toISOString();
      const paymentId = `${paidAt}_offline_${i}`;
      return { ...keys.payment(fx.associationId, paymentId), ...keys.paymentOfUser(cy.user.userId, fx.associationId, paymentId), entity: 'payment', paymentId, associationId: fx.associationId, userId: cy.user.userId, kind: 'offline', type: 'payment', amount: 1000 + i, currency: 'eur', paidAt, periodStart: paidAt, periodEnd: null, recordedBy: fx.owner.userId, createdAt: paidAt };
    });
    await batchWrite(items);
    const page = await cy.v.get('/account');
    const links = receiptLinks(page.html);
    expect(links).toHaveLength(10);
    // Newest first: the card payment, then the offline ones from the latest down.
    expect(textOf(page.html)).toContain('€120.00 Paid');
    expect(page.html).toContain('€10.10');
    expect(page.html).not.toContain('€10.01');
    expect(textOf(page.html)).toContain('Older payments are in your data download.');
    const offline = await cy.v.get(links[1]!);
    expect(textOf(offline.html)).toContain('Recorded by the association');
  });
});

describe('my matches on the account page', () => {
  let fx: AssociationFixture;
  beforeAll(async () => {
    fx = await buildAssociation();
  });

  it('introduce and feedback as forms; a bad feedback is answered on the page, nothing stored; another association’s member is refused', async () => {
    const ada = await visitor('ada-matches', 'Ada Match');
    expectStatus(await call('POST', `/associations/${fx.associationId}/members`, { token: ada.user.token, body: { planId: fx.freePlanId } }), 201, 'join');
    await putProfile(ada.user, { name: 'Ada Match', interests: ['climate'], seeks: ['hiring'], matchOptIn: true });
    const [bob] = await people(`mbob${Date.now().toString(36)}`, [{ name: 'Bob Match', company: 'GreenHire', interests: ['climate'], offers: ['hiring'], matchOptIn: true }], { associationId: fx.associationId, planId: fx.freePlanId });
    const ev = await matchmakingEvent(fx.organizer, fx.associationId, { title: 'Match evening' });
    expectStatus(await rsvp(ada.user, ev.eventId), 200, 'rsvp ada');
    expectStatus(await rsvp(bob!, ev.eventId), 200, 'rsvp bob');
    expectStatus(await sendMatches(fx.organizer.token, ev.eventId), 200, 'send');

    const page = await ada.v.get('/account');
    expect(page.html).toContain('<section id="matches"');
    expect(textOf(page.html)).toContain('Bob Match');
    const matchId = expectStatus(await myMatches(ada.user.token, ev.eventId), 200, 'mine').body.items[0].matchId as string;
    const base = `/account/matches/${ev.eventId}/${encodeURIComponent(matchId)}`;
    expect(page.html).toContain(`action="${base}/introduce#matches"`);

    // A member of another association, signed in, using these ids: refused, nothing changes.
    const mallory = await visitor('mallory', 'Mallory Other');
    const elsewhere = await buildAssociation();
    expectStatus(await call('POST', `/associations/${elsewhere.associationId}/members`, { token: mallory.user.token, body: { planId: elsewhere.freePlanId } }), 201, 'join elsewhere');
    expect((await mallory.v.post(`${base}/introduce`, {})).status).toBe(404);
    expect((await mallory.v.post(`${base}/feedback`, { rating: '1', met: 'no' })).status).toBe(404);
    // From another site: refused before anything.
    expect((await ada.v.post(`${base}/introduce`, {}, { origin: 'https://evil.test' })).status).toBe(403);
    let mine = expectStatus(await myMatches(ada.user.token, ev.eventId), 200, 'mine').body.items[0];
    expect(mine).toMatchObject({ introRequested: false, feedback: null });

    const asked = await ada.v.post(`${base}/introduce`, {});
    expect(asked.status).toBe(303);
    expect(asked.location).toBe('/account?saved=intro-asked#matches');
    // Asking twice is the same ask.
    expect((await ada.v.post(`${base}/introduce`, {})).status).toBe(303);
    const after = await ada.v.follow(asked);
    expect(textOf(after.html)).toContain('You asked to be introduced');

    const bad = await ada.v.post(`${base}/feedback`, { rating: '9' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^text\/html/);
    const badText = textOf(bad.html);
    expect(badText).toContain('There is a problem');
    expect(badText).toContain('Rating must be a number from 1 to 5');
    expect(badText).toContain('We met must be yes or no');
    mine = expectStatus(await myMatches(ada.user.token, ev.eventId), 200, 'mine').body.items[0];
    expect(mine.feedback).toBeNull();

    const ok = await ada.v.post(`${base}/feedback`, { rating: '5', met: 'yes' });
    expect(ok.status).toBe(303);
    expect(ok.location).toBe('/account?saved=feedback#matches');
    mine = expectStatus(await myMatches(ada.user.token, ev.eventId), 200, 'mine').body.items[0];
    expect(mine).toMatchObject({ introRequested: true, feedback: { rating: 5, met: true } });
  });
});
