/**
 * The account page over HTTP on the local stack, as a browser without JavaScript uses it:
 * signed out it sends to sign-in; the profile form saves, and a bad value is answered on
 * the page naming the field with nothing stored; the consent toggles; memberships and
 * upcoming RSVPs; the data download; and the delete flow (confirm, erase, signed out).
 */
import { call } from '../support/http.js';
import { buildAssociation, expectStatus, type AssociationFixture } from '../support/fixtures.js';
import { createEvent, rsvp } from '../support/events.js';
import { Visitor, textOf } from '../support/web.js';

const stamp = () => `${Date.now()}.${Math.random().toString(36).slice(2, 8)}`;
const freshEmail = (label: string) => `${label}.${stamp()}@example.test`;
/** The visitor's session is an ID token: the API takes it as a bearer token. */
const tokenOf = (v: Visitor) => v.jar.get('session')!;

let fx: AssociationFixture;
beforeAll(async () => {
  fx = await buildAssociation({ stripe: true });
});

async function signedIn(label: string, name: string) {
  const v = new Visitor();
  const email = freshEmail(label);
  await v.signIn(email, name, '/account');
  return { v, email };
}

describe('the account page', () => {
  it('signed out, it redirects to sign-in and comes back to /account after it', async () => {
    const v = new Visitor();
    const page = await v.get('/account');
    expect(page.status).toBe(303);
    expect(page.location).toBe('/sign-in?next=%2Faccount');
    const posted = await v.post('/account/profile', { name: 'Nobody' });
    expect(posted.status).toBe(303);
    expect(posted.location).toBe('/sign-in?next=%2Faccount');

    const back = await v.signIn(freshEmail('returning'), 'Rita Return', '/account');
    expect(back.url).toMatch(/\/account$/);
    expect(back.status).toBe(200);
    const text = textOf(back.html);
    expect(text).toContain('Your account');
    expect(back.html).toContain('<label for="name">Name</label>');
    expect(back.html).toContain('value="Rita Return"');
    // The offers and seeks are the vocabulary's values, as checkboxes.
    const vocabulary = expectStatus(await call('GET', '/vocabulary'), 200, 'vocabulary').body.intents as { value: string; label: string }[];
    for (const i of vocabulary) expect(back.html).toContain(`name="offers" value="${i.value}"`);
    expect(back.html).toContain('href="/account/export"');
  });

  it('saves the profile from the form, and a bad value is answered on the page naming the field with nothing stored', async () => {
    const { v } = await signedIn('profiled', 'Pat Profile');
    const saved = await v.post('/account/profile', {
      name: 'Pat Profile',
      headline: 'Builds tools for clinics',
      company: 'Acme Health',
      jobTitle: 'Product lead',
      industry: 'Healthcare',
      skills: 'Product, research, product',
      interests: 'ai, design',
      offers: ['mentoring', 'advice'],
      seeks: ['investment'],
    });
    expect(saved.status).toBe(303);
    expect(saved.location).toBe('/account?saved=profile#profile');
    const shown = await v.follow(saved);
    expect(textOf(shown.html)).toContain('Your profile is saved.');
    expect(shown.html).toContain('value="Acme Health"');
    expect(shown.html).toMatch(/name="offers" value="mentoring" checked/);

    const stored = expectStatus(await call('GET', '/me/profile', { token: tokenOf(v) }), 200, 'profile').body;
    expect(stored).toMatchObject({ name: 'Pat Profile', headline: 'Builds tools for clinics', company: 'Acme Health', jobTitle: 'Product lead', industry: 'healthcare', skills: ['product', 'research'], interests: ['ai', 'design'], offers: ['mentoring', 'advice'], seeks: ['investment'], matchOptIn: false, directoryVisible: false });

    // An empty name and a word outside the vocabulary: refused on the page, each field named, nothing stored.
    const bad = await v.post('/account/profile', { name: '  ', company: 'Other Co', offers: ['mentoring', 'world-domination'] });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^text\/html/);
    const text = textOf(bad.html);
    expect(text).toContain('There is a problem');
    expect(text).toContain('nothing was saved');
    expect(bad.html).toMatch(/<a href="#name">Name<\/a> must not be empty/);
    expect(bad.html).toMatch(/<a href="#offers-0">Offers<\/a> must be one of the listed choices/);
    expect(bad.html).toContain('aria-invalid="true"');
    // What was typed is shown again, to be corrected.
    expect(bad.html).toContain('value="Other Co"');
    const after = expectStatus(await call('GET', '/me/profile', { token: tokenOf(v) }), 200, 'profile').body;
    expect(after).toEqual(stored);
  });

  it('toggles consent: directory and matching, each with what it shares, and keeps the profile', async () => {
    const { v } = await signedIn('consenting', 'Cora Consent');
    await v.post('/account/profile', { name: 'Cora Consent', company: 'Kite', offers: 'advice' });
    const page = await v.get('/account');
    expect(textOf(page.html)).toContain('Other members of your associations see your name, headline, company and job title; never your email.');
    expect(textOf(page.html)).toContain('People you are matched with at an event you attend see');
    expect(page.html).not.toMatch(/id="matchOptIn"[^>]*checked/);

    const on = await v.post('/account/consent', { matchOptIn: 'yes', directoryVisible: 'yes' });
    expect(on.status).toBe(303);
    expect(on.location).toBe('/account?saved=consent#consent');
    let p = expectStatus(await call('GET', '/me/profile', { token: tokenOf(v) }), 200, 'profile').body;
    expect(p).toMatchObject({ matchOptIn: true, directoryVisible: true, company: 'Kite', offers: ['advice'] });
    const shown = await v.follow(on);
    expect(textOf(shown.html)).toContain('Your choices are saved.');
    expect(shown.html).toMatch(/id="matchOptIn"[^>]*checked/);

    // Unticking sends nothing for the box: that is a no.
    await v.post('/account/consent', { directoryVisible: 'yes' });
    p = expectStatus(await call('GET', '/me/profile', { token: tokenOf(v) }), 200, 'profile').body;
    expect(p).toMatchObject({ matchOptIn: false, directoryVisible: true, company: 'Kite' });

    // A form from another site changes nothing.
    const forged = await v.post('/account/consent', {}, { origin: 'https://evil.example.test' });
    expect(forged.status).toBe(403);
    p = expectStatus(await call('GET', '/me/profile', { token: tokenOf(v) }), 200, 'profile').body;
    expect(p.directoryVisible).toBe(true);
  });

  it('lists memberships with their links and upcoming RSVPs with status, waitlist position and calendar', async () => {
    const { v } = await signedIn('joiner', 'Jo Iner');
    const token = tokenOf(v);
    expectStatus(await call('POST', `/associations/${fx.associationId}/members`, { token, body: { planId: fx.freePlanId } }), 201, 'join');
    const open = await createEvent(fx.organizer, fx.associationId, { title: 'Open evening', capacity: 10 });
    const full = await createEvent(fx.organizer, fx.associationId, { title: 'Tiny dinner', capacity: 1 });
    expect((await rsvp(fx.other, full.eventId)).status).toBe(200);
    await v.post(`/e/${open.eventId}/rsvp`, { status: 'going' });
    await v.post(`/e/${full.eventId}/rsvp`, { status: 'going' });

    const page = await v.get('/account');
    const text = textOf(page.html);
    expect(text).toContain('Test association');
    expect(text).toMatch(/Plan Free Status active/);
    expect(page.html).toContain(`action="/account/memberships/${fx.associationId}/leave"`);
    expect(page.html).toContain(`href="/e/${open.eventId}"`);
    expect(page.html).toContain(`href="/e/${open.eventId}/calendar.ics"`);
    expect(text).toContain('Going');
    expect(text).toContain('Waitlist, number 1');

    // Leaving is a form; the membership shows as cancelled.
    const left = await v.post(`/account/memberships/${fx.associationId}/leave`, {});
    expect(left.status).toBe(303);
    const after = await v.follow(left);
    expect(textOf(after.html)).toContain('You have left the association.');
    expect(textOf(after.html)).toMatch(/Status cancelled/);
  });

  it('a pending paid membership offers "Pay dues", which opens the same Stripe Checkout as the API', async () => {
    const { v } = await signedIn('payer', 'Pay Er');
    const joined = await call('POST', `/associations/${fx.associationId}/members`, { token: tokenOf(v), body: { planId: fx.paidPlanId } });
    expect(joined.status).toBe(201);
    expect(joined.body.status).toBe('pending');
    const page = await v.get('/account');
    expect(textOf(page.html)).toMatch(/Plan Paid Status pending/);
    expect(page.html).toContain(`action="/account/memberships/${fx.associationId}/pay"`);
    // Nothing paid through Stripe yet: no billing portal to offer.
    expect(page.html).not.toContain(`/account/memberships/${fx.associationId}/billing`);
    const pay = await v.post(`/account/memberships/${fx.associationId}/pay`, {});
    expect(pay.status).toBe(303);
    // To the Stripe stand-in's hosted checkout, where the join's own checkout link also goes.
    expect(new URL(pay.location!).origin).toBe(new URL(joined.body.checkoutUrl).origin);
    // The billing portal, asked for anyway, is refused on the page in words.
    const portal = await v.post(`/account/memberships/${fx.associationId}/billing`, {});
    expect(portal.status).toBe(422);
    expect(textOf(portal.html)).toContain('There is no card on file for this membership.');
  });

  it('downloads my data as JSON with the session', async () => {
    const { v, email } = await signedIn('exporter', 'Ex Porter');
    const res = await v.get('/account/export');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="my-data-\d{4}-\d{2}-\d{2}\.json"$/);
    expect(res.html).toContain(email);
    expect(() => JSON.parse(res.html)).not.toThrow();
    expect((await new Visitor().get('/account/export')).status).toBe(303);
  });

  it('deletes the account after a confirm step, with the same erasure as DELETE /me, then signs out', async () => {
    const { v } = await signedIn('leaving', 'Lee Ving');
    const token = tokenOf(v);
    await v.post('/account/profile', { name: 'Lee Ving', company: 'Gone Ltd' });
    expectStatus(await call('POST', `/associations/${fx.associationId}/members`, { token, body: { planId: fx.freePlanId } }), 201, 'join');
    const ev = await createEvent(fx.organizer, fx.associationId, { capacity: 5 });
    await v.post(`/e/${ev.eventId}/rsvp`, { status: 'going' });

    const confirm = await v.get('/account/delete');
    expect(confirm.status).toBe(200);
    expect(textOf(confirm.html)).toContain('It cannot be undone.');
    expect(confirm.html).toContain('action="/account/delete"');
    // A post without the confirmation changes nothing.
    expect((await v.post('/account/delete', {})).status).toBe(400);
    expect(expectStatus(await call('GET', '/me/profile', { token }), 200, 'profile').body.company).toBe('Gone Ltd');

    const done = await v.post('/account/delete', { confirm: 'delete' });
    expect(done.status).toBe(303);
    expect(done.location).toBe('/?deleted=1');
    expect(v.jar.has('session')).toBe(false);
    const home = await v.follow(done);
    expect(textOf(home.html)).toContain('Your account is deleted.');
    expect(textOf(home.html)).not.toContain('Signed in as');
    expect((await v.get('/account')).status).toBe(303);

    // Erased as DELETE /me does: the profile is gone, the membership ended, the spot given back (the RSVP stays pseudonymised).
    const profile = expectStatus(await call('GET', '/me/profile', { token }), 200, 'profile').body;
    expect(profile.company).toBeUndefined();
    const member = await call('GET', `/associations/${fx.associationId}/members/${profile.userId}`, { token: fx.owner.token });
    expect(member.body.status).toBe('cancelled');
    const attendees = expectStatus(await call('GET', `/events/${ev.eventId}/attendees`, { token: fx.organizer.token }), 200, 'attendees').body.items;
    expect(attendees).toEqual([expect.objectContaining({ name: 'Deleted member', email: '', status: 'not_going' })]);
  });

  it('refuses to delete the last owner of an association, on the page, changing nothing', async () => {
    const v = new Visitor();
    await v.signIn(fx.owner.email, 'Owner', '/account');
    const refused = await v.post('/account/delete', { confirm: 'delete' });
    expect(refused.status).toBe(409);
    expect(textOf(refused.html)).toContain('You are the last owner of Test association');
    expect(v.jar.has('session')).toBe(true);
    expect((await v.get('/account')).status).toBe(200);
  });
});
