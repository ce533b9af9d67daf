/**
 * The one table's shape, as plain data. The CDK stack (lib/) and the local runner
 * (scripts/) both build the table from this, so local and AWS cannot drift apart.
 */
export const tableSchema = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Overloaded indexes; which entity uses which is listed in docs/data-model.md. */
  globalSecondaryIndexes: [
    { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    { indexName: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
    { indexName: 'gsi4', partitionKey: 'gsi4pk', sortKey: 'gsi4sk' },
    { indexName: 'gsi5', partitionKey: 'gsi5pk', sortKey: 'gsi5sk' },
    { indexName: 'gsi6', partitionKey: 'gsi6pk', sortKey: 'gsi6sk' },
    { indexName: 'gsi7', partitionKey: 'gsi7pk', sortKey: 'gsi7sk' },
  ],
  /** Epoch seconds; DynamoDB deletes items some time after this passes. */
  ttlAttribute: 'expiresAt',
} as const;

export type IndexName = (typeof tableSchema.globalSecondaryIndexes)[number]['indexName'];

/**
 * The attributes of a resume key (ExclusiveStartKey) for a Query on `indexName`: the
 * table's keys plus the index's own, as DynamoDB requires.
 */
export function keyAttributes(indexName?: string): string[] {
  const attrs: string[] = [tableSchema.partitionKey, tableSchema.sortKey];
  if (!indexName) return attrs;
  const index = tableSchema.globalSecondaryIndexes.find((g) => g.indexName === indexName);
  if (!index) throw new Error(`The table has no index ${indexName}`);
  return [...attrs, index.partitionKey, index.sortKey];
}

/** The resume key that continues a Query on `indexName` right after `item`. */
export function resumeKeyOf(item: Record<string, unknown>, indexName?: string): Record<string, unknown> {
  return Object.fromEntries(keyAttributes(indexName).map((a) => [a, item[a]]));
}
