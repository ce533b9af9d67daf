/** Request schemas of the matching routes (schemas.ts says how they are used). */
import * as z from 'zod/mini';
import '../zod-locale.js';
import { id } from './common.js';

export const MatchParams = z.strictObject({ eventId: id, matchId: z.string().check(z.regex(/^[A-Za-z0-9_.-]{1,200}$/, 'must be a match id')) });

export const MatchFeedback = z
  .strictObject({ rating: z.int().check(z.gte(1), z.lte(5)), met: z.boolean() })
  .register(z.globalRegistry, { id: 'MatchFeedback' });

export const MatchSendQuery = z.strictObject({});
