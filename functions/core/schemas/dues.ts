/** Request schemas of the dues routes (schemas.ts says how they are used). */
import * as z from 'zod/mini';
import '../zod-locale.js';
import { id, PageQuery } from './common.js';

export const PaymentsQuery = z.extend(PageQuery, { userId: z.optional(id) });
