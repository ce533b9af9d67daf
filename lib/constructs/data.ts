import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { tableSchema } from '../../functions/core/data/table-schema.js';
import { acknowledge } from '../nag.js';

const str = (name: string): dynamodb.Attribute => ({ name, type: dynamodb.AttributeType.STRING });

/** The single table, shaped by the same `tableSchema` the local runner uses. */
export class Data extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: str(tableSchema.partitionKey),
      sortKey: str(tableSchema.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      timeToLiveAttribute: tableSchema.ttlAttribute,
      // For a later outbox consumer (mail, audit) reading changes off the stream.
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      // Member data outlives any stack: deleting the stack must not delete the table.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const gsi of tableSchema.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: gsi.indexName,
        partitionKey: str(gsi.partitionKey),
        sortKey: str(gsi.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
  }

  /** Read/write on the table and its indexes, and TABLE_NAME, always together. */
  grantReadWrite(fn: lambda.Function): void {
    this.table.grantReadWriteData(fn);
    fn.addEnvironment('TABLE_NAME', this.table.tableName);
    const tableId = Stack.of(this).getLogicalId(this.table.node.defaultChild as dynamodb.CfnTable);
    acknowledge(
      fn.role!,
      `AwsSolutions-IAM5[Resource::<${tableId}.Arn>/index/*]`,
      'Queries go through the overloaded GSIs (gsi1, gsi2) of this one table; /index/* names only its own indexes.',
    );
  }
}
