/** Success body of the unsubscribe route (responses.ts says how they are written and checked). */
import * as z from 'zod/mini';
import '../zod-locale.js';

export const Unsubscribed = z.strictObject({ unsubscribed: z.string() }).register(z.globalRegistry, { id: 'Unsubscribed' });
