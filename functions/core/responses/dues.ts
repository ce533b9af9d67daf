/** Success bodies of the dues routes (responses.ts says how they are written and checked). */
import * as z from 'zod/mini';
import '../zod-locale.js';
import { instant, nullableInstant, page } from './common.js';

export const Link = z.strictObject({ url: z.string() }).register(z.globalRegistry, { id: 'Link' });

export const Payment = z
  .strictObject({
    paymentId: z.string(),
    userId: z.string(),
    type: z.enum(['payment', 'failure', 'refund', 'unmatched']),
    kind: z.enum(['offline', 'stripe']),
    amount: z.int(),
    currency: z.string(),
    paidAt: instant,
    periodStart: nullableInstant,
    periodEnd: nullableInstant,
    note: z.nullable(z.string()),
    reason: z.nullable(z.string()),
    recordedBy: z.string(),
    stripe: z.nullable(z.record(z.string(), z.string())),
  })
  .register(z.globalRegistry, { id: 'Payment' });

export const PaymentPage = page(Payment, 'PaymentPage');
