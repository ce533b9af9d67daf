/**
 * The real Stripe webhook Lambda (functions/webhooks/handler.ts) behind an API Gateway v2
 * event: the signature is checked on the raw body (decoded from base64 when API Gateway
 * encoded it) before anything is read; a bad or missing one is a 400 that touches nothing.
 */
// Settings first: the webhook function reads the Stripe settings when it loads.
import '../../support/stripe-env.js';
import 'aws-sdk-client-mock-jest';
import Stripe from 'stripe';
import { mockClient } from 'aws-sdk-client-mock';
import { ThrottlingException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { handler } from '../../../functions/webhooks/handler.js';
import * as keys from '../../../functions/core/data/keys.js';
import { apiEvent, invoke, type Reply } from '../../support/lambda.js';
import { FakeTable } from '../../support/fake-table.js';

const ddb = mockClient(DynamoDBDocumentClient);
const SECRET = process.env.STRIPE_WEBHOOK_SECRET!;
const signer = new Stripe('sk_test_unit');
let table: FakeTable;

const ROUTE = 'POST /webhooks/stripe';
const nowSec = () => Math.floor(Date.now() / 1000);

const stripeEvent = (overrides: Record<string, unknown> = {}) => ({
  id: 'evt_unknown_1',
  object: 'event',
  api_version: '2025-03-31.basil',
  type: 'customer.created',
  account: 'acct_A',
  created: nowSec(),
  livemode: false,
  pending_webhooks: 1,
  request: { id: null, idempotency_key: null },
  data: { object: { id: 'cus_1', object: 'customer', email: 'ada@example.test' } },
  ...overrides,
});

const sign = (payload: string, opts: { secret?: string; timestamp?: number } = {}) =>
  signer.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? SECRET, timestamp: opts.timestamp });

function post(body: string, headers: Record<string, string>, isBase64Encoded = false) {
  return invoke(handler, apiEvent(ROUTE, { rawBody: body, isBase64Encoded, headers }));
}

function expectBadSignature(res: Reply) {
  expect(res.statusCode).toBe(400);
  expect(res.headers['Content-Type']).toBe('application/problem+json');
  expect(res.body).toMatchObject({ status: 400, errors: [{ path: 'stripe-signature', message: expect.any(String) }] });
  // Nothing was read or written.
  expect(ddb.calls()).toHaveLength(0);
}

beforeEach(() => {
  ddb.reset();
  table = new FakeTable().attach(ddb);
});

describe('POST /webhooks/stripe', () => {
  it('accepts a correctly signed event and answers 200 {received, outcome}; an unknown type is ignored', async () => {
    const payload = JSON.stringify(stripeEvent());
    const res = await post(payload, { 'Stripe-Signature': sign(payload) });
    expect(res.statusCode).toBe(200);
    expect(res.body).toEqual({ received: true, outcome: 'ignored' });
    // A type we never act on is neither read nor written.
    expect(ddb.calls()).toHaveLength(0);
  });

  it('records a handled event raw with one conditional Put under its customer and answers recorded; it applies nothing inline', async () => {
    const event = stripeEvent({ id: 'evt_paid_1', type: 'invoice.paid', created: 1_767_225_600, data: { object: { id: 'in_1', object: 'invoice', customer: 'cus_9', amount_paid: 12000 } } });
    const payload = JSON.stringify(event, null, 2);
    const res = await post(payload, { 'stripe-signature': sign(payload) });
    expect(res.statusCode).toBe(200);
    expect(res.body).toEqual({ received: true, outcome: 'recorded' });
    const calls = ddb.calls().map((c) => c.args[0].input as { ConditionExpression?: string });
    expect(calls).toHaveLength(1);
    expect(ddb.calls()[0]!.args[0].constructor.name).toBe('PutCommand');
    expect(calls[0]!.ConditionExpression).toBe('attribute_not_exists(pk)');
    const k = keys.stripeQueued('acct_A', 'cus_9', 1_767_225_600, 'evt_paid_1');
    expect(k).toEqual({ pk: 'STRIPEQ#acct_A#cus_9', sk: '1767225600#evt_paid_1' });
    const item = table.get(k.pk, k.sk)!;
    expect(item).toMatchObject({ entity: 'stripe_queued', eventId: 'evt_paid_1', type: 'invoice.paid', accountId: 'acct_A', group: 'cus_9', created: 1_767_225_600 });
    expect(JSON.parse(item.payload as string)).toEqual(event);
    // No processed-event marker: applying is the stream consumer's job.
    expect(table.get(keys.stripeEvent('evt_paid_1').pk, 'EVENT')).toBeUndefined();
  });

  it('answers 200 duplicate to a second delivery of one event, also when both arrive at once, and keeps one record', async () => {
    const event = stripeEvent({ id: 'evt_twice', type: 'customer.subscription.updated', data: { object: { id: 'sub_1', object: 'subscription', customer: 'cus_9' } } });
    const payload = JSON.stringify(event);
    const [a, b] = await Promise.all([post(payload, { 'stripe-signature': sign(payload) }), post(payload, { 'stripe-signature': sign(payload) })]);
    expect([a.body.outcome, b.body.outcome].sort()).toEqual(['duplicate', 'recorded']);
    const again = await post(payload, { 'stripe-signature': sign(payload) });
    expect(again.statusCode).toBe(200);
    expect(again.body).toEqual({ received: true, outcome: 'duplicate' });
    expect(table.all('STRIPEQ#acct_A#cus_9')).toHaveLength(1);
  });

  it('checks the signature on the decoded body when API Gateway base64-encoded it', async () => {
    const payload = JSON.stringify(stripeEvent());
    const res = await post(Buffer.from(payload, 'utf8').toString('base64'), { 'stripe-signature': sign(payload) }, true);
    expect(res.statusCode).toBe(200);
    expect(res.body).toEqual({ received: true, outcome: 'ignored' });
  });

  it('keeps non-ASCII bytes intact when decoding base64', async () => {
    const payload = JSON.stringify(stripeEvent({ data: { object: { id: 'cus_1', object: 'customer', name: 'Zoë Ærøskøbing — 東京' } } }));
    const res = await post(Buffer.from(payload, 'utf8').toString('base64'), { 'stripe-signature': sign(payload) }, true);
    expect(res.statusCode).toBe(200);
  });

  it('refuses a base64 body that decodes to a modified payload', async () => {
    const payload = JSON.stringify(stripeEvent());
    const modified = JSON.stringify(stripeEvent({ type: 'invoice.paid' }));
    const res = await post(Buffer.from(modified, 'utf8').toString('base64'), { 'stripe-signature': sign(payload) }, true);
    expectBadSignature(res);
  });

  it('refuses a body that is the same JSON re-serialised (the raw bytes are what is signed)', async () => {
    const event = stripeEvent();
    const res = await post(JSON.stringify(event, null, 2), { 'stripe-signature': sign(JSON.stringify(event)) });
    expectBadSignature(res);
  });

  it('refuses the base64 text itself when it was signed as if it were the body', async () => {
    const payload = JSON.stringify(stripeEvent());
    const encoded = Buffer.from(payload, 'utf8').toString('base64');
    const res = await post(encoded, { 'stripe-signature': sign(encoded) }, true);
    expectBadSignature(res);
  });

  it('refuses a signature made with another secret', async () => {
    const payload = JSON.stringify(stripeEvent());
    expectBadSignature(await post(payload, { 'stripe-signature': sign(payload, { secret: 'whsec_someone_else' }) }));
  });

  it('refuses a signature older than the tolerance (a replayed request)', async () => {
    const payload = JSON.stringify(stripeEvent());
    expectBadSignature(await post(payload, { 'stripe-signature': sign(payload, { timestamp: nowSec() - 3600 }) }));
  });

  it('answers 400 naming stripe-signature when the header is missing', async () => {
    const payload = JSON.stringify(stripeEvent());
    const res = await post(payload, {});
    expectBadSignature(res);
    expect(res.body.errors).toEqual([{ path: 'stripe-signature', message: 'is required' }]);
  });

  it('answers 503 with Retry-After when DynamoDB throttles, so Stripe retries', async () => {
    table.failNext('PutCommand', new ThrottlingException({ message: 'Rate of requests exceeds the allowed throughput.', $metadata: {} }));
    const payload = JSON.stringify(stripeEvent({ type: 'invoice.paid', data: { object: { id: 'in_1', object: 'invoice', customer: 'cus_9' } } }));
    const res = await post(payload, { 'stripe-signature': sign(payload) });
    expect(res.statusCode).toBe(503);
    expect(res.headers['Retry-After']).toBe('1');
    expect(res.body).toMatchObject({ status: 503 });
    // Nothing recorded: Stripe's retry records it.
    expect(table.all('STRIPEQ#')).toHaveLength(0);
  });
});
