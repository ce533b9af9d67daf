/**
 * The email outbox (services/outbox.ts, services/outbox-sweep.ts) over the real store and an
 * in-memory table: a mail is claimed with a conditional update before it is sent, so
 * concurrent senders and retries send it once; failures stay queued until MAX attempts; the
 * sweep reads the unsent index by day (Query, never Scan) and only marks mail for retry (the
 * stream consumer sends it), no faster than the send rate.
 */
import 'aws-sdk-client-mock-jest';
import { jest } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException, DynamoDBClient, ThrottlingException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { createStore } from '../../../functions/core/data/store.js';
import * as keys from '../../../functions/core/data/keys.js';
import { deliver, type Mailer } from '../../../functions/core/services/outbox.js';
import { sweepOutbox } from '../../../functions/core/services/outbox-sweep.js';
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

  it('a DynamoDB failure while claiming propagates from deliver, and nothing is sent', async () => {
    const m = mail();
    table.put(row(m));
    table.failNext('UpdateCommand', new ThrottlingException({ message: 'slow down', $metadata: {} }));
    await expect(deliver(store, mailer, m.mailId, now)).rejects.toBeInstanceOf(ThrottlingException);
    expect(sends()).toEqual([]);
    expect(stored(m.mailId)).toMatchObject({ status: 'pending', attempts: 0 });
  });
});

describe('sweepOutbox', () => {
  const marks = () => ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input).filter((i) => i.UpdateExpression?.includes('#retry'));

  it('queries the unsent index (gsi2) for each of the last three days, never scanning', async () => {
    await sweepOutbox(store, now, 3, 100_000);
    expect(ddb).toHaveReceivedCommandTimes(ScanCommand, 0);
    const queries = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(queries).toHaveLength(3);
    for (const q of queries) expect(q).toMatchObject({ TableName: TABLE, IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :pk' });
    expect(queries.map((q) => q.ExpressionAttributeValues![':pk'])).toEqual(['OUTBOX#2026-02-27', 'OUTBOX#2026-02-28', 'OUTBOX#2026-03-01']);
  });

  it('marks pending mail and abandoned claims of the last three days for retry, conditionally, and sends nothing itself', async () => {
    const pendingToday = mail({ attempts: 1 });
    const pendingTwoDaysAgo = mail({}, new Date(now.getTime() - 2 * DAY));
    const abandoned = mail({ status: 'sending', claimedAt: new Date(now.getTime() - DAY).toISOString(), attempts: 1 }, new Date(now.getTime() - DAY));
    const inFlight = mail({ status: 'sending', claimedAt: new Date(now.getTime() - 60_000).toISOString(), attempts: 1 });
    const tooOld = mail({}, new Date(now.getTime() - 4 * DAY));
    const sent = mail({ status: 'sent', attempts: 1 });
    for (const m of [pendingToday, pendingTwoDaysAgo, abandoned, inFlight, tooOld, sent]) table.put(row(m));

    const counts = await sweepOutbox(store, now, 3, 100_000);

    expect(counts).toEqual({ marked: 3, skipped: 1 });
    expect(sends()).toEqual([]);
    for (const m of [pendingToday, pendingTwoDaysAgo, abandoned]) expect(stored(m.mailId)).toMatchObject({ status: m.status, attempts: m.attempts, retry: 1, retriedAt: now.toISOString() });
    // A claim younger than five minutes is a sender at work: its condition refuses the mark.
    expect(stored(inFlight.mailId).retry).toBeUndefined();
    expect(stored(tooOld.mailId).retry).toBeUndefined();
    expect(stored(sent.mailId).retry).toBeUndefined();
    expect(marks()[0]).toMatchObject({
      UpdateExpression: 'SET retriedAt = :now ADD #retry :one',
      ConditionExpression: '#status = :pending OR (#status = :sending AND claimedAt < :stale)',
      ExpressionAttributeValues: expect.objectContaining({ ':stale': new Date(now.getTime() - 5 * 60_000).toISOString() }),
    });
  });

  it('each run counts up, so every mark is a change the stream sees (a same-value write would make no record)', async () => {
    const m = mail();
    table.put(row(m));
    await sweepOutbox(store, now, 1, 100_000);
    await sweepOutbox(store, now, 1, 100_000);
    expect(stored(m.mailId).retry).toBe(2);
  });

  it('a marked mail, once the consumer sent it, is off the unsent index and refuses another mark', async () => {
    const m = mail();
    table.put(row(m));
    await sweepOutbox(store, now, 1, 100_000);
    await expect(deliver(store, mailer, m.mailId, now)).resolves.toBe('sent');
    expect(await sweepOutbox(store, now, 1, 100_000)).toEqual({ marked: 0, skipped: 0 });
    await expect(store.markMailForRetry(m.mailId, now)).resolves.toBe(false);
    expect(stored(m.mailId)).toMatchObject({ status: 'sent', retry: 1 });
    expect(sends()).toHaveLength(1);
  });

  it('reads every page of a busy day', async () => {
    const many = Array.from({ length: 130 }, () => mail());
    for (const m of many) table.put(row(m));
    const counts = await sweepOutbox(store, now, 1, 100_000);
    expect(counts).toEqual({ marked: 130, skipped: 0 });
    expect(ddb.commandCalls(QueryCommand).length).toBeGreaterThanOrEqual(2);
  });

  it('marks no faster than the send rate, so the consumer is not asked to send faster', async () => {
    const times: number[] = [];
    const batch = Array.from({ length: 4 }, () => mail());
    for (const m of batch) table.put(row(m));
    const timed = {
      unsentMailOn: store.unsentMailOn,
      markMailForRetry: (id: string, at: Date) => (times.push(performance.now()), store.markMailForRetry(id, at)),
    };
    const counts = await sweepOutbox(timed, now, 1, 20); // one per 50 ms
    expect(counts).toEqual({ marked: 4, skipped: 0 });
    expect(times).toHaveLength(4);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(45);
  });
});
