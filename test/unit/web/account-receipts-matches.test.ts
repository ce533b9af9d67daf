/**
 * The account page's receipts and matches, their pure parts: when the pay button renews,
 * the payments list and the printable receipt, "my matches" with introduce and feedback
 * (saved values shown back, a refusal keeping what was typed), and the reads behind them,
 * which stay under the caller's own key (someone else's payment id finds nothing).
 */
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { payAction, RENEWAL_WINDOW_DAYS } from '../../../functions/core/domain/renewal.js';
import { receiptsList, receiptPage, receiptPath, type ReceiptRow } from '../../../functions/web/account-receipts.js';
import { feedbackInput, matchesSection, type AccountMatchEvent, type MyMatch } from '../../../functions/web/account-matches.js';
import { mayConnect, type PersonConnection } from '../../../functions/core/domain/connections.js';
import { accountPage, type AccountMembership, type AccountPageData } from '../../../functions/web/account.js';
import { createAccountReads } from '../../../functions/core/data/web-account.js';
import * as keys from '../../../functions/core/data/keys.js';
import { makeMember, makePlan, makeProfile } from '../../support/factories.js';
import { makeEvent } from '../../support/event-factories.js';
import { FakeTable } from '../../support/fake-table.js';

const DAY = 86_400_000;
const now = new Date('2026-06-01T10:00:00.000Z');
const inDays = (d: number) => new Date(now.getTime() + d * DAY).toISOString();
const yearly = makePlan({ amount: 5000, interval: 'year' });

describe('payAction: what the pay button does', () => {
  it('pays a pending membership and renews a lapsed one; nothing on a free plan, without cards, or once cancelled', () => {
    expect(payAction(makeMember({ status: 'pending', currentPeriodEnd: null }), yearly, true, now)).toBe('pay');
    expect(payAction(makeMember({ status: 'lapsed', currentPeriodEnd: inDays(-40) }), yearly, true, now)).toBe('renew');
    expect(payAction(makeMember({ status: 'lapsed' }), makePlan({ amount: 0 }), true, now)).toBeNull();
    expect(payAction(makeMember({ status: 'lapsed' }), undefined, true, now)).toBeNull();
    expect(payAction(makeMember({ status: 'lapsed' }), yearly, false, now)).toBeNull();
    expect(payAction(makeMember({ status: 'cancelled' }), yearly, true, now)).toBeNull();
  });

  it('renews an active membership only inside the renewal window, which opens with the first reminder', () => {
    expect(RENEWAL_WINDOW_DAYS).toBe(14);
    expect(payAction(makeMember({ currentPeriodEnd: inDays(15) }), yearly, true, now)).toBeNull();
    expect(payAction(makeMember({ currentPeriodEnd: inDays(14) }), yearly, true, now)).toBe('renew');
    expect(payAction(makeMember({ currentPeriodEnd: inDays(1) }), yearly, true, now)).toBe('renew');
    // A lifetime plan never renews; an auto-renewing subscription renews by itself.
    expect(payAction(makeMember({ currentPeriodEnd: inDays(1) }), makePlan({ amount: 5000, interval: 'once' }), true, now)).toBeNull();
    expect(payAction(makeMember({ currentPeriodEnd: inDays(1), stripeSubscriptionId: 'sub_1', autoRenew: true }), yearly, true, now)).toBeNull();
    expect(payAction(makeMember({ currentPeriodEnd: inDays(1), stripeSubscriptionId: 'sub_1', autoRenew: false }), yearly, true, now)).toBe('renew');
  });

  it('past due: renew by hand, or update the card when Stripe is retrying the subscription (a checkout would charge twice)', () => {
    expect(payAction(makeMember({ status: 'past_due', currentPeriodEnd: inDays(-2) }), yearly, true, now)).toBe('renew');
    expect(payAction(makeMember({ status: 'past_due', currentPeriodEnd: inDays(-2), stripeSubscriptionId: 'sub_1' }), yearly, true, now)).toBe('update_card');
  });
});

const payment = (over: Partial<ReceiptRow> = {}): ReceiptRow => ({ paymentId: '2026-05-01T10:00:00.000Z_payment_in_1', type: 'payment', kind: 'stripe', amount: 5000, currency: 'eur', paidAt: '2026-05-01T10:00:00.000Z', periodStart: '2026-05-01T10:00:00.000Z', periodEnd: '2027-05-01T10:00:00.000Z', ...over });
const assocOf = { associationId: 'assoc/1', associationName: 'Guild <of> Makers', timezone: 'Europe/Paris' };

describe('the payments of a membership', () => {
  it('lists date, amount and status, with a receipt link for money that moved (payments and refunds), not for failures', () => {
    const html = receiptsList(assocOf, [payment({ paymentId: 'p3', type: 'refund', amount: 1000 }), payment({ paymentId: 'p2', type: 'failure' }), payment({ paymentId: 'p1' })], true);
    expect(html).toContain('1 May 2026');
    expect(html).toContain('−€10.00');
    expect(html).toContain('€50.00');
    expect(html).toContain('Refunded');
    expect(html).toContain('Failed');
    expect(html).toContain('Paid');
    expect(html).toContain(`href="${receiptPath('assoc/1', 'p3')}"`);
    expect(html).toContain(`href="${receiptPath('assoc/1', 'p1')}"`);
    expect(html).not.toContain(receiptPath('assoc/1', 'p2'));
    expect(receiptPath('assoc/1', 'p1')).toBe('/account/receipts/p1?association=assoc%2F1');
    expect(html).toContain('aria-label="Payments to Guild &lt;of&gt; Makers"');
    expect(html).toContain('Older payments are in your data download.');
    expect(receiptsList(assocOf, [], false)).toContain('No payments yet.');
  });

  it('prints a receipt with who paid whom, when, how much, for which period, and its number, escaped', () => {
    const html = receiptPage({
      url: 'https://app.test/account/receipts/p1',
      user: { name: 'Ada', email: 'ada@x.test' },
      payment: { ...payment(), associationId: 'a1', userId: 'u1', recordedBy: 'stripe', createdAt: '2026-05-01T10:00:00.000Z' },
      association: { name: 'Guild <of> Makers', timezone: 'Europe/Paris', slug: 'guild' },
      planName: 'Yearly',
      memberName: '<b>Ada</b>',
    });
    expect(html).toContain('<h1>Receipt</h1>');
    expect(html).toContain('Guild &lt;of&gt; Makers');
    expect(html).toContain('&lt;b&gt;Ada&lt;/b&gt;');
    expect(html).toContain('€50.00');
    expect(html).toContain('Yearly membership, 1 May 2026 to 1 May 2027');
    expect(html).toContain('Card, through Stripe');
    expect(html).toContain('2026-05-01T10:00:00.000Z_payment_in_1');
    expect(html).not.toContain('<b>Ada</b>');
  });
});

const match = (over: Partial<MyMatch> = {}): MyMatch => ({
  matchId: 'u1.u2',
  person: { userId: 'u2', name: 'Bob <Builder>', headline: 'Builds things', company: 'Acme', jobTitle: 'CTO' },
  score: 0.8,
  reasons: [],
  sentences: ['You both are interested in climate'],
  introRequested: false,
  introduced: false,
  feedback: null,
  ...over,
});
const connectionsOf = (c: PersonConnection) => new Map([['u2', c]]);
const matchEvent = (ended: boolean, items: MyMatch[]): AccountMatchEvent => ({ event: makeEvent({ eventId: 'ev1', title: 'Match night' }), ended, items });

describe('my matches', () => {
  it('shows each person with the reasons and an "introduce us" form; no feedback before the event is over', () => {
    const html = matchesSection([matchEvent(false, [match()])]);
    expect(html).toContain('<section id="matches"');
    expect(html).toContain('Bob &lt;Builder&gt;');
    expect(html).toContain('CTO, Acme');
    expect(html).toContain('<li>You both are interested in climate</li>');
    expect(html).toContain('action="/account/matches/ev1/u1.u2/introduce#matches"');
    expect(html).not.toContain('/feedback#');
    expect(html).toContain('href="/e/ev1"');
  });

  it('each person shows where they stand with me: Connected (no "introduce us" then), Request sent, Accept/Decline, else Connect', () => {
    const withState = (connection: Parameters<typeof connectionsOf>[0]) => matchesSection([{ ...matchEvent(false, [match()]), connections: connectionsOf(connection) }]);
    expect(matchesSection([matchEvent(false, [match()])])).toContain('aria-label="Connect with Bob &lt;Builder&gt;"');
    const connected = withState({ state: 'connected', connectionId: 'u1.u2' });
    expect(connected).toContain('Connected');
    expect(connected).not.toContain('/account/network/ask');
    expect(connected).not.toContain('/introduce#matches');
    const asked = withState({ state: 'asked', connectionId: 'u1.u2' });
    expect(asked).toContain('Request sent');
    expect(asked).toContain('action="/account/network/u1.u2/remove"');
    expect(asked).not.toContain('/account/network/ask');
    const incoming = withState({ state: 'incoming', connectionId: 'u1.u2' });
    expect(incoming).toContain('action="/account/network/u1.u2/accept"');
    expect(incoming).toContain('action="/account/network/u1.u2/decline"');
    // Every one of these forms answers back on My matches, which then says what happened.
    for (const html of [matchesSection([matchEvent(false, [match()])]), asked, incoming]) {
      const forms = html.match(/<form method="post" action="\/account\/network\/[\s\S]*?<\/form>/g) ?? [];
      expect(forms.length).toBeGreaterThan(0);
      for (const f of forms) expect(f).toContain('<input type="hidden" name="next" value="/account#matches">');
    }
    expect(matchesSection([matchEvent(false, [match()])], undefined, 'You are connected.')).toMatch(/<h2 id="matches-title">My matches<\/h2><p class="notice" role="status">You are connected\.<\/p>/);
  });

  it('no Connect for a match who may not be asked here (a guest of a public event, a pending member), but where we stand is still shown', () => {
    const notAskable = { ...matchEvent(false, [match()]), askable: new Set<string>() };
    expect(matchesSection([notAskable])).not.toContain('/account/network/ask');
    expect(matchesSection([{ ...notAskable, askable: new Set(['u2']) }])).toContain('aria-label="Connect with Bob &lt;Builder&gt;"');
    expect(matchesSection([{ ...notAskable, connections: connectionsOf({ state: 'connected', connectionId: 'u1.u2' }) }])).toContain('Connected');
  });

  it('mayConnect: in good standing or staff, never cancelled, nobody without a membership', () => {
    expect(mayConnect({ status: 'active', role: 'member' })).toBe(true);
    expect(mayConnect({ status: 'past_due', role: 'member' })).toBe(true);
    expect(mayConnect({ status: 'pending', role: 'member' })).toBe(false);
    expect(mayConnect({ status: 'lapsed', role: 'member' })).toBe(false);
    expect(mayConnect({ status: 'pending', role: 'organizer' })).toBe(true);
    expect(mayConnect({ status: 'cancelled', role: 'admin' })).toBe(false);
    expect(mayConnect(undefined)).toBe(false);
  });

  it('says where the introduction stands once asked or sent', () => {
    expect(matchesSection([matchEvent(false, [match({ introRequested: true })])])).toContain('You asked to be introduced');
    const sent = matchesSection([matchEvent(false, [match({ introRequested: true, introduced: true })])]);
    expect(sent).toContain('Introduced: we sent one email to both of you.');
    expect(sent).not.toContain('/introduce#');
  });

  it('after the event asks for a rating and "we met", and shows the saved values back, checked', () => {
    const empty = matchesSection([matchEvent(true, [match()])]);
    expect(empty).toContain('action="/account/matches/ev1/u1.u2/feedback#matches"');
    expect(empty).toContain('How useful was meeting Bob &lt;Builder&gt;?');
    expect(empty).not.toContain(' checked');
    const saved = matchesSection([matchEvent(true, [match({ feedback: { rating: 4, met: true, at: now.toISOString() } })])]);
    expect(saved).toContain('You rated this introduction 4 of 5 and said you met.');
    expect(saved).toMatch(/name="rating" value="4" checked/);
    expect(saved).toMatch(/name="met" value="yes" checked/);
    expect(saved).toContain('Update feedback');
  });

  it('a refused feedback form names the field and keeps what was typed for that match only', () => {
    const html = matchesSection([matchEvent(true, [match(), match({ matchId: 'u1.u3', person: { ...match().person, userId: 'u3', name: 'Cy' } })])], {
      eventId: 'ev1',
      matchId: 'u1.u2',
      detail: 'The feedback is not complete; nothing was saved.',
      errors: [{ path: 'met', message: 'must be yes or no' }],
      typed: { rating: '2' },
    });
    expect(html).toContain('role="alert"');
    expect(html).toContain('<li>We met must be yes or no</li>');
    expect(html).toContain('id="m0-0-met-error"');
    expect(html).toMatch(/id="m0-0-rating-2" name="rating" value="2" checked/);
    expect(html).not.toMatch(/id="m0-1-rating-2" name="rating" value="2" checked/);
  });

  it('no matches: says so', () => {
    expect(matchesSection([])).toContain('No matches yet.');
  });
});

describe('feedbackInput: the form as the API body', () => {
  const form = (o: Record<string, string>) => new URLSearchParams(o);
  it('takes a rating from 1 to 5 and yes or no', () => {
    expect(feedbackInput(form({ rating: '5', met: 'yes' }))).toEqual({ ok: true, value: { rating: 5, met: true } });
    expect(feedbackInput(form({ rating: '1', met: 'no' }))).toEqual({ ok: true, value: { rating: 1, met: false } });
  });
  it('names each missing or wrong field', () => {
    expect(feedbackInput(form({}))).toEqual({ ok: false, errors: [{ path: 'rating', message: 'must be a number from 1 to 5' }, { path: 'met', message: 'must be yes or no' }] });
    for (const rating of ['0', '6', '2.5', 'five', '-1']) expect(feedbackInput(form({ rating, met: 'yes' }))).toEqual({ ok: false, errors: [{ path: 'rating', message: 'must be a number from 1 to 5' }] });
    expect(feedbackInput(form({ rating: '3', met: 'maybe' }))).toEqual({ ok: false, errors: [{ path: 'met', message: 'must be yes or no' }] });
  });
});

describe('the account page with receipts and matches', () => {
  const membership = (over: Partial<AccountMembership> = {}): AccountMembership => ({
    associationId: 'a1',
    associationName: 'Guild',
    slug: 'guild',
    planName: 'Yearly',
    status: 'active',
    role: 'member',
    currentPeriodEnd: inDays(100),
    timezone: 'Europe/Paris',
    canPay: true,
    hasBilling: true,
    ...over,
  });
  const data = (over: Partial<AccountPageData>): AccountPageData => ({ url: 'https://app.test/account', user: { name: 'Ada', email: 'ada@x.test' }, profile: makeProfile(), vocabulary: [], memberships: [], rsvps: [], ...over });

  it('offers Renew only when payAction says so, and lists the payments under the membership', () => {
    const paidUp = accountPage(data({ memberships: [membership({ payAction: null, payments: [payment()] })] }));
    expect(paidUp).not.toContain('/account/memberships/a1/pay');
    expect(paidUp).toContain('/account/receipts/');
    const due = accountPage(data({ memberships: [membership({ payAction: 'renew', payments: [] })] }));
    expect(due).toMatch(/action="\/account\/memberships\/a1\/pay".*>Renew</s);
    const failing = accountPage(data({ memberships: [membership({ status: 'past_due', payAction: 'update_card' })] }));
    expect(failing).not.toContain('/pay"');
    expect(failing).toContain('update your card');
    expect(failing).toContain('/account/memberships/a1/billing');
  });

  it('has the matches section for mail links to land on', () => {
    expect(accountPage(data({ matches: [matchEvent(false, [match()])] }))).toContain('id="matches"');
  });
});

describe('the reads behind the page stay under the caller’s own key', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const reads = createAccountReads(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })), 'test-table');
  const paymentItem = (associationId: string, userId: string, paymentId: string) => ({ ...keys.payment(associationId, paymentId), ...keys.paymentOfUser(userId, associationId, paymentId), entity: 'payment', paymentId, associationId, userId, amount: 5000, currency: 'eur', type: 'payment' });
  afterEach(() => ddb.reset());

  it('finds the payer’s own payment by its exact key, and nothing for another person’s id or another association', async () => {
    new FakeTable([paymentItem('a1', 'ada', 'p1'), paymentItem('a1', 'bob', 'p2'), paymentItem('a2', 'ada', 'p3')]).attach(ddb);
    await expect(reads.paymentOfPayer('ada', 'a1', 'p1')).resolves.toMatchObject({ paymentId: 'p1', userId: 'ada', amount: 5000 });
    expect((await reads.paymentOfPayer('ada', 'a1', 'p1'))!).not.toHaveProperty('pk');
    await expect(reads.paymentOfPayer('ada', 'a1', 'p2')).resolves.toBeUndefined();
    await expect(reads.paymentOfPayer('ada', 'a1', 'p3')).resolves.toBeUndefined();
    for (const call of ddb.commandCalls(QueryCommand)) {
      expect(call.args[0].input).toMatchObject({ IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk = :sk' });
      expect(call.args[0].input.FilterExpression).toBeUndefined();
    }
  });

  it('reads the match pointers of the person only, newest event first, across pages, up to the cap', async () => {
    const ref = (userId: string, eventId: string, matchId: string) => ({ ...keys.matchOfUser(userId, eventId, matchId), entity: 'match_ref', eventId, matchId });
    const mine = Array.from({ length: 7 }, (_, i) => ref('ada', `ev${i}`, `m${i}`));
    new FakeTable([...mine, ref('bob', 'ev9', 'mx')]).attach(ddb);
    const all = await reads.matchRefsOfUser('ada', 100);
    expect(all.map((r) => r.eventId)).toEqual(['ev6', 'ev5', 'ev4', 'ev3', 'ev2', 'ev1', 'ev0']);
    ddb.reset();
    // A small cap stops early; DynamoDB's own pages (Limit) are followed until it is reached.
    new FakeTable(mine).attach(ddb);
    await expect(reads.matchRefsOfUser('ada', 3)).resolves.toEqual([
      { eventId: 'ev6', matchId: 'm6' },
      { eventId: 'ev5', matchId: 'm5' },
      { eventId: 'ev4', matchId: 'm4' },
    ]);
    for (const call of ddb.commandCalls(QueryCommand)) expect(call.args[0].input).toMatchObject({ KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)', ExpressionAttributeValues: { ':pk': 'USER#ada', ':sk': 'MATCH#' } });
  });
});
