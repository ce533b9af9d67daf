/**
 * The daily job's retry of unsent mail, without sending any: each mail of the last days still
 * unsent is marked for retry (data/outbox.ts markMailForRetry), and the stream consumer sends
 * it on that change as on a new item (functions/streams/handler.ts), claiming it first
 * (services/outbox.ts deliver). So the job bundles no SES client, and nothing is sent twice.
 */
import type { OutboxRepo } from '../data/store.js';

/**
 * Marks the unsent mail of the last `days` days (the outbox's gsi2 entries), no faster than
 * `perSecond`: the stream consumer sends what is marked at about that pace, so SES is not
 * asked for more than its send rate. A mail being sent (a fresh claim) is skipped.
 */
export async function sweepOutbox(store: Pick<OutboxRepo, 'unsentMailOn' | 'markMailForRetry'>, now: Date, days = 3, perSecond = 10): Promise<{ marked: number; skipped: number }> {
  const counts = { marked: 0, skipped: 0 };
  const gap = 1000 / Math.max(1, perSecond);
  for (let d = days - 1; d >= 0; d--) {
    const day = new Date(now.getTime() - d * 86_400_000).toISOString().slice(0, 10);
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await store.unsentMailOn(day, { limit: 100, startKey });
      for (const m of page.items) {
        if (m.status !== 'pending' && m.status !== 'sending') continue;
        if (counts.marked > 0 && gap >= 1) await new Promise((r) => setTimeout(r, gap));
        if (await store.markMailForRetry(m.mailId, now)) counts.marked++;
        else counts.skipped++;
      }
      startKey = page.lastKey;
    } while (startKey);
  }
  return counts;
}
