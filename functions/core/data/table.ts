/**
 * The small table module every entity module is built on: the client and table name, the
 * write wrapper that turns DynamoDB's condition failures into domain errors, paged queries
 * whose resume keys come from the table schema, and batch reads and writes.
 */
import { BatchGetCommand, BatchWriteCommand, QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput, type TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Key } from './keys.js';
import { resumeKeyOf, tableSchema } from './table-schema.js';
import { ConditionFailed, StoreBusy } from '../errors.js';

export type Page<T> = { items: T[]; lastKey?: Record<string, unknown> };
export type PageRequest = { limit: number; startKey?: Record<string, unknown> };
export type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

// `entity` names the kind of item for people reading the table; it is not part of the domain.
const KEY_ATTRS = [tableSchema.partitionKey, tableSchema.sortKey, ...tableSchema.globalSecondaryIndexes.flatMap((g) => [g.partitionKey, g.sortKey]), 'entity'];

const DROPPED = new Set([...KEY_ATTRS, 'nameLower', 'emailLower']);

/**
 * The domain object of a stored item: key and bookkeeping attributes removed. Copied key by
 * key rather than spread and deleted from: `delete` turns an object into a slow dictionary,
 * and an export job strips (and then reads) every item of a long list.
 */
export function strip<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(item)) if (!DROPPED.has(k)) out[k] = item[k];
  return out as T;
}

/** `SET #k = :k, …` for the defined fields of a patch, plus updatedAt. */
export function setExpression(patch: Record<string, unknown>, at: string) {
  const names: Record<string, string> = { '#updatedAt': 'updatedAt' };
  const values: Record<string, unknown> = { ':updatedAt': at };
  const sets = ['#updatedAt = :updatedAt'];
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    names[`#${k}`] = k;
    values[`:${k}`] = v;
    sets.push(`#${k} = :${k}`);
  }
  return { UpdateExpression: `SET ${sets.join(', ')}`, ExpressionAttributeNames: names, ExpressionAttributeValues: values };
}

export function createTable(db: DynamoDBDocumentClient, name: string) {
  /** Wraps a write so a failed condition surfaces as ConditionFailed with per-item reasons. */
  async function write<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        // The SDK hands the item back in the wire format; the document client does not convert errors.
        throw new ConditionFailed(['ConditionalCheckFailed'], { cause: err, current: err.Item && strip(unmarshall(err.Item)) });
      }
      if (err instanceof TransactionCanceledException) {
        const reasons = (err.CancellationReasons ?? []).map((r) => r.Code);
        // Only condition failures are a domain outcome; conflicts and throttling stay infrastructure errors.
        if (reasons.includes('ConditionalCheckFailed')) throw new ConditionFailed(reasons, { cause: err });
        throw new StoreBusy(reasons, { cause: err });
      }
      throw err;
    }
  }

  /** BatchGetItem by key, 100 keys a call; unprocessed keys (a partial answer under load) are asked again. */
  async function batchGet<T>(allKeys: Key[], idOf: (item: T) => string): Promise<Map<string, T>> {
    const out = new Map<string, T>();
    for (let i = 0; i < allKeys.length; i += 100) {
      let request: Record<string, { Keys: Key[] }> | undefined = { [name]: { Keys: allKeys.slice(i, i + 100) } };
      for (let attempt = 0; request && Object.keys(request).length && attempt < 5; attempt++) {
        const res: import('@aws-sdk/lib-dynamodb').BatchGetCommandOutput = await db.send(new BatchGetCommand({ RequestItems: request }));
        for (const it of res.Responses?.[name] ?? []) {
          const item = strip<T>(it)!;
          out.set(idOf(item), item);
        }
        request = res.UnprocessedKeys as typeof request;
      }
    }
    return out;
  }

  /** Writes items in batches of 25, retrying what DynamoDB leaves unprocessed. Idempotent for fixed keys. */
  async function batchPut(items: Record<string, unknown>[]): Promise<void> {
    for (let i = 0; i < items.length; i += 25) {
      let request: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> | undefined = { [name]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) };
      for (let attempt = 0; request && request[name]?.length; attempt++) {
        if (attempt > 8) throw Object.assign(new Error('batch write kept being throttled'), { name: 'ThrottlingException' });
        if (attempt) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
        const res: import('@aws-sdk/lib-dynamodb').BatchWriteCommandOutput = await db.send(new BatchWriteCommand({ RequestItems: request }));
        request = res.UnprocessedItems as typeof request;
      }
    }
  }

  /**
   * One page of a Query: keeps reading until `limit` items pass the filter, for exact page
   * sizes, and resumes after the last item returned (its keys for the queried index, from
   * the table schema, as DynamoDB requires of a resume key).
   */
  async function queryPage<T>(input: Omit<QueryCommandInput, 'TableName'>, page: PageRequest): Promise<Page<T>> {
    const items: Record<string, unknown>[] = [];
    let startKey = page.startKey;
    for (;;) {
      const res = await db.send(new QueryCommand({ ...input, TableName: name, Limit: page.limit, ExclusiveStartKey: startKey }));
      for (const it of res.Items ?? []) {
        items.push(it);
        if (items.length === page.limit) {
          // The page is full mid-way: resume after the last item we return.
          const more = it !== res.Items![res.Items!.length - 1] || res.LastEvaluatedKey !== undefined;
          return { items: items.map((i) => strip<T>(i)!), lastKey: more ? resumeKeyOf(it, input.IndexName) : undefined };
        }
      }
      if (!res.LastEvaluatedKey) return { items: items.map((i) => strip<T>(i)!) };
      startKey = res.LastEvaluatedKey;
    }
  }

  return { db, name, write, batchGet, batchPut, queryPage, setExpression };
}

export type Table = ReturnType<typeof createTable>;
