/**
 * Reads the web pages need beyond the entity stores: an association by its slug, and a
 * person's upcoming RSVPs for their account page.
 * The slug item is the uniqueness guard written with the association (keys.slug).
 */
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RsvpStatus } from '../domain/events.js';
import * as keys from './keys.js';

export interface UpcomingRsvp {
  eventId: string;
  associationId: string;
  status: RsvpStatus;
  guests: number;
  waitKey?: string;
}

export function createWebReads(db: DynamoDBDocumentClient, table: string) {
  return {
    /** The association id a slug belongs to, by key; undefined when no association has it. */
    async associationIdBySlug(slug: string): Promise<string | undefined> {
      const res = await db.send(new GetCommand({ TableName: table, Key: keys.slug(slug), ProjectionExpression: 'associationId' }));
      return res.Item?.associationId as string | undefined;
    },
    /** The first `limit` RSVPs of a person to events starting at or after `from`, in start order: one bounded range read. */
    async upcomingRsvpsOfUser(userId: string, from: string, limit: number): Promise<UpcomingRsvp[]> {
      const k = keys.rsvpsOfUserFrom(userId, from);
      const res = await db.send(
        new QueryCommand({
          TableName: table,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': k.gsi1pk, ':from': k.gsi1skFrom, ':to': k.gsi1skTo },
          ProjectionExpression: 'eventId, associationId, #s, guests, waitKey',
          ExpressionAttributeNames: { '#s': 'status' },
          Limit: limit,
        }),
      );
      return (res.Items ?? []) as UpcomingRsvp[];
    },
  };
}

export type WebReads = ReturnType<typeof createWebReads>;
