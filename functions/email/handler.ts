/**
 * Lambda for email preferences: one-click unsubscribe (RFC 8058) from one kind of mail,
 * for the address in the signed link only, without signing in. GET only shows a button
 * (mail scanners fetch links); the POST, from that button or the mail client, acts.
 */
import { httpHandler, json } from '../core/http/router.js';
import { store } from '../core/deps.js';
import { readLink } from '../core/http/links.js';

const html = (title: string, body: string) => ({
  text: `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body style="font-family:system-ui,sans-serif;max-width:480px;margin:3em auto"><h1>${title}</h1>${body}</body></html>`,
  headers: { 'Content-Type': 'text/html; charset=utf-8' },
});
const label = (kind: string) => kind.replaceAll('_', ' ');

export const handler = httpHandler(
  'email',
  {
    'GET /email/unsubscribe': async ({ query }) => {
      const { email, kind } = readLink('unsubscribe', query.token);
      const action = `?token=${encodeURIComponent(query.token)}`;
      return html('Unsubscribe', `<p>Stop sending ${label(kind!)} emails to ${email!.replace(/[<>&"]/g, '')}?</p><form method="post" action="${action}"><button type="submit">Unsubscribe</button></form>`);
    },
    'POST /email/unsubscribe': async ({ query, headers, now }) => {
      const { email, kind } = readLink('unsubscribe', query.token);
      await store.suppress(email!, kind!, 'unsubscribed', now.toISOString());
      if ((headers.accept ?? '').includes('text/html')) return html('Unsubscribed', `<p>You will no longer receive ${label(kind!)} emails.</p>`);
      return json({ unsubscribed: kind });
    },
  },
  { store },
);
