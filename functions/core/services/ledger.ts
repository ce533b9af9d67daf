/** The payment ledger: every payment, failed attempt, refund (one per Stripe refund) and unmatched payment, newest first. */
import type { Store } from '../data/store.js';
import type { Association, Payment } from '../domain/types.js';
import type { Column } from '../domain/csv.js';
import { allPages, exportRows, onePage, PAGE_ROWS, type ExportDeps, type ExportPlan } from './exports.js';
import type { ExportsRepo, PaymentsRepo } from '../data/store.js';

/** The repositories this service uses (functions/core/data/). */
export type LedgerStore = ExportsRepo & PaymentsRepo;

export const paymentView = (p: Payment) => ({
  paymentId: p.paymentId,
  userId: p.userId,
  type: p.type ?? 'payment',
  kind: p.kind,
  amount: p.amount,
  currency: p.currency,
  paidAt: p.paidAt,
  periodStart: p.periodStart,
  periodEnd: p.periodEnd,
  note: p.note ?? null,
  /** Why an `unmatched` payment did not count for the membership. */
  reason: p.reason ?? null,
  recordedBy: p.recordedBy,
  stripe: p.stripe ?? null,
});

export async function list(store: LedgerStore, association: Association, userId: string | undefined, limit: number, startKey?: Record<string, unknown>) {
  const page = await store.paymentsOf(association.associationId, { limit, startKey }, userId);
  return { items: page.items.map(paymentView), lastKey: page.lastKey };
}

const columns: Column<Payment>[] = [
  { header: 'date', value: (p) => p.paidAt },
  { header: 'type', value: (p) => p.type ?? 'payment' },
  { header: 'source', value: (p) => p.kind },
  { header: 'userId', value: (p) => p.userId },
  { header: 'amount', value: (p) => p.amount },
  { header: 'currency', value: (p) => p.currency },
  { header: 'periodStart', value: (p) => p.periodStart },
  { header: 'periodEnd', value: (p) => p.periodEnd },
  { header: 'note', value: (p) => p.note },
  { header: 'stripeInvoice', value: (p) => p.stripe?.invoiceId },
  { header: 'stripeCharge', value: (p) => p.stripe?.chargeId },
  { header: 'stripeRefund', value: (p) => p.stripe?.refundId },
  { header: 'stripeCheckout', value: (p) => p.stripe?.checkoutSessionId },
  { header: 'reason', value: (p) => p.reason },
];

/** How the ledger is read for an export (by the request, or by the job for a long one). */
export function ledgerExportPlan(store: LedgerStore, association: Association): ExportPlan<Payment> {
  const read = (startKey?: Record<string, unknown>) => store.paymentsOf(association.associationId, { limit: PAGE_ROWS, startKey });
  return {
    what: 'payments',
    associationName: association.name,
    listName: 'payments ledger',
    fileName: `${association.slug}-payments.csv`,
    columns,
    fitsOnePage: () => onePage(read),
    pages: () => allPages(read),
  };
}

/** The whole ledger through the shared exporter: recorded; inline, a file link, or the job for a long one. */
export async function exportCsv(deps: ExportDeps<LedgerStore>, association: Association, actor: { userId: string; email: string }, now: Date, format: 'csv' | 'url' = 'csv') {
  return exportRows<Payment>({ ...deps, associationId: association.associationId, spec: { list: 'payments' }, plan: ledgerExportPlan(deps.store, association), actor, format, now });
}
