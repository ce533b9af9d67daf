/** Request schemas of the profile routes (schemas.ts says how they are used). */
import * as z from 'zod/mini';
import '../zod-locale.js';
import { intents } from '../domain/vocabulary.js';
import { text } from './common.js';

const tags = z.array(z.string().check(z.trim(), z.toLowerCase(), z.minLength(1), z.maxLength(60))).check(z.maxLength(30));

export const ProfilePut = z
  .strictObject({
    name: text(120),
    headline: z.optional(z.string().check(z.trim(), z.maxLength(160))),
    company: z.optional(z.string().check(z.trim(), z.maxLength(120))),
    jobTitle: z.optional(z.string().check(z.trim(), z.maxLength(120))),
    industry: z.optional(z.string().check(z.trim(), z.toLowerCase(), z.maxLength(80))),
    skills: z._default(tags, []),
    interests: z._default(tags, []),
    offers: z._default(z.array(z.enum(intents)).check(z.maxLength(intents.length)), []),
    seeks: z._default(z.array(z.enum(intents)).check(z.maxLength(intents.length)), []),
    matchOptIn: z._default(z.boolean(), false),
    directoryVisible: z._default(z.boolean(), false),
    // What connections see (docs/connections.md); the email stays hidden unless shared.
    // `network`: people I am matched with may learn who we both know ("You both know Dana Li"); off unless chosen.
    connectionsSee: z._default(
      z.strictObject({ email: z._default(z.boolean(), false), company: z._default(z.boolean(), true), network: z._default(z.boolean(), false) }),
      { email: false, company: true, network: false },
    ),
  })
  .register(z.globalRegistry, { id: 'Profile' });

export type ProfilePut = z.infer<typeof ProfilePut>;
