/**
 * Lambda for email preferences: one-click unsubscribe (RFC 8058) from one kind of mail,
 * for the address in the signed link only, without signing in. GET only shows a button
 * (mail scanners fetch links); the POST, from that button or the mail client, acts.
 */
import { httpHandler, json } from '../core/http/router.js';
import { rateLimiting } from '../core/http/rate-limit.js';
import { emailRoutes } from '../core/routes/email.js';
import { limiter, table } from '../core/deps.js';
import { suppressionsRepo } from '../core/data/suppressions.js';
import { readLink } from '../core/http/links.js';
import { wantsHtml } from '../core/http/html.js';
import { htmlPage } from '../core/http/link-page.js';

const label = (kind: string) => kind.replaceAll('_', ' ');
// The one repository it uses: the bundle leaves the others out (deps.ts). Its routes name no
// association, so the router needs no store for access checks.
const store = suppressionsRepo(table);

export const handler = httpHandler(
  emailRoutes,
  {
    'GET /email/unsubscribe': async ({ query, now }) => {
      const { email, kind } = await readLink('unsubscribe', query.token, now);
      const action = `?token=${encodeURIComponent(query.token)}`;
      return htmlPage('Unsubscribe', [`Stop sending ${label(kind!)} emails to ${email}?`], { label: 'Unsubscribe', action });
    },
    'POST /email/unsubscribe': async ({ query, headers, now }) => {
      const { email, kind } = await readLink('unsubscribe', query.token, now);
      await store.suppress(email!, kind!, 'unsubscribed', now.toISOString());
      if (wantsHtml(headers)) return htmlPage('Unsubscribed', [`You will no longer receive ${label(kind!)} emails.`]);
      return json({ unsubscribed: kind });
    },
  },
  { limiter: rateLimiting(limiter) },
);
