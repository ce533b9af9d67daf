/**
 * The DynamoDB Streams consumer (functions/streams/handler.ts) and the SES notification
 * handler (functions/ses-events/handler.ts), with DynamoDB served by an in-memory table
 * behind a mocked document client and SES mocked: each queued mail reaches SES once,
 * whatever the retries, and again only when the daily sweep marks it for retry (a MODIFY); throttled sends back off; suppressed addresses get nothing;
 * broadcasts expand into one mail per attendee, once; failed records are reported alone.
 */
// Settings first: the streams function builds the events dependencies when it loads.
import '../../support/events-env.js';
import { jest } from '@jest/globals';
import 'aws-sdk-client-mock-jest';
import { mockClient } from 'aws-sdk-client-mock';
import { marshall } from '@aws-sdk/util-dynamodb';
import { ThrottlingException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { SESv2Client, SendEmailCommand, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { DynamoDBRecord, DynamoDBStreamEvent, SNSEvent } from 'aws-lambda';
import { handler as streams } from '../../../functions/streams/handler.js';
import { store } from '../../../functions/core/deps.js';
import { sweepOutbox } from '../../../functions/core/services/outbox-sweep.js';
import { handler as sesEvents } from '../../../functions/ses-events/handler.js';
import type { Broadcast } from '../../../functions/core/data/store.js';
import type { OutboxMail } from '../../../functions/core/domain/types.js';
import { FakeTable } from '../../support/fake-table.js';
import { lambdaContext } from '../../support/lambda.js';
import { makeAssociation, makeExportJob } from '../../support/factories.js';
import {
  associationEntity,
  broadcastItem,
  eventItem,
  makeEvent,
  makeMail,
  makeRsvp,
  outboxItem,
  rsvpItem,
  suppressionItem,
  waitlisted,
  type StoredItem,
} from '../../support/event-factories.js';

const ddb = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESv2Client);
const TABLE = process.env.TABLE_NAME!;

let table: FakeTable;
const serve = (...items: StoredItem[]) => (table = new FakeTable(items).attach(ddb));
const storedMail = (mailId: string) => table.get(`OUTBOX#${mailId}`, 'OUTBOX') as unknown as OutboxMail;

let seq = 100;
/** A stream record as Lambda hands it over: the new image in DynamoDB's attribute-value form. */
function streamRecord(eventName: 'INSERT' | 'MODIFY', item: StoredItem, sequenceNumber = String(seq++)): DynamoDBRecord {
  return {
    eventID: `evt-${sequenceNumber}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      Keys: marshall({ pk: item.pk, sk: item.sk }) as never,
      NewImage: marshall(item, { removeUndefinedValues: true }) as never,
      SequenceNumber: sequenceNumber,
      SizeBytes: 512,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN: 'arn:aws:dynamodb:us-east-1:123456789012:table/test-table/stream/2026-01-01T00:00:00.000',
  };
}
/** A MODIFY as Lambda hands it over: the item before and after the change. */
function modifyRecord(before: StoredItem, after: StoredItem, sequenceNumber = String(seq++)): DynamoDBRecord {
  const record = streamRecord('MODIFY', after, sequenceNumber);
  record.dynamodb!.OldImage = marshall(before, { removeUndefinedValues: true }) as never;
  return record;
}
const consume = (...records: DynamoDBRecord[]) => streams({ Records: records } as DynamoDBStreamEvent, lambdaContext);

const sent = () => ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input);

const realSetTimeout = globalThis.setTimeout;
/** Backoff waits run at once for real; the delays asked for are recorded. */
function recordBackoff(random: number): number[] {
  const delays: number[] = [];
  jest.spyOn(Math, 'random').mockReturnValue(random);
  jest.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
    delays.push(ms ?? 0);
    return realSetTimeout(fn, 0);
  }) as unknown as typeof setTimeout);
  return delays;
}

const throttled = () => new ThrottlingException({ message: 'Rate of requests exceeds the allowed throughput.', $metadata: {} });
const sesThrottled = () => new TooManyRequestsException({ message: 'Maximum sending rate exceeded.', $metadata: {} });

beforeEach(() => {
  ddb.reset();
  ses.reset();
  ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
});
afterEach(() => {
  jest.restoreAllMocks();
});

describe('an outbox INSERT', () => {
  const mail = makeMail({
    mailId: 'm-confirm',
    to: 'ada@example.test',
    subject: "You're going: Spring meetup",
    text: 'See you there',
    html: '<p>See you there</p>',
    attachments: [{ filename: 'event.ics', contentType: 'text/calendar; charset=utf-8; method=PUBLISH', contentBase64: Buffer.from('BEGIN:VCALENDAR\r\n').toString('base64') }],
  });

  it('is sent through SES once and marked sent', async () => {
    serve(outboxItem(mail));
    const res = await consume(streamRecord('INSERT', outboxItem(mail)));

    expect(res).toEqual({ batchItemFailures: [] });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    const input = sent()[0]!;
    expect(input.Destination).toEqual({ ToAddresses: ['ada@example.test'] });
    expect(input.FromEmailAddress).toMatch(/^"Engineers of Lyon" <[^>]+@[^>]+>$/);
    expect(input.Content!.Simple!.Subject!.Data).toBe("You're going: Spring meetup");
    expect(input.Content!.Simple!.Body!.Text!.Data).toBe('See you there');
    expect(input.Content!.Simple!.Attachments).toEqual([
      expect.objectContaining({ FileName: 'event.ics', ContentType: 'text/calendar; charset=utf-8; method=PUBLISH', RawContent: Buffer.from('BEGIN:VCALENDAR\r\n') }),
    ]);
    expect(storedMail('m-confirm')).toMatchObject({ status: 'sent', attempts: 1, finishedAt: expect.any(String) });
    // A sent mail leaves the index the sweep reads.
    expect(storedMail('m-confirm')).not.toHaveProperty('gsi2pk');
  });

  it('is sent once when the consumer gets the same record twice: the second claim fails and it is skipped', async () => {
    serve(outboxItem(mail));
    const record = streamRecord('INSERT', outboxItem(mail));
    expect(await consume(record)).toEqual({ batchItemFailures: [] });
    expect(await consume(record)).toEqual({ batchItemFailures: [] });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(storedMail('m-confirm')).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('is sent once when the same record appears twice in one batch', async () => {
    serve(outboxItem(mail));
    const record = streamRecord('INSERT', outboxItem(mail));
    await consume(record, record);
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
  });

  it('backs off when SES throttles, then sends', async () => {
    serve(outboxItem(mail));
    ses.on(SendEmailCommand).rejectsOnce(sesThrottled()).rejectsOnce(sesThrottled()).resolves({ MessageId: 'ses-3' });
    const delays = recordBackoff(0);

    expect(await consume(streamRecord('INSERT', outboxItem(mail)))).toEqual({ batchItemFailures: [] });

    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 3);
    // 200 ms · 2^attempt · (0.5 + jitter), jitter 0 here.
    expect(delays).toEqual([100, 200]);
    expect(storedMail('m-confirm').status).toBe('sent');
  });

  it('puts the mail back for the sweep when SES keeps throttling', async () => {
    serve(outboxItem(mail));
    ses.on(SendEmailCommand).rejects(sesThrottled());
    recordBackoff(0);
    expect(await consume(streamRecord('INSERT', outboxItem(mail)))).toEqual({ batchItemFailures: [] });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 4);
    expect(storedMail('m-confirm')).toMatchObject({ status: 'pending', gsi2pk: expect.stringMatching(/^OUTBOX#/) });
  });

  it('is not sent to a suppressed address, and is finished as suppressed', async () => {
    serve(outboxItem(mail), suppressionItem('Ada@Example.test', 'ALL'));
    expect(await consume(streamRecord('INSERT', outboxItem(mail)))).toEqual({ batchItemFailures: [] });

    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 0);
    const keys = ddb.commandCalls(BatchGetCommand)[0]!.args[0].input.RequestItems![TABLE]!.Keys;
    expect(keys).toEqual([
      { pk: 'SUPPRESS#ada@example.test', sk: 'ALL' },
      { pk: 'SUPPRESS#ada@example.test', sk: 'rsvp_confirmed' },
    ]);
    expect(storedMail('m-confirm')).toMatchObject({ status: 'suppressed' });
    expect(storedMail('m-confirm')).not.toHaveProperty('gsi2pk');
  });

  it('keeps an unsubscribe to one kind of mail to that kind', async () => {
    const reminder = makeMail({ mailId: 'm-reminder', kind: 'event_reminder' });
    serve(outboxItem(mail), outboxItem(reminder), suppressionItem('ada@example.test', 'event_reminder', 'unsubscribed'));
    await consume(streamRecord('INSERT', outboxItem(reminder)), streamRecord('INSERT', outboxItem(mail)));
    expect(sent().map((s) => s.Content!.Simple!.Subject!.Data)).toEqual(["You're going: Spring meetup"]);
    expect(storedMail('m-reminder').status).toBe('suppressed');
    expect(storedMail('m-confirm').status).toBe('sent');
  });

  it('fills the live waitlist position into {{position}} when sending', async () => {
    const first = waitlisted('user-first', '01JAAAAAAAAAAAAAAAAAAAAAA1');
    const me = waitlisted('user-me', '01JAAAAAAAAAAAAAAAAAAAAAA2');
    const later = waitlisted('user-later', '01JAAAAAAAAAAAAAAAAAAAAAA3');
    const m = makeMail({
      mailId: 'm-wait',
      kind: 'rsvp_waitlisted',
      subject: 'Waitlist',
      text: 'You are at position {{position}}.',
      html: '<p>position {{position}}</p>',
      fill: { position: { eventId: 'evt1', waitKey: me.rsvp.waitKey! } },
    });
    serve(outboxItem(m), ...first.items, ...me.items, ...later.items);
    await consume(streamRecord('INSERT', outboxItem(m)));
    const body = sent()[0]!.Content!.Simple!.Body!;
    expect(body.Text!.Data).toBe('You are at position 2.');
    expect(body.Html!.Data).toBe('<p>position 2</p>');
  });

  it('reports a failing record by its SequenceNumber while the others are sent', async () => {
    const a = makeMail({ mailId: 'm-a', to: 'a@example.test' });
    const b = makeMail({ mailId: 'm-b', to: 'b@example.test' });
    const c = makeMail({ mailId: 'm-c', to: 'c@example.test' });
    serve(outboxItem(a), outboxItem(b), outboxItem(c));
    // The first claim (b's) is throttled by DynamoDB.
    table.failNext('UpdateCommand', throttled());

    const res = await consume(streamRecord('INSERT', outboxItem(b), '9001'), streamRecord('INSERT', outboxItem(a), '9002'), streamRecord('INSERT', outboxItem(c), '9003'));

    expect(res).toEqual({ batchItemFailures: [{ itemIdentifier: '9001' }] });
    expect(sent().map((s) => s.Destination!.ToAddresses![0])).toEqual(['a@example.test', 'c@example.test']);
    expect(storedMail('m-b').status).toBe('pending');
  });

  it('sends a reported record when the consumer retries it, even if it failed after the claim', async () => {
    serve(outboxItem(mail));
    // The suppression check, after the claim, is throttled.
    table.failNext('BatchGetCommand', throttled());
    const record = streamRecord('INSERT', outboxItem(mail), '9100');
    expect(await consume(record)).toEqual({ batchItemFailures: [{ itemIdentifier: '9100' }] });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 0);

    // Lambda retries the reported record (within seconds, not the 5 minutes a claim is held).
    expect(await consume(record)).toEqual({ batchItemFailures: [] });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(storedMail('m-confirm').status).toBe('sent');
  });

  it('ignores records that are not outbox, broadcast or event changes', async () => {
    serve();
    const res = await consume(streamRecord('INSERT', { pk: 'USER#u1', sk: 'PROFILE', entity: 'profile' }), streamRecord('MODIFY', outboxItem(mail)));
    expect(res).toEqual({ batchItemFailures: [] });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 0);
  });
});

describe('an outbox MODIFY', () => {
  // Left pending after a failed send: the stream has no new INSERT for it, only the sweep's mark.
  const unsent = () => makeMail({ mailId: 'm-unsent', to: 'ada@example.test', status: 'pending', attempts: 1 });
  const snapshot = (mailId: string) => ({ ...table.get(`OUTBOX#${mailId}`, 'OUTBOX')! }) as unknown as StoredItem;

  it("is sent when the daily sweep marked it for retry (its retry count changed), once, also if the record comes again", async () => {
    const m = unsent();
    serve(outboxItem(m));
    const before = snapshot('m-unsent');
    // The sweep looks back over the days before its run: here, the day the mail was queued.
    await expect(sweepOutbox(store, new Date(m.createdAt), 3, 100_000)).resolves.toEqual({ marked: 1, skipped: 0 });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 0);
    const record = modifyRecord(before, snapshot('m-unsent'));

    expect(await consume(record)).toEqual({ batchItemFailures: [] });
    expect(await consume(record)).toEqual({ batchItemFailures: [] });

    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(storedMail('m-unsent')).toMatchObject({ status: 'sent', attempts: 2, retry: 1 });
  });

  it("sends nothing on the consumer's own claim and finish (the retry count unchanged), even while the mail is pending", async () => {
    const m = unsent();
    serve(outboxItem({ ...m, retry: 1 }));
    const claimedAt = new Date().toISOString();
    const claim = modifyRecord(outboxItem({ ...m, retry: 1 }), outboxItem({ ...m, retry: 1, status: 'sending', claimedAt, attempts: 2 }));
    const releasedForRetry = modifyRecord(outboxItem({ ...m, retry: 1, status: 'sending', claimedAt, attempts: 2 }), outboxItem({ ...m, retry: 1, attempts: 2 }));
    const firstClaim = modifyRecord(outboxItem({ ...m, attempts: 0 }), outboxItem({ ...m, status: 'sending', claimedAt }));

    expect(await consume(claim, releasedForRetry, firstClaim)).toEqual({ batchItemFailures: [] });

    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 0);
    // Not even claimed: the stored mail is as it was.
    expect(storedMail('m-unsent')).toMatchObject({ status: 'pending', attempts: 1, retry: 1 });
  });

  it('a mark that meets a sender at work (a fresh claim) sends nothing more: the claim decides', async () => {
    const m = unsent();
    const inFlight = { ...m, status: 'sending' as const, claimedAt: new Date().toISOString(), retry: 1 };
    serve(outboxItem(inFlight));
    expect(await consume(modifyRecord(outboxItem(m), outboxItem(inFlight)))).toEqual({ batchItemFailures: [] });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 0);
    expect(storedMail('m-unsent')).toMatchObject({ status: 'sending', attempts: 1 });
  });
});

describe('a broadcast INSERT', () => {
  const association = makeAssociation({ associationId: 'assocA', name: 'Engineers of Lyon' });
  const going1 = makeRsvp({ userId: 'user-g1', email: 'g1@example.test', name: 'Grace One' });
  const going2 = makeRsvp({ userId: 'user-g2', email: 'g2@example.test', name: 'Grace Two', guests: 1 });
  const notGoing = makeRsvp({ userId: 'user-no', email: 'no@example.test', status: 'not_going' });
  const waiting = waitlisted('user-w1', '01JAAAAAAAAAAAAAAAAAAAAAA1');
  const cancelled: Broadcast = { broadcastId: 'evt1.cancelled', eventId: 'evt1', kind: 'event_cancelled', audience: ['going', 'waitlisted'], createdAt: '2026-03-01T12:00:00.000Z' };

  const tableWith = (b: Broadcast, event = makeEvent({ status: 'cancelled', goingCount: 3, waitlistCount: 1 })) =>
    serve(associationEntity(association), eventItem(event), rsvpItem(going1), rsvpItem(going2), rsvpItem(notGoing), ...waiting.items, broadcastItem(b));

  it('queues one mail per attendee with the deterministic id <broadcastId>.<userId>, each Put conditioned on not existing', async () => {
    tableWith(cancelled);
    expect(await consume(streamRecord('INSERT', broadcastItem(cancelled)))).toEqual({ batchItemFailures: [] });

    const puts = ddb.commandCalls(PutCommand).map((c) => c.args[0].input);
    expect(puts.map((p) => p.Item!.mailId).sort()).toEqual(['evt1.cancelled.user-g1', 'evt1.cancelled.user-g2', 'evt1.cancelled.user-w1']);
    for (const p of puts) {
      expect(p.ConditionExpression).toBe('attribute_not_exists(pk)');
      expect(p.Item).toMatchObject({ pk: `OUTBOX#${p.Item!.mailId}`, sk: 'OUTBOX', entity: 'outbox', kind: 'event_cancelled', status: 'pending' });
    }
    const byId = new Map(table.all('OUTBOX#').map((m) => [m.mailId, m as unknown as OutboxMail]));
    expect(byId.get('evt1.cancelled.user-g2')).toMatchObject({ to: 'g2@example.test', subject: 'Cancelled: Spring meetup', fromName: 'Engineers of Lyon' });
    // A cancellation carries the calendar update that removes the entry.
    const ics = Buffer.from(byId.get('evt1.cancelled.user-g1')!.attachments![0]!.contentBase64, 'base64').toString('utf8');
    expect(ics).toContain('STATUS:CANCELLED');
    // Expansion only queues; the outbox INSERTs send.
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 0);
  });

  it('adds nothing when the broadcast is expanded again', async () => {
    tableWith(cancelled);
    const record = streamRecord('INSERT', broadcastItem(cancelled));
    await consume(record);
    const first = table.all('OUTBOX#');
    expect(await consume(record)).toEqual({ batchItemFailures: [] });
    expect(table.all('OUTBOX#')).toEqual(first);
    expect(first).toHaveLength(3);
  });

  it('sends reminders to going attendees only, with one-click unsubscribe headers', async () => {
    const reminder: Broadcast = { broadcastId: 'evt1.reminder.2026-03-10T18:00:00.000Z', eventId: 'evt1', kind: 'event_reminder', audience: ['going'], createdAt: '2026-03-09T18:00:00.000Z' };
    tableWith(reminder, makeEvent({ goingCount: 3, waitlistCount: 1 }));
    await consume(streamRecord('INSERT', broadcastItem(reminder)));
    const mails = table.all('OUTBOX#') as unknown as OutboxMail[];
    expect(mails.map((m) => m.to).sort()).toEqual(['g1@example.test', 'g2@example.test']);
    for (const m of mails) {
      expect(m.headers).toEqual({
        'List-Unsubscribe': expect.stringMatching(/^<https?:\/\/[^/]+\/email\/unsubscribe\?token=[\w-]+\.[\w-]+\.[\w-]+>$/),
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      });
    }
  });
});

describe('an event MODIFY', () => {
  const association = makeAssociation({ associationId: 'assocA' });

  it('promotes the waitlist when seats are free', async () => {
    const head = waitlisted('user-w1', '01JAAAAAAAAAAAAAAAAAAAAAA1');
    const event = makeEvent({ capacity: 10, goingCount: 9, waitlistCount: 1 });
    serve(associationEntity(association), eventItem(event), ...head.items);
    expect(await consume(streamRecord('MODIFY', eventItem(event)))).toEqual({ batchItemFailures: [] });
    expect(table.get('EVENT#evt1', 'RSVP#user-w1')).toMatchObject({ status: 'going' });
    expect(table.get('EVENT#evt1', 'EVENT')).toMatchObject({ goingCount: 10, waitlistCount: 0 });
  });

  it('does nothing when the event is full', async () => {
    const event = makeEvent({ capacity: 10, goingCount: 10, waitlistCount: 1 });
    serve(associationEntity(association), eventItem(event));
    await consume(streamRecord('MODIFY', eventItem(event)));
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });
});

describe('an export job INSERT', () => {
  const lambda = mockClient(LambdaClient);
  const job = makeExportJob({ associationId: 'assocA', exportId: '01JEXPORTJOB0000000000000A' });
  const jobItem = { pk: 'ASSOC#assocA', sk: `EXPORTJOB#${job.exportId}`, entity: 'exportJob', ...job } as unknown as StoredItem;
  beforeEach(() => {
    lambda.reset();
    process.env.EXPORT_JOB_FUNCTION = 'exportJob-fn';
    serve(jobItem);
  });

  it('starts the job: one asynchronous invocation with the job’s keys, nothing written', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    expect(await consume(streamRecord('INSERT', jobItem))).toEqual({ batchItemFailures: [] });
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
    const input = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect({ ...input, Payload: JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array)) }).toEqual({
      FunctionName: 'exportJob-fn',
      InvocationType: 'Event',
      Payload: { associationId: 'assocA', exportId: job.exportId },
    });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it('reports the record as failed when Lambda does not take the invocation, so the stream retries it', async () => {
    lambda.on(InvokeCommand).rejects(Object.assign(new Error('slow down'), { name: 'TooManyRequestsException', $metadata: {} }));
    const record = streamRecord('INSERT', jobItem);
    expect(await consume(record)).toEqual({ batchItemFailures: [{ itemIdentifier: record.dynamodb!.SequenceNumber }] });
  });

  it('a job finishing (MODIFY) starts nothing', async () => {
    await consume(streamRecord('MODIFY', { ...jobItem, state: 'ready' } as StoredItem));
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 0);
  });
});

describe('SES bounce and complaint notifications', () => {
  const sns = (...messages: (object | string)[]): SNSEvent => ({
    Records: messages.map((m, i) => ({
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: 'arn:aws:sns:us-east-1:123456789012:ses-events:sub',
      Sns: {
        Type: 'Notification',
        MessageId: `msg-${i}`,
        TopicArn: 'arn:aws:sns:us-east-1:123456789012:ses-events',
        Subject: '',
        Message: typeof m === 'string' ? m : JSON.stringify(m),
        Timestamp: '2026-03-01T12:00:00.000Z',
        SignatureVersion: '1',
        Signature: 'sig',
        SigningCertUrl: 'https://sns.example.test/cert.pem',
        UnsubscribeUrl: 'https://sns.example.test/unsub',
        MessageAttributes: {},
      },
    })),
  });
  const bounce = (bounceType: string, ...emails: string[]) => ({ notificationType: 'Bounce', bounce: { bounceType, bouncedRecipients: emails.map((emailAddress) => ({ emailAddress })) } });
  const complaint = (...emails: string[]) => ({ notificationType: 'Complaint', complaint: { complainedRecipients: emails.map((emailAddress) => ({ emailAddress })) } });
  const suppressions = () => table.all('SUPPRESS#').map((s) => ({ pk: s.pk, sk: s.sk, reason: s.reason }));

  beforeEach(() => serve());

  it('suppresses ALL mail to each permanently bounced address', async () => {
    expect(await sesEvents(sns(bounce('Permanent', 'Gone@Example.test', 'old@example.test')), lambdaContext)).toEqual({ suppressed: 2 });
    expect(suppressions()).toEqual([
      { pk: 'SUPPRESS#gone@example.test', sk: 'ALL', reason: 'bounce' },
      { pk: 'SUPPRESS#old@example.test', sk: 'ALL', reason: 'bounce' },
    ]);
  });

  it('suppresses ALL mail to an address that complained', async () => {
    await sesEvents(sns(complaint('angry@example.test')), lambdaContext);
    expect(suppressions()).toEqual([{ pk: 'SUPPRESS#angry@example.test', sk: 'ALL', reason: 'complaint' }]);
  });

  it('does not suppress on a transient or undetermined bounce', async () => {
    expect(await sesEvents(sns(bounce('Transient', 'full@example.test'), bounce('Undetermined', 'odd@example.test')), lambdaContext)).toEqual({ suppressed: 0 });
    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 0);
  });

  it('understands configuration-set events (eventType) as well as notifications', async () => {
    await sesEvents(sns({ eventType: 'Bounce', bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'cs@example.test' }] } }), lambdaContext);
    expect(suppressions()).toEqual([{ pk: 'SUPPRESS#cs@example.test', sk: 'ALL', reason: 'bounce' }]);
  });

  it('skips a message that is not JSON and handles the rest', async () => {
    expect(await sesEvents(sns('not json', complaint('x@example.test')), lambdaContext)).toEqual({ suppressed: 1 });
  });

  it('stops later mail to a bounced address', async () => {
    const m = makeMail({ mailId: 'm-after', to: 'gone@example.test' });
    table.put(outboxItem(m));
    await sesEvents(sns(bounce('Permanent', 'GONE@example.test')), lambdaContext);
    await consume(streamRecord('INSERT', outboxItem(m)));
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 0);
    expect(storedMail('m-after').status).toBe('suppressed');
  });
});
