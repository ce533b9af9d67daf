/**
 * "My network" (/account/network): my connections with search and a tag filter, the asks
 * waiting for my answer, my own note and tags on each, and the vCard/CSV exports. Every
 * control is a real form posting to the web function, which applies the catalog's access
 * rule and rate limits of the API route the form stands for, and calls the same service.
 * `connectControl` is what other pages (directory, my matches) show for a person: Connect, or
 * where the pair stands; its forms carry `next`, the page to answer on (returnPath).
 */
import type { PageHelpers, PageReq, Result } from './page-kit.js';
import { routes, routeKey } from '../core/api.js';
import { escapeHtml as h } from '../core/http/html.js';
import { enforceRateLimits } from '../core/http/rate-limit.js';
import { authorize } from '../core/http/access.js';
import { fieldErrors } from '../core/http/router.js';
import { decodeCursor, encodeCursor } from '../core/http/cursor.js';
import { HttpProblem, badRequest } from '../core/errors.js';
import { limiter, store } from '../core/deps.js';
import * as cs from '../core/connection-schemas.js';
import { acceptConnection, ask, declineConnection, exportNetwork, listNetwork, patchConnection, removeConnection, type ConnectionView } from '../core/services/connections.js';
import { page, type PageUser } from './render.js';
import { safeNext } from './session.js';
import type { PersonConnection } from '../core/domain/connections.js';
import type { Event } from '../core/domain/events.js';
import { dateIn } from './format.js';

type Req = PageReq;
export type NetworkHelpers = PageHelpers;

const ORIGIN = 'https://app.invalid';

/**
 * The page a form's `next` names, if it is a path on this site: `/a/x/directory?cursor=…` or
 * `/account#matches` pass; `https://evil.test/`, `//evil.test`, `/\\evil.test`, `javascript:`
 * and anything that resolves elsewhere do not (undefined: answer on My network instead).
 */
export function returnPath(next: string | null | undefined): string | undefined {
  if (!next || next.length > 2048 || safeNext(next) !== next) return undefined;
  let u: URL;
  try {
    u = new URL(next, ORIGIN);
  } catch {
    return undefined;
  }
  if (u.origin !== ORIGIN) return undefined;
  return `${u.pathname}${u.search}${u.hash}`;
}

/** `path` with ?done=<what> for the page to say what happened (before any #fragment). */
export function withDone(path: string, what: string): string {
  const u = new URL(path, ORIGIN);
  u.searchParams.set('done', what);
  return `${u.pathname}${u.search}${u.hash}`;
}

const nextField = (next?: string) => (next ? `<input type="hidden" name="next" value="${h(next)}">` : '');

/**
 * A "Connect" button for a person shown on another page (directory, my matches): posts an
 * ask to /account/network/ask, which answers on `next` (else on the My network page).
 * Example: `connectButton({ associationId, userId: m.userId, name: m.name, next: '/account#matches' })`.
 */
export function connectButton(p: { associationId: string; userId: string; name: string; eventId?: string; next?: string }): string {
  return `<form method="post" action="/account/network/ask" class="inline"><input type="hidden" name="associationId" value="${h(p.associationId)}"><input type="hidden" name="userId" value="${h(p.userId)}">${p.eventId ? `<input type="hidden" name="eventId" value="${h(p.eventId)}">` : ''}${nextField(p.next)}<button type="submit" aria-label="Connect with ${h(p.name)}">Connect</button></form>`;
}

/**
 * What a page shows for a person, by how they stand with me (connectionStates): "Connected"
 * with a link to My network, "Request sent" with a cancel, Accept/Decline for their ask,
 * nothing to press for myself or an ask I declined, else Connect. Every form posts to the
 * same My network actions as that page's own buttons.
 */
export function connectControl(p: { associationId: string; userId: string; name: string; eventId?: string; connection?: PersonConnection; next?: string }): string {
  const c = p.connection ?? { state: 'none' };
  const act = (id: string, verb: string, text: string, cls = '') =>
    `<form method="post" action="/account/network/${h(encodeURIComponent(id))}/${verb}" class="inline">${nextField(p.next)}<button type="submit"${cls ? ` class="${cls}"` : ''}>${text}</button></form>`;
  const who = (prefix: string) => `<span class="visually-hidden"> ${prefix ? `${prefix} ` : ''}${h(p.name)}</span>`;
  switch (c.state) {
    case 'self':
      return '<p class="hint">This is you.</p>';
    case 'connected':
      return `<p class="status connected">Connected · <a href="/account/network?${h(new URLSearchParams({ q: p.name }).toString())}">My network<span class="visually-hidden">: ${h(p.name)}</span></a></p>`;
    case 'asked':
      return `<div class="connect-state"><p class="status">Request sent</p>${act(c.connectionId, 'remove', `Cancel request${who('to')}`, 'secondary')}</div>`;
    case 'incoming':
      return `<div class="connect-state"><p class="status">${h(p.name)} asked to connect</p>${act(c.connectionId, 'accept', `Accept${who('')}`)} ${act(c.connectionId, 'decline', `Decline${who('')}`, 'secondary')}</div>`;
    case 'declined':
      return '<p class="hint">You declined their ask.</p>';
    default:
      return connectButton(p);
  }
}

export interface NetworkPageData {
  url: string;
  user: PageUser;
  items: ConnectionView[];
  pending: ConnectionView[];
  q?: string;
  tag?: string;
  nextCursor: string | null;
  notice?: string;
  error?: { detail: string; errors?: { path: string; message: string }[]; connectionId?: string };
  typed?: { note?: string; tags?: string };
  /** The events where people met (metEventId), read in one BatchGet for the page. */
  metAt?: Map<string, Pick<Event, 'eventId' | 'title' | 'startsAt' | 'timezone'>>;
}

const LABELS: Record<string, string> = { q: 'Search', tag: 'Tag', note: 'Note', tags: 'Tags', userId: 'Person', eventId: 'Event' };

function errorSummary(e: NetworkPageData['error']) {
  if (!e) return '';
  const items = (e.errors ?? []).map((x) => `<li>${h(LABELS[x.path.split('.')[0]!] ?? x.path)}: ${h(x.message)}</li>`).join('');
  return `<div class="error-summary" role="alert" tabindex="-1" id="problem"><h2>There is a problem</h2><p>${h(e.detail)}</p>${items ? `<ul>${items}</ul>` : ''}</div>`;
}

const card = (c: ConnectionView) =>
  `<p class="card-name"><strong>${h(c.name)}</strong>${c.headline ? ` · ${h(c.headline)}` : ''}</p>${c.jobTitle || c.company ? `<p>${h([c.jobTitle, c.company].filter(Boolean).join(', '))}</p>` : ''}${c.email ? `<p><a href="mailto:${h(c.email)}">${h(c.email)}</a></p>` : ''}`;

function connectionItem(c: ConnectionView, d: NetworkPageData): string {
  const id = h(c.connectionId);
  const mineTyped = d.error?.connectionId === c.connectionId ? d.typed : undefined;
  const fid = `c-${c.connectionId.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  const met = c.metEventId ? d.metAt?.get(c.metEventId) : undefined;
  const since = c.connectedAt ? `connected ${h(dateIn(c.connectedAt, met?.timezone ?? 'UTC'))}` : '';
  const where = met ? `<p class="met">Met at <a href="/e/${encodeURIComponent(met.eventId)}">${h(met.title)}</a>, ${h(dateIn(met.startsAt, met.timezone))}${since ? ` · ${since}` : ''}</p>` : since ? `<p class="met">${since[0]!.toUpperCase()}${since.slice(1)}</p>` : '';
  return `<li class="connection">${card(c)}${where}${c.tags.length ? `<p>Tags: ${c.tags.map((t) => `<a href="/account/network?tag=${encodeURIComponent(t)}">${h(t)}</a>`).join(', ')}</p>` : ''}
<details${mineTyped ? ' open' : ''}><summary>Note and tags<span class="visually-hidden"> for ${h(c.name)}</span></summary>
<form method="post" action="/account/network/${id}/edit">
<label for="${fid}-note">Private note</label><textarea id="${fid}-note" name="note" rows="2">${h(mineTyped?.note ?? c.note ?? '')}</textarea>
<label for="${fid}-tags">Tags (comma-separated)</label><input id="${fid}-tags" name="tags" value="${h(mineTyped?.tags ?? c.tags.join(', '))}">
<button type="submit">Save</button></form>
<form method="post" action="/account/network/${id}/remove"><button type="submit" class="secondary">Remove ${h(c.name)}</button></form>
</details></li>`;
}

function pendingItem(c: ConnectionView): string {
  const id = h(c.connectionId);
  if (c.direction === 'outgoing') return `<li>${card(c)}<p>You asked on ${h(c.askedAt.slice(0, 10))}.</p><form method="post" action="/account/network/${id}/remove"><button type="submit" class="secondary">Withdraw ask to ${h(c.name)}</button></form></li>`;
  return `<li>${card(c)}${c.askNote ? `<blockquote>${h(c.askNote)}</blockquote>` : ''}<div class="actions"><form method="post" action="/account/network/${id}/accept" class="inline"><button type="submit">Accept ${h(c.name)}</button></form> <form method="post" action="/account/network/${id}/decline" class="inline"><button type="submit" class="secondary">Decline</button></form></div></li>`;
}

/** The page, as a string; every value escaped. */
export function networkPage(d: NetworkPageData): string {
  const filtered = d.q || d.tag;
  const next = d.nextCursor ? `<p><a href="/account/network?${new URLSearchParams({ ...(d.q ? { q: d.q } : {}), ...(d.tag ? { tag: d.tag } : {}), cursor: d.nextCursor })}">Next page</a></p>` : '';
  const main = `<div class="network"><p><a href="/account">Your account</a></p>
<h1>My network</h1>
${d.notice ? `<p class="notice" role="status">${h(d.notice)}</p>` : ''}
${errorSummary(d.error)}
<section aria-labelledby="pending-title"><h2 id="pending-title">Asks</h2>${d.pending.length ? `<ul class="plain">${d.pending.map(pendingItem).join('')}</ul>` : '<p>No open asks.</p>'}</section>
<section aria-labelledby="network-title"><h2 id="network-title">Connections</h2>
<form method="get" action="/account/network" role="search" class="filters">
<div class="field"><label for="q">Search by name</label><input id="q" name="q" type="search" value="${h(d.q ?? '')}"></div>
<div class="field"><label for="tag">Tag</label><input id="tag" name="tag" value="${h(d.tag ?? '')}"></div>
<button type="submit">Search</button>${filtered ? ' <a href="/account/network">Show all</a>' : ''}</form>
${d.items.length ? `<ul class="plain">${d.items.map((c) => connectionItem(c, d)).join('')}</ul>` : `<p>${filtered ? 'Nobody matches.' : 'No connections yet. Connect with people from the directory, your matches or after an event.'}</p>`}
${next}
</section>
<section aria-labelledby="export-title"><h2 id="export-title">Export</h2><p>For your phone or mail app. Emails appear only for people who share theirs with connections.</p>
<p class="exports"><a class="button" href="/account/network/export.vcf" download>Download contacts (vCard)</a> <a class="button secondary" href="/account/network/export.csv" download>Download spreadsheet (CSV)</a></p></section></div>`;
  return page({ title: 'My network', url: d.url, user: d.user, here: '/account/network', head: '<link rel="stylesheet" href="/assets/network.css">' }, main);
}

/** What ?done= says, on My network and on the pages its forms answer on (directory, account). */
export const CONNECT_NOTICES: Record<string, string> = {
  asked: 'Your ask is sent. They join your network once they accept.',
  accepted: 'You are connected.',
  declined: 'Declined. They are not told.',
  removed: 'Removed.',
  saved: 'Saved.',
};

/** A refusal a person can act on is answered on the page; anything else is the page-level handler's. */
const isFormProblem = (err: unknown): err is HttpProblem => err instanceof HttpProblem && err.statusCode < 500 && err.statusCode !== 401;

export function networkRoutes(x: NetworkHelpers) {
  const PATH = '/account/network';
  const limited = (method: string, apiPath: string, req: Req) => {
    const spec = routes.find((r) => routeKey(r) === `${method} ${apiPath}`)!;
    return spec.rateLimit?.length ? enforceRateLimits(spec.rateLimit, { userId: req.caller?.userId, params: {} }, limiter, req.now) : Promise.resolve();
  };

  async function render(req: Req, extra: Partial<NetworkPageData> & { status?: number } = {}): Promise<Result> {
    const caller = req.caller!;
    await authorize(x.accessOf('GET', '/me/connections'), {}, caller, store);
    const parsed = cs.NetworkQuery.safeParse({ q: req.query.get('q') || undefined, tag: req.query.get('tag') || undefined });
    const filter = parsed.success ? parsed.data : {};
    const { q, tag } = filter as { q?: string; tag?: string };
    // The same cursor scope as the API's list.
    const scope = `network:${caller.userId}::${tag ?? ''}:::${q ?? ''}`;
    const startKey = decodeCursor(req.query.get('cursor') ?? undefined, scope);
    const [list, pending] = await Promise.all([listNetwork(store, caller, { q, tag }, 50, startKey, req.now), listNetwork(store, caller, { state: 'pending' }, 50, undefined, req.now)]);
    const { status, ...rest } = extra;
    const error = extra.error ?? (parsed.success ? undefined : { detail: 'The search is not valid.', errors: fieldErrors(parsed.error) });
    const metIds = list.items.flatMap((c) => (c.metEventId ? [c.metEventId] : []));
    const metAt = metIds.length ? await store.batchGetEvents(metIds) : undefined;
    const html = networkPage({ url: `${x.appUrl}${PATH}`, user: x.userOf(caller)!, metAt, items: list.items, pending: pending.items, q, tag, nextCursor: encodeCursor(list.lastKey, scope), notice: CONNECT_NOTICES[req.query.get('done') ?? ''], ...rest, error });
    return x.htmlResult(status ?? (error ? 400 : 200), html);
  }

  /** Runs one form's action; a refusal is shown on the page with what was typed. */
  const action = (fn: (req: Req, id?: string) => Promise<string>, typed?: (req: Req) => NetworkPageData['typed']) => async (req: Req, id?: string): Promise<Result> => {
    if (!req.caller) return x.signInRedirect(PATH);
    x.assertSameOrigin(req);
    try {
      return x.redirect(withDone(returnPath(req.form.get('next')) ?? PATH, await fn(req, id)));
    } catch (err) {
      if (isFormProblem(err)) return render(req, { status: err.statusCode, error: { detail: err.message, errors: err.errors, connectionId: id }, typed: typed?.(req) });
      throw err;
    }
  };
  const connectionIdOf = (id?: string) => {
    const p = cs.ConnectionParams.safeParse({ connectionId: id });
    if (!p.success) throw badRequest('This is not a connection.', fieldErrors(p.error));
    return p.data.connectionId;
  };

  return [
    { method: 'GET' as const, pattern: /^\/account\/network$/, run: (req: Req) => (req.caller ? render(req) : Promise.resolve(x.signInRedirect(PATH))) },
    {
      method: 'POST' as const,
      pattern: /^\/account\/network\/ask$/,
      run: action(async (req) => {
        const associationId = req.form.get('associationId') ?? '';
        const a = await authorize(x.accessOf('POST', '/associations/{associationId}/connections'), { associationId }, req.caller, store);
        const body = cs.ConnectionAsk.safeParse({ userId: req.form.get('userId') ?? '', ...(req.form.get('eventId') ? { eventId: req.form.get('eventId') } : {}), ...(req.form.get('note') ? { note: req.form.get('note') } : {}) });
        if (!body.success) throw badRequest('The ask is not valid; nothing was sent.', fieldErrors(body.error));
        await limited('POST', '/associations/{associationId}/connections', req);
        const r = await ask(store, a.association!, a.membership, req.caller!, body.data, req.now);
        return r.state === 'accepted' ? 'accepted' : 'asked';
      }),
    },
    {
      method: 'POST' as const,
      pattern: /^\/account\/network\/([^/]+)\/(accept|decline|remove)$/,
      run: (req: Req, id?: string, verb?: string) =>
        action(async (r, cid) => {
          const connectionId = connectionIdOf(cid);
          if (verb === 'accept') {
            await authorize(x.accessOf('POST', '/me/connections/{connectionId}/accept'), {}, r.caller, store);
            await acceptConnection(store, r.caller!, connectionId, r.now);
            return 'accepted';
          }
          if (verb === 'decline') {
            await authorize(x.accessOf('POST', '/me/connections/{connectionId}/decline'), {}, r.caller, store);
            await declineConnection(store, r.caller!, connectionId, r.now);
            return 'declined';
          }
          await authorize(x.accessOf('DELETE', '/me/connections/{connectionId}'), {}, r.caller, store);
          await removeConnection(store, r.caller!, connectionId);
          return 'removed';
        })(req, id),
    },
    {
      method: 'POST' as const,
      pattern: /^\/account\/network\/([^/]+)\/edit$/,
      run: action(
        async (req, id) => {
          const connectionId = connectionIdOf(id);
          await authorize(x.accessOf('PATCH', '/me/connections/{connectionId}'), {}, req.caller, store);
          const tags = (req.form.get('tags') ?? '').split(',').map((t) => t.trim()).filter(Boolean);
          const body = cs.ConnectionPatch.safeParse({ note: req.form.get('note') ?? '', tags });
          if (!body.success) throw badRequest('The note or tags are not valid; nothing was saved.', fieldErrors(body.error));
          await patchConnection(store, req.caller!, connectionId, { note: body.data.note || null, tags: body.data.tags });
          return 'saved';
        },
        (req) => ({ note: req.form.get('note') ?? '', tags: req.form.get('tags') ?? '' }),
      ),
    },
    {
      method: 'GET' as const,
      pattern: /^\/account\/network\/export\.(vcf|csv)$/,
      run: async (req: Req, format?: string): Promise<Result> => {
        if (!req.caller) return x.signInRedirect(PATH);
        await authorize(x.accessOf('GET', '/me/connections/export'), {}, req.caller, store);
        await limited('GET', '/me/connections/export', req);
        const out = await exportNetwork(store, req.caller, format as 'vcf' | 'csv', req.now);
        return { statusCode: 200, headers: { 'Content-Type': out.contentType, 'Content-Disposition': `attachment; filename="${out.filename}"`, 'Cache-Control': 'private, no-store' }, body: out.body };
      },
    },
  ];
}
