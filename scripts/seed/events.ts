/**
 * The demo events' bodies, shared by the seed and bench/web.ts so the benchmark measures the
 * same pages people see after `npm run seed`. Times are relative to `now`, in UTC hours.
 */

const DAY = 86_400_000;

/** `days` from `now`, at `hour`:00 UTC. */
export function dayAt(now: Date, days: number, hour: number): Date {
  const d = new Date(now.getTime() + days * DAY);
  d.setUTCHours(hour, 0, 0, 0);
  return d;
}

interface Slot {
  days: number;
  from: number;
  to: number;
}

/** An event body from a slot and what differs; the rest is what every demo event shares. */
function demo(now: Date, slot: Slot, body: Record<string, unknown>) {
  return {
    startsAt: dayAt(now, slot.days, slot.from).toISOString(),
    endsAt: dayAt(now, slot.days, slot.to).toISOString(),
    timezone: 'Europe/Paris',
    visibility: 'public',
    waitlist: true,
    ...body,
  };
}

/** A meetup next week that everyone attends, with a question and one guest each. */
export const mixerEvent = (now: Date, extra: Record<string, unknown> = {}) =>
  demo(now, { days: 7, from: 17, to: 20 }, {
    title: 'Climate Tech Mixer',
    description: 'Short talks, then drinks and introductions.',
    venue: 'Station F, 5 Parvis Alan Turing, Paris',
    capacity: 60,
    maxGuests: 1,
    questions: [{ id: 'topic', label: 'What would you like to talk about?', type: 'text', required: false }],
    ...extra,
  });

export const membersDinnerEvent = (now: Date) =>
  demo(now, { days: 12, from: 18, to: 21 }, {
    title: 'Members’ Dinner: Financing the Grid',
    description: 'A dinner for members with two investors and a grid operator. Seats are limited.',
    venue: 'Le Petit Zinc, 11 Rue Saint-Benoît, Paris',
    capacity: 24,
    visibility: 'members',
  });

export const onlineTalkEvent = (now: Date) =>
  demo(now, { days: 3, from: 16, to: 17 }, {
    title: 'Online Talk: Heat Pumps at Scale',
    description: 'A 45-minute talk and questions. The link is sent to everyone who RSVPs.',
    onlineUrl: 'https://meet.example.com/heat-pumps',
    waitlist: false,
  });

export const workshopEvent = (now: Date) =>
  demo(now, { days: 5, from: 8, to: 11 }, {
    title: 'Hands-on Workshop: Carbon Accounting',
    description: 'Bring a laptop. We work through a real company’s footprint together.',
    venue: 'Station F, Room 3',
    capacity: 4,
  });

/** Created for tomorrow (the API refuses past starts), then moved back by past.ts. */
export const breakfastEvent = (now: Date) =>
  demo(now, { days: 1, from: 7, to: 9 }, {
    title: 'Founders’ Breakfast: Selling to Utilities',
    description: 'Coffee, croissants and three founders on their first utility contract.',
    venue: 'Station F, La Felicità, Paris',
    capacity: 30,
    matchmaking: { enabled: true, matchesPerAttendee: 3 },
  });
