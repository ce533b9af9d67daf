/**
 * What the one-off migrations share: reading the table in pages, one item at a time, and
 * being started from the command line (TABLE_NAME, optional DYNAMODB_ENDPOINT, then any
 * arguments). The migrations themselves stay importable by their tests: `cli` does nothing
 * unless the migration's own file is the script node was started with.
 */
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, ScanCommand, type QueryCommandInput, type ScanCommandInput } from '@aws-sdk/lib-dynamodb';

type Item = Record<string, unknown>;

/** Every item of a paged read, in order; the next page is read once the last one's items are taken. */
async function* paged(read: (startKey: Item | undefined) => Promise<{ Items?: Item[]; LastEvaluatedKey?: Item }>): AsyncGenerator<Item> {
  let startKey: Item | undefined;
  do {
    const page = await read(startKey);
    for (const item of page.Items ?? []) yield item;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/** A Scan, page after page: only for migrations (no request path scans; see test/unit/no-scan.test.ts). */
export const scanPages = (db: DynamoDBDocumentClient, input: ScanCommandInput) => paged((ExclusiveStartKey) => db.send(new ScanCommand({ ...input, ExclusiveStartKey })));

/** A Query, page after page. */
export const queryPages = (db: DynamoDBDocumentClient, input: QueryCommandInput) => paged((ExclusiveStartKey) => db.send(new QueryCommand({ ...input, ExclusiveStartKey })));

/**
 * Runs `migrate` when `moduleUrl` (the migration's import.meta.url) is the script started:
 * TABLE_NAME is required, and with `argsName` at least one argument too.
 */
export async function cli(moduleUrl: string, migrate: (db: DynamoDBDocumentClient, table: string, args: string[]) => Promise<void>, opts: { argsName?: string } = {}): Promise<void> {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  const table = process.env.TABLE_NAME;
  const args = process.argv.slice(2);
  if (opts.argsName ? !table || !args.length : !table) throw new Error(opts.argsName ? `set TABLE_NAME and name the ${opts.argsName}` : 'set TABLE_NAME');
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT }), { marshallOptions: { removeUndefinedValues: true } });
  await migrate(db, table!, args);
}
