/**
 * The few plain pages the API serves to people arriving from an email link (unsubscribe,
 * leave the waitlist, introductions). Every value is escaped; the CSP forbids scripts.
 */
import type { Reply } from './router.js';

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A page with a title and paragraphs (escaped here), optionally one POST button and one link onward. */
export function htmlPage(title: string, paragraphs: string[], button?: { label: string; action: string }, link?: { label: string; href: string }): Reply {
  const form = button ? `<form method="post" action="${escapeHtml(button.action)}"><button type="submit">${escapeHtml(button.label)}</button></form>` : '';
  const onward = link ? `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>` : '';
  return {
    text: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title></head><body style="font-family:system-ui,sans-serif;max-width:480px;margin:3em auto;padding:0 1em"><main><h1>${escapeHtml(title)}</h1>${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('')}${form}${onward}</main></body></html>`,
    // frame-ancestors (and X-Frame-Options for old browsers): no site may frame the page and trick a click on its button.
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'", 'X-Frame-Options': 'DENY', 'X-Content-Type-Options': 'nosniff' },
  };
}

/** Whether a browser (a form post) rather than a program made the request. */
export const wantsHtml = (headers: Record<string, string | undefined>) => (headers.accept ?? '').includes('text/html');
