/**
 * Signed links in emails: what a link may do and for whom is in its payload, an HMAC
 * bound to the link's purpose makes it unforgeable. The email function's unsubscribe
 * page shows a button on GET (mail scanners fetch links) and acts only on POST, for the
 * address and kind of mail in the link; the leave-waitlist link works only for its event.
 */
// Settings first: the events function builds its dependencies when it loads.
import '../../support/events-env.js';
import 'aws-sdk-client-mock-jest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { linkSigner } from '../../../functions/core/http/links.js';
import { handler as email } from '../../../functions/email/handler.js';
import { handler as events } from '../../../functions/events/handler.js';
import { apiEvent, invoke, type Reply } from '../../support/lambda.js';
import { FakeTable } from '../../support/fake-table.js';
import { makeAssociation } from '../../support/factories.js';
import { associationEntity, eventItem, makeEvent, waitlisted } from '../../support/event-factories.js';

const ddb = mockClient(DynamoDBDocumentClient);
mockClient(SESv2Client);
// The link format itself (kid, expiry, rotation) is tested in test/unit/http/links.test.ts.
const signer = await linkSigner();
const signLink = (purpose: string, data: Record<string, string>) => signer.sign(purpose, data, new Date());

// Writes of data; the rate-limit counters (RATE#, counted for every request to a limited route) are not data.
const writes = () =>
  ddb.calls().filter((c) => ['PutCommand', 'UpdateCommand', 'DeleteCommand', 'TransactWriteCommand', 'BatchWriteCommand'].includes((c.args[0] as object).constructor.name) && !String((c.args[0] as any).input?.Key?.pk ?? '').startsWith('RATE#'));

function expectTokenProblem(res: Reply) {
  expect(res.statusCode).toBe(400);
  expect(res.headers['Content-Type']).toBe('application/problem+json');
  expect(res.body.errors).toEqual([expect.objectContaining({ path: 'token' })]);
}

beforeEach(() => {
  ddb.reset();
});

describe('the email function: unsubscribe', () => {
  const token = signLink('unsubscribe', { email: 'Ada@Example.test', kind: 'event_reminder' });
  const get = (t: string) => invoke(email, apiEvent('GET /email/unsubscribe', { queryStringParameters: { token: t } }));
  const post = (t: string, opts: { headers?: Record<string, string>; rawBody?: string } = {}) =>
    invoke(email, apiEvent('POST /email/unsubscribe', { queryStringParameters: { token: t }, ...opts }));

  beforeEach(() => {
    new FakeTable().attach(ddb);
  });

  it('GET shows a form that posts the same token back, and writes nothing', async () => {
    const res = await get(token);
    expect(res.statusCode).toBe(200);
    expect(res.headers['Content-Type']).toBe('text/html; charset=utf-8');
    expect(res.text).toContain('<form method="post"');
    expect(res.text).toContain(`action="?token=${encodeURIComponent(token)}"`);
    expect(res.text).toContain('event reminder');
    expect(res.text).toContain('Ada@Example.test');
    // Only the per-address rate-limit counter: the page itself reads and writes nothing.
    expect(ddb.calls().filter((c) => !String((c.args[0] as any).input?.Key?.pk ?? '').startsWith('RATE#'))).toHaveLength(0);
  });

  it('POST suppresses that kind of mail for that address only', async () => {
    const res = await post(token);
    expect(res.statusCode).toBe(200);
    expect(res.body).toEqual({ unsubscribed: 'event_reminder' });
    expect(writes()).toHaveLength(1);
    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 1);
    const put = ddb.commandCalls(PutCommand)[0]!.args[0].input;
    expect(put.Item).toMatchObject({ pk: 'SUPPRESS#ada@example.test', sk: 'event_reminder', entity: 'suppression', reason: 'unsubscribed', at: expect.any(String) });
    expect(put.Item!.sk).not.toBe('ALL');
  });

  it('accepts the one-click POST a mail client sends (RFC 8058 form body)', async () => {
    const res = await post(token, { rawBody: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.statusCode).toBe(200);
    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 1);
  });

  it('answers the button of the page with a page', async () => {
    const res = await post(token, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['Content-Type']).toBe('text/html; charset=utf-8');
    expect(res.text).toContain('You will no longer receive event reminder emails.');
  });

  it('refuses a tampered or foreign token with 400 naming the token, on GET and POST, writing nothing', async () => {
    const [kid, payload, mac] = token.split('.');
    const forged = `${kid}.${Buffer.from(JSON.stringify({ email: 'victim@example.test', kind: 'event_reminder' })).toString('base64url')}.${mac}`;
    expectTokenProblem(await get(forged));
    expectTokenProblem(await post(forged));
    expectTokenProblem(await post(`${kid}.${payload}.${mac!.slice(0, -2)}xx`));
    expectTokenProblem(await post(signLink('leave-waitlist', { eventId: 'evt1', userId: 'user-ada' })));
    expect(writes()).toHaveLength(0);
  });
});

describe('the leave-waitlist link', () => {
  const association = makeAssociation({ associationId: 'assocA' });
  const ada = waitlisted('user-ada', '01JAAAAAAAAAAAAAAAAAAAAAA1', { email: 'ada@example.test' });
  let table: FakeTable;
  const leave = (eventId: string, token: string, method: 'GET' | 'POST' = 'POST') =>
    invoke(events, apiEvent(`${method} /events/{eventId}/waitlist/leave`, { pathParameters: { eventId }, queryStringParameters: { token } }));

  beforeEach(() => {
    table = new FakeTable([
      associationEntity(association),
      eventItem(makeEvent({ eventId: 'evt1', startsAt: '2099-03-10T18:00:00.000Z', endsAt: '2099-03-10T21:00:00.000Z', capacity: 10, goingCount: 10, waitlistCount: 1 })),
      eventItem(makeEvent({ eventId: 'evt2', startsAt: '2099-03-10T18:00:00.000Z', endsAt: '2099-03-10T21:00:00.000Z' })),
      ...ada.items,
    ]).attach(ddb);
  });

  it('refuses an unsubscribe token with 400 naming the token, leaving the waitlist as it was', async () => {
    const token = signLink('unsubscribe', { email: 'ada@example.test', kind: 'event_reminder', eventId: 'evt1', userId: 'user-ada' });
    expectTokenProblem(await leave('evt1', token));
    expectTokenProblem(await leave('evt1', token, 'GET'));
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
    expect(table.get('EVENT#evt1', 'RSVP#user-ada')).toMatchObject({ status: 'waitlisted' });
  });

  it('refuses a link for another event with 400', async () => {
    const res = await leave('evt2', signLink('leave-waitlist', { eventId: 'evt1', userId: 'user-ada' }));
    expect(res.statusCode).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'token', message: 'is for another event' }]);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it('takes the person in the link off the waitlist', async () => {
    const res = await leave('evt1', signLink('leave-waitlist', { eventId: 'evt1', userId: 'user-ada' }));
    expect(res.statusCode).toBe(200);
    expect(res.body).toEqual({ status: 'not_going' });
    expect(table.get('EVENT#evt1', 'RSVP#user-ada')).toMatchObject({ status: 'not_going' });
    expect(table.get('EVENT#evt1', 'EVENT')).toMatchObject({ waitlistCount: 0, goingCount: 10 });
    expect(table.all('EVENT#evt1', 'WAIT#')).toEqual([]);
  });
});
