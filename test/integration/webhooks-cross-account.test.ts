/**
 * Every association has its own connected account, and an event only ever acts on the
 * association whose account it came from: an event from association B's account naming
 * association A's member, or from an account nobody knows, is acknowledged (2xx, so
 * Stripe stops retrying) and changes nothing.
 */
import { signIn } from '../support/http.js';
import type { User } from '../support/fixtures.js';
import {
  freshPaidInvoice,
  getMember,
  getSubscription,
  joinAndPay,
  joinPaid,
  mailsTo,
  paymentsOf,
  setUpPaidAssociation,
  signedPost,
  sleep,
  stripeEvent,
  waitFor,
  type PaidAssociation,
} from '../support/dues.js';

describe('events from another account', () => {
  let a: PaidAssociation;
  let b: PaidAssociation;
  /** Paid up in A, pending in B: a member of both. */
  let user: User;
  let subscriptionId: string;
  let before: unknown;

  const snapshot = async () => ({
    inA: await getMember(a, user.userId),
    inB: await getMember(b, user.userId),
    ledgerA: await paymentsOf(a, user.userId),
    ledgerB: await paymentsOf(b, user.userId),
    mails: (await mailsTo(user.email)).length,
  });
  const expectAcknowledged = (res: { status: number; text: string }) => expect(`${res.status} ${res.text}`).toMatch(/^2\d\d /);
  async function expectUnchanged() {
    await sleep(150);
    expect(await snapshot()).toEqual(before);
  }

  beforeAll(async () => {
    [a, b] = await Promise.all([setUpPaidAssociation('Club A'), setUpPaidAssociation('Club B')]);
    user = await signIn('both', 'Bo Th');
    subscriptionId = (await joinAndPay(user, a)).subscriptionId!;
    await joinPaid(user, b, b.oncePlanId);
    await waitFor('payment recorded in A', () => paymentsOf(a, user.userId), (l) => l.length === 1);
    await waitFor('receipt sent', () => mailsTo(user.email), (m) => m.length === 1);
    before = await snapshot();
    expect(before).toEqual(expect.objectContaining({ inA: expect.objectContaining({ status: 'active' }), inB: expect.objectContaining({ status: 'pending' }) }));
  });

  it("customer.subscription.deleted from B's account for A's subscription (metadata names A) → 2xx, nothing changes", async () => {
    const sub = await getSubscription(a.account, subscriptionId);
    const deleted = { ...sub, latest_invoice: sub.latest_invoice?.id ?? sub.latest_invoice, status: 'canceled', ended_at: Math.floor(Date.now() / 1000) };
    expect(deleted.metadata).toEqual(expect.objectContaining({ userId: user.userId, associationId: a.associationId }));
    expectAcknowledged(await signedPost(stripeEvent('customer.subscription.deleted', deleted, b.account)));
    await expectUnchanged();
  });

  it("invoice.paid from B's account for a payment on A's subscription → 2xx, nothing changes", async () => {
    const invoice = await freshPaidInvoice(a.account, subscriptionId);
    expectAcknowledged(await signedPost(stripeEvent('invoice.paid', invoice, b.account)));
    await expectUnchanged();
  });

  it("checkout.session.completed (one-off payment) from B's account naming A's association → 2xx, nothing changes in A or B", async () => {
    const session = {
      id: 'cs_test_a1CrossAccount000000000000000000000000000000000000',
      object: 'checkout.session',
      mode: 'payment',
      status: 'complete',
      payment_status: 'paid',
      amount_total: 30000,
      currency: 'eur',
      customer: 'cus_CrossAcct0001',
      payment_intent: 'pi_3CrossAccount00000000000',
      subscription: null,
      client_reference_id: user.userId,
      metadata: { associationId: a.associationId, userId: user.userId, planId: a.oncePlanId },
    };
    expectAcknowledged(await signedPost(stripeEvent('checkout.session.completed', session, b.account)));
    await expectUnchanged();
  });

  it('an event from an account no association has → 2xx, nothing changes', async () => {
    const invoice = await freshPaidInvoice(a.account, subscriptionId);
    expectAcknowledged(await signedPost(stripeEvent('invoice.paid', invoice, 'acct_1UnknownAcct000')));
    const sub = await getSubscription(a.account, subscriptionId);
    expectAcknowledged(await signedPost(stripeEvent('customer.subscription.deleted', { ...sub, status: 'canceled' }, 'acct_1UnknownAcct000')));
    await expectUnchanged();
  });

  it('an event without an account (a platform event) → 2xx, nothing changes', async () => {
    const invoice = await freshPaidInvoice(a.account, subscriptionId);
    expectAcknowledged(await signedPost(stripeEvent('invoice.paid', invoice, null)));
    await expectUnchanged();
  });

  it("the same invoice.paid from A's own account is applied (the events above were not ignored by accident)", async () => {
    const invoice = await freshPaidInvoice(a.account, subscriptionId);
    expectAcknowledged(await signedPost(stripeEvent('invoice.paid', invoice, a.account)));
    const ledger = await waitFor('payment in A', () => paymentsOf(a, user.userId), (l) => l.length === 2);
    expect(ledger.filter((p) => p.stripe?.invoiceId === invoice.id)).toHaveLength(1);
    expect(await paymentsOf(b, user.userId)).toEqual([]);
    expect(await getMember(b, user.userId)).toEqual(expect.objectContaining({ status: 'pending' }));
  });
});
