/**
 * Mail links lead to the web app's pages: event mails to /e/{eventId}, dues mails to the
 * memberships on the account page, the match mail to "my matches" (keeping its signed
 * "introduce us" and unsubscribe links). Each mail's links, in its text and its HTML, from
 * the templates; and from the RSVP service, the links it really puts in the outbox.
 */
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  eventReminderMail,
  lapsedMail,
  matchesMail,
  paymentFailedMail,
  promotedMail,
  receiptMail,
  renewalReminderMail,
  rsvpConfirmedMail,
  waitlistedMail,
  type DuesFacts,
  type EventFacts,
  type Mail,
} from '../../../functions/core/domain/emails.js';
import { createStore } from '../../../functions/core/data/store.js';
import { queueRsvpMail, rsvp, type SchedulingDeps } from '../../../functions/core/services/events.js';
import { associationItem } from '../../../functions/core/data/associations.js';
import type { Rsvp } from '../../../functions/core/domain/events.js';
import { FakeTable } from '../../support/fake-table.js';
import { makeAssociation } from '../../support/factories.js';
import { eventItem, makeEvent } from '../../support/event-factories.js';

const APP = 'https://app.example.test';
const account = `${APP}/account#memberships`;
const matchesPage = `${APP}/account#matches`;
const dues: DuesFacts = { associationName: 'Engineers of Lyon', memberName: 'Ada', planName: 'Yearly', timezone: 'Europe/Paris' };
const ev: EventFacts = { associationName: 'Engineers of Lyon', attendeeName: 'Ada', title: 'Spring meetup', startsAt: '2026-04-10T16:00:00.000Z', endsAt: '2026-04-10T18:00:00.000Z', timezone: 'Europe/Paris', where: 'Lyon', eventUrl: `${APP}/e/ev1` };

/** Every URL of the mail: the hrefs of its HTML and the URLs of its text, each as a set. */
const links = (m: Mail) => ({
  html: new Set([...m.html.matchAll(/href="([^"]+)"/g)].map((x) => x[1]!.replace(/&amp;/g, '&'))),
  text: new Set([...m.text.matchAll(/https?:\/\/\S+/g)].map((x) => x[0])),
});
const expectLinks = (m: Mail, urls: string[]) => {
  const l = links(m);
  expect([...l.html].sort()).toEqual([...urls].sort());
  expect([...l.text].sort()).toEqual([...urls].sort());
};

describe('each mail links to the page it is about', () => {
  it('RSVP confirmation, promotion and the event reminder: the event page (and the reminder its unsubscribe link)', () => {
    expectLinks(rsvpConfirmedMail({ ...ev, guests: 0, checkInCode: 'K7P2QX' }), [`${APP}/e/ev1`]);
    expectLinks(promotedMail({ ...ev, checkInCode: 'K7P2QX' }), [`${APP}/e/ev1`]);
    const unsubscribe = 'https://api.example.test/email/unsubscribe?token=t1';
    const reminder = eventReminderMail({ ...ev, unsubscribeUrl: unsubscribe });
    expect(links(reminder).html).toEqual(new Set([`${APP}/e/ev1`]));
    expect(links(reminder).text).toEqual(new Set([`${APP}/e/ev1`, unsubscribe]));
  });

  it('waitlist: the event page, and the signed leave link in the text', () => {
    const leave = 'https://api.example.test/events/ev1/waitlist/leave?token=t2';
    const m = waitlistedMail({ ...ev, position: 3, leaveUrl: leave });
    expect(links(m).html).toEqual(new Set([`${APP}/e/ev1`]));
    expect(links(m).text).toEqual(new Set([`${APP}/e/ev1`, leave]));
  });

  it('dues receipt, payment failed, renewal reminders and lapsed: the memberships on the account page', () => {
    expectLinks(receiptMail({ ...dues, amount: 5000, currency: 'eur', paidAt: '2026-03-01T10:00:00.000Z', periodEnd: null, accountUrl: account }), [account]);
    expectLinks(paymentFailedMail({ ...dues, amount: 5000, currency: 'eur', graceUntil: null, billingUrl: account }), [account]);
    for (const [autoRenew, viaStripe] of [[true, true], [false, true], [true, false]] as const) {
      expectLinks(renewalReminderMail({ ...dues, daysBefore: 14, periodEnd: '2026-09-30T22:30:00.000Z', amount: 5000, currency: 'eur', autoRenew, viaStripe, billingUrl: account }), [account]);
    }
    expectLinks(lapsedMail({ ...dues, billingUrl: account }), [account]);
    expect(receiptMail({ ...dues, amount: 5000, currency: 'eur', paidAt: '2026-03-01T10:00:00.000Z', periodEnd: null, accountUrl: account }).text).toContain(`See your membership and receipts: ${account}`);
  });

  it('the match mail: my matches on the account page, beside the signed "introduce us" and unsubscribe links', () => {
    const introduce = 'https://api.example.test/events/ev1/matches/u1.u2/introduce?token=t3';
    const unsubscribe = 'https://api.example.test/email/unsubscribe?token=t4';
    const m = matchesMail({ ...ev, people: [{ name: 'Bob', reasons: ['You both like tea'], introduceUrl: introduce }], unsubscribeUrl: unsubscribe, accountUrl: matchesPage });
    expectLinks(m, [introduce, unsubscribe, matchesPage]);
    expect(m.text).toContain(`See your matches: ${matchesPage}`);
    expect(m.html).toMatch(/<a href="https:\/\/app\.example\.test\/account#matches"[^>]*>See your matches<\/a>/);
  });
});

describe('the RSVP service puts the event page in its mails', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const store = createStore(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }), { marshallOptions: { removeUndefinedValues: true } }), process.env.TABLE_NAME!);
  const deps: SchedulingDeps = {
    store,
    scheduler: { upsert: async () => undefined, remove: async () => undefined },
    appUrl: APP,
    apiUrl: 'https://api.example.test',
  };
  const association = makeAssociation({ associationId: 'assocA' });
  const now = new Date('2026-03-01T12:00:00.000Z');
  // The RSVP asks for its mail; the stream consumer builds it (queueRsvpMail), as in AWS.
  const mailsOf = async (table: FakeTable, userId: string) => {
    await queueRsvpMail(deps, table.get('EVENT#evt1', `RSVP#${userId}`) as unknown as Rsvp, now);
    return ddb
      .commandCalls(PutCommand)
      .map((c) => c.args[0].input.Item as Record<string, any>)
      .filter((i) => String(i.pk).startsWith('OUTBOX#'));
  };
  afterEach(() => ddb.reset());

  it('confirmation: /e/{eventId}', async () => {
    const table = new FakeTable([associationItem(association), eventItem(makeEvent({ capacity: 10 }))]).attach(ddb);
    await rsvp(deps, 'evt1', { userId: 'u-ada', email: 'ada@example.test', name: 'Ada' }, undefined, { status: 'going' }, now);
    const [mail] = await mailsOf(table, 'u-ada');
    expect(mail!.text).toContain(`See the event: ${APP}/e/evt1`);
    expect(mail!.html).toContain(`href="${APP}/e/evt1"`);
  });

  it('waitlist: /e/{eventId}', async () => {
    const table = new FakeTable([associationItem(association), eventItem(makeEvent({ capacity: 1, goingCount: 1, seatsLeft: 0 }))]).attach(ddb);
    await rsvp(deps, 'evt1', { userId: 'u-bob', email: 'bob@example.test', name: 'Bob' }, undefined, { status: 'going' }, now);
    const mails = await mailsOf(table, 'u-bob');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toMatch(/^You're on the waitlist/);
    expect(mails[0]!.html).toContain(`href="${APP}/e/evt1"`);
  });
});
