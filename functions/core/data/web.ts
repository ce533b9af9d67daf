/**
 * Reads the web pages need beyond the entity stores: an association by its slug.
 * The slug item is the uniqueness guard written with the association (keys.slug).
 */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys.js';

export function createWebReads(db: DynamoDBDocumentClient, table: string) {
  return {
    /** The association id a slug belongs to, by key; undefined when no association has it. */
    async associationIdBySlug(slug: string): Promise<string | undefined> {
      const res = await db.send(new GetCommand({ TableName: table, Key: keys.slug(slug), ProjectionExpression: 'associationId' }));
      return res.Item?.associationId as string | undefined;
    },
  };
}

export type WebReads = ReturnType<typeof createWebReads>;
