/** The pages from mail links: escaped, no scripts, and never framed (clickjacking of their one button). */
import { escapeHtml, htmlPage } from '../../../functions/core/http/html.js';
import { followUpMail } from '../../../functions/core/domain/connection-mails.js';

describe('htmlPage', () => {
  const page = htmlPage('Leave <the> waitlist', ['For "Ada" & co'], { label: 'Leave', action: '?token=a&b' });

  it('forbids framing, scripts and foreign form targets', () => {
    const csp = page.headers!['Content-Security-Policy']!.split(';').map((d) => d.trim());
    expect(csp).toEqual(expect.arrayContaining(["default-src 'none'", "frame-ancestors 'none'", "form-action 'self'"]));
    expect(csp.some((d) => d.startsWith('script-src'))).toBe(false);
    expect(page.headers!['X-Frame-Options']).toBe('DENY');
    expect(page.headers!['X-Content-Type-Options']).toBe('nosniff');
  });

  it('escapes every value', () => {
    expect(page.text).toContain('Leave &lt;the&gt; waitlist');
    expect(page.text).toContain('For &quot;Ada&quot; &amp; co');
    expect(page.text).toContain('action="?token=a&amp;b"');
    expect(escapeHtml(`'`)).toBe('&#39;');
  });
});

describe('pages and mails a screen reader reads', () => {
  it('the page names its language, has a main landmark and its onward link', () => {
    const p = htmlPage('Stay in touch', ['Noted.'], undefined, { label: 'Go to My network', href: '/account/network' });
    expect(p.text).toMatch(/^<!doctype html><html lang="en">/);
    expect(p.text).toMatch(/<main><h1>Stay in touch<\/h1>.*<\/main>/);
    expect(p.text).toContain('<a href="/account/network">Go to My network</a>');
  });

  it('a mail names its language and has its subject as title', () => {
    const m = followUpMail({ associationName: 'Club', title: 'Breakfast', name: 'Ada', otherName: 'Ben <B>', why: 'met', connectUrl: 'https://x.test/c' });
    expect(m.html).toMatch(/^<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Stay in touch with Ben &lt;B&gt;<\/title><\/head>/);
  });
});
