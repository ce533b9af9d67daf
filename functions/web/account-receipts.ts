/**
 * A member's own payments on the account page, and the printable receipt of one of them,
 * as strings, free of I/O: every value passes through escapeHtml.
 */
import { escapeHtml as h } from '../core/http/html.js';
import { formatMoney } from '../core/domain/emails.js';
import type { Payment } from '../core/domain/types.js';
import { page, type PageUser } from './render.js';

export type ReceiptRow = Pick<Payment, 'paymentId' | 'type' | 'kind' | 'amount' | 'currency' | 'paidAt' | 'periodStart' | 'periodEnd'>;

const STATUS: Record<string, string> = { payment: 'Paid', refund: 'Refunded', failure: 'Failed', unmatched: 'Not applied to the membership' };
export const receiptStatus = (p: Pick<Payment, 'type'>) => STATUS[p.type ?? 'payment'] ?? 'Paid';
/** Money that moved has a receipt; a failed attempt moved none. */
export const hasReceipt = (p: Pick<Payment, 'type'>) => (p.type ?? 'payment') === 'payment' || p.type === 'refund';
export const receiptPath = (associationId: string, paymentId: string) => `/account/receipts/${encodeURIComponent(paymentId)}?association=${encodeURIComponent(associationId)}`;

const day = (iso: string, tz: string) => new Intl.DateTimeFormat('en-GB', { timeZone: tz, day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(iso));

/** The payments list inside one membership card; `more` says older ones exist beyond the shown. */
export function receiptsList(m: { associationId: string; associationName: string; timezone: string }, rows: ReceiptRow[], more: boolean): string {
  if (!rows.length) return '<p class="hint">No payments yet.</p>';
  const items = rows
    .map((p) => {
      const amount = formatMoney(p.amount, p.currency);
      const status = receiptStatus(p);
      const link = hasReceipt(p) ? `<a href="${h(receiptPath(m.associationId, p.paymentId))}">Receipt<span class="visually-hidden"> for ${h(amount)} on ${h(day(p.paidAt, m.timezone))}</span></a>` : '';
      return `<tr><td><time datetime="${h(p.paidAt)}">${h(day(p.paidAt, m.timezone))}</time></td><td class="num">${p.type === 'refund' ? '−' : ''}${h(amount)}</td><td>${h(status)}</td><td>${link}</td></tr>`;
    })
    .join('');
  return `<h4>Payments</h4><div class="table-wrap" tabindex="0" role="region" aria-label="Payments to ${h(m.associationName)}"><table class="data"><thead><tr><th scope="col">Date</th><th scope="col">Amount</th><th scope="col">Status</th><th scope="col"><span class="visually-hidden">Receipt</span></th></tr></thead><tbody>${items}</tbody></table></div>${more ? '<p class="hint">Older payments are in your data download.</p>' : ''}`;
}

export interface ReceiptPageData {
  url: string;
  user: PageUser;
  payment: Payment;
  association: { name: string; timezone: string; slug: string };
  planName: string;
  memberName: string;
}

/** One receipt, laid out to print (the site's print styles drop the header). */
export function receiptPage(d: ReceiptPageData): string {
  const p = d.payment;
  const tz = d.association.timezone;
  const refund = p.type === 'refund';
  const title = refund ? 'Refund receipt' : 'Receipt';
  const period = p.periodStart && p.periodEnd ? `${day(p.periodStart, tz)} to ${day(p.periodEnd, tz)}` : p.periodEnd ? `until ${day(p.periodEnd, tz)}` : '';
  const rows: [string, string][] = [
    ['From', d.association.name],
    ['To', d.memberName || d.user.email],
    ['Date', day(p.paidAt, tz)],
    [refund ? 'Refunded' : 'Amount paid', formatMoney(p.amount, p.currency)],
    ['For', `${d.planName || 'Membership'} membership${period ? `, ${period}` : ''}`],
    ['Paid by', p.kind === 'stripe' ? 'Card, through Stripe' : 'Recorded by the association'],
    ['Receipt number', p.paymentId],
  ];
  return page(
    { title: `${title}: ${d.association.name}`, url: d.url, user: d.user, here: d.url },
    `<article class="account-page receipt">
<p class="no-print"><a href="/account#memberships">← Back to your account</a></p>
<h1>${title}</h1>
<dl class="facts receipt-facts">${rows.map(([k, v]) => `<div><dt>${h(k)}</dt><dd${k === 'Receipt number' ? ' class="code"' : ''}>${h(v)}</dd></div>`).join('')}</dl>
<p class="hint no-print">Keep this page for your records; use your browser's Print to save it as a PDF.</p>
</article>`,
  );
}
