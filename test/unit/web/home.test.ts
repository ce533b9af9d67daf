/** The home page: signed out, a way in; signed in, one's associations (staff get their manage page), escaped. */
import { homePage } from '../../../functions/web/render.js';

const layout = { url: 'https://app.test/', here: '/' };

describe('the home page', () => {
  it('signed out: what the platform is, and no list', () => {
    const html = homePage({ ...layout, user: null });
    expect(html).toContain('sign in to see yours');
    expect(html).not.toContain('Your associations');
  });

  it('signed in: each association links to its page, with its manage page for organizers and up only', () => {
    const html = homePage({ ...layout, user: { name: 'Ada', email: 'a@x.test' } }, undefined, [
      { associationId: 'a1', slug: 'guild', name: 'Guild <of> Makers', role: 'organizer', status: 'active' },
      { associationId: 'a2', slug: 'club', name: 'Book Club', role: 'member', status: 'pending_payment' },
    ]);
    expect(html).toContain('href="/a/guild"');
    expect(html).toContain('Guild &lt;of&gt; Makers');
    expect(html).toContain('href="/manage/associations/a1"');
    expect(html).not.toContain('href="/manage/associations/a2"');
    expect(html).toContain('member, pending payment');
    expect(html).toContain('href="/account/network"');
  });

  it('signed in with no membership: says how to join', () => {
    expect(homePage({ ...layout, user: { name: 'Ada', email: 'a@x.test' } })).toContain('not a member of an association yet');
  });
});
