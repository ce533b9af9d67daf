/**
 * The web app's server-rendered pages over HTTP on the local stack: what the shared event
 * page and the association page contain for each kind of visitor, the sign-in through the
 * local issuer (OAuth 2 code + PKCE), and the RSVP form that works without any script.
 */
import { call } from '../support/http.js';
import { buildAssociation, createPlan, expectStatus, type AssociationFixture } from '../support/fixtures.js';
import { createEvent, rsvp } from '../support/events.js';
import { Visitor, jsonLd, meta, textOf } from '../support/web.js';

const stamp = () => `${Date.now()}.${Math.random().toString(36).slice(2, 8)}`;
const freshEmail = (label: string) => `${label}.${stamp()}@example.test`;

let fx: AssociationFixture;
beforeAll(async () => {
  fx = await buildAssociation({ stripe: true });
});

describe('the shared event page', () => {
  it('renders everything a visitor needs, with social and schema.org tags, before any script', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { title: 'Winter mixer', description: 'Talks.\n\nThen drinks.', startsAt: '2030-01-15T17:30:00.000Z', endsAt: '2030-01-15T20:00:00.000Z', capacity: 40 });
    const page = await new Visitor().get(`/e/${ev.eventId}`);

    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toContain("frame-ancestors 'none'");
    const text = textOf(page.html);
    expect(text).toContain('Winter mixer');
    expect(text).toContain('Tuesday, 15 January 2030, 18:30 – 21:00 (CET, Europe/Paris)');
    expect(text).toContain('1 rue de la Paix, Paris');
    expect(text).toContain('40 of 40 spots left');
    expect(text).toContain('Then drinks.');
    expect(text).toContain('Organized by Test association');
    expect(page.html).toContain(`href="/sign-in?next=%2Fe%2F${ev.eventId}"`);
    expect(page.html).toContain(`href="/e/${ev.eventId}/calendar.ics"`);
    expect(page.html).toMatch(/https:\/\/calendar\.google\.com\/calendar\/render\?action=TEMPLATE&amp;text=Winter\+mixer&amp;dates=20300115T173000Z%2F20300115T200000Z/);
    expect(meta(page.html, 'og:title')).toBe('Winter mixer');
    expect(meta(page.html, 'og:url')).toMatch(new RegExp(`/e/${ev.eventId}$`));
    expect(meta(page.html, 'twitter:card')).toBe('summary');

    const [ld] = jsonLd(page.html);
    expect(ld).toMatchObject({
      '@type': 'Event',
      name: 'Winter mixer',
      startDate: '2030-01-15T18:30:00+01:00',
      endDate: '2030-01-15T21:00:00+01:00',
      eventStatus: 'https://schema.org/EventScheduled',
      eventAttendanceMode: 'https://schema.org/OfflineEventAttendanceMode',
      location: { '@type': 'Place', name: '1 rue de la Paix, Paris' },
      organizer: { '@type': 'Organization', name: 'Test association' },
      offers: { '@type': 'Offer', availability: 'https://schema.org/InStock', priceCurrency: 'EUR' },
    });
  });

  it('uses the summer offset of the event zone in schema.org dates', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { startsAt: '2030-07-01T16:00:00.000Z', endsAt: '2030-07-01T18:00:00.000Z', timezone: 'America/New_York' });
    const [ld] = jsonLd((await new Visitor().get(`/e/${ev.eventId}`)).html);
    expect(ld.startDate).toBe('2030-07-01T12:00:00-04:00');
    expect(ld.endDate).toBe('2030-07-01T14:00:00-04:00');
  });

  it('escapes what organizers type, in the page, the tags and the JSON-LD', async () => {
    const title = `</script><script>alert(1)</script> & "quoted" <b>`;
    const ev = await createEvent(fx.organizer, fx.associationId, { title, description: '<img src=x onerror=alert(1)>' });
    const page = await new Visitor().get(`/e/${ev.eventId}`);
    expect(page.html).not.toContain('<script>alert(1)');
    expect(page.html).not.toContain('<img src=x');
    expect(page.html).not.toContain('<b>');
    expect(jsonLd(page.html)[0].name).toBe(title);
    expect(textOf(page.html)).toContain(title);
  });

  it('shows a members-only event’s title and date to everyone, and the rest only to members', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { title: 'Board dinner', description: 'Secret agenda', visibility: 'members', venue: 'Hidden place 1' });
    const outsider = await new Visitor().get(`/e/${ev.eventId}`);
    expect(outsider.status).toBe(200);
    expect(textOf(outsider.html)).toContain('Board dinner');
    expect(outsider.html).toMatch(/<time datetime="[^"]+\+0[12]:00"/);
    expect(outsider.html).not.toContain('Secret agenda');
    expect(outsider.html).not.toContain('Hidden place 1');
    expect(jsonLd(outsider.html)).toHaveLength(0);

    const stranger = new Visitor();
    await stranger.signIn(freshEmail('stranger'), 'Stranger');
    expect((await stranger.get(`/e/${ev.eventId}`)).html).not.toContain('Secret agenda');

    const member = new Visitor();
    await member.signIn(fx.member.email, 'Member');
    const seen = await member.get(`/e/${ev.eventId}`);
    expect(seen.html).toContain('Secret agenda');
    expect(seen.html).toContain('Hidden place 1');
  });

  it('gives the online link only to people with a spot', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { venue: undefined, onlineUrl: 'https://meet.example.test/room-42' });
    const v = new Visitor();
    await v.signIn(freshEmail('online'), 'Online Person');
    const before = await v.get(`/e/${ev.eventId}`);
    expect(before.html).not.toContain('room-42');
    expect(jsonLd(before.html)[0].eventAttendanceMode).toBe('https://schema.org/OnlineEventAttendanceMode');
    await v.post(`/e/${ev.eventId}/rsvp`, { status: 'going' });
    expect((await v.get(`/e/${ev.eventId}`)).html).toContain('https://meet.example.test/room-42');
  });

  it('answers an unknown event with a 404 page, not a 500', async () => {
    const page = await new Visitor().get('/e/01NOSUCHEVENT0000000000000');
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(textOf(page.html)).toContain('Page not found');
  });
});

describe('RSVP from the event page, without JavaScript', () => {
  it('signed out: the form sends to sign-in, which comes back to the event, and the RSVP makes you going', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { capacity: 10, questions: [{ id: 'diet', label: 'Dietary needs', type: 'text', required: true }] });
    const v = new Visitor();
    const refused = await v.post(`/e/${ev.eventId}/rsvp`, { status: 'going' });
    expect(refused.status).toBe(303);
    expect(refused.location).toBe(`/sign-in?next=${encodeURIComponent(`/e/${ev.eventId}`)}`);

    const email = freshEmail('attendee');
    const back = await v.signIn(email, 'Ada Attendee', `/e/${ev.eventId}`);
    expect(back.url).toMatch(new RegExp(`/e/${ev.eventId}$`));
    expect(textOf(back.html)).toContain('Signed in as Ada Attendee');
    expect(back.html).toContain('<label for="q-diet">Dietary needs</label>');

    const sent = await v.post(`/e/${ev.eventId}/rsvp`, { status: 'going', 'answers.diet': 'vegetarian' });
    expect(sent.status).toBe(303);
    const shown = await v.follow(sent);
    expect(textOf(shown.html)).toContain('You’re going.');
    expect(shown.html).toMatch(/check-in code: <strong class="code">[A-Z0-9]{8}<\/strong>/);
    expect(textOf(shown.html)).toContain('9 of 10 spots left');

    // A reload is still signed in and still going; the API agrees.
    expect(textOf((await v.get(`/e/${ev.eventId}`)).html)).toContain('You’re going.');
    const attendees = expectStatus(await call('GET', `/events/${ev.eventId}/attendees`, { token: fx.organizer.token }), 200, 'attendees').body.items;
    expect(attendees).toEqual([expect.objectContaining({ name: 'Ada Attendee', email, status: 'going', answers: { diet: 'vegetarian' } })]);

    // Cancelling is a form too.
    await v.post(`/e/${ev.eventId}/rsvp`, { status: 'not_going' });
    const after = await v.get(`/e/${ev.eventId}`);
    expect(textOf(after.html)).toContain('10 of 10 spots left');
    expect(after.html).toContain('>RSVP</button>');
  });

  it('a full event puts the visitor on the waitlist and shows the position', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { capacity: 1 });
    expect((await rsvp(fx.other, ev.eventId)).status).toBe(200);
    const v = new Visitor();
    await v.signIn(freshEmail('waiter'), 'Wai Ter');
    const before = await v.get(`/e/${ev.eventId}`);
    expect(before.html).toContain('>Join the waitlist</button>');
    const shown = await v.follow(await v.post(`/e/${ev.eventId}/rsvp`, { status: 'going' }));
    expect(textOf(shown.html)).toContain('You’re number 1 on the waitlist.');
    expect(textOf(shown.html)).toContain('Full · 1 on the waitlist');
    expect(jsonLd(shown.html)[0].offers.availability).toBe('https://schema.org/SoldOut');
  });

  it('bad input is answered on the page naming the field, and stores nothing', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { maxGuests: 1, questions: [{ id: 'diet', label: 'Dietary needs', type: 'text', required: true }] });
    const v = new Visitor();
    await v.signIn(freshEmail('sloppy'), 'Slo Ppy');
    const notANumber = await v.post(`/e/${ev.eventId}/rsvp`, { status: 'going', guests: 'two', 'answers.diet': 'none' });
    expect(notANumber.status).toBe(400);
    expect(textOf(notANumber.html)).toMatch(/There is a problem .* Guests /);
    const tooMany = await v.post(`/e/${ev.eventId}/rsvp`, { status: 'going', guests: '3', 'answers.diet': 'none' });
    expect(tooMany.status).toBe(422);
    expect(textOf(tooMany.html)).toContain('Guests must be at most 1');
    const missing = await v.post(`/e/${ev.eventId}/rsvp`, { status: 'going' });
    expect(missing.status).toBe(422);
    expect(textOf(missing.html)).toContain('Answer “diet” is required');
    const attendees = expectStatus(await call('GET', `/events/${ev.eventId}/attendees`, { token: fx.organizer.token }), 200, 'attendees').body.items;
    expect(attendees).toEqual([]);
  });

  it('refuses a form sent from another site', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId);
    const v = new Visitor();
    await v.signIn(freshEmail('victim'), 'Vic Tim');
    const forged = await v.post(`/e/${ev.eventId}/rsvp`, { status: 'going' }, { origin: 'https://evil.example.test' });
    expect(forged.status).toBe(403);
    const attendees = expectStatus(await call('GET', `/events/${ev.eventId}/attendees`, { token: fx.organizer.token }), 200, 'attendees').body.items;
    expect(attendees).toEqual([]);
  });

  it('many visitors RSVP through the form at once: capacity holds, the rest wait in order', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { capacity: 5 });
    const visitors = await Promise.all(Array.from({ length: 20 }, async (_, i) => {
      const v = new Visitor();
      await v.signIn(freshEmail(`crowd${i}`), `Crowd ${i}`);
      return v;
    }));
    const sent = await Promise.all(visitors.map((v) => v.post(`/e/${ev.eventId}/rsvp`, { status: 'going' })));
    expect(sent.map((s) => s.status)).toEqual(Array(20).fill(303));
    const outcomes = sent.map((s) => new URL(s.location!, 'http://x').searchParams.get('rsvp'));
    expect(outcomes.filter((o) => o === 'going')).toHaveLength(5);
    expect(outcomes.filter((o) => o === 'waitlisted')).toHaveLength(15);
    const positions = await Promise.all(visitors.filter((_, i) => outcomes[i] === 'waitlisted').map(async (v) => Number(/number (\d+) on the waitlist/.exec(textOf((await v.get(`/e/${ev.eventId}`)).html))![1])));
    expect(positions.sort((a, b) => a - b)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
  });
});

describe('sign-in through the local issuer (OAuth 2 code flow with PKCE)', () => {
  it('never sends a visitor to another site after signing in', async () => {
    for (const next of ['//evil.example.test/x', 'https://evil.example.test', '/\\evil.example.test']) {
      const landed = await new Visitor().signIn(freshEmail('next'), 'Nex T', next);
      expect(new URL(landed.url!).pathname).toBe('/');
    }
  });

  it('the token endpoint wants the PKCE verifier, and a code works once', async () => {
    const v = new Visitor();
    const start = await v.get('/sign-in?next=/');
    const authorize = new URL(start.location!);
    const submitted = await v.post(`${authorize.origin}${authorize.pathname}`, { ...Object.fromEntries(authorize.searchParams), email: freshEmail('pkce'), name: 'Pk Ce' });
    const code = new URL(submitted.location!).searchParams.get('code')!;
    const token = (verifier: string) =>
      fetch(`${authorize.origin}/dev/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', client_id: authorize.searchParams.get('client_id')!, redirect_uri: authorize.searchParams.get('redirect_uri')!, code, code_verifier: verifier }),
      });
    const wrong = await token('a'.repeat(43));
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_grant' });
    // The failed try used the code up: a thief with the code but not the verifier gets nothing, and neither does a replay.
    const replay = await v.follow(submitted);
    expect(replay.status).toBe(400);
    expect(textOf(replay.html)).toContain('Sign-in did not work');
  });

  it('refuses to send codes to a return address outside the web app', async () => {
    const v = new Visitor();
    const start = new URL((await v.get('/sign-in?next=/')).location!);
    start.searchParams.set('redirect_uri', 'https://evil.example.test/callback');
    expect((await v.get(start.toString())).status).toBe(400);
  });

  it('the authorize page names the field that is wrong', async () => {
    const v = new Visitor();
    const authorize = new URL((await v.get('/sign-in?next=/')).location!);
    const page = await v.post(`${authorize.origin}${authorize.pathname}`, { ...Object.fromEntries(authorize.searchParams), email: 'not-an-email', name: 'X' });
    expect(page.status).toBe(400);
    expect(page.html).toContain('aria-describedby="email-error"');
    expect(textOf(page.html)).toContain('Enter an email address');
  });

  it('a forged session cookie counts as signed out, and is cleared', async () => {
    const v = new Visitor();
    v.jar.set('session', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.');
    const page = await v.get('/');
    expect(page.status).toBe(200);
    expect(textOf(page.html)).toContain('Sign in');
    expect(v.jar.has('session')).toBe(false);
  });
});

describe('the home page', () => {
  it('signed in: lists the associations one belongs to, with the manage page for staff only', async () => {
    const member = new Visitor();
    await member.signIn(fx.member.email, 'Member');
    const mine = await member.get('/');
    expect(mine.status).toBe(200);
    expect(mine.html).toContain(`href="/a/${fx.slug}"`);
    expect(mine.html).not.toContain(`href="/manage/associations/${fx.associationId}"`);
    const organizer = new Visitor();
    await organizer.signIn(fx.organizer.email, 'Organizer');
    expect((await organizer.get('/')).html).toContain(`href="/manage/associations/${fx.associationId}"`);
    const stranger = new Visitor();
    await stranger.signIn(`home.${Date.now()}@example.test`, 'Stranger');
    const none = await stranger.get('/');
    expect(none.html).not.toContain(`href="/a/${fx.slug}"`);
    expect(textOf(none.html)).toContain('not a member of an association yet');
  });
});

describe('the association page', () => {
  it('shows about, plans with prices and benefits, and upcoming public events only', async () => {
    await createPlan(fx.owner.token, fx.associationId, { name: 'Pro', amount: 12000, interval: 'year', benefits: ['Directory', 'Workshops'] });
    const pub = await createEvent(fx.organizer, fx.associationId, { title: 'Open evening' });
    await createEvent(fx.organizer, fx.associationId, { title: 'Members retreat', visibility: 'members' });
    const page = await new Visitor().get(`/a/${fx.slug}`);
    expect(page.status).toBe(200);
    const text = textOf(page.html);
    expect(text).toContain('Test association');
    expect(text).toMatch(/Pro €120\.00 \/ year Directory Workshops Sign in to join/);
    expect(text).toMatch(/Free Free /);
    expect(page.html).toContain(`href="/e/${pub.eventId}"`);
    expect(text).not.toContain('Members retreat');
  });

  it('joins a free plan from the page, and sends a paid plan to checkout', async () => {
    const v = new Visitor();
    await v.signIn(freshEmail('joiner'), 'Jo Iner', `/a/${fx.slug}`);
    const joined = await v.follow(await v.post(`/a/${fx.slug}/join`, { planId: fx.freePlanId }));
    expect(textOf(joined.html)).toContain('Your membership: active');

    const payer = new Visitor();
    await payer.signIn(freshEmail('payer'), 'Pay Er');
    const toCheckout = await payer.post(`/a/${fx.slug}/join`, { planId: fx.paidPlanId });
    expect(toCheckout.status).toBe(303);
    expect(toCheckout.location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(textOf((await payer.get(`/a/${fx.slug}`)).html)).toContain('Your membership: pending');
  });

  it('an unknown plan is a 4xx on the page naming the plan', async () => {
    const v = new Visitor();
    await v.signIn(freshEmail('badplan'), 'Bad Plan');
    const page = await v.post(`/a/${fx.slug}/join`, { planId: '01NOSUCHPLAN00000000000000' });
    expect(page.status).toBe(422);
    expect(textOf(page.html)).toContain('planId is not a plan of this association');
  });

  it('an unknown slug is a 404 page', async () => {
    expect((await new Visitor().get('/a/no-such-association-here')).status).toBe(404);
  });
});

describe('one origin', () => {
  it('the API answers under /api/ as well as where it always did', async () => {
    const direct = await call('GET', `/associations/${fx.associationId}`);
    const prefixed = await call('GET', `/api/associations/${fx.associationId}`);
    expect(prefixed.status).toBe(200);
    expect(prefixed.body).toEqual(direct.body);
  });

  it('serves the built assets', async () => {
    const css = await new Visitor().get('/assets/tokens.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect(css.html).toContain('--color-accent');
  });
});
