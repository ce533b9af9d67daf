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
  directoryVisible: boolean;
  /** Optimistic-lock counter: every update is conditional on the version read. */
  version: number;
  updatedAt: string;
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
  updatedAt: string;
}

export interface Payment {
  paymentId: string;
  associationId: string;
  userId: string;
  kind: 'offline' | 'stripe';
  amount: number;
  currency: string;
  paidAt: string;
  note?: string;
  periodStart: string;
  periodEnd: string | null;
  recordedBy: string;
  createdAt: string;
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
