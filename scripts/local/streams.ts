/**
 * Reads the table's DynamoDB stream from DynamoDB Local and hands batches to the stream
 * consumer Lambda's handler, as the Lambda event source mapping does in AWS.
 */
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

type Consumer = (event: { Records: unknown[] }) => Promise<{ batchItemFailures?: { itemIdentifier: string }[] }>;

/** Recorded Stripe events (keys.stripeQueued): read by their own poller, as their own event source mapping's filter does in AWS. */
export const isStripeQueued = (r: _Record) => r.dynamodb?.Keys?.pk?.S?.startsWith('STRIPEQ#') === true;

export async function startStreamPoller(opts: {
  endpoint: string;
  client: DynamoDBClient;
  tableName: string;
  consumer: Consumer;
  log: (l: string) => void;
  intervalMs?: number;
  /** The mapping's filter: records it rejects are read past, never handed to the consumer. */
  accept?: (r: _Record) => boolean;
  /** For the log. */
  name?: string;
}) {
  const streams = new DynamoDBStreamsClient({ endpoint: opts.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const table = await opts.client.send(new DescribeTableCommand({ TableName: opts.tableName }));
  const streamArn = table.Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${opts.tableName} has no stream`);
  const iterators = new Map<string, string | undefined>();
  let stopped = false;

  async function refreshShards(initial: boolean) {
    const desc = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of desc.StreamDescription?.Shards ?? []) {
      if (iterators.has(shard.ShardId!)) continue;
      // At start-up, only what happens from now on (a persisted table's history was handled
      // before; unsent mail is swept by the daily job). New shards are read from their start.
      const it = await streams.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId!, ShardIteratorType: initial ? 'LATEST' : 'TRIM_HORIZON' }),
      );
      iterators.set(shard.ShardId!, it.ShardIterator);
    }
  }

  const toLambdaRecord = (r: _Record) => ({ eventID: r.eventID, eventName: r.eventName, eventSource: 'aws:dynamodb', awsRegion: 'local', dynamodb: r.dynamodb });

  await refreshShards(true);
  const loop = async () => {
    let rounds = 0;
    let shardClosed = false;
    while (!stopped) {
      let idle = true;
      for (const [shardId, iterator] of iterators) {
        if (!iterator) continue;
        try {
          const res = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
          iterators.set(shardId, res.NextShardIterator);
          // A closed shard has children: look for them now, not rounds later (Stripe events wait on them).
          if (!res.NextShardIterator) shardClosed = true;
          if (res.Records?.length) idle = false;
          const records = (res.Records ?? []).filter((r) => !opts.accept || opts.accept(r));
          if (records.length) {
            const out = await opts.consumer({ Records: records.map(toLambdaRecord) });
            if (out?.batchItemFailures?.length) opts.log(`stream (${opts.name ?? 'streams'}): ${out.batchItemFailures.length} record(s) failed`);
          }
        } catch (err) {
          if (!stopped) opts.log(`stream poll failed: ${(err as Error).message}`);
          // Re-read the shard from its start: every consumer action is idempotent.
          iterators.delete(shardId);
        }
      }
      if (++rounds % 50 === 0 || shardClosed || iterators.size === 0 || [...iterators.values()].every((v) => !v)) {
        shardClosed = false;
        await refreshShards(false).catch(() => {});
      }
      if (idle) await new Promise((r) => setTimeout(r, opts.intervalMs ?? 150));
    }
  };
  const running = loop();
  return {
    async stop() {
      stopped = true;
      await running;
    },
  };
}
