/**
 * The members directory, `/a/{slug}/directory`: the association's members who opted into
 * it, in name order, 50 a page (cursor links), never an email, each with where they stand
 * with me (Connect, Request sent, Accept/Decline, Connected: network.ts), one BatchGet of
 * our pair records. Read through the same service and access rule as GET
 * /associations/{associationId}/directory; the buttons post to /account/network/*, which
 * apply the API routes' access rules and rate limits.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Access } from '../core/api.js';
import { escapeHtml as h } from '../core/http/html.js';
import { authorize, type Caller } from '../core/http/access.js';
import { decodeCursor, encodeCursor } from '../core/http/cursor.js';
import { notFound } from '../core/errors.js';
import { store } from '../core/deps.js';
import { directory } from '../core/services/members.js';
import { CONNECT_NOTICES, connectControl } from './network.js';
import { connectionStates } from '../core/services/connections.js';
import type { PersonConnection } from '../core/domain/connections.js';
import { page, type PageUser } from './render.js';
import type { Association } from '../core/domain/types.js';

type Result = APIGatewayProxyStructuredResultV2 & { cookies?: string[] };
interface Req {
  query: URLSearchParams;
  caller: Caller | null;
  now: Date;
}
export interface DirectoryHelpers {
  appUrl: string;
  accessOf: (method: string, path: string) => Access;
  htmlResult: (status: number, html: string) => Result;
  signInRedirect: (next: string) => Result;
  userOf: (c: Caller | null) => PageUser | null;
  associationIdBySlug: (slug: string) => Promise<string | undefined>;
}

export type DirectoryEntry = Awaited<ReturnType<typeof directory>>['items'][number];

export interface DirectoryPageData {
  url: string;
  user: PageUser;
  association: Pick<Association, 'associationId' | 'name' | 'slug'>;
  items: DirectoryEntry[];
  /** The viewer: no button to connect with yourself. */
  me: string;
  /** How each listed person stands with the viewer (connectionStates); absent means Connect. */
  connections?: ReadonlyMap<string, PersonConnection>;
  nextCursor: string | null;
  /** Shown after the first page, to get back to it. */
  paged: boolean;
  /** This page's path (with its cursor): where the connect forms answer. */
  here: string;
  /** What the last connect form did (CONNECT_NOTICES). */
  notice?: string;
}

export const PAGE_SIZE = 50;

const person = (d: DirectoryPageData, m: DirectoryEntry) => {
  const role = [m.jobTitle, m.company].filter(Boolean).join(', ');
  const connection = m.userId === d.me ? { state: 'self' as const } : d.connections?.get(m.userId);
  const button = connectControl({ associationId: d.association.associationId, userId: m.userId, name: m.name, connection, next: d.here });
  return `<li class="card person"><h2 class="card-name">${h(m.name)}</h2>${role ? `<p>${h(role)}</p>` : ''}${m.headline ? `<p><em>${h(m.headline)}</em></p>` : ''}${button}</li>`;
};

/** The page, as a string; every value escaped. */
export function directoryPage(d: DirectoryPageData): string {
  const base = `/a/${encodeURIComponent(d.association.slug)}/directory`;
  const nav = [d.paged ? `<a href="${h(base)}">First page</a>` : '', d.nextCursor ? `<a href="${h(`${base}?${new URLSearchParams({ cursor: d.nextCursor })}`)}">Next page</a>` : ''].filter(Boolean).join(' · ');
  const main = `<div class="directory"><p><a href="/a/${h(encodeURIComponent(d.association.slug))}">${h(d.association.name)}</a></p>
<h1>Members directory</h1>
${d.notice ? `<p class="notice" role="status">${h(d.notice)}</p>` : ''}
<p class="hint">Members who chose to be listed. Connect to add someone to <a href="/account/network">your network</a>; they accept or decline.</p>
${d.items.length ? `<ul class="plain people">${d.items.map((m) => person(d, m)).join('')}</ul>` : '<p>Nobody is listed yet.</p>'}
${nav ? `<nav aria-label="Pages"><p>${nav}</p></nav>` : ''}</div>`;
  return page({ title: `Members directory · ${d.association.name}`, url: d.url, user: d.user, here: base, head: '<link rel="stylesheet" href="/assets/network.css">' }, main);
}

export function directoryRoutes(x: DirectoryHelpers) {
  async function render(req: Req, slug: string): Promise<Result> {
    if (!req.caller) return x.signInRedirect(`/a/${slug}/directory`);
    const associationId = await x.associationIdBySlug(slug);
    if (!associationId) throw notFound('No association has this address.');
    // The API route's rule: members in good standing (and staff); anyone else is refused.
    const a = await authorize(x.accessOf('GET', '/associations/{associationId}/directory'), { associationId }, req.caller, store);
    const scope = `directory:${associationId}`; // the API's cursor scope: a cursor from one works on the other
    const startKey = decodeCursor(req.query.get('cursor') ?? undefined, scope);
    const { items, lastKey } = await directory(store, a.association!, PAGE_SIZE, startKey);
    const assoc = a.association!;
    const connections = await connectionStates(store, req.caller.userId, items.map((m) => m.userId), req.now);
    const base = `/a/${encodeURIComponent(assoc.slug)}/directory`;
    const cursor = req.query.get('cursor');
    return x.htmlResult(
      200,
      directoryPage({ url: `${x.appUrl}${base}`, user: x.userOf(req.caller)!, association: assoc, items, me: req.caller.userId, connections, nextCursor: encodeCursor(lastKey, scope), paged: !!startKey, here: cursor ? `${base}?${new URLSearchParams({ cursor })}` : base, notice: CONNECT_NOTICES[req.query.get('done') ?? ''] }),
    );
  }
  return [{ method: 'GET' as const, pattern: /^\/a\/([^/]+)\/directory$/, run: (req: Req, slug?: string) => render(req, slug!) }];
}
