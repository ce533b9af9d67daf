/**
 * Which of the table's stream records reach each of its two readers, in the event-filter
 * syntax Lambda's event source mappings take (FilterCriteria patterns). One definition for
 * both sides: lib/constructs/streams.ts hands these patterns to the mappings, and the local
 * stack (scripts/local/stack.ts) drops what they would drop, with `matchesFilters`, so a record
 * a mapping would never deliver in AWS is never handled locally either.
 *
 * Two readers only: DynamoDB Streams throttles a shard read by more than two at once, so the
 * export job is started by the streams consumer rather than read from the stream itself.
 * No CDK imports here: the local stack loads this file.
 */

type Rule = string | number | { exists: boolean } | { prefix: string };
export type FilterPattern = { [key: string]: Rule[] | FilterPattern };

/** Entities the dashboard counters count (domain/stats.ts counterDeltas), whatever the change. */
const counted = ['member', 'payment', 'rsvp', 'match'];

export const streamFilters: Record<'streams' | 'stripeEvents', FilterPattern[]> = {
  /**
   * functions/streams: outbox mail (new, or marked for retry by the daily sweep), broadcasts to
   * expand, new export jobs to start, changed events (waitlist promotion), RSVPs that ask for a
   * mail, and every change the counters count (a removal carries only its old image).
   * Four patterns: a mapping takes at most five by default.
   */
  streams: [
    { eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['outbox', 'broadcast', 'exportJob', ...counted] } } } },
    { eventName: ['MODIFY'], dynamodb: { NewImage: { entity: { S: ['event', ...counted] } } } },
    { eventName: ['MODIFY'], dynamodb: { NewImage: { entity: { S: ['outbox'] }, retry: { N: [{ exists: true }] } } } },
    { eventName: ['REMOVE'], dynamodb: { OldImage: { entity: { S: counted } } } },
  ],
  /** functions/stripe-events: only the queue's records (keys.stripeQueued), by key prefix; the patterns above never match them. */
  stripeEvents: [{ eventName: ['INSERT'], dynamodb: { Keys: { pk: { S: [{ prefix: 'STRIPEQ#' }] } } } }],
};

function matchesRule(rules: Rule[], present: boolean, value: unknown): boolean {
  return rules.some((rule) => {
    if (typeof rule === 'string' || typeof rule === 'number') return present && value === rule;
    if ('exists' in rule) return rule.exists === present;
    if ('prefix' in rule) return present && typeof value === 'string' && value.startsWith(rule.prefix);
    throw new Error(`stream filter rule not understood here: ${JSON.stringify(rule)}`);
  });
}

function matches(pattern: FilterPattern, value: unknown): boolean {
  return Object.entries(pattern).every(([key, sub]) => {
    const obj = value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
    const present = obj !== undefined && key in obj && obj[key] !== undefined;
    // An absent object matches only rules that ask for absence (exists: false), as in EventBridge.
    return Array.isArray(sub) ? matchesRule(sub, present, obj?.[key]) : matches(sub, present ? obj![key] : undefined);
  });
}

/** Whether a stream record passes any of the patterns, as Lambda's event filtering decides (the rules used above). */
export const matchesFilters = (patterns: readonly FilterPattern[], record: unknown): boolean => patterns.some((p) => matches(p, record));
