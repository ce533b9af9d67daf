/** Response schemas of the connections function's routes (responses.ts says why they are apart from the catalog). */
import * as z from 'zod/mini';
import '../zod-locale.js';
import { id } from '../schemas/common.js';
import { connectionId } from '../connection-schemas.js';

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
