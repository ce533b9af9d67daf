/**
 * Import first in unit tests that load a function needing Stripe settings at cold start
 * (members, dues, webhooks): fake values, never used to reach Stripe since no test calls it.
 */
process.env.STRIPE_SECRET_KEY ??= 'sk_test_unit';
process.env.STRIPE_WEBHOOK_SECRET ??= 'whsec_unit';
export {};
