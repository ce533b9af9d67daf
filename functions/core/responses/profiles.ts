/** Success body of the profile routes (responses.ts says how they are written and checked). */
import * as z from 'zod/mini';
import '../zod-locale.js';
import { intents } from '../domain/vocabulary.js';
import { instant } from './common.js';

export const ProfileView = z
  .strictObject({
    userId: z.string(),
    name: z.string(),
    headline: z.optional(z.string()),
    company: z.optional(z.string()),
    jobTitle: z.optional(z.string()),
    industry: z.optional(z.string()),
    skills: z.array(z.string()),
    interests: z.array(z.string()),
    offers: z.array(z.enum(intents)),
    seeks: z.array(z.enum(intents)),
    matchOptIn: z.boolean(),
    directoryVisible: z.boolean(),
    // Absent on profiles saved before the setting existed (docs/connections.md, Privacy).
    connectionsSee: z.optional(z.strictObject({ email: z.boolean(), company: z.boolean(), network: z.optional(z.boolean()) })),
    updatedAt: instant,
  })
  .register(z.globalRegistry, { id: 'ProfileView' });
