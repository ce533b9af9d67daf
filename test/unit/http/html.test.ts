/** The pages from mail links: escaped, no scripts, and never framed (clickjacking of their one button). */
import { escapeHtml } from '../../../functions/core/http/html.js';
import { htmlPage, linkPage } from '../../../functions/core/http/link-page.js';
import { followUpMail } from '../../../functions/core/domain/connection-mails.js';

describe('htmlPage', () => {
  const page = htmlPage('Leave <the> waitlist', ['For "Ada" & co'], { label: 'Leave', action: '?token=a&b' });

  it('forbids framing, scripts and foreign form targets', () => {
    const csp = page.headers!['Content-Security-Policy']!.split(';').map((d) => d.trim());
    expect(csp).toEqual(expect.arrayContaining(["default-src 'none'", "frame-ancestors 'none'", "form-action 'self'"]));
    expect(csp.some((d) => d.startsWith('script-src'))).toBe(false);
    // Styles only from the web app's stylesheets, none inline.
    expect(csp.find((d) => d.startsWith('style-src'))).not.toContain('unsafe-inline');
    expect(page.headers!['X-Frame-Options']).toBe('DENY');
    expect(page.headers!['X-Content-Type-Options']).toBe('nosniff');
    // The signed token is in the URL: no Referer carries it on, no cache keeps the page.
    expect(page.headers!['Referrer-Policy']).toBe('no-referrer');
    expect(page.headers!['Cache-Control']).toBe('no-store');
  });

  it('escapes every value', () => {
    expect(page.text).toContain('Leave &lt;the&gt; waitlist');
    expect(page.text).toContain('For &quot;Ada&quot; &amp; co');
    expect(page.text).toContain('action="?token=a&amp;b"');
    expect(escapeHtml(`'`)).toBe('&#39;');
  });
});

describe('pages and mails a screen reader reads', () => {
  it('the page names its language, is in the site layout and links onward to the web app', () => {
    const p = linkPage({ title: 'Stay in touch', notice: 'Noted.', link: { label: 'Go to My network', path: '/account/network' } }, 'https://app.example.test');
    expect(p.text).toMatch(/^<!doctype html>\n<html lang="en">/);
    // The web app's stylesheets and header, by its address: this page is served from the API's.
    expect(p.text).toContain('<link rel="stylesheet" href="https://app.example.test/assets/tokens.css">');
    expect(p.text).toContain('<link rel="stylesheet" href="https://app.example.test/assets/site.css">');
    expect(p.text).toContain('<a class="skip" href="#main">Skip to content</a>');
    expect(p.text).toContain('<a class="brand" href="https://app.example.test/">Associations</a>');
    expect(p.text).toMatch(/<main id="main">\n<h1>Stay in touch<\/h1>\n<p class="notice" role="status">Noted.<\/p>[^]*<\/main>/);
    expect(p.text).toContain('<a href="https://app.example.test/account/network">Go to My network</a>');
    expect(p.headers!['Content-Security-Policy']).toContain('style-src https://app.example.test;');
    expect(p.status).toBe(200);
  });

  it('a mail names its language and has its subject as title', () => {
    const m = followUpMail({ associationName: 'Club', title: 'Breakfast', name: 'Ada', otherName: 'Ben <B>', why: 'met', connectUrl: 'https://x.test/c' });
    expect(m.html).toMatch(/^<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Stay in touch with Ben &lt;B&gt;<\/title><\/head>/);
  });
});
