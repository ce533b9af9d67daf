/**
 * The store: every entity module's access patterns over one table, composed for the
 * services. Each module (associations.ts, members.ts, rsvps.ts, …) owns its item shape and
 * access patterns; units.ts holds the transactions that span entities; table.ts the
 * client, write wrapper, paging and batches. Every read is a GetItem, BatchGetItem or
 * Query by key; there is no Scan. Key formats: keys.ts.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createTable } from './table.js';
import { createWaitlist } from './waitlist.js';
import { associationsRepo } from './associations.js';
import { plansRepo } from './plans.js';
import { membersRepo } from './members.js';
import { paymentsRepo } from './payments.js';
import { stripeEventsRepo } from './stripe-events.js';
import { stripeQueueRepo } from './stripe-queue.js';
import { outboxRepo } from './outbox.js';
import { eventsRepo } from './events.js';
import { rsvpsRepo } from './rsvps.js';
import { matchesRepo } from './matches.js';
import { profilesRepo } from './profiles.js';
import { auditRepo } from './audit.js';
import { suppressionsRepo } from './suppressions.js';
import { exportsRepo } from './exports.js';
import { schedulesRepo } from './schedules.js';
import { unitsRepo } from './units.js';
import { connectionsRepo } from './connections.js';
import { statsRepo } from './stats.js';

export type { Page, PageRequest } from './table.js';
/** The repositories, for services that take only what they use. */
export type { AssociationsRepo } from './associations.js';
export type { PlansRepo } from './plans.js';
export type { MembersRepo } from './members.js';
export type { PaymentsRepo } from './payments.js';
export type { StripeEventsRepo } from './stripe-events.js';
export type { StripeQueueRepo } from './stripe-queue.js';
export type { OutboxRepo } from './outbox.js';
export type { EventsRepo } from './events.js';
export type { RsvpsRepo } from './rsvps.js';
export type { MatchesRepo } from './matches.js';
export type { ProfilesRepo } from './profiles.js';
export type { AuditRepo } from './audit.js';
export type { SuppressionsRepo } from './suppressions.js';
export type { ExportsRepo } from './exports.js';
export type { SchedulesRepo } from './schedules.js';
export type { UnitsRepo } from './units.js';
export type { ConnectionsRepo } from './connections.js';
export type { StatsRepo } from './stats.js';
export { ConditionFailed, AlreadyApplied, StaleMember, StoreBusy } from '../errors.js';
export type { MemberFilter } from './members.js';
export type { Broadcast } from './events.js';
export type { StoredMatch } from './matches.js';
export type { RsvpChange, MemberChange, TicketClaim } from './units.js';

/**
 * Every repository. A function that uses a few composes those itself over one table
 * (`{ ...membersRepo(t), ...plansRepo(t) }`, functions/core/deps.ts), so its bundle keeps only
 * their code; the services' store types (MembersStore, DuesStore, ...) say which it needs.
 */
export function createStore(db: DynamoDBDocumentClient, tableName: string) {
  const t = createTable(db, tableName);
  return {
    ...associationsRepo(t),
    ...plansRepo(t),
    ...membersRepo(t),
    ...paymentsRepo(t),
    ...stripeEventsRepo(t),
    ...stripeQueueRepo(t),
    ...outboxRepo(t),
    ...eventsRepo(t),
    ...rsvpsRepo(t),
    ...matchesRepo(t),
    ...profilesRepo(t),
    ...auditRepo(t),
    ...suppressionsRepo(t),
    ...exportsRepo(t),
    ...schedulesRepo(t),
    ...unitsRepo(t),
    ...connectionsRepo(t),
    ...statsRepo(t),
    batchPut: t.batchPut,
    /** Waitlist tickets: issued by a counter, positions read from departure counters (waitlist.ts). */
    waitlist: createWaitlist(db, tableName),
  };
}

export type Store = ReturnType<typeof createStore>;
