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
  ],
  /** Epoch seconds; DynamoDB deletes items some time after this passes. */
  ttlAttribute: 'expiresAt',
} as const;

export type IndexName = (typeof tableSchema.globalSecondaryIndexes)[number]['indexName'];
