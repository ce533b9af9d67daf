/**
 * Local mode only: makes DynamoDB Local raise the transaction conflicts the service raises.
 * DynamoDB Local runs transactions one at a time and never reports a conflict, so code that
 * contends on one item looks fine locally and fails in AWS. This layer tracks the items of the
 * requests in flight (from the moment one holds a connection to its answer) and fails a request the way the service would
 * (docs/data-model.md, "Contention"):
 *
 * - TransactWriteItems meeting an in-flight TransactWriteItems or single-item write
 *   (PutItem/UpdateItem/DeleteItem) on any of its items: TransactionCanceledException, with
 *   `TransactionConflict` for the clashing items and `None` for the others;
 * - TransactGetItems meeting an in-flight write of any kind (transaction, single-item or
 *   BatchWriteItem) on one of its items: the same;
 * - PutItem/UpdateItem/DeleteItem meeting an in-flight TransactWriteItems on its item:
 *   TransactionConflictException.
 *
 * Plain reads never conflict, nor do single-item writes with each other (the service
 * serialises them on the item). The errors are built as the SDK deserialises the service's
 * (name, $fault, $metadata, CancellationReasons), so the error mapping in table.ts and the
 * SDK's retry classification treat them alike. The local stack (scripts/local/stack.ts) installs it
 * on the shared client when DYNAMODB_CONFLICTS=on; no Lambda bundle imports it.
 */
import { TransactionCanceledException, TransactionConflictException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';

type Kind = 'tx' | 'write';
type AttrMap = Record<string, unknown>;

/** Items in flight: one registry per process (shared by every client), counts per kind. */
interface Registry {
  inFlight: Map<string, { tx: number; write: number }>;
  conflicts: number;
}
const REGISTRY = Symbol.for('assoc.dynamodb.conflicts');
function registry(): Registry {
  const g = globalThis as unknown as Record<symbol, Registry>;
  return (g[REGISTRY] ??= { inFlight: new Map(), conflicts: 0 });
}

/** How many requests the layer has failed since the process started (for benches and tests). */
export const conflictCount = () => registry().conflicts;

/** The item identity: table plus its key attributes (pk and sk here), in a stable order. */
function itemId(table: unknown, key: AttrMap | undefined, keyAttrs: string[]): string {
  const k = key ?? {};
  return `${String(table)}\u0000${keyAttrs.map((a) => JSON.stringify(k[a] ?? null)).join('\u0000')}`;
}

interface Touch {
  id: string;
}

/** The items a request touches, and how it takes part in conflicts. */
function touches(command: string, input: AttrMap, keyAttrs: string[]): { role: 'txWrite' | 'txGet' | 'write' | 'batchWrite'; items: Touch[] } | undefined {
  const pick = (a: AttrMap | undefined): Touch => {
    const key = (a?.Key ?? a?.Item) as AttrMap | undefined;
    return { id: itemId(a?.TableName, key, keyAttrs) };
  };
  switch (command) {
    case 'TransactWriteItemsCommand':
      return { role: 'txWrite', items: ((input.TransactItems as AttrMap[]) ?? []).map((t) => pick((t.Put ?? t.Update ?? t.Delete ?? t.ConditionCheck) as AttrMap)) };
    case 'TransactGetItemsCommand':
      return { role: 'txGet', items: ((input.TransactItems as AttrMap[]) ?? []).map((t) => pick(t.Get as AttrMap)) };
    case 'PutItemCommand':
    case 'UpdateItemCommand':
    case 'DeleteItemCommand':
      return { role: 'write', items: [pick(input)] };
    case 'BatchWriteItemCommand': {
      const items: Touch[] = [];
      for (const [table, reqs] of Object.entries((input.RequestItems as Record<string, AttrMap[]>) ?? {})) {
        for (const r of reqs) {
          const key = ((r.PutRequest as AttrMap | undefined)?.Item ?? (r.DeleteRequest as AttrMap | undefined)?.Key) as AttrMap | undefined;
          items.push({ id: itemId(table, key, keyAttrs) });
        }
      }
      return { role: 'batchWrite', items };
    }
    default:
      return undefined;
  }
}

const metadata = () => ({ httpStatusCode: 400, requestId: `local-conflict-${randomUUID()}`, attempts: 1, totalRetryDelay: 0 });

/** As the service words it and the SDK deserialises it. */
export function transactionConflictCancellation(codes: string[]) {
  return new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
    $metadata: metadata(),
    CancellationReasons: codes.map((Code) => (Code === 'None' ? { Code } : { Code, Message: 'Transaction is ongoing for the item' })),
  });
}

export function transactionConflict() {
  return new TransactionConflictException({ message: 'Transaction is ongoing for the item', $metadata: metadata() });
}

/**
 * Adds the layer to a client. It sits below the SDK's retry step, as the service does: a
 * conflict the SDK would retry is retried, and every attempt is checked afresh.
 */
export function installConflicts(client: DynamoDBClient, opts: { keyAttributes?: string[]; connections?: number } = {}): void {
  const keyAttrs = opts.keyAttributes ?? ['pk', 'sk'];
  const reg = registry();
  // A request waiting for one of the client's connections has not reached the service: it is
  // in flight only once it holds one (see connectionPermits).
  const permit = connectionPermits(opts.connections ?? (Number(process.env.LOCAL_DYNAMODB_SOCKETS) || 50));
  const count = (id: string) => reg.inFlight.get(id) ?? { tx: 0, write: 0 };
  const hold = (ids: string[], kind: Kind) => {
    for (const id of ids) {
      const c = count(id);
      c[kind]++;
      reg.inFlight.set(id, c);
    }
  };
  const release = (ids: string[], kind: Kind) => {
    for (const id of ids) {
      const c = reg.inFlight.get(id);
      if (!c) continue;
      c[kind]--;
      if (!c.tx && !c.write) reg.inFlight.delete(id);
    }
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const t = touches(context.commandName ?? '', (args.input ?? {}) as AttrMap, keyAttrs);
      const done = await permit();
      try {
        if (!t) return await next(args);
        const ids = t.items.map((i) => i.id);
        if (t.role === 'txWrite' || t.role === 'txGet') {
          // A write transaction meets in-flight writes of both kinds; a read transaction, any write.
          const codes = ids.map((id) => (count(id).tx > 0 || count(id).write > 0 ? 'TransactionConflict' : 'None'));
          if (codes.includes('TransactionConflict')) {
            reg.conflicts++;
            throw transactionConflictCancellation(codes);
          }
        } else if (t.role === 'write' && count(ids[0]!).tx > 0) {
          reg.conflicts++;
          throw transactionConflict();
        }
        // Reads in a transaction hold nothing: only writes make others conflict.
        const kind: Kind | undefined = t.role === 'txWrite' ? 'tx' : t.role === 'txGet' ? undefined : 'write';
        if (kind) hold(ids, kind);
        try {
          return await next(args);
        } finally {
          if (kind) release(ids, kind);
        }
      } finally {
        done();
      }
    },
    { step: 'finalizeRequest', priority: 'low', name: 'localTransactionConflicts', override: true },
  );
}

/**
 * First come, first served: at most `n` requests of the client at once past this point (reads
 * too), as many as its connection pool holds. Beyond that the HTTP agent would queue them, and a
 * write queued there for seconds in a burst has not reached the service: counted as in flight,
 * it made every write to a hot item meet transactions that had not even been sent.
 */
function connectionPermits(n: number): () => Promise<() => void> {
  let free = n;
  const queue: (() => void)[] = [];
  const release = () => {
    const next = queue.shift();
    if (next) next();
    else free++;
  };
  return async () => {
    if (free > 0) free--;
    else await new Promise<void>((r) => queue.push(r));
    return release;
  };
}
