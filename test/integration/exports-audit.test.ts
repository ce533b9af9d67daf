/**
 * Every export of personal data is recorded (members CSV, ledger CSV, attendees CSV, inline
 * or as a file link) and listed to admins newest first, in cursor pages, over HTTP against
 * DynamoDB Local. Large member and ledger exports go to a file link like the attendee export.
 */
import { call, callBytes, signIn } from '../support/http.js';
import { buildAssociation, createAssociation, errorPaths, expectProblem, expectStatus, join, type AssociationFixture, type User } from '../support/fixtures.js';
import { createEvent, csvObjects, download, parseCsvStrict, rsvp } from '../support/events.js';

const A = (fx: AssociationFixture) => `/associations/${fx.associationId}`;

describe('the export log', () => {
  let fx: AssociationFixture;
  let eventId: string;
  let payer: User;

  beforeAll(async () => {
    fx = await buildAssociation({ stripe: true });
    payer = await signIn('payer');
    await join(payer, fx.associationId, fx.paidPlanId);
    expectStatus(await call('PATCH', `${A(fx)}/members/${payer.userId}`, { token: fx.admin.token, body: { offlinePayment: { amount: 1500, paidAt: new Date().toISOString() } } }), 200, 'offline payment');
    eventId = (await createEvent(fx.organizer, fx.associationId, { title: 'Exported event' })).eventId;
    expectStatus(await rsvp(fx.member, eventId), 200, 'rsvp');
  }, 60_000);

  it('serves members and ledger exports as a file link on request, and the file holds the rows', async () => {
    const members = expectStatus(await call('GET', `${A(fx)}/members/export?format=url`, { token: fx.admin.token }), 200, 'members export url');
    expect(members.body).toEqual({ url: expect.any(String), rows: 6, expiresAt: expect.any(String) });
    const file = await download(members.body.url);
    expect(file.status).toBe(200);
    expect(csvObjects(parseCsvStrict(file.bytes)).map((r) => r.email).sort()).toEqual([fx.owner, fx.admin, fx.organizer, fx.member, fx.other, payer].map((u) => u.email).sort());
    const ledger = expectStatus(await call('GET', `${A(fx)}/payments/export?format=url`, { token: fx.admin.token }), 200, 'ledger export url');
    expect(ledger.body).toEqual({ url: expect.any(String), rows: 1, expiresAt: expect.any(String) });
    const rows = csvObjects(parseCsvStrict((await download(ledger.body.url)).bytes));
    expect(rows.map((r) => [r.userId, r.amount])).toEqual([[payer.userId, '1500']]);
    const inline = await callBytes('GET', `${A(fx)}/payments/export`, { token: fx.admin.token });
    expect(inline.status).toBe(200);
    expect(inline.headers.get('content-type')).toMatch(/^text\/csv/);
  });

  it('refuses a bad format with a 400 naming the field', async () => {
    for (const path of [`${A(fx)}/members/export?format=pdf`, `${A(fx)}/payments/export?format=pdf`]) {
      const res = await call('GET', path, { token: fx.admin.token });
      expectProblem(res, 400);
      expect(errorPaths(res)).toContain('format');
    }
  });

  it('records every export and lists them newest first, past a full page', async () => {
    const before = (await call('GET', `${A(fx)}/exports?limit=200`, { token: fx.admin.token })).body.items.length;
    expectStatus(await call('GET', `${A(fx)}/members/export`, { token: fx.admin.token }), 200, 'members csv');
    expectStatus(await call('GET', `${A(fx)}/payments/export`, { token: fx.owner.token }), 200, 'ledger csv');
    expectStatus(await call('GET', `/events/${eventId}/attendees/export`, { token: fx.organizer.token }), 200, 'attendees csv');
    expectStatus(await call('GET', `/events/${eventId}/attendees/export?format=url`, { token: fx.organizer.token }), 200, 'attendees file');
    const pages: any[][] = [];
    let cursor: string | null = null;
    do {
      const res: any = expectStatus(await call('GET', `${A(fx)}/exports?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: fx.admin.token }), 200, 'exports page');
      pages.push(res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor && pages.length < 50);
    const all = pages.flat();
    expect(all).toHaveLength(before + 4);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    for (const p of pages.slice(0, -1)) expect(p).toHaveLength(2);
    expect(new Set(all.map((e) => e.exportId)).size).toBe(all.length);
    // Newest first.
    const ats = all.map((e) => e.at);
    expect([...ats].sort().reverse()).toEqual(ats);
    expect(all.slice(0, 4).map((e) => [e.what, e.actorId, e.rows, e.format, e.subjectId ?? null])).toEqual([
      ['attendees', fx.organizer.userId, 1, 'url', eventId],
      ['attendees', fx.organizer.userId, 1, 'inline', eventId],
      ['payments', fx.owner.userId, 1, 'inline', null],
      ['members', fx.admin.userId, 6, 'inline', null],
    ]);
    // The two file exports of the first test are there too.
    expect(all.filter((e) => e.format === 'url').map((e) => e.what)).toEqual(expect.arrayContaining(['members', 'payments']));
  });

  it('refuses bad paging input with a 400 naming the field', async () => {
    const limit = await call('GET', `${A(fx)}/exports?limit=0`, { token: fx.admin.token });
    expectProblem(limit, 400);
    expect(errorPaths(limit)).toContain('limit');
    const cursor = await call('GET', `${A(fx)}/exports?cursor=forged`, { token: fx.admin.token });
    expectProblem(cursor, 400);
    expect(errorPaths(cursor)).toContain('cursor');
    const unknown = await call('GET', `${A(fx)}/exports?what=members`, { token: fx.admin.token });
    expectProblem(unknown, 400);
    expect(errorPaths(unknown)).toContain('what');
  });

  it('is for admins of this association only', async () => {
    const foreign = await signIn('foreign-admin');
    await createAssociation(foreign);
    for (const u of [fx.organizer, fx.member, foreign]) expectProblem(await call('GET', `${A(fx)}/exports`, { token: u.token }), 403);
    expectProblem(await call('GET', `${A(fx)}/exports`), 401);
    expect((await call('GET', `${A(fx)}/exports`, { token: fx.owner.token })).status).toBe(200);
  });
});
