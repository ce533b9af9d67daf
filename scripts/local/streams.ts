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
  /**
   * Sub-batches handled at once, split by partition key so each key's records stay in order.
   * AWS spreads a busy table's stream over many shards, each with its own consumer; DynamoDB
   * Local has one shard, so one serial reader would put every event's mail behind a hot
   * event's. Only for a consumer whose records of different keys may be handled at once.
   */
  parallel?: number;
  /**
   * Records read per GetRecords call, handed over as one batch (default 100; DynamoDB allows
   * up to 1000). The counters' reader takes more: it sums a batch per counter item, so a bigger
   * batch is fewer reads and fewer writes of the hot counter items.
   */
  batchSize?: number;
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

  /**
   * With `parallel` > 1, records go to one serial queue per partition key and up to `parallel`
   * sub-batches run at once, while the reader reads on: as in AWS, where each shard's consumer
   * progresses on its own, a hot key's backlog holds back only that key.
   */
  const width = Math.max(1, opts.parallel ?? 1);
  const chains = new Map<string, Promise<void>>();
  let running = 0;
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  const slot = async () => {
    while (running >= width) await new Promise<void>((r) => waiting.push(r));
    running++;
  };
  const release = () => {
    running--;
    waiting.shift()?.();
  };
  const report = (failed: number) => failed && opts.log(`stream (${opts.name ?? 'streams'}): ${failed} record(s) failed`);
  async function consume(records: _Record[]): Promise<void> {
    if (width === 1) return void report((await opts.consumer({ Records: records.map(toLambdaRecord) }))?.batchItemFailures?.length ?? 0);
    const byKey = new Map<string, _Record[]>();
    for (const r of records) {
      const pk = r.dynamodb?.Keys?.pk?.S ?? '';
      byKey.set(pk, [...(byKey.get(pk) ?? []), r]);
    }
    for (const [pk, group] of byKey) {
      inFlight += group.length;
      const next: Promise<void> = (chains.get(pk) ?? Promise.resolve())
        .then(async () => {
          await slot();
          try {
            report((await opts.consumer({ Records: group.map(toLambdaRecord) }))?.batchItemFailures?.length ?? 0);
          } finally {
            release();
          }
        })
        .catch((err) => opts.log(`stream (${opts.name ?? 'streams'}) consumer failed: ${(err as Error).message}`))
        .finally(() => {
          inFlight -= group.length;
          if (chains.get(pk) === next) chains.delete(pk);
        });
      chains.set(pk, next);
    }
    // Bounded, but far above one hot key's burst (a bulk write of tens of thousands of RSVPs
    // to one event must not stop the reader and hold every other key behind it).
    while (inFlight > 100_000) await new Promise((r) => setTimeout(r, 20));
  }

  await refreshShards(true);
  const loop = async () => {
    let rounds = 0;
    let shardClosed = false;
    while (!stopped) {
      let idle = true;
      for (const [shardId, iterator] of iterators) {
        if (!iterator) continue;
        try {
          const res = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: opts.batchSize ?? 100 }));
          iterators.set(shardId, res.NextShardIterator);
          // A closed shard has children: look for them now, not rounds later (Stripe events wait on them).
          if (!res.NextShardIterator) shardClosed = true;
          if (res.Records?.length) idle = false;
          const records = (res.Records ?? []).filter((r) => !opts.accept || opts.accept(r));
          if (records.length) {
            await consume(records);
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
  const reading = loop();
  return {
    async stop() {
      stopped = true;
      await reading;
      await Promise.all([...chains.values()]);
    },
  };
}
