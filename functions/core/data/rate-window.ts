/**
 * Which fixed-window counter a request is counted on. Apart from rate-limits.ts so the router
 * can name the window without bundling the DynamoDB client into every function.
 */
import * as keys from './keys.js';
import type { Key } from './keys.js';

/** The counter a request is counted on, for a write that counts it in its own transaction. */
export interface RateWindow {
  key: Key;
  limit: number;
  /** Epoch seconds. */
  windowEnd: number;
  retryAfterSeconds: number;
}

export function rateWindow(bucket: string, subject: string, limit: number, windowSeconds: number, now: Date): RateWindow {
  const nowSeconds = now.getTime() / 1000;
  const windowStart = Math.floor(nowSeconds / windowSeconds) * windowSeconds;
  const windowEnd = windowStart + windowSeconds;
  return { key: keys.rateWindow(bucket, subject, windowStart), limit, windowEnd, retryAfterSeconds: Math.max(1, Math.ceil(windowEnd - nowSeconds)) };
}

