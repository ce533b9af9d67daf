/** The payment ledger: every payment, failed attempt, refund (one per Stripe refund) and unmatched payment, newest first. */
import type { Store } from '../data/store.js';
import type { Association, Payment } from '../domain/types.js';
import type { Column } from '../domain/csv.js';
import type { FileStore } from '../files.js';
import { allPages, exportRows } from './exports.js';
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

/** The whole ledger through the shared exporter: recorded, inline or as a file link. */
export async function exportCsv(deps: { store: LedgerStore; files?: FileStore }, association: Association, actorId: string, now: Date, format: 'csv' | 'url' = 'csv') {
  return exportRows<Payment>({
    store: deps.store,
    files: deps.files,
    associationId: association.associationId,
    what: 'payments',
    actorId,
    fileName: `${association.slug}-payments.csv`,
    columns,
    pages: allPages((startKey) => deps.store.paymentsOf(association.associationId, { limit: 500, startKey })),
    format,
    now,
  });
}
