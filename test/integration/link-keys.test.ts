/**
 * Links in mail over HTTP: signed with the link key (kid in the token), and a leave-the-waitlist
 * link past its 30 days answers 410 saying it expired, leaving the person on the waitlist.
 * The test signs with the local stack's link keys (IT_LINK_SECRETS, set by the global setup).
 */
import { call, signIn } from '../support/http.js';
import { buildAssociation, type AssociationFixture } from '../support/fixtures.js';
import { createEvent, getEvent, rsvp, subjectStarts, urlAfter, waitForMail } from '../support/events.js';
import { links, parseLinkKeys } from '../../functions/core/http/links.js';

let fx: AssociationFixture;
beforeAll(async () => {
  fx = await buildAssociation();
});

describe('link keys', () => {
  it('mailed links carry the kid of the current link key', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { capacity: 1, title: 'Kid check' });
    const [seated, waiting] = await Promise.all([signIn('kidseat'), signIn('kidwait')]);
    await rsvp(seated, ev.eventId);
    expect((await rsvp(waiting, ev.eventId)).body.status).toBe('waitlisted');
    const [mail] = await waitForMail(waiting.email, { filter: subjectStarts("You're on the waitlist: Kid check") });
    const token = new URL(urlAfter(mail!, 'Leave the waitlist: ')).searchParams.get('token')!;
    expect(token.split('.')).toHaveLength(3);
    expect(token.split('.')[0]).toBe(parseLinkKeys(process.env.IT_LINK_SECRETS!).current.kid);
  });

  it('an expired leave-the-waitlist link is 410 on GET and POST, and the person stays on the waitlist', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { capacity: 1, title: 'Expired link' });
    const [seated, waiting] = await Promise.all([signIn('expseat'), signIn('expwait')]);
    await rsvp(seated, ev.eventId);
    expect((await rsvp(waiting, ev.eventId)).body.status).toBe('waitlisted');
    const signedLongAgo = new Date(Date.now() - 31 * 86_400_000);
    const token = links(parseLinkKeys(process.env.IT_LINK_SECRETS!)).sign('leave-waitlist', { eventId: ev.eventId, userId: waiting.userId }, signedLongAgo);
    for (const method of ['GET', 'POST']) {
      const res = await call(method, `/events/${ev.eventId}/waitlist/leave?token=${token}`);
      expect(res.status).toBe(410);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.body).toMatchObject({ status: 410, errors: [{ path: 'token', message: 'has expired' }] });
      expect(res.body.detail).toMatch(/expired/);
    }
    expect(await getEvent(ev.eventId)).toMatchObject({ waitlistCount: 1 });
    // The same link signed now works.
    const fresh = links(parseLinkKeys(process.env.IT_LINK_SECRETS!)).sign('leave-waitlist', { eventId: ev.eventId, userId: waiting.userId }, new Date());
    expect((await call('POST', `/events/${ev.eventId}/waitlist/leave?token=${fresh}`)).status).toBe(200);
    expect(await getEvent(ev.eventId)).toMatchObject({ waitlistCount: 0 });
  });
});
