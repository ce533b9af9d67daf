/**
 * Every key format of the single table lives here, and only here.
 * Prefixes are UPPERCASE, ids are used as given (ULIDs, Cognito subs).
 * docs/data-model.md lists the access patterns these serve.
 */
export type Key = { pk: string; sk: string };

export const keys = {
  association: (associationId: string): Key => ({ pk: `ASSOC#${associationId}`, sk: 'ASSOC' }),
  /** Uniqueness guard for slugs: written in the same transaction as the association. */
  slug: (slug: string): Key => ({ pk: `SLUG#${slug}`, sk: 'SLUG' }),
  plan: (associationId: string, planId: string): Key => ({ pk: `ASSOC#${associationId}`, sk: `PLAN#${planId}` }),
  plansPrefix: (associationId: string) => ({ pk: `ASSOC#${associationId}`, skPrefix: 'PLAN#' }),
  member: (associationId: string, userId: string): Key => ({ pk: `ASSOC#${associationId}`, sk: `MEMBER#${userId}` }),
  membersPrefix: (associationId: string) => ({ pk: `ASSOC#${associationId}`, skPrefix: 'MEMBER#' }),
  /** gsi1: a user's memberships across associations. */
  memberByUser: (userId: string, associationId: string) => ({ gsi1pk: `USER#${userId}`, gsi1sk: `MEMBER#${associationId}` }),
  membershipsOfUserPrefix: (userId: string) => ({ gsi1pk: `USER#${userId}`, gsi1skPrefix: 'MEMBER#' }),
  profile: (userId: string): Key => ({ pk: `USER#${userId}`, sk: 'PROFILE' }),
  /** Append-only history of an association: who did what, when. */
  audit: (associationId: string, auditId: string): Key => ({ pk: `ASSOC#${associationId}`, sk: `AUDIT#${auditId}` }),
  auditPrefix: (associationId: string) => ({ pk: `ASSOC#${associationId}`, skPrefix: 'AUDIT#' }),
  /** Ledger entries (offline payments now, Stripe payments later). */
  payment: (associationId: string, paymentId: string): Key => ({ pk: `ASSOC#${associationId}`, sk: `PAYMENT#${paymentId}` }),
  paymentsPrefix: (associationId: string) => ({ pk: `ASSOC#${associationId}`, skPrefix: 'PAYMENT#' }),
} as const;
