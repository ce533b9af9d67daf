/** Success body of the Stripe webhook route (responses.ts says how they are written and checked). */
import * as z from 'zod/mini';
import '../zod-locale.js';

export const WebhookReceipt = z.strictObject({ received: z.literal(true), outcome: z.enum(['recorded', 'applied', 'duplicate', 'ignored', 'unmatched']) }).register(z.globalRegistry, { id: 'WebhookReceipt' });
