/**
 * Request and response schemas of the connection routes (kept apart from schemas.ts so the
 * connections work does not touch every other route's file). Strict, like the rest.
 */
import * as z from 'zod';
import { id } from './schemas.js';
import { MAX_TAGS } from './domain/connections.js';

/** A pair's id: the two user ids, lower first, joined by a dot. */
export const connectionId = z.string().regex(/^[A-Za-z0-9_-]{1,64}\.[A-Za-z0-9_-]{1,64}$/, 'must be a connection id');
export const ConnectionParams = z.strictObject({ connectionId });

const tag = z.string().trim().toLowerCase().min(1).max(40).regex(/^[^#]*$/, 'must not contain #');

export const ConnectionAsk = z
  .strictObject({
    userId: id,
    note: z.string().trim().min(1).max(500).optional(),
    eventId: id.optional(),
  })
  .meta({ id: 'ConnectionAsk' });

export const ConnectionPatch = z
  .strictObject({
    note: z.string().trim().max(2000).nullable().optional(),
    tags: z.array(tag).max(MAX_TAGS).optional(),
  })
  .refine((p) => p.note !== undefined || p.tags !== undefined, { message: 'give a note or tags', path: ['note'] })
  .meta({ id: 'ConnectionPatch' });

const limit = z.coerce.number().int().min(1).max(200).default(50);
export const NetworkQuery = z
  .strictObject({
    limit: limit.optional(),
    cursor: z.string().max(2048).optional(),
    q: z.string().trim().toLowerCase().min(1).max(100).optional(),
    tag: tag.optional(),
    associationId: id.optional(),
    eventId: id.optional(),
    state: z.enum(['pending', 'accepted']).optional(),
  })
  // Each filter is its own index: one at a time keeps every list a single keyed read.
  .refine((q) => [q.tag, q.associationId, q.eventId, q.state === 'pending' ? 'p' : undefined].filter(Boolean).length <= 1, { message: 'use one of tag, associationId, eventId, state=pending at a time', path: ['tag'] });

export const NetworkExportQuery = z.strictObject({ format: z.enum(['vcf', 'csv']).default('vcf') });

export const ConnectionAskResult = z.object({ connectionId, state: z.enum(['pending', 'accepted']) }).meta({ id: 'ConnectionAskResult' });
export const ConnectionDeclined = z.object({ connectionId, state: z.literal('declined') });

export const ConnectionView = z
  .object({
    connectionId,
    userId: id,
    name: z.string(),
    headline: z.string().optional(),
    company: z.string().optional(),
    jobTitle: z.string().optional(),
    email: z.string().optional(),
    state: z.enum(['pending', 'accepted']),
    direction: z.enum(['outgoing', 'incoming']).optional(),
    associationId: id,
    metEventId: id.optional(),
    askNote: z.string().optional(),
    note: z.string().optional(),
    tags: z.array(z.string()),
    askedAt: z.string(),
    connectedAt: z.string().optional(),
    expiresAt: z.string().optional(),
  })
  .meta({ id: 'Connection' });

export const ConnectionPage = z.object({ items: z.array(ConnectionView), nextCursor: z.string().nullable() });

/** The follow-up link's click: connected once both people have clicked (who else clicked is never told). */
export const ConnectClick = z.strictObject({ connected: z.boolean() }).meta({ id: 'ConnectClick' });
