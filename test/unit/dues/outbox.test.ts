/**
 * The email outbox (services/outbox.ts) over the real store and an in-memory table:
 * a mail is claimed with a conditional update before it is sent, so concurrent senders
 * and retries send it once; failures stay queued until MAX attempts; the sweep reads the
 * unsent index by day (Query, never Scan); batches respect the send rate.
 */
import 'aws-sdk-client-mock-jest';
import { jest } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException, DynamoDBClient, ThrottlingException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { createStore } from '../../../functions/core/data/store.js';
import * as keys from '../../../functions/core/data/keys.js';
import { deliver, deliverAll, sweepOutbox, type Mailer } from '../../../functions/core/services/outbox.js';
import { newMail } from '../../../functions/core/services/mail-item.js';
import type { OutboxMail } from '../../../functions/core/domain/types.js';
import { FakeTable, type Item } from '../../support/fake-table.js';

const TABLE = 'test-table';
const MAX_ATTEMPTS = 8;
const ddb = mockClient(DynamoDBDocumentClient);
const sesClient = new SESv2Client({ region: 'us-east-1' });
const ses = mockClient(sesClient);
const store = createStore(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })), TABLE);
const mailer: Mailer = { ses: sesClient, fromAddress: 'no-reply@assoc.test' };

const now = new Date('2026-03-01T10:00:00.000Z');
const DAY = 86_400_000;

function mail(overrides: Partial<OutboxMail> = {}, createdAt = now): OutboxMail {
  return {
    ...newMail(
      {
        to: 'ada@example.test',
        fromName: 'Engineers of Lyon',
        kind: 'receipt',
        associationId: 'assocA',
        mail: { subject: 'Receipt: Yearly membership', text: 'Thank you', html: '<p>Thank you</p>' },
      },
      createdAt,
    ),
    ...overrides,
  };
}

/** The stored item, as the store writes it (unsent mail is on gsi2 by the day it was created). */
const row = (m: OutboxMail): Item => ({
  ...keys.outbox(m.mailId),
  ...(m.status === 'pending' || m.status === 'sending' ? keys.outboxPending(m.createdAt, m.mailId) : {}),
  entity: 'outbox',
  ...m,
});

let table: FakeTable;
const stored = (id: string) => table.get(`OUTBOX#${id}`, 'OUTBOX')!;
const sends = () => ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input);
const throttled = () => Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'TooManyRequestsException' });

beforeEach(() => {
  ddb.reset();
  ses.reset();
  ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
  table = new FakeTable().attach(ddb);
});

describe('deliver', () => {
  it('claims the mail with a conditional update, sends it, and marks it sent (off the unsent index)', async () => {
    const m = mail({ headers: { 'List-Unsubscribe': '<https://app.example.test/u>' } });
    table.put(row(m));

    await expect(deliver(store, mailer, m.mailId, now)).resolves.toBe('sent');

    const [claim, finish] = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(claim).toMatchObject({
      TableName: TABLE,
      Key: keys.outbox(m.mailId),
      ConditionExpression: '#status = :pending OR (#status = :sending AND claimedAt < :stale)',
      ExpressionAttributeValues: { ':pending': 'pending', ':sending': 'sending', ':now': now.toISOString(), ':stale': new Date(now.getTime() - 5 * 60_000).toISOString() },
      ReturnValues: 'ALL_NEW',
    });
    expect(claim!.UpdateExpression).toContain('attempts = attempts + :one');
    expect(finish).toMatchObject({ ConditionExpression: '#status = :sending', ExpressionAttributeValues: { ':s': 'sent' } });

    expect(sends()).toHaveLength(1);
    expect(sends()[0]).toMatchObject({
        FromEmailAddress: '"Engineers of Lyon" <no-reply@assoc.test>',
        Destination: { ToAddresses: ['ada@example.test'] },
        Content: {
          Simple: {
            Subject: { Data: 'Receipt: Yearly membership', Charset: 'UTF-8' },
            Body: { Text: { Data: 'Thank you', Charset: 'UTF-8' }, Html: { Data: '<p>Thank you</p>', Charset: 'UTF-8' } },
            Headers: [{ Name: 'List-Unsubscribe', Value: '<https://app.example.test/u>' }],
          },
        },
    });
    const after = stored(m.mailId);
    expect(after).toMatchObject({ status: 'sent', attempts: 1, claimedAt: now.toISOString() });
    expect(after.gsi2pk).toBeUndefined();
    expect(after.gsi2sk).toBeUndefined();
  });

  it('keeps quotes and angle brackets of the display name out of the From header', async () => {
    const m = mail({ fromName: 'Evil "Assoc" <x@evil.test>\r\nBcc: y@evil.test' });
    table.put(row(m));
    await deliver(store, mailer, m.mailId, now);
    expect(sends()[0]!.FromEmailAddress).toBe('"Evil Assoc x@evil.testBcc: y@evil.test" <no-reply@assoc.test>');
  });

  it('a second concurrent claim loses: one send, the other sender skips', async () => {
    const m = mail();
    table.put(row(m));
    const outcomes = await Promise.all([deliver(store, mailer, m.mailId, now), deliver(store, mailer, m.mailId, now)]);
    expect(outcomes.sort()).toEqual(['sent', 'skipped']);
    expect(sends()).toHaveLength(1);
    expect(stored(m.mailId)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('a claim that fails its condition is skipped without calling SES', async () => {
    const m = mail();
    table.put(row(m));
    table.failNext('UpdateCommand', new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    await expect(deliver(store, mailer, m.mailId, now)).resolves.toBe('skipped');
    expect(sends()).toEqual([]);
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 1);
  });

  it.each([
    ['being sent by another sender (claimed a minute ago)', { status: 'sending' as const, claimedAt: new Date(now.getTime() - 60_000).toISOString(), attempts: 1 }],
    ['already sent', { status: 'sent' as const, attempts: 1 }],
    ['given up on', { status: 'failed' as const, attempts: MAX_ATTEMPTS }],
  ])('skips a mail %s', async (_, state) => {
    const m = mail(state);
    table.put(row(m));
    await expect(deliver(store, mailer, m.mailId, now)).resolves.toBe('skipped');
    expect(sends()).toEqual([]);
    expect(stored(m.mailId)).toMatchObject(state);
  });

  it('takes over a claim older than five minutes (a sender that died mid-way)', async () => {
    const m = mail({ status: 'sending', claimedAt: new Date(now.getTime() - 6 * 60_000).toISOString(), attempts: 1 });
    table.put(row(m));
    await expect(deliver(store, mailer, m.mailId, now)).resolves.toBe('sent');
    expect(sends()).toHaveLength(1);
    expect(stored(m.mailId)).toMatchObject({ status: 'sent', attempts: 2, claimedAt: now.toISOString() });
  });

  describe('when SES throttles', () => {
    // SES throttling is backed off in-process before the mail goes back to the queue; the
    // clock is faked so the backoff costs no real time (and Date is pinned to `now`).
    beforeEach(() => {
      jest.useFakeTimers({ now });
    });
    afterEach(() => {
      jest.useRealTimers();
    });
    /** Runs `p` to completion, letting any backoff timers fire. */
    async function settle<T>(p: Promise<T>): Promise<T> {
      const done = p.then(
        (v) => ({ ok: true as const, v }),
        (e: unknown) => ({ ok: false as const, e }),
      );
      await jest.advanceTimersByTimeAsync(60_000);
      const r = await done;
      if (!r.ok) throw r.e;
      return r.v;
    }

    it('a brief throttle is retried and the mail is sent once', async () => {
      ses.on(SendEmailCommand).rejectsOnce(throttled()).resolves({ MessageId: 'ses-2' });
      const m = mail();
      table.put(row(m));
      await expect(settle(deliver(store, mailer, m.mailId, now))).resolves.toBe('sent');
      expect(stored(m.mailId)).toMatchObject({ status: 'sent', attempts: 1 });
    });

    it('a lasting throttle puts the mail back to pending, on the unsent index, for a later retry', async () => {
      ses.on(SendEmailCommand).rejects(throttled());
      const m = mail();
      table.put(row(m));
      await expect(settle(deliver(store, mailer, m.mailId, now))).resolves.toBe('retry');
      const finish = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input).find((i) => i.ConditionExpression === '#status = :sending')!;
      expect(finish.ExpressionAttributeValues).toMatchObject({ ':s': 'pending' });
      expect(stored(m.mailId)).toMatchObject({ status: 'pending', attempts: 1, gsi2pk: 'OUTBOX#2026-03-01' });

      // The next attempt sends it.
      ses.on(SendEmailCommand).resolves({ MessageId: 'ses-2' });
      await expect(settle(deliver(store, mailer, m.mailId, new Date(now.getTime() + 60_000)))).resolves.toBe('sent');
      expect(stored(m.mailId)).toMatchObject({ status: 'sent', attempts: 2 });
    });

    it(`gives up after ${MAX_ATTEMPTS} attempts: the mail is failed and leaves the unsent index`, async () => {
      ses.on(SendEmailCommand).rejects(throttled());
      const almost = mail({ attempts: MAX_ATTEMPTS - 2 });
      const last = mail({ attempts: MAX_ATTEMPTS - 1 });
      table.put(row(almost));
      table.put(row(last));

      await expect(settle(deliver(store, mailer, almost.mailId, now))).resolves.toBe('retry');
      expect(stored(almost.mailId)).toMatchObject({ status: 'pending', attempts: MAX_ATTEMPTS - 1 });

      await expect(settle(deliver(store, mailer, last.mailId, now))).resolves.toBe('failed');
      const failed = stored(last.mailId);
      expect(failed).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS });
      expect(failed.gsi2pk).toBeUndefined();
      // Never tried again.
      const sendsSoFar = sends().length;
      await expect(settle(deliver(store, mailer, last.mailId, now))).resolves.toBe('skipped');
      expect(sends()).toHaveLength(sendsSoFar);
    });
  });

  it('a DynamoDB failure while claiming propagates from deliver, and deliverAll counts it as a retry', async () => {
    const m = mail();
    table.put(row(m));
    table.failNext('UpdateCommand', new ThrottlingException({ message: 'slow down', $metadata: {} }));
    await expect(deliver(store, mailer, m.mailId, now)).rejects.toBeInstanceOf(ThrottlingException);
    table.failNext('UpdateCommand', new ThrottlingException({ message: 'slow down', $metadata: {} }));
    await expect(deliverAll(store, mailer, [m.mailId], 1000)).resolves.toEqual({ retry: 1 });
    expect(sends()).toEqual([]);
    expect(stored(m.mailId)).toMatchObject({ status: 'pending', attempts: 0 });
  });
});

describe('sweepOutbox', () => {
  // deliverAll claims with the wall clock; pin it to `now` so claim ages are as written.
  beforeEach(() => {
    jest.useFakeTimers({ now });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('queries the unsent index (gsi2) for each of the last three days, never scanning', async () => {
    await sweepOutbox(store, mailer, now, 3, 100_000);
    expect(ddb).toHaveReceivedCommandTimes(ScanCommand, 0);
    const queries = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(queries).toHaveLength(3);
    for (const q of queries) expect(q).toMatchObject({ TableName: TABLE, IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :pk' });
    expect(queries.map((q) => q.ExpressionAttributeValues![':pk'])).toEqual(['OUTBOX#2026-02-27', 'OUTBOX#2026-02-28', 'OUTBOX#2026-03-01']);
  });

  it('retries pending mail and abandoned claims of the last three days, and nothing else', async () => {
    const pendingToday = mail({ attempts: 1 });
    const pendingTwoDaysAgo = mail({}, new Date(now.getTime() - 2 * DAY));
    const abandoned = mail({ status: 'sending', claimedAt: new Date(now.getTime() - DAY).toISOString(), attempts: 1 }, new Date(now.getTime() - DAY));
    const inFlight = mail({ status: 'sending', claimedAt: new Date(now.getTime() - 60_000).toISOString(), attempts: 1 });
    const tooOld = mail({}, new Date(now.getTime() - 4 * DAY));
    const sent = mail({ status: 'sent', attempts: 1 });
    for (const m of [pendingToday, pendingTwoDaysAgo, abandoned, inFlight, tooOld, sent]) table.put(row(m));

    const counts = await sweepOutbox(store, mailer, now, 3, 100_000);

    expect(counts).toEqual({ sent: 3, skipped: 1 });
    const sentIds = [pendingToday, pendingTwoDaysAgo, abandoned].map((m) => m.mailId);
    for (const id of sentIds) expect(stored(id).status).toBe('sent');
    expect(stored(inFlight.mailId).status).toBe('sending');
    expect(stored(tooOld.mailId)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(sends()).toHaveLength(3);
  });

  it('reads every page of a busy day', async () => {
    const many = Array.from({ length: 130 }, () => mail());
    for (const m of many) table.put(row(m));
    const counts = await sweepOutbox(store, mailer, now, 1, 100_000);
    expect(counts).toEqual({ sent: 130 });
    expect(ddb.commandCalls(QueryCommand).length).toBeGreaterThanOrEqual(2);
  });
});

describe('deliverAll', () => {
  it('sends no faster than the rate allows', async () => {
    const times: number[] = [];
    ses.on(SendEmailCommand).callsFake(() => {
      times.push(performance.now());
      return { MessageId: 'ses' };
    });
    const batch = Array.from({ length: 4 }, () => mail());
    for (const m of batch) table.put(row(m));

    const counts = await deliverAll(store, mailer, batch.map((m) => m.mailId), 20); // one per 50 ms
    expect(counts).toEqual({ sent: 4 });
    expect(times).toHaveLength(4);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(45);
  });

  it('counts each outcome, and one failure does not stop the batch', async () => {
    const a = mail();
    const b = mail({ status: 'sent', attempts: 1 });
    const c = mail();
    for (const m of [a, b, c]) table.put(row(m));
    // A refusal that is not throttling is not retried in-process: the mail waits for the sweep.
    ses.on(SendEmailCommand).rejectsOnce(Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' })).resolves({ MessageId: 'ses' });
    await expect(deliverAll(store, mailer, [a.mailId, b.mailId, c.mailId], 1000)).resolves.toEqual({ retry: 1, skipped: 1, sent: 1 });
    expect(stored(a.mailId).status).toBe('pending');
    expect(stored(c.mailId).status).toBe('sent');
  });
});
