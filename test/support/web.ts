/**
 * A tiny browser for the web app's integration tests: a cookie jar, redirects followed by
 * hand (so each hop can be asserted), form posts, and the whole sign-in through the local
 * issuer's authorize page and token endpoint.
 */
import { api } from './http.js';

export interface Page {
  status: number;
  location: string | null;
  headers: Headers;
  html: string;
}

export class Visitor {
  readonly jar = new Map<string, string>();

  private remember(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1);
      if (attrs.some((a) => /max-age=0\b/i.test(a.trim()))) this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }

  private cookieHeader() {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(method: 'GET' | 'POST', pathOrUrl: string, form?: Record<string, string | string[]>, headers: Record<string, string> = {}): Promise<Page> {
    const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${api()}${pathOrUrl}`;
    let body: string | undefined;
    if (form) {
      const p = new URLSearchParams();
      for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
      body = p.toString();
    }
    const res = await fetch(url, {
      method,
      redirect: 'manual',
      headers: { ...(this.jar.size ? { cookie: this.cookieHeader() } : {}), ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded', origin: api() } : {}), ...headers },
      body,
    });
    this.remember(res);
    return { status: res.status, location: res.headers.get('location'), headers: res.headers, html: await res.text() };
  }

  get = (path: string, headers?: Record<string, string>) => this.request('GET', path, undefined, headers);
  post = (path: string, form: Record<string, string | string[]>, headers?: Record<string, string>) => this.request('POST', path, form, headers);

  /** Follows redirects from a response, returning the last page. */
  async follow(page: Page, max = 5): Promise<Page & { url?: string }> {
    let p: Page & { url?: string } = page;
    for (let i = 0; i < max && p.location && p.status >= 300 && p.status < 400; i++) {
      const next = new URL(p.location, api()).toString();
      p = { ...(await this.get(next)), url: next };
    }
    return p;
  }

  /** Signs in as a person would: /sign-in, the issuer's page, its form, back through /auth/callback. */
  async signIn(email: string, name: string, next = '/'): Promise<Page & { url?: string }> {
    const start = await this.get(`/sign-in?next=${encodeURIComponent(next)}`);
    if (start.status !== 302 || !start.location) throw new Error(`sign-in did not redirect: ${start.status}`);
    const authorize = new URL(start.location);
    const formPage = await this.get(authorize.toString());
    if (formPage.status !== 200) throw new Error(`authorize page: ${formPage.status} ${formPage.html}`);
    const fields = Object.fromEntries(authorize.searchParams);
    const submitted = await this.post(`${authorize.origin}${authorize.pathname}`, { ...fields, email, name });
    return this.follow(submitted);
  }
}

/** Text content without tags, whitespace collapsed, entities for quotes decoded: what a reader sees. */
export const textOf = (html: string) =>
  html
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

/** The schema.org JSON-LD blocks of a page, parsed. */
export const jsonLd = (html: string): any[] => [...html.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)].map((m) => JSON.parse(m[1]!));

export const meta = (html: string, key: string) => new RegExp(`<meta (?:property|name)="${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" content="([^"]*)">`).exec(html)?.[1];
