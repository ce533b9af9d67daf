/** The pages from mail links: escaped, no scripts, and never framed (clickjacking of their one button). */
import { escapeHtml, htmlPage } from '../../../functions/core/http/html.js';

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
