/**
 * Keeps the event page's "spots left / waitlist" line current while the page stays open:
 * every 60 s while it is visible, and at once when it becomes visible again (a tab brought
 * back, a page restored from the back-forward cache). Reads GET /api/events/{eventId}
 * through the typed client; the page's own rendering stays the source when that fails.
 */
import { api, type Schemas } from './api.js';

/** The same sentence functions/web/render.ts writes (availability). */
export function availabilityText(e: Pick<Schemas['Event'], 'status' | 'capacity' | 'goingCount' | 'waitlistCount' | 'spotsLeft' | 'waitlist'>): string {
  if (e.status === 'cancelled') return 'This event was cancelled.';
  if (e.spotsLeft === null) return `${e.goingCount} going · no limit on spots`;
  if (e.spotsLeft > 0 && e.waitlistCount === 0) return `${e.spotsLeft} of ${e.capacity} spots left`;
  if (e.waitlist) return `Full · ${e.waitlistCount} on the waitlist`;
  return 'Full';
}

const EVERY_MS = 60_000;

export async function refreshSpots(eventId: string): Promise<void> {
  const { data } = await api.GET('/events/{eventId}', { params: { path: { eventId } }, credentials: 'same-origin' });
  const el = document.querySelector<HTMLElement>('.spots');
  if (!data || !el) return;
  const text = availabilityText(data);
  if (el.textContent !== text) el.textContent = text;
}

export function keepSpotsFresh(): void {
  const match = /^\/e\/([A-Za-z0-9_-]{1,64})$/.exec(location.pathname);
  const el = document.querySelector<HTMLElement>('.spots');
  if (!match || !el) return;
  const eventId = match[1]!;
  // Announced politely: a change while someone reads is news, not an alarm.
  el.setAttribute('aria-live', 'polite');
  const tick = () => {
    if (document.visibilityState === 'visible') void refreshSpots(eventId).catch(() => undefined);
  };
  setInterval(tick, EVERY_MS);
  document.addEventListener('visibilitychange', tick);
  addEventListener('pageshow', (ev) => {
    if ((ev as PageTransitionEvent).persisted) tick();
  });
}
