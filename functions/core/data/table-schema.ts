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
