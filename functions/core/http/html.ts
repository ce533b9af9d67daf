/**
 * Escaping, and the frame every server-rendered page shares (header, stylesheets, main): the
 * web app's pages (functions/web/render.ts) and the API's pages for mail links (link-page.ts).
 * It reads no configuration, so the local tools may import it before the environment is set.
 */

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export interface SiteFrame {
  title: string;
  /**
   * The web app's origin for the stylesheets and the header's links, '' on the app's own origin.
   * The link pages are served from the API's address (API_URL), which has no /assets/.
   */
  base?: string;
  /** More of <head>: canonical, social tags, a page's own stylesheet, island scripts. */
  head?: string;
  /** The header's right-hand side, as HTML. */
  account: string;
  /** The page's content, as HTML. */
  main: string;
}

/** A whole document in the site's layout (web/public/assets/site.css). */
export function siteDocument(f: SiteFrame): string {
  const base = escapeHtml(f.base ?? '');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(f.title)}</title>
<link rel="stylesheet" href="${base}/assets/tokens.css">
<link rel="stylesheet" href="${base}/assets/site.css">
${f.head ? `${f.head}\n` : ''}</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="site"><nav aria-label="Site"><a class="brand" href="${base}/">Associations</a><span class="account">${f.account}</span></nav></header>
<main id="main">
${f.main}
</main>
</body>
</html>`;
}

/** Whether a browser (a form post) rather than a program made the request. */
export const wantsHtml = (headers: Record<string, string | undefined>) => (headers.accept ?? '').includes('text/html');
