/**
 * POST /webhooks/stripe verifies the Stripe-Signature header over the raw body before
 * anything else: every forgery is a 400 problem naming stripe-signature and changes
 * nothing. Well-signed events it does not handle are acknowledged and change nothing.
 *
 * The probe is an invoice.paid for a paid-up member with an invoice the ledger has not
 * seen: accepted, it would add a ledger entry and a receipt. The last test shows that the
 * same event, correctly signed, does exactly that, so "nothing changed" means something.
 */
import { signIn } from '../support/http.js';
import { errorPaths, expectProblem, type User } from '../support/fixtures.js';
import {
  WEBHOOK_SECRET,
  freshPaidInvoice,
  getMember,
  joinAndPay,
  mailsTo,
  paymentsOf,
  postWebhook,
  serialize,
  setUpPaidAssociation,
  signature,
  signedPost,
  sleep,
  stripeEvent,
  waitFor,
  type PaidAssociation,
} from '../support/dues.js';

let fx: PaidAssociation;
let payer: User;
let probe: ReturnType<typeof stripeEvent>;
let before: { member: unknown; ledger: unknown[]; mails: number };

const snapshot = async () => ({
  member: await getMember(fx, payer.userId),
  ledger: await paymentsOf(fx, payer.userId),
  mails: (await mailsTo(payer.email)).length,
});

/** Gives in-flight effects (there should be none) a moment, then compares with the snapshot. */
async function expectUnchanged() {
  await sleep(150);
  expect(await snapshot()).toEqual(before);
}

beforeAll(async () => {
  fx = await setUpPaidAssociation('Signature Club');
  payer = await signIn('sig-payer', 'Sig Payer');
  const { subscriptionId } = await joinAndPay(payer, fx);
  // Every event of the payment is in: one payment, one receipt.
  await waitFor('payment recorded', () => paymentsOf(fx, payer.userId), (l) => l.length === 1);
  await waitFor('receipt sent', () => mailsTo(payer.email), (m) => m.length === 1);
  probe = stripeEvent('invoice.paid', await freshPaidInvoice(fx.account, subscriptionId!), fx.account);
  before = await snapshot();
});

const now = () => Math.floor(Date.now() / 1000);

describe('a bad Stripe-Signature is a 400 naming stripe-signature, and changes nothing', () => {
  const cases: [string, () => { payload: string; header: string | null }][] = [
    [
      'one byte of the body flipped',
      () => {
        const payload = serialize(probe);
        const header = signature(payload);
        // A digit of the amount: still valid JSON, different bytes.
        const at = payload.indexOf('"amount_paid": ') + '"amount_paid": '.length;
        const flipped = payload.slice(0, at) + (payload[at] === '9' ? '8' : '9') + payload.slice(at + 1);
        expect(flipped).not.toBe(payload);
        return { payload: flipped, header };
      },
    ],
    [
      'the pretty-printed body re-serialized (JSON.stringify(JSON.parse(body)))',
      () => {
        const payload = serialize(probe);
        return { payload: JSON.stringify(JSON.parse(payload)), header: signature(payload) };
      },
    ],
    ['signed with another secret', () => ({ payload: serialize(probe), header: signature(serialize(probe), { secret: 'whsec_not_the_endpoint_secret' }) })],
    ['signed with the secret plus a trailing newline', () => ({ payload: serialize(probe), header: signature(serialize(probe), { secret: `${WEBHOOK_SECRET}\n` }) })],
    ['signed more than 300 s ago (outside the default tolerance)', () => ({ payload: serialize(probe), header: signature(serialize(probe), { timestamp: now() - 330 }) })],
    ['no Stripe-Signature header', () => ({ payload: serialize(probe), header: null })],
    ['a header that is not a Stripe signature', () => ({ payload: serialize(probe), header: 'not-a-signature' })],
    ['a header with a timestamp and no v1 signature', () => ({ payload: serialize(probe), header: `t=${now()}` })],
  ];

  it.each(cases)('%s', async (_name, build) => {
    const { payload, header } = build();
    const res = await postWebhook(payload, header);
    expectProblem(res, 400);
    expect(errorPaths(res)).toEqual(['stripe-signature']);
    await expectUnchanged();
  });
});

describe('well-signed events that are not for us are acknowledged and change nothing', () => {
  it('an unknown event type (product.created) → 2xx', async () => {
    const product = { id: 'prod_SigTest0001', object: 'product', active: true, name: 'Something', metadata: { userId: payer.userId, associationId: fx.associationId } };
    const res = await signedPost(stripeEvent('product.created', product, fx.account));
    expect(res.status).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(300);
    await expectUnchanged();
  });

  it('a body that is not JSON, with a valid signature → a 400 problem (never a 5xx)', async () => {
    const payload = serialize(probe).slice(0, 200);
    const res = await postWebhook(payload, signature(payload));
    expect(res.status).toBeLessThan(500);
    if (res.status >= 400) expectProblem(res, res.status);
    await expectUnchanged();
  });

  it('an empty body with a valid signature → no 5xx', async () => {
    const res = await postWebhook('', signature(''));
    expect(res.status).toBeLessThan(500);
    if (res.status >= 400) expectProblem(res, res.status);
    await expectUnchanged();
  });
});

describe('the probe itself', () => {
  it('correctly signed, is applied: one more payment and one more receipt', async () => {
    const res = await signedPost(probe);
    expect(res.status).toBe(200);
    const ledger = await waitFor('probe payment', () => paymentsOf(fx, payer.userId), (l) => l.length === 2);
    expect(ledger.filter((p) => p.stripe?.invoiceId === probe.data.object.id)).toHaveLength(1);
    await waitFor('probe receipt', () => mailsTo(payer.email), (m) => m.length === 2);
  });
});
