/** Success bodies of the meta routes, and the problem details every error is (published in /openapi.json, which the meta function builds). */
import * as z from 'zod/mini';
import '../zod-locale.js';
import { intents } from '../domain/vocabulary.js';

export const Vocabulary = z.strictObject({ intents: z.array(z.strictObject({ value: z.enum(intents), label: z.string() })) }).register(z.globalRegistry, { id: 'Vocabulary' });

/** The document itself; its shape is OpenAPI's, not ours. */
export const OpenApiDocument = z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) }).register(z.globalRegistry, { id: 'OpenApiDocument' });

/** Problem details (RFC 9457), as http/problem.ts writes them. */
export const Problem = z
  .strictObject({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.optional(z.string()),
    errors: z.optional(z.array(z.strictObject({ path: z.string(), message: z.string() }))),
  })
  .register(z.globalRegistry, { id: 'Problem' });
