/**
 * Request schemas of the connection routes (their response schemas are in responses/connections.ts) (kept apart from schemas.ts so the
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
