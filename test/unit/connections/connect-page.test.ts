/**
 * The pages behind the follow-up mail's "connect" link (functions/connections/pages.ts): each
 * outcome in words, in the site's layout, every value escaped, refusals with their status.
 */
import { connectAnswerPage, connectQuestionPage, connectRefusedPage, type ConnectPageFacts } from '../../../functions/connections/pages.js';

const facts: ConnectPageFacts = { associationName: 'Engineers & Co', eventTitle: 'Spring <mixer>', otherName: 'Bo "B" Follow', why: 'met' };
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('the connect page', () => {
  it('asks first, naming the other person and the event, with one button that posts to its own link', () => {
    const p = connectQuestionPage(facts, 'kid.pay/load.mac');
    expect(p.status).toBe(200);
    expect(p.text).toContain('<h1>Stay in touch with Bo &quot;B&quot; Follow</h1>');
    expect(p.text).toContain('<p class="eyebrow">Engineers &amp; Co</p>');
    expect(p.text).toContain('<p>You met Bo &quot;B&quot; Follow at Spring &lt;mixer&gt;.</p>');
    expect(p.text).toContain('<form method="post" action="?token=kid.pay%2Fload.mac"><button type="submit">Connect with Bo &quot;B&quot; Follow</button></form>');
    expect(text(p.text!)).toContain('If not, nothing happens and nobody is told.');
    expect(connectQuestionPage({ ...facts, why: 'introduced' }, 't').text).toContain('You and Bo &quot;B&quot; Follow were introduced at Spring &lt;mixer&gt;.');
  });

  it('a first yes: noted, the same words whatever the other did, and the way on to My network', () => {
    const p = connectAnswerPage(facts, false);
    expect(p.status).toBe(200);
    expect(p.text).toContain('<h1>You said yes</h1>');
    expect(p.text).toContain('<p class="notice" role="status">Noted. If Bo &quot;B&quot; Follow says yes too, you will find each other in My network.</p>');
    expect(p.text).toMatch(/<a href="[^"]*\/account\/network">Go to My network<\/a>/);
  });

  it('the second yes: connected', () => {
    const p = connectAnswerPage(facts, true);
    expect(p.text).toContain('<h1>You are connected</h1>');
    expect(p.text).toContain('You and Bo &quot;B&quot; Follow are connected: you will find each other in My network.');
    expect(p.text).toMatch(/<a href="[^"]*\/account\/network">Go to My network<\/a>/);
    expect(p.text).not.toContain('<form');
  });

  it('an expired link is 410 and says so; a link that is not ours is 400; both point on to My network', () => {
    const expired = connectRefusedPage(410);
    expect(expired.status).toBe(410);
    expect(expired.text).toContain('<h1>This link has expired</h1>');
    expect(text(expired.text!)).toContain('Links to stay in touch work for 30 days after the mail.');
    const invalid = connectRefusedPage(400);
    expect(invalid.status).toBe(400);
    expect(invalid.text).toContain('<h1>This link does not work</h1>');
    for (const p of [expired, invalid]) {
      expect(p.headers!['Content-Type']).toBe('text/html; charset=utf-8');
      expect(p.text).toContain('<html lang="en">');
      expect(p.text).toMatch(/<a href="[^"]*\/account\/network">Go to My network<\/a>/);
      expect(p.text).not.toContain('<form');
    }
  });
});
