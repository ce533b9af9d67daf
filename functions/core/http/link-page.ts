/**
 * The few plain pages the API serves to people arriving from an email link (unsubscribe, leave
 * the waitlist, introductions, connect), in the site's layout. Every value is escaped; the CSP
 * forbids scripts.
 */
import type { Reply } from './router.js';
import { config } from '../config.js';
import { escapeHtml, siteDocument } from './html.js';

export interface LinkPage {
  title: string;
  /** A line above the heading saying whose page it is (the association). */
  eyebrow?: string;
  /** What just happened, as a status message under the heading. */
  notice?: string;
  paragraphs?: string[];
  /** One button that POSTs to the page's own signed URL. */
  button?: { label: string; action: string };
  /** One link onward, to a path of the web app. */
  link?: { label: string; path: string };
  /** 200 unless the page explains a refusal (an expired link: 410). */
  status?: number;
}

/**
 * A page for a mail link, in the site's layout. The stylesheets and links name the web app
 * (APP_URL): in AWS this page is on the API's own address.
 */
export function linkPage(p: LinkPage, appUrl: string = config.appUrl): Reply {
  const h = escapeHtml;
  const main = [
    p.eyebrow ? `<p class="eyebrow">${h(p.eyebrow)}</p>` : '',
    `<h1>${h(p.title)}</h1>`,
    p.notice ? `<p class="notice" role="status">${h(p.notice)}</p>` : '',
    ...(p.paragraphs ?? []).map((t) => `<p>${h(t)}</p>`),
    p.button ? `<form method="post" action="${h(p.button.action)}"><button type="submit">${h(p.button.label)}</button></form>` : '',
    p.link ? `<p><a href="${h(appUrl + p.link.path)}">${h(p.link.label)}</a></p>` : '',
  ].filter(Boolean).join('\n');
  const origin = new URL(appUrl).origin;
  return {
    status: p.status ?? 200,
    text: siteDocument({ title: p.title, base: appUrl, account: `<a href="${h(appUrl)}/account">Your account</a>`, main }),
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      // Styles from the web app only; no scripts at all. frame-ancestors (and X-Frame-Options for
      // old browsers): no site may frame the page and trick a click on its button.
      'Content-Security-Policy': `default-src 'none'; style-src ${origin}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
      'X-Frame-Options': 'DENY',
      'X-Content-Type-Options': 'nosniff',
      // The URL carries the signed token: no Referer takes it along, no cache keeps the page.
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    },
  };
}

/** A page with a title and paragraphs (escaped here), optionally one POST button and one link onward. */
export const htmlPage = (title: string, paragraphs: string[], button?: LinkPage['button'], link?: LinkPage['link']): Reply => linkPage({ title, paragraphs, button, link });
