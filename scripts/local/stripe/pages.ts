/**
 * The stand-in's browser pages: plain HTML forms, no JavaScript. They play Stripe's hosted
 * Checkout, Connect onboarding and customer portal, plus an index for driving renewals and
 * refunds by hand.
 */
import { escapeHtml as h, formatDate, formatMoney, type Obj } from './util.js';

const CSS = `
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;background:#f6f9fc;color:#1a1f36}
main{max-width:960px;margin:2rem auto;padding:0 1rem}
.card{background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.12);padding:1.25rem 1.5rem;margin-bottom:1rem}
h1{font-size:1.4rem;margin:.2rem 0 1rem}h2{font-size:1.1rem;margin:.2rem 0 .6rem}
.banner{background:#635bff;color:#fff;padding:.4rem 1rem;font-size:.85rem}
.amount{font-size:2rem;font-weight:600;margin:.3rem 0}.muted{color:#697386}
.error{background:#fde8e8;color:#a41c1c;border-radius:6px;padding:.6rem .8rem;margin:.8rem 0}
.ok{background:#e3f9e5;color:#1d6b2b;border-radius:6px;padding:.6rem .8rem;margin:.8rem 0}
form{display:inline-block;margin:.15rem .25rem .15rem 0}
button{font:inherit;border:0;border-radius:6px;padding:.45rem .9rem;background:#635bff;color:#fff;cursor:pointer}
button.secondary{background:#e3e8ee;color:#1a1f36}button.danger{background:#df1b41}
table{border-collapse:collapse;width:100%;font-size:.85rem}th,td{text-align:left;padding:.3rem .4rem;border-bottom:1px solid #e3e8ee;vertical-align:top}
code{font-size:.8rem}a{color:#635bff}
`;

export function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${h(title)} · Stripe stand-in</title><style>${CSS}</style></head>
<body><div class="banner">Local Stripe stand-in · test mode · no real money moves</div><main>${body}</main></body></html>`;
}

const button = (action: string, label: string, cls = '', hidden: Record<string, string> = {}) =>
  `<form method="post" action="${h(action)}">${Object.entries(hidden)
    .map(([k, v]) => `<input type="hidden" name="${h(k)}" value="${h(v)}">`)
    .join('')}<button type="submit"${cls ? ` class="${cls}"` : ''}>${h(label)}</button></form>`;

export const perInterval = (interval: string | null | undefined, count = 1) =>
  interval ? ` / ${count > 1 ? `${count} ${interval}s` : interval}` : '';

export function accountName(account: Obj | undefined): string {
  if (!account) return 'Unknown account';
  return account.business_profile?.name ?? account.settings?.dashboard?.display_name ?? account.email ?? account.id;
}

export interface CheckoutView {
  session: Obj;
  account: Obj | undefined;
  productName: string;
  unitAmount: number;
  quantity: number;
  interval: string | null;
  intervalCount: number;
  customerEmail: string | null;
  declined?: boolean;
}

export function checkoutPage(v: CheckoutView): string {
  const s = v.session;
  const base = `/checkout/${encodeURIComponent(s.id)}`;
  const total = formatMoney(s.amount_total ?? v.unitAmount * v.quantity, s.currency ?? 'usd');
  const done = s.status === 'complete';
  const body = `
<div class="card">
  <div class="muted">${h(accountName(v.account))}</div>
  <h1>${h(v.productName)}</h1>
  <div class="amount">${h(total)}<span class="muted" style="font-size:1rem">${h(perInterval(v.interval, v.intervalCount))}</span></div>
  ${v.quantity > 1 ? `<div class="muted">${v.quantity} × ${h(formatMoney(v.unitAmount, s.currency))}</div>` : ''}
  <div class="muted">${s.mode === 'subscription' ? 'Subscription, renews automatically' : 'One-time payment'}${v.customerEmail ? ` · ${h(v.customerEmail)}` : ''}</div>
  ${v.declined ? '<div class="error" role="alert">Your card was declined.</div>' : ''}
  ${
    done
      ? `<div class="ok">Payment complete.</div>${s.success_url ? `<a href="${h(successUrl(s))}">Continue</a>` : ''}`
      : s.status === 'expired'
        ? '<div class="error">This checkout session has expired.</div>'
        : `<p class="muted">Test card 4242 4242 4242 4242</p>
  ${button(`${base}/pay`, `Pay ${total}`)}
  ${button(`${base}/fail`, 'Fail (card declined)', 'danger')}
  ${s.cancel_url ? `<p><a href="${h(s.cancel_url)}">← Cancel and go back</a></p>` : ''}`
  }
  <p class="muted"><code>${h(s.id)}</code></p>
</div>`;
  return layout(v.productName, body);
}

/** Stripe replaces {CHECKOUT_SESSION_ID} in the success URL. */
export const successUrl = (s: Obj): string => String(s.success_url ?? '').replace(/\{CHECKOUT_SESSION_ID\}/g, s.id);

export function paidPage(s: Obj): string {
  return layout('Paid', `<div class="card"><h1>Paid</h1><div class="ok">Payment complete for <code>${h(s.id)}</code>.</div><a href="/">Stand-in index</a></div>`);
}

export function onboardingPage(account: Obj, returnUrl: string | null, refreshUrl: string | null): string {
  const done = account.details_submitted && account.charges_enabled;
  const action = `/connect/${encodeURIComponent(account.id)}/complete`;
  return layout(
    'Connect onboarding',
    `<div class="card">
  <div class="muted">Stripe Connect onboarding</div>
  <h1>${h(accountName(account))}</h1>
  <p>Account <code>${h(account.id)}</code> · ${h(account.type)} · ${h(account.country)} · ${h(account.email ?? '')}</p>
  ${done ? '<div class="ok">Onboarding already complete: charges and payouts are enabled.</div>' : '<p class="muted">Pretend to submit business details, identity and a bank account.</p>'}
  ${button(action, done ? 'Return to the platform' : 'Complete onboarding', '', returnUrl ? { return_url: returnUrl } : {})}
  ${refreshUrl && !done ? `<p><a href="${h(refreshUrl)}">Leave (link expired / start over)</a></p>` : ''}
</div>`,
  );
}

export interface PortalView {
  session: Obj;
  account: Obj | undefined;
  customer: Obj | undefined;
  subscriptions: Array<{ sub: Obj; productName: string }>;
}

export function portalPage(v: PortalView): string {
  const base = `/portal/${encodeURIComponent(v.session.id)}`;
  const rows = v.subscriptions
    .map(({ sub, productName }) => {
      const item = sub.items?.data?.[0];
      const price = item?.price;
      const sbase = `${base}/subscriptions/${encodeURIComponent(sub.id)}`;
      const live = sub.status !== 'canceled' && sub.status !== 'incomplete_expired';
      return `<div class="card">
  <h2>${h(productName)}</h2>
  <div>${price ? h(formatMoney(price.unit_amount * (item.quantity ?? 1), price.currency) + perInterval(price.recurring?.interval, price.recurring?.interval_count)) : ''}</div>
  <div class="muted">Status: <b>${h(sub.status)}</b> · current period ${h(formatDate(item?.current_period_start))} → ${h(formatDate(item?.current_period_end))}</div>
  ${
    live
      ? `<div class="muted">${sub.cancel_at_period_end ? `Auto-renew is off: ends ${h(formatDate(item?.current_period_end))}` : 'Auto-renew is on'}</div>
  ${button(`${sbase}/toggle-renew`, sub.cancel_at_period_end ? 'Turn auto-renew on' : 'Turn auto-renew off', 'secondary')}
  ${button(`${sbase}/cancel`, 'Cancel now', 'danger')}`
      : `<div class="muted">Ended ${h(formatDate(sub.ended_at))}</div>`
  }
  <p class="muted"><code>${h(sub.id)}</code></p>
</div>`;
    })
    .join('');
  return layout(
    'Billing portal',
    `<div class="card"><div class="muted">${h(accountName(v.account))} · customer portal</div>
  <h1>${h(v.customer?.name ?? v.customer?.email ?? v.session.customer)}</h1>
  ${v.session.return_url ? `<a href="${h(v.session.return_url)}">← Back</a>` : ''}</div>
${rows || '<div class="card muted">No subscriptions.</div>'}`,
  );
}

export function invoicePage(inv: Obj, account: Obj | undefined): string {
  const line = inv.lines?.data?.[0];
  return layout(
    `Invoice ${inv.number ?? inv.id}`,
    `<div class="card"><div class="muted">${h(accountName(account))}</div><h1>Invoice ${h(inv.number ?? inv.id)}</h1>
  <p>${h(line?.description ?? '')}</p>
  <p class="amount">${h(formatMoney(inv.total, inv.currency))}</p>
  <p class="muted">Status ${h(inv.status)} · period ${h(formatDate(line?.period?.start))} → ${h(formatDate(line?.period?.end))} · paid ${h(formatDate(inv.status_transitions?.paid_at))}</p></div>`,
  );
}

export interface IndexView {
  publicUrl: string;
  accounts: Obj[];
  customers: Array<{ obj: Obj; owner: string | null }>;
  sessions: Array<{ obj: Obj; owner: string | null }>;
  subscriptions: Array<{ obj: Obj; owner: string | null }>;
  charges: Array<{ obj: Obj; owner: string | null }>;
  events: Array<{ event: Obj; status: string; attempts: number; lastStatus?: number; lastError?: string }>;
  webhookUrl: string;
}

const table = (head: string[], rows: string[]) =>
  rows.length ? `<table><tr>${head.map((c) => `<th>${h(c)}</th>`).join('')}</tr>${rows.join('')}</table>` : '<p class="muted">None yet.</p>';

export function indexPage(v: IndexView): string {
  const accounts = table(
    ['Account', 'Email', 'Charges', 'Details', ''],
    v.accounts.map(
      (a) =>
        `<tr><td><code>${h(a.id)}</code><br>${h(accountName(a))}</td><td>${h(a.email ?? '')}</td><td>${a.charges_enabled}</td><td>${a.details_submitted}</td><td><a href="/connect/${h(a.id)}">onboarding page</a></td></tr>`,
    ),
  );
  const customers = table(
    ['Customer', 'Account', 'Email', 'Name'],
    v.customers.map(({ obj: c, owner }) => `<tr><td><code>${h(c.id)}</code></td><td><code>${h(owner ?? 'platform')}</code></td><td>${h(c.email ?? '')}</td><td>${h(c.name ?? '')}</td></tr>`),
  );
  const sessions = table(
    ['Checkout session', 'Account', 'Mode', 'Amount', 'Status', ''],
    v.sessions.map(
      ({ obj: s, owner }) =>
        `<tr><td><code>${h(s.id.slice(0, 24))}…</code></td><td><code>${h(owner ?? 'platform')}</code></td><td>${h(s.mode)}</td><td>${h(formatMoney(s.amount_total ?? 0, s.currency ?? 'usd'))}</td><td>${h(s.status)} / ${h(s.payment_status)}</td><td><a href="/checkout/${h(s.id)}">open</a></td></tr>`,
    ),
  );
  const subs = table(
    ['Subscription', 'Account / customer', 'Status', 'Period end', 'Actions'],
    v.subscriptions.map(({ obj: s, owner }) => {
      const item = s.items?.data?.[0];
      const id = encodeURIComponent(s.id);
      const live = s.status !== 'canceled';
      return `<tr><td><code>${h(s.id)}</code></td><td><code>${h(owner ?? 'platform')}</code><br><code>${h(s.customer)}</code></td>
<td>${h(s.status)}${s.cancel_at_period_end && s.status !== 'canceled' ? '<br><span class="muted">cancels at period end</span>' : ''}</td><td>${h(formatDate(item?.current_period_end))}</td>
<td>${
        live
          ? `${button(`/subscriptions/${id}/renew?outcome=paid`, 'Renew (paid)', '', { outcome: 'paid' })}${button(`/subscriptions/${id}/renew?outcome=failed`, 'Renew (fails)', 'danger', { outcome: 'failed' })}
${s.cancel_at_period_end ? '' : button(`/subscriptions/${id}/cancel?at_period_end=true`, 'Cancel at period end', 'secondary', { at_period_end: 'true' })}${button(`/subscriptions/${id}/cancel?at_period_end=false`, 'Cancel now', 'secondary', { at_period_end: 'false' })}`
          : `<span class="muted">ended ${h(formatDate(s.ended_at))}</span>`
      }</td></tr>`;
    }),
  );
  const charges = table(
    ['Charge', 'Account', 'Amount', 'Description', 'Refunded', ''],
    v.charges.map(
      ({ obj: c, owner }) =>
        `<tr><td><code>${h(c.id)}</code><br><code class="muted">${h(c.payment_intent ?? '')}</code></td><td><code>${h(owner ?? 'platform')}</code></td><td>${h(formatMoney(c.amount, c.currency))}</td><td>${h(c.description ?? '')}</td><td>${h(formatMoney(c.amount_refunded, c.currency))}</td><td>${
          c.refunded ? '' : button(`/charges/${encodeURIComponent(c.id)}/refund`, 'Refund', 'danger')
        }</td></tr>`,
    ),
  );
  const events = table(
    ['Event', 'Type', 'Account', 'Created', 'Delivery'],
    v.events.map(
      (e) =>
        `<tr><td><a href="/events/${h(e.event.id)}"><code>${h(e.event.id)}</code></a></td><td>${h(e.event.type)}</td><td><code>${h(e.event.account ?? '')}</code></td><td>${h(formatDate(e.event.created))}</td><td>${h(e.status)}${e.attempts ? ` (${e.attempts} attempt${e.attempts > 1 ? 's' : ''}${e.lastStatus ? `, HTTP ${e.lastStatus}` : ''}${e.lastError ? `, ${h(e.lastError)}` : ''})` : ''}</td></tr>`,
    ),
  );
  return layout(
    'Index',
    `<div class="card"><h1>Stripe stand-in</h1><p class="muted">API at <code>${h(v.publicUrl)}/v1</code> · webhooks to <code>${h(v.webhookUrl || '(none)')}</code></p></div>
<div class="card"><h2>Connected accounts</h2>${accounts}</div>
<div class="card"><h2>Customers</h2>${customers}</div>
<div class="card"><h2>Checkout sessions</h2>${sessions}</div>
<div class="card"><h2>Subscriptions</h2><p class="muted">Renewing plays a test clock to the end of the current period.</p>${subs}</div>
<div class="card"><h2>Charges</h2>${charges}</div>
<div class="card"><h2>Last 50 events</h2>${events}</div>`,
  );
}

export function errorPage(status: number, message: string): string {
  return layout(`Error ${status}`, `<div class="card"><h1>Error ${status}</h1><div class="error">${h(message)}</div><a href="/">Stand-in index</a></div>`);
}

export function jsonPage(title: string, value: unknown): string {
  return layout(title, `<div class="card"><h1>${h(title)}</h1><pre style="white-space:pre-wrap;font-size:.8rem">${h(JSON.stringify(value, null, 2))}</pre></div>`);
}
