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
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { handler } from '../../../functions/webhooks/handler.js';
import { keys } from '../../../functions/core/data/keys.js';
import { apiEvent, invoke, type Reply } from '../../support/lambda.js';
import { FakeTable } from '../../support/fake-table.js';

const ddb = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESv2Client);
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
  ses.reset();
  table = new FakeTable().attach(ddb);
});

describe('POST /webhooks/stripe', () => {
  it('accepts a correctly signed event and answers 200 {received, outcome}; an unknown type is ignored', async () => {
    const payload = JSON.stringify(stripeEvent());
    const res = await post(payload, { 'Stripe-Signature': sign(payload) });
    expect(res.statusCode).toBe(200);
    expect(res.body).toEqual({ received: true, outcome: 'ignored' });
    // Only the processed-event lookup: an ignored type writes nothing.
    expect(ddb.calls().map((c) => (c.args[0] as object).constructor.name)).toEqual(['GetCommand']);
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

  it('answers 200 duplicate for an event already processed', async () => {
    table.put({ ...keys.stripeEvent('evt_unknown_1'), entity: 'stripe_event', processedAt: new Date().toISOString() });
    const payload = JSON.stringify(stripeEvent());
    const res = await post(payload, { 'stripe-signature': sign(payload) });
    expect(res.statusCode).toBe(200);
    expect(res.body).toEqual({ received: true, outcome: 'duplicate' });
  });

  it('answers 503 with Retry-After when DynamoDB throttles, so Stripe retries', async () => {
    table.failNext('GetCommand', new ThrottlingException({ message: 'Rate of requests exceeds the allowed throughput.', $metadata: {} }));
    const payload = JSON.stringify(stripeEvent());
    const res = await post(payload, { 'stripe-signature': sign(payload) });
    expect(res.statusCode).toBe(503);
    expect(res.headers['Retry-After']).toBe('1');
    expect(res.body).toMatchObject({ status: 503 });
  });
});
