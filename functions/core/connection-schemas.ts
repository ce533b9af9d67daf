/**
 * Request and response schemas of the connection routes (kept apart from schemas.ts so the
 * connections work does not touch every other route's file). Strict, like the rest.
 */
import * as z from 'zod/mini';
import './zod-locale.js';
import { id } from './schemas/common.js';
import { MAX_TAGS } from './domain/connections.js';

/** A pair's id: the two user ids, lower first, joined by a dot. */
export const connectionId = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}\.[A-Za-z0-9_-]{1,64}$/, 'must be a connection id'));
export const ConnectionParams = z.strictObject({ connectionId });

const tag = z.string().check(z.trim(), z.toLowerCase(), z.minLength(1), z.maxLength(40), z.regex(/^[^#]*$/, 'must not contain #'));

export const ConnectionAsk = z
  .strictObject({
    userId: id,
    note: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(500))),
    eventId: z.optional(id),
  })
  .register(z.globalRegistry, { id: 'ConnectionAsk' });

export const ConnectionPatch = z
  .strictObject({
    note: z.optional(z.nullable(z.string().check(z.trim(), z.maxLength(2000)))),
    tags: z.optional(z.array(tag).check(z.maxLength(MAX_TAGS))),
  })
  .check(z.refine((p) => p.note !== undefined || p.tags !== undefined, { message: 'give a note or tags', path: ['note'] }))
  .register(z.globalRegistry, { id: 'ConnectionPatch' });

const limit = z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(200)), 50);
export const NetworkQuery = z
  .strictObject({
    limit: z.optional(limit),
    cursor: z.optional(z.string().check(z.maxLength(2048))),
    q: z.optional(z.string().check(z.trim(), z.toLowerCase(), z.minLength(1), z.maxLength(100))),
    tag: z.optional(tag),
    associationId: z.optional(id),
    eventId: z.optional(id),
    state: z.optional(z.enum(['pending', 'accepted'])),
  })
  // Each filter is its own index: one at a time keeps every list a single keyed read.
  .check(z.refine((q) => [q.tag, q.associationId, q.eventId, q.state === 'pending' ? 'p' : undefined].filter(Boolean).length <= 1, { message: 'use one of tag, associationId, eventId, state=pending at a time', path: ['tag'] }));

export const NetworkExportQuery = z.strictObject({ format: z._default(z.enum(['vcf', 'csv']), 'vcf') });

export const ConnectionAskResult = z.object({ connectionId, state: z.enum(['pending', 'accepted']) }).register(z.globalRegistry, { id: 'ConnectionAskResult' });
export const ConnectionDeclined = z.object({ connectionId, state: z.literal('declined') });

export const ConnectionView = z
  .object({
    connectionId,
    userId: id,
    name: z.string(),
    headline: z.optional(z.string()),
    company: z.optional(z.string()),
    jobTitle: z.optional(z.string()),
    email: z.optional(z.string()),
    state: z.enum(['pending', 'accepted']),
    direction: z.optional(z.enum(['outgoing', 'incoming'])),
    associationId: id,
    metEventId: z.optional(id),
    askNote: z.optional(z.string()),
    note: z.optional(z.string()),
    tags: z.array(z.string()),
    askedAt: z.string(),
    connectedAt: z.optional(z.string()),
    expiresAt: z.optional(z.string()),
  })
  .register(z.globalRegistry, { id: 'Connection' });

export const ConnectionPage = z.object({ items: z.array(ConnectionView), nextCursor: z.nullable(z.string()) });

/** The follow-up link's click: connected once both people have clicked (who else clicked is never told). */
export const ConnectClick = z.strictObject({ connected: z.boolean() }).register(z.globalRegistry, { id: 'ConnectClick' });
