/** Stored shapes of the domain entities, as the API returns them (keys stripped). */
import type { MemberStatus, Role } from './roles.js';
import type { Intent } from './vocabulary.js';

export type Interval = 'year' | 'month' | 'once';

export interface Association {
  associationId: string;
  name: string;
  slug: string;
  currency: string;
  timezone: string;
  description?: string;
  gracePeriodDays: number;
  ownerCount: number;
  /** The association's own Stripe account (Connect), once connected. */
  stripeAccountId?: string;
  chargesEnabled?: boolean;
  stripeDetailsSubmitted?: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface Plan {
  planId: string;
  associationId: string;
  name: string;
  amount: number;
  currency: string;
  interval: Interval;
  description?: string;
  benefits?: string[];
  archived: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface Member {
  associationId: string;
  userId: string;
  role: Role;
  planId: string;
  status: MemberStatus;
  currentPeriodEnd: string | null;
  joinedAt: string;
  name: string;
  email: string;
  /** Effective directory visibility here: `preferences.directoryVisible`, else the profile's flag. */
  directoryVisible: boolean;
  /** What the member chose for this association; unset fields follow the profile. */
  preferences?: { matchOptIn?: boolean; directoryVisible?: boolean };
  /** Optimistic-lock counter: every update is conditional on the version read. */
  version: number;
  updatedAt: string;
  // ---- dues (Stripe or offline)
  stripeCustomerId?: string;
  stripeSubscriptionId?: string;
  checkoutSessionId?: string;
  checkoutStartedAt?: string;
  /** False when the member turned auto-renew off in the portal. */
  autoRenew?: boolean;
  pastDueSince?: string | null;
  graceUntil?: string | null;
  lapsedAt?: string | null;
  /** Reminders already sent, as `<daysBefore>@<periodEnd>`. */
  remindersSent?: string[];
  /** When the daily job must next look at this membership (gsi2). */
  dueAt?: string | null;
  /** Set when the person erased themselves: the fields above are a pseudonym (docs/privacy.md). */
  erasedAt?: string;
}

export interface Profile {
  userId: string;
  name: string;
  headline?: string;
  company?: string;
  jobTitle?: string;
  industry?: string;
  skills: string[];
  interests: string[];
  offers: Intent[];
  seeks: Intent[];
  matchOptIn: boolean;
  directoryVisible: boolean;
  /** What connections see of this person (domain/connections.ts has the default: company yes, email no). */
  connectionsSee?: { email: boolean; company: boolean; network?: boolean };
  updatedAt: string;
}

export interface Payment {
  paymentId: string;
  associationId: string;
  userId: string;
  kind: 'offline' | 'stripe';
  /**
   * payment: money in; failure: a charge attempt that failed; refund: money back (one entry
   * per Stripe refund); unmatched: money paid on the association's account that is not this
   * membership's (see `reason`), which changed no status.
   */
  type?: 'payment' | 'failure' | 'refund' | 'unmatched';
  amount: number;
  currency: string;
  paidAt: string;
  note?: string;
  periodStart: string | null;
  periodEnd: string | null;
  recordedBy: string;
  createdAt: string;
  /** Why an `unmatched` entry did not count for the membership. */
  reason?: string;
  stripe?: { eventId?: string; invoiceId?: string; chargeId?: string; refundId?: string; paymentIntentId?: string; subscriptionId?: string; checkoutSessionId?: string; customerId?: string };
}

/** An email waiting to be sent: written with the state change that caused it. */
export interface OutboxMail {
  mailId: string;
  associationId?: string;
  kind: string;
  to: string;
  fromName: string;
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
  /** With a contentId, an inline part the HTML shows as <img src="cid:...">. */
  attachments?: { filename: string; contentType: string; contentBase64: string; contentId?: string }[];
  /** Facts filled in when the mail is sent, e.g. a live waitlist position for `{{position}}`. */
  fill?: { position?: { eventId: string; waitKey: string } };
  status: 'pending' | 'sending' | 'sent' | 'failed' | 'suppressed';
  attempts: number;
  createdAt: string;
  claimedAt?: string;
  sentAt?: string;
  /** Times the daily sweep asked the stream consumer to try again (data/outbox.ts markMailForRetry). */
  retry?: number;
  retriedAt?: string;
}

export interface AuditEntry {
  auditId: string;
  associationId: string;
  action: string;
  actorId: string;
  subjectId?: string;
  at: string;
  data?: Record<string, unknown>;
}
