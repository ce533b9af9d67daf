/**
 * The part of `npm run seed` the API cannot do: history. The API refuses events that start in
 * the past and stamps every write with now, so the seed runs an event through the API first,
 * then (this is a local dev script, against DynamoDB Local) moves it, its RSVPs and
 * check-ins into the past and spreads the members' joining dates over the past year. The
 * dashboards' counters are then rebuilt from the items by the stats backfill, once the
 * stream has caught up, so the charts show the history the items now tell.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as keys from '../../functions/core/data/keys.js';
import { backfillStats } from '../migrations/backfill-stats.js';

const MIN = 60_000;
const DAY = 86_400_000;

export interface PastEvent {
  associationId: string;
  eventId: string;
  /** Where the event moves to. */
  startsAt: string;
  endsAt: string;
  /** Members whose joining dates are spread over the past year, oldest first. */
  joined: string[];
  /** How many were checked in (to know when the stream has caught up). */
  checkedIn: number;
}

async function set(db: DynamoDBDocumentClient, table: string, key: Record<string, string>, attrs: Record<string, unknown>) {
  const entries = Object.entries(attrs);
  await db.send(
    new UpdateCommand({
      TableName: table,
      Key: key,
      UpdateExpression: `SET ${entries.map((_, i) => `#a${i} = :v${i}`).join(', ')}`,
      // Only items that exist: a typo here must not create stray items.
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: Object.fromEntries(entries.map(([k], i) => [`#a${i}`, k])),
      ExpressionAttributeValues: Object.fromEntries(entries.map(([, v], i) => [`:v${i}`, v])),
    }),
  );
}

export async function moveIntoPast(api: string, p: PastEvent, ownerToken: string): Promise<void> {
  const info = await fetch(`${api}/dev/stack`);
  if (!info.ok) throw new Error(`GET /dev/stack → ${info.status}: is this \`npm start\`?`);
  const { tableName: table, dynamodb } = (await info.json()) as { tableName: string; dynamodb: string };
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamodb, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }), { marshallOptions: { removeUndefinedValues: true } });
  const now = Date.now();

  // Members joined over the past year, so "members by status" has a history.
  for (const [i, userId] of p.joined.entries()) {
    await set(db, table, keys.member(p.associationId, userId), { joinedAt: new Date(now - Math.round(((p.joined.length - i) / p.joined.length) * 350) * DAY).toISOString() });
  }

  const start = Date.parse(p.startsAt);
  await set(db, table, keys.event(p.eventId), { startsAt: p.startsAt, endsAt: p.endsAt, ...keys.eventOfAssociation(p.associationId, p.startsAt, p.eventId) });
  const r = keys.rsvpsPrefix(p.eventId);
  const rsvps = (await db.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)', ExpressionAttributeValues: { ':pk': r.pk, ':p': r.skPrefix } }))).Items ?? [];
  let door = 0;
  for (const [i, item] of rsvps.entries()) {
    // RSVPs over the two weeks before; check-ins from a quarter hour before the start.
    const at = new Date(start - 14 * DAY + Math.round((i / rsvps.length) * 13 * DAY)).toISOString();
    const checkedInAt = item.checkedInAt ? new Date(start - 15 * MIN + door++ * 4 * MIN).toISOString() : undefined;
    await set(db, table, { pk: String(item.pk), sk: String(item.sk) }, { rsvpAt: at, updatedAt: at, ...keys.rsvpOfUser(String(item.userId), p.startsAt, p.eventId), ...(checkedInAt ? { checkedInAt } : {}) });
  }
  const m = keys.matchesPrefix(p.eventId);
  const matches = (await db.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)', ExpressionAttributeValues: { ':pk': m.pk, ':p': m.skPrefix } }))).Items ?? [];
  for (const item of matches) await set(db, table, { pk: String(item.pk), sk: String(item.sk) }, { createdAt: new Date(start - 2 * 60 * MIN).toISOString() });

  // The stream has caught up when the moved check-ins show in the event's counters; the
  // backfill then replaces the counters whole (it must not race stream records still waiting).
  const pastSlots = async () => {
    const res = await fetch(`${api}/events/${p.eventId}/stats`, { headers: { authorization: `Bearer ${ownerToken}` } });
    const s = (await res.json()) as { checkIns?: { at: string; count: number }[] };
    return (s.checkIns ?? []).filter((c) => Date.parse(c.at) < now - DAY).reduce((n, c) => n + c.count, 0);
  };
  for (let i = 0; i < 150 && (await pastSlots()) < p.checkedIn; i++) await new Promise((res) => setTimeout(res, 100));
  // A moment more for the stream records written just before.
  await new Promise((res) => setTimeout(res, 1500));
  await backfillStats(db, table, p.associationId);
}
